// exportGenerator(): a trained generator as files other runtimes load — safetensors (its weights),
// ONNX (onnxruntime and every ONNX runtime) or a tfjs LayersModel. One file per format:
// generator.ts (the weights to export: EMA or raw, spectral norm folded, batch norm's running
// statistics), safetensors_export.ts, onnx_export.ts (+ onnx_schema.ts), tfjs_export.ts.
import { generatorNet, ExportError, type ExportSource, type ExportOptions } from "./generator.ts";
import { generatorSafetensors } from "./safetensors_export.ts";
import { generatorOnnx } from "./onnx_export.ts";
import { generatorTfjs, TFJS_MODEL_FILE, TFJS_WEIGHTS_FILE } from "./tfjs_export.ts";

export { ExportError, type ExportSource, type CycleSource, type ExportOptions, type WeightChoice } from "./generator.ts";
export const EXPORT_FORMATS = ["safetensors", "onnx", "tfjs"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportedFile { name: string; bytes: Uint8Array }
export interface Exported {
  format: ExportFormat;
  net: string;                  // the generator's name in spec.nets
  weights: "ema" | "raw";       // which parameters it holds
  direction?: "a2b" | "b2a";    // a CycleGAN's generator: which one
  // safetensors: generator.safetensors; onnx: generator.onnx; tfjs: model.json then weights.bin
  files: ExportedFile[];
}

// `source`: a checkpoint (readCheckpoint / decodeCheckpoint) or a GAN (WasmGAN, createGAN's GAN);
// or a CycleGAN checkpoint (readCycleCheckpoint) or CycleGAN, with options.direction (onnx, tfjs)
export async function exportGenerator(source: ExportSource, format: ExportFormat, options: ExportOptions = {}): Promise<Exported> {
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) throw new ExportError(`unknown export format ${JSON.stringify(format)} (formats: ${EXPORT_FORMATS.join(", ")})`);
  const g = await generatorNet(source, options);
  // the generator-export file (src/export/generator_file.ts) carries a GAN spec; a CycleGAN
  // checkpoint already holds G's and F's tensors by the same names
  if (format === "safetensors" && g.source) throw new ExportError(`safetensors export of a CycleGAN generator is not supported: export it to onnx or tfjs (its checkpoint holds ${g.net}'s tensors as ${g.net}.<layer>.<name>)`);
  const head = { format, net: g.net, weights: g.weights, ...(g.direction ? { direction: g.direction } : {}) };
  if (format === "safetensors") return { ...head, files: [{ name: "generator.safetensors", bytes: generatorSafetensors(g) }] };
  if (format === "onnx") return { ...head, files: [{ name: "generator.onnx", bytes: await generatorOnnx(g) }] };
  const t = await generatorTfjs(g);
  return { ...head, files: [{ name: TFJS_MODEL_FILE, bytes: new TextEncoder().encode(t.modelJson) }, { name: TFJS_WEIGHTS_FILE, bytes: t.weights }] };
}
