// wasm-gan export: a checkpoint's generator as safetensors, ONNX or a tfjs LayersModel
// (src/export/). --out is a file for safetensors and onnx, a folder for tfjs (model.json and
// weights.bin, the weights written first so a model.json never names a missing shard). Every
// file goes through a temporary file and a rename. A CycleGAN checkpoint (or its run folder)
// needs --direction a2b (G) or b2a (F) and exports that generator (image in: `source`).
import { parseArgs } from "node:util";
import { join } from "node:path";
import { open } from "node:fs/promises";
import { readCheckpoint, checkpointPath } from "../io/checkpoint.ts";
import { readCycleCheckpoint, checkpointFormat, CYCLE_CHECKPOINT_FORMAT } from "../io/cycle_checkpoint.ts";
import { loadTfjs } from "../engine/tfjs/backends.ts";
import { writeFileAtomic } from "../io/files.ts";
import { DEFAULT_LIMITS } from "../io/limits.ts";
import { exportGenerator, EXPORT_FORMATS, ExportError, type ExportFormat } from "../export/index.ts";
import { UsageError } from "./args.ts";
import { prepareOutputFile, writableFolder } from "./out_paths.ts";

export async function exportCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args, strict: true, allowPositionals: false,
    options: { model: { type: "string" }, format: { type: "string" }, out: { type: "string" }, weights: { type: "string" }, direction: { type: "string" } },
  });
  if (values.model === undefined) throw new UsageError("export: --model PATH is required (a checkpoint file, or a run directory holding checkpoint.safetensors)");
  if (values.format === undefined) throw new UsageError(`export: --format is required (${EXPORT_FORMATS.join(", ")})`);
  if (!(EXPORT_FORMATS as readonly string[]).includes(values.format)) throw new UsageError(`--format must be safetensors, onnx or tfjs (got ${JSON.stringify(values.format)})`);
  if (values.out === undefined) throw new UsageError(`export: --out is required (a file for safetensors and onnx, a folder for tfjs)`);
  const w = values.weights;
  if (w !== undefined && w !== "ema" && w !== "raw") throw new UsageError(`--weights must be ema or raw (got ${JSON.stringify(w)})`);
  const d = values.direction;
  if (d !== undefined && d !== "a2b" && d !== "b2a") throw new UsageError(`--direction must be a2b or b2a (got ${JSON.stringify(d)})`);
  const format = values.format as ExportFormat;
  // before any work: where it writes
  if (format === "tfjs") await writableFolder(values.out, "--out", "the LayersModel (model.json, weights.bin)");
  else await prepareOutputFile(values.out);
  // a CycleGAN checkpoint (by its format) exports G or F (--direction); any other goes to readCheckpoint
  const file = await checkpointPath(values.model);
  const cycle = (await headerFormat(file)) === CYCLE_CHECKPOINT_FORMAT;
  if (cycle && d === undefined) throw new UsageError(`${file} is a CycleGAN checkpoint, with two generators: add --direction a2b (domain A -> B) or b2a (B -> A)`);
  if (!cycle && d !== undefined) throw new UsageError(`--direction is for a CycleGAN checkpoint; ${file} is not one (leave --direction out)`);
  const checkpoint = cycle ? await readCycleCheckpoint(file) : await readCheckpoint(values.model);
  // tfjs's CPU backend greets Node users on stderr unless in production mode (this process's own tfjs)
  if (format === "tfjs") (await loadTfjs()).enableProdMode();
  let exported;
  try {
    exported = await exportGenerator(checkpoint, format, { ...(w ? { weights: w } : {}), ...(d ? { direction: d } : {}) });
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
  console.log(`wrote the generator ${exported.net}${exported.direction ? ` (${exported.direction})` : ""} (${exported.weights} weights) of ${checkpoint.path} (step ${checkpoint.step}) as ${format}: ${written.join(", ")} (${size} bytes)`);
  return 0;
}

// the __metadata__.format of a safetensors file, reading its header only (at most the default
// header limit); undefined for anything else (the reader that follows says what is wrong)
async function headerFormat(file: string): Promise<string | undefined> {
  const f = await open(file, "r").catch(() => undefined);
  if (!f) return undefined;
  try {
    const head = new Uint8Array(8);
    if ((await f.read(head, 0, 8, 0)).bytesRead < 8) return undefined;
    const n = Number(new DataView(head.buffer).getBigUint64(0, true));
    if (n > DEFAULT_LIMITS.maxHeaderBytes) return undefined;
    const bytes = new Uint8Array(8 + n);
    bytes.set(head);
    await f.read(bytes, 8, n, 8);
    return checkpointFormat(bytes);
  } finally {
    await f.close();
  }
}
