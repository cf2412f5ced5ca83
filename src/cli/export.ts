// wasm-gan export: a checkpoint's generator as safetensors, ONNX or a tfjs LayersModel
// (src/export/). --out is a file for safetensors and onnx, a folder for tfjs (model.json and
// weights.bin, the weights written first so a model.json never names a missing shard). Every
// file goes through a temporary file and a rename.
import { parseArgs } from "node:util";
import { join } from "node:path";
import { readCheckpoint } from "../io/checkpoint.ts";
import { loadTfjs } from "../engine/tfjs/backends.ts";
import { writeFileAtomic } from "../io/files.ts";
import { exportGenerator, EXPORT_FORMATS, ExportError, type ExportFormat } from "../export/index.ts";
import { UsageError } from "./args.ts";
import { prepareOutputFile, writableFolder } from "./out_paths.ts";

export async function exportCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args, strict: true, allowPositionals: false,
    options: { model: { type: "string" }, format: { type: "string" }, out: { type: "string" }, weights: { type: "string" } },
  });
  if (values.model === undefined) throw new UsageError("export: --model PATH is required (a checkpoint file, or a run directory holding checkpoint.safetensors)");
  if (values.format === undefined) throw new UsageError(`export: --format is required (${EXPORT_FORMATS.join(", ")})`);
  if (!(EXPORT_FORMATS as readonly string[]).includes(values.format)) throw new UsageError(`--format must be safetensors, onnx or tfjs (got ${JSON.stringify(values.format)})`);
  if (values.out === undefined) throw new UsageError(`export: --out is required (a file for safetensors and onnx, a folder for tfjs)`);
  const w = values.weights;
  if (w !== undefined && w !== "ema" && w !== "raw") throw new UsageError(`--weights must be ema or raw (got ${JSON.stringify(w)})`);
  const format = values.format as ExportFormat;
  // before any work: where it writes
  if (format === "tfjs") await writableFolder(values.out, "--out", "the LayersModel (model.json, weights.bin)");
  else await prepareOutputFile(values.out);
  const checkpoint = await readCheckpoint(values.model);
  // tfjs's CPU backend greets Node users on stderr unless in production mode (this process's own tfjs)
  if (format === "tfjs") (await loadTfjs()).enableProdMode();
  let exported;
  try {
    exported = await exportGenerator(checkpoint, format, w ? { weights: w } : {});
  } catch (e) {
    if (e instanceof ExportError) throw new UsageError(e.message);
    throw e;
  }
  const written: string[] = [];
  if (format === "tfjs") {
    for (const f of [...exported.files].reverse()) { const p = join(values.out, f.name); await writeFileAtomic(p, f.bytes); written.unshift(p); }
  } else {
    await writeFileAtomic(values.out, exported.files[0].bytes);
    written.push(values.out);
  }
  const size = exported.files.reduce((a, f) => a + f.bytes.length, 0);
  console.log(`wrote the generator ${exported.net} (${exported.weights} weights) of ${checkpoint.path} (step ${checkpoint.step}) as ${format}: ${written.join(", ")} (${size} bytes)`);
  return 0;
}
