// Reading back a generator export (format wasm-gan-generator, written by safetensors_export.ts)
// from untrusted bytes: the container is checked as a checkpoint's is (src/io/safetensors.ts:
// header length against the file and maxHeaderBytes, JSON depth, every dtype, shape and offset,
// no overlaps or gaps, the CRC-32), then the metadata against the spec it carries (net,
// latent_dim, num_classes, output_shape), the spec's nets against maxTensorBytes, and the tensors
// against the generator's layout: exactly its parameter and batch-norm tensors (no sn_u / sn_v:
// spectral norm is folded in), each F32 of the layout's shape, every value finite.
// Bytes in, no file system and no engine (the inference entry loads through this).
import { parseSafetensors, tensorData, show } from "../io/safetensors.ts";
import { ModelFileError, loadLimits, label, type LoadLimits } from "../io/limits.ts";
import { specOfFile } from "../io/spec_file.ts";
import { roleNet } from "../model/nets.ts";
import { modelLayout, netLayout, tensorKey, type NetLayout } from "../model/layout.ts";
import type { NormalisedSpec } from "../model/spec.ts";
import { GENERATOR_FORMAT } from "./safetensors_export.ts";
import type { ExportTensor, ExportTensorName, WeightChoice } from "./generator.ts";

export class GeneratorFileError extends ModelFileError {
  constructor(file: string, problem: string) {
    super(file, problem);
    this.name = "GeneratorFileError";
  }
}

export interface GeneratorFile {
  path: string;
  spec: NormalisedSpec;
  net: string;              // the generator's name in spec.nets
  layout: NetLayout;        // its layout (input [latentDim + numClasses])
  latentDim: number;
  numClasses: number;       // 0: unconditional
  outputShape: number[];
  weights: WeightChoice;
  tensors: ExportTensor[];  // in layout order, as the export holds them
  metadata: Record<string, string>;
  bytes: number;            // file size
}

export function decodeGeneratorFile(bytes: Uint8Array, path = "generator", options: LoadLimits = {}): GeneratorFile {
  const fail = (problem: string): never => { throw new GeneratorFileError(path, problem); };
  const limits = loadLimits(options);
  let spec: NormalisedSpec | undefined;
  const { metadata: md, table, data } = parseSafetensors(bytes, fail, (md) => {
    if (md.format !== GENERATOR_FORMAT) fail(`not a wasm-gan generator export: __metadata__.format is ${md.format === undefined ? "absent" : show(md.format)}, expected ${show(GENERATOR_FORMAT)}`);
    if (md.format_version !== "1") fail(`generator export format version ${show(md.format_version)} is not supported (this wasm-gan reads version 1)`);
    spec = specOfFile(md.spec, limits, fail); // before the table: its tensor count bounds the header's
    const l = modelLayout(spec)[roleNet(spec, "generator").name];
    return [...l.params, ...l.state].filter((t) => t.name !== "sn_u" && t.name !== "sn_v").length;
  }, limits);
  if (!spec) return fail("internal: no spec");
  const g = roleNet(spec, "generator");
  const numClasses = spec.numClasses ?? 0;
  const agree = (key: string, want: string) => {
    if (md[key] !== want) fail(`header and spec disagree: __metadata__.${key} is ${md[key] === undefined ? "absent" : show(md[key])}, the spec says ${show(want)}`);
  };
  agree("net", g.name);
  agree("latent_dim", String(spec.latentDim));
  agree("num_classes", String(numClasses));
  agree("output_shape", JSON.stringify(spec.dataShape));
  agree("spectral_norm", "folded");
  agree("batch_norm", "running statistics");
  if (md.weights !== "ema" && md.weights !== "raw") fail(`corrupted header: __metadata__.weights is ${md.weights === undefined ? "absent" : show(md.weights)}, expected "ema" or "raw"`);

  const layout = netLayout(g.layers, g.input);
  const byName = new Map(table.map((t) => [t.name, t]));
  const tensors: ExportTensor[] = [];
  for (const t of [...layout.params, ...layout.state].sort((a, b) => a.layer - b.layer)) {
    if (t.name === "sn_u" || t.name === "sn_v") continue;
    const key = tensorKey(g.name, t), e = byName.get(key);
    if (!e) return fail(`tensor ${key} is missing (the spec needs it)`);
    if (e.dtype !== "F32") fail(`tensor ${key} is ${e.dtype}, expected F32`);
    if (e.shape.join() !== t.shape.join()) fail(`tensor ${key} has shape [${e.shape.join(", ")}], the spec needs [${t.shape.join(", ")}]`);
    byName.delete(key);
    const v = tensorData(data, e) as Float32Array;
    for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) fail(`tensor ${key} holds ${v[i]} at index ${i}`);
    tensors.push({ key, layer: t.layer, name: t.name as ExportTensorName, shape: t.shape, data: v });
  }
  for (const name of byName.keys()) fail(`unexpected tensor ${label(name)} (not part of this generator's export)`);
  return {
    path, spec, net: g.name, layout, latentDim: spec.latentDim, numClasses, outputShape: spec.dataShape,
    weights: md.weights as WeightChoice, tensors, metadata: md, bytes: bytes.length,
  };
}
