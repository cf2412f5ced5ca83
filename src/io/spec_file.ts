// A spec read from an untrusted file: a checkpoint's or a generator export's __metadata__.spec,
// or a spec/config JSON. The text's nesting is checked before JSON.parse, the spec validated, and
// its nets' size capped by limits.maxTensorBytes (src/model/footprint.ts) before any engine
// allocates. No engine is imported here (the inference entry loads through this).
import { validateSpec, type NormalisedSpec } from "../model/spec.ts";
import { parseJsonLimited, type LoadLimits } from "./limits.ts";

export function specOfFile(text: string | undefined, limits: Required<LoadLimits>, fail: (problem: string) => never, what = "__metadata__.spec"): NormalisedSpec {
  const why = (p: string) => fail(`${what} is not a valid spec: ${p}`);
  const json = text === undefined ? why("absent") : parseJsonLimited(text, "its text", limits.maxJsonDepth, why);
  try {
    return validateSpec(json, { maxBytes: limits.maxTensorBytes });
  } catch (e) {
    return why((e as Error).message);
  }
}
