// wasm-gan eval: scores a checkpoint's samples. Images [28, 28, 1]: FID, KID, precision/recall on
// the digit classifier's features and TF-GAN's classifier score / logits' Fréchet distance,
// against the shipped statistics of the bundled MNIST or --real PATH (what train --data takes).
// 2-D points: the mixture mode metrics against the recorded data set (ring8 or grid25) or --real ring8|grid25.
// Stacked MNIST [28, 28, 3]: the mode count and KL from uniform on 26,000 samples (VEEGAN, PacGAN),
// with --real (stacked-mnist or a PATH) the real set's own count beside them.
import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { loadCheckpoint } from "../io/checkpoint.ts";
import { ring8, grid25 } from "../data/mixtures.ts";
import { DataError } from "../data/errors.ts";
import { evaluate, checkMetrics, IMAGE_METRICS, DEFAULT_IMAGE_SAMPLES, DEFAULT_POINT_SAMPLES, DEFAULT_STACKED_SAMPLES, type Evaluation, type ImageMetric } from "../eval/evaluate.ts";
import type { StackedModes } from "../eval/stacked_modes.ts";
import { UsageError, intFlag, joinNegativeValues } from "./args.ts";
import { recordedDataName } from "./run_settings.ts";
import { loadDataName } from "./data_names.ts";

const MIXTURES: Record<string, typeof ring8> = { ring8, grid25 };

export async function evalCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args: joinNegativeValues(args), strict: true, allowPositionals: false,
    options: { model: { type: "string" }, real: { type: "string" }, n: { type: "string", short: "n" }, seed: { type: "string" }, metrics: { type: "string" }, json: { type: "boolean" } },
  });
  if (values.model === undefined) throw new UsageError("eval: --model PATH is required (a checkpoint file, or a run directory holding checkpoint.safetensors)");
  let metrics: ImageMetric[] | undefined;
  if (values.metrics !== undefined) {
    try { metrics = checkMetrics(values.metrics.split(",").map((s) => s.trim()).filter(Boolean), "--metrics"); } catch (e) { throw new UsageError((e as Error).message); }
  }
  const seed = intFlag(values.seed, "seed", 1);
  const nFlag = values.n === undefined ? undefined : intFlag(values.n, "n", 0, 1);
  if (nFlag !== undefined && nFlag > 100_000) throw new UsageError(`-n must be at most 100000 (got ${nFlag})`);
  const { gan, checkpoint } = await loadCheckpoint(values.model);
  const shape = gan.spec.dataShape, shapeText = `[${shape.join(", ")}]`;
  let result: Evaluation;
  // --real: a bundled image set by name, else a path (IDX files or a PNG folder)
  const realImages = async (min: number) => {
    if (values.real === undefined) return undefined;
    const data = await loadDataName(values.real.startsWith("path:") || values.real === "mnist" || values.real === "stacked-mnist" ? values.real : `path:${resolve(values.real)}`, seed);
    if (data.shape.join() !== shape.join()) throw new DataError(values.real, `samples of shape [${data.shape.join(", ")}], the model draws ${shapeText}`);
    if (data.count < min) throw new DataError(values.real, `${data.count} samples: the metrics need at least ${min}`);
    return { x: data.x, count: data.count };
  };
  if (shape.join() === "28,28,1") {
    const n = nFlag ?? DEFAULT_IMAGE_SAMPLES;
    if (n < 4) throw new UsageError(`-n must be at least 4 for the image metrics (got ${n})`);
    result = await evaluate(gan, { n, seed, metrics, real: await realImages(4) });
  } else if (shape.join() === "28,28,3") {
    if (metrics) throw new UsageError(`--metrics ${values.metrics}: the image metrics (${IMAGE_METRICS.join(", ")}) need images of [28, 28, 1]; this model draws Stacked MNIST images [28, 28, 3] (scored by the mode count and KL)`);
    result = await evaluate(gan, { n: nFlag ?? DEFAULT_STACKED_SAMPLES, seed, real: await realImages(1) });
  } else if (shape.join() === "2") {
    if (metrics) throw new UsageError(`--metrics ${values.metrics}: the image metrics (${IMAGE_METRICS.join(", ")}) need images of [28, 28, 1]; this model draws 2-D points (scored by the mixture mode metrics)`);
    const name = values.real ?? recordedDataName(checkpoint) ?? "ring8";
    if (!MIXTURES[name]) throw new UsageError(`--real ${JSON.stringify(name)}: 2-D models are scored against a bundled mixture (ring8 or grid25)`);
    const mixture = (await MIXTURES[name]({ count: 1 })).mixture!;
    result = await evaluate(gan, { n: nFlag ?? DEFAULT_POINT_SAMPLES, seed, mixture });
  } else {
    throw new UsageError(`eval: no metrics for samples of shape ${shapeText} (images of [28, 28, 1], Stacked MNIST [28, 28, 3], or 2-D points)`);
  }
  const report = { model: checkpoint.path, step: checkpoint.step, seed, ...result };
  if (values.json) console.log(JSON.stringify(report));
  else console.log(table(report, checkpoint.step));
  return 0;
}

function table(r: { model: string } & Evaluation, step: number): string {
  const f = (v: number, d = 4) => (Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(3) : v.toFixed(d));
  const rows: [string, string][] = [];
  if (r.kind === "images") {
    if (r.fid !== undefined) rows.push(["FID (classifier features)", f(r.fid)]);
    if (r.kid) rows.push(["KID (mean ± std)", `${f(r.kid.mean)} ± ${f(r.kid.std)}  (${r.kid.subsets} subsets of ${r.kid.subsetSize})`]);
    if (r.pr) rows.push(["precision / recall (k = 3)", `${r.pr.precision.toFixed(4)} / ${r.pr.recall.toFixed(4)}  (${r.pr.fake} vs ${r.pr.real} samples)`]);
    if (r.classifierScore !== undefined) rows.push(["classifier score (TF-GAN mnist_score)", f(r.classifierScore)]);
    if (r.logitsFrechetDistance !== undefined) rows.push(["Frechet distance on logits (TF-GAN)", f(r.logitsFrechetDistance)]);
  } else if (r.kind === "stacked") {
    const rowsOf = (m: StackedModes, who: string) => rows.push(
      [`${who}modes captured (Stacked MNIST)`, `${m.modes} of ${m.totalModes}  (${m.count} samples)`],
      [`${who}KL(modes || uniform)`, f(m.kl)],
      [`${who}all 3 digits confident >= ${m.threshold}`, m.confidentShare.toFixed(4)]);
    rowsOf(r, "");
    if (r.real) rowsOf(r.real, "real: ");
  } else {
    rows.push(["modes captured", `${r.modes} of ${r.totalModes}`], ["high-quality share", r.highQuality.toFixed(4)], ["KL(modes || uniform)", Number.isFinite(r.kl) ? f(r.kl) : "undefined (no sample within 3 std of a mode)"]);
  }
  const w = Math.max(...rows.map(([k]) => k.length));
  const head = `${r.model} (step ${step}): ${r.count} samples${r.kind === "images" ? ` against ${r.reference}` : ""}`;
  return [head, ...rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`)].join("\n");
}
