// wasm-gan sample: draws from a checkpoint into a PNG grid or scatter, .npy or JSON.
import { parseArgs } from "node:util";
import { extname } from "node:path";
import { loadCheckpoint } from "../io/checkpoint.ts";
import { encodeNpy } from "../io/npy.ts";
import { imageGrid } from "../io/image_grid.ts";
import { encodePng } from "../io/png.ts";
import { scatterPlot } from "../io/plot2d.ts";
import { writeFileAtomic } from "../io/files.ts";
import { ring8, grid25 } from "../data/mixtures.ts";
import { UsageError, intFlag, joinNegativeValues } from "./args.ts";
import { recordedDataName } from "./run_settings.ts";
import { prepareOutputFile } from "./out_paths.ts";

// nested arrays of `shape` from flat data
function nest(data: Float32Array, shape: number[], at = 0): unknown {
  if (shape.length === 1) return Array.from(data.subarray(at, at + shape[0]));
  const inner = shape.slice(1).reduce((a, b) => a * b, 1);
  return Array.from({ length: shape[0] }, (_, i) => nest(data, shape.slice(1), at + i * inner));
}

export async function sample(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args: joinNegativeValues(args), strict: true, allowPositionals: false,
    options: { model: { type: "string" }, n: { type: "string", short: "n" }, seed: { type: "string" }, format: { type: "string" }, out: { type: "string" }, label: { type: "string" } },
  });
  if (values.model === undefined) throw new UsageError("sample: --model PATH is required (a checkpoint file, or a run directory holding checkpoint.safetensors)");
  if (values.out === undefined) throw new UsageError("sample: --out FILE is required");
  const format = values.format ?? extname(values.out).slice(1).toLowerCase();
  if (!["png", "npy", "json"].includes(format)) {
    throw new UsageError(values.format !== undefined ? `--format must be png, npy or json (got ${JSON.stringify(values.format)})` : `cannot tell the format from ${JSON.stringify(values.out)}: pass --format png|npy|json`);
  }
  const seed = intFlag(values.seed, "seed", 1);
  await prepareOutputFile(values.out); // before any work: a file, in a folder that can be written
  const { gan, checkpoint } = await loadCheckpoint(values.model);
  const K = gan.spec.numClasses;
  if (values.label !== undefined && K === undefined) throw new UsageError("--label needs a conditional model (a spec with numClasses); this one is unconditional");
  const label = values.label === undefined ? undefined : intFlag(values.label, "label", 0, 0);
  if (label !== undefined && label >= K!) throw new UsageError(`--label must be a class from 0 to ${K! - 1} (got ${label})`);
  const shape = gan.spec.dataShape;
  const image = shape.length === 3;
  const n = intFlag(values.n, "n", image ? 64 : 2500, 1);
  if (n > 1_000_000) throw new UsageError(`-n must be at most 1000000 (got ${n})`);
  // conditional models: every sample of class --label, or classes 0, 1, ..., K-1, 0, ... in turn
  const samples = gan.sample(n, { seed, ...(label !== undefined ? { labels: label } : {}) });
  let bytes: Uint8Array | string;
  if (format === "npy") bytes = encodeNpy(samples, [n, ...shape]);
  else if (format === "json") bytes = JSON.stringify({ shape: [n, ...shape], step: checkpoint.step, seed, samples: nest(samples, [n, ...shape]) });
  else if (image) {
    const [h, w, c] = shape;
    if (c !== 1 && c !== 3) throw new UsageError(`a PNG grid needs 1 or 3 channels, these samples have ${c}: use --format npy or json`);
    bytes = imageGrid(samples, n, h, w, c, { scale: 2 });
  } else if (shape.join() === "2") {
    let centres: Float32Array | undefined;
    const dataName = recordedDataName(checkpoint);
    if (dataName === "ring8") centres = (await ring8({ count: 1 })).mixture!.centres;
    if (dataName === "grid25") centres = (await grid25({ count: 1 })).mixture!.centres;
    bytes = encodePng(scatterPlot(samples, { centres }));
  } else throw new UsageError(`samples of shape [${shape.join(", ")}] have no picture: use --format npy or json`);
  await writeFileAtomic(values.out, bytes);
  console.log(`wrote ${n} samples of shape [${shape.join(", ")}] (seed ${seed}) from ${checkpoint.path} (step ${checkpoint.step}) to ${values.out}`);
  return 0;
}
