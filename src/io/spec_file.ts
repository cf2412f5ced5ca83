// A spec read from an untrusted file: a checkpoint's or a generator export's __metadata__.spec,
// or a spec/config JSON. The text's nesting is checked before JSON.parse, the spec validated, and
// its nets' size capped by limits.maxTensorBytes (src/model/footprint.ts) before any engine
// allocates. No engine is imported here (the inference entry loads through this).
import { validateSpec, SpecError, type NormalisedSpec } from "../model/spec.ts";
import { loadLimits, parseJsonLimited, type LoadLimits } from "./limits.ts";

export function specOfFile(text: string | undefined, limits: Required<LoadLimits>, fail: (problem: string) => never, what = "__metadata__.spec"): NormalisedSpec {
  const why = (p: string) => fail(`${what} is not a valid spec: ${p}`);
  const json = text === undefined ? why("absent") : parseJsonLimited(text, "its text", limits.maxJsonDepth, why);
  try {
    return validateSpec(json, { maxBytes: limits.maxTensorBytes });
  } catch (e) {
    return why((e as Error).message);
  }
}

// A spec file's text (a spec or config JSON) as a normalised spec: SpecError naming the field or
// the problem (`spec: nests arrays and objects more than 64 deep ...`)
export function parseSpecJson(text: string, options: LoadLimits = {}): NormalisedSpec {
  const limits = loadLimits(options);
  const json = parseJsonLimited(text, "the spec", limits.maxJsonDepth, (p) => { throw new SpecError("spec", p); });
  return validateSpec(json, { maxBytes: limits.maxTensorBytes });
}
