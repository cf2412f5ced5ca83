// The evaluation API: samples in, the literature's numbers out.
//   evaluateImages(samples, count, { real?, metrics? })  images [count, 28, 28, 1] in [-1, 1]
//   evaluate(gan, { n?, seed?, real?, metrics? })         draws n samples from a GAN first
// Image metrics run on the digit classifier (src/eval/digit_classifier.ts): FID, KID and
// precision/recall on its penultimate features (64 wide), TF-GAN's classifier score and
// Fréchet distance on its logits. FID and the logits' distance default to the shipped reference
// statistics of the bundled MNIST (reference_stats.ts); KID and precision/recall need real
// samples, by default the 10,000 bundled digits. 2-D samples get the mixture mode metrics;
// Stacked MNIST images [28, 28, 3] the mode count and KL of src/eval/stacked_modes.ts (VEEGAN,
// PacGAN: 26,000 samples by default), with `real` the real set's own count beside them.
import { digitClassifier } from "./digit_classifier.ts";
import { frechetDistance } from "./fid.ts";
import { kernelInceptionDistance, type Kid, type KidOptions } from "./kid.ts";
import { precisionRecall, type PrecisionRecall } from "./precision_recall.ts";
import { classifierScore } from "./classifier_score.ts";
import { gaussianStats } from "./linalg.ts";
import { mnistReferenceStats } from "./reference_stats.ts";
import { mixtureMetrics, type MixtureMetrics } from "./mixture_metrics.ts";
import { stackedModes, STACKED_EVAL_SAMPLES, type StackedModes } from "./stacked_modes.ts";
import { SplitMix } from "./split_mix.ts";
import type { MixtureInfo } from "../data/dataset.ts";

export const IMAGE_METRICS = ["fid", "kid", "pr", "score"] as const;
export type ImageMetric = (typeof IMAGE_METRICS)[number];
export const IMAGE_SHAPE = [28, 28, 1];
export const STACKED_SHAPE = [28, 28, 3];
export const PR_MAX_SAMPLES = 5000; // precision/recall is O(n²): at most this many of each set

export interface RealImages { x: Float32Array; count: number }
export interface ImageEvalOptions {
  real?: RealImages;          // default: the bundled MNIST (FID: its shipped statistics)
  metrics?: ImageMetric[];    // default: all
  kid?: KidOptions;           // subset size (1000) and count (100), seed (2020)
  prSamples?: number;         // default PR_MAX_SAMPLES
  seed?: number;              // picks the precision/recall subsets (default 1)
}

export interface ImageEvaluation {
  count: number;
  fid?: number;                   // Heusel et al. 2017, on the classifier's features
  kid?: Kid;                      // Bińkowski et al. 2018, mean ± std over subsets
  precision?: number; recall?: number; pr?: PrecisionRecall; // Kynkäänniemi et al. 2019, k = 3
  classifierScore?: number;       // TF-GAN mnist_score
  logitsFrechetDistance?: number; // TF-GAN mnist_frechet_distance
  reference: string;              // what the samples were compared with
}

export function checkMetrics(names: readonly string[], what = "metrics"): ImageMetric[] {
  for (const m of names) if (!(IMAGE_METRICS as readonly string[]).includes(m)) throw new RangeError(`${what}: unknown metric ${JSON.stringify(m)} (known: ${IMAGE_METRICS.join(", ")})`);
  if (names.length === 0) throw new RangeError(`${what}: name at least one metric (known: ${IMAGE_METRICS.join(", ")})`);
  return [...new Set(names)] as ImageMetric[];
}

const minCount = (metrics: readonly ImageMetric[]) => (metrics.includes("pr") ? 4 : 2);

let bundledFeatures: Promise<{ features: Float32Array; count: number }> | undefined;
async function bundledRealFeatures() {
  return (bundledFeatures ??= (async () => {
    const { mnist } = await import("../data/mnist.ts"); // Node and Deno only: loaded when needed
    const data = await mnist();
    return { features: digitClassifier().forward(data.x, data.count).features, count: data.count };
  })());
}

export async function evaluateImages(samples: Float32Array, count: number, options: ImageEvalOptions = {}): Promise<ImageEvaluation> {
  const metrics = checkMetrics(options.metrics ?? IMAGE_METRICS);
  const size = IMAGE_SHAPE[0] * IMAGE_SHAPE[1] * IMAGE_SHAPE[2];
  checkImages("samples", samples, count, minCount(metrics), size);
  const net = digitClassifier(), F = net.featureSize;
  const { features, logits } = net.forward(samples, count);
  const out: ImageEvaluation = { count, reference: options.real ? `${options.real.count} real samples given` : "the bundled MNIST (10,000 digits; FID: shipped statistics)" };
  let real: { features: Float32Array; logits?: Float32Array; count: number } | undefined;
  if (options.real) {
    checkImages("real", options.real.x, options.real.count, minCount(metrics), size);
    real = { ...net.forward(options.real.x, options.real.count), count: options.real.count };
  }
  const ref = real ? undefined : mnistReferenceStats();
  if (metrics.includes("fid")) out.fid = frechetDistance(gaussianStats(features, count, F), real ? gaussianStats(real.features, real.count, F) : ref!.features);
  if (metrics.includes("score")) {
    out.classifierScore = classifierScore(logits, count, net.classes);
    out.logitsFrechetDistance = frechetDistance(gaussianStats(logits, count, net.classes), real ? gaussianStats(real.logits!, real.count, net.classes) : ref!.logits);
  }
  if (metrics.includes("kid") || metrics.includes("pr")) {
    const r = real ?? (await bundledRealFeatures());
    if (metrics.includes("kid")) out.kid = kernelInceptionDistance(features, count, r.features, r.count, F, options.kid);
    if (metrics.includes("pr")) {
      const cap = options.prSamples ?? PR_MAX_SAMPLES, rng = new SplitMix(options.seed ?? 1);
      const a = subset(features, count, F, Math.min(cap, count), rng), b = subset(r.features, r.count, F, Math.min(cap, r.count), rng);
      out.pr = precisionRecall(b.x, b.n, a.x, a.n, F, 3);
      out.precision = out.pr.precision; out.recall = out.pr.recall;
    }
  }
  return out;
}

// A GAN-like source of samples: createGAN's GAN, WasmGAN, TfjsGAN
export interface SampleSource { spec: { dataShape: number[] }; sample(n: number, options?: { seed?: number }): Float32Array | Promise<Float32Array> }
export interface EvalOptions extends Omit<ImageEvalOptions, "real"> {
  n?: number;                          // samples to draw (default DEFAULT_IMAGE_SAMPLES; 2-D: 10,000; Stacked MNIST: 26,000)
  seed?: number;                       // the sampling seed (default 1)
  real?: RealImages;                   // images: see ImageEvalOptions; Stacked MNIST: its first n also counted
  mixture?: MixtureInfo;               // 2-D samples: the mixture's centres and std (required)
}
export const DEFAULT_IMAGE_SAMPLES = 5000, DEFAULT_POINT_SAMPLES = 10_000, DEFAULT_STACKED_SAMPLES = STACKED_EVAL_SAMPLES;
export type Evaluation = ({ kind: "images" } & ImageEvaluation) | ({ kind: "mixture"; count: number } & MixtureMetrics)
  | ({ kind: "stacked"; real?: StackedModes } & StackedModes);

export async function evaluate(gan: SampleSource, options: EvalOptions = {}): Promise<Evaluation> {
  const shape = gan.spec.dataShape.join();
  const image = shape === IMAGE_SHAPE.join(), stacked = shape === STACKED_SHAPE.join();
  if (!image && !stacked && shape !== "2") throw new RangeError(`evaluate: no metrics for samples of shape [${gan.spec.dataShape.join(", ")}] (images of [28, 28, 1], Stacked MNIST [28, 28, 3] or 2-D points)`);
  if (stacked && options.metrics) throw new RangeError(`evaluate: the image metrics (${IMAGE_METRICS.join(", ")}) need images of [28, 28, 1]; Stacked MNIST [28, 28, 3] is scored by its mode count and KL`);
  const n = options.n ?? (image ? DEFAULT_IMAGE_SAMPLES : stacked ? DEFAULT_STACKED_SAMPLES : DEFAULT_POINT_SAMPLES);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`evaluate: n must be a positive integer (got ${n})`);
  if (stacked && options.real) checkImages("real", options.real.x, options.real.count, 1, 28 * 28 * 3, STACKED_SHAPE);
  const samples = await gan.sample(n, { seed: options.seed ?? 1 });
  if (image) return { kind: "images", ...(await evaluateImages(samples, n, options)) };
  if (stacked) {
    // the real set is counted on as many samples as the model's (its first n, or all if fewer):
    // how many modes a set covers depends on how many samples it has
    const real = options.real && { x: options.real.x.subarray(0, Math.min(n, options.real.count) * 28 * 28 * 3), count: Math.min(n, options.real.count) };
    return { kind: "stacked", ...stackedModes(samples, n), ...(real ? { real: stackedModes(real.x, real.count) } : {}) };
  }
  if (!options.mixture) throw new RangeError("evaluate: 2-D samples need options.mixture (the data set's centres and std, e.g. (await ring8()).mixture)");
  return { kind: "mixture", count: n, ...mixtureMetrics(samples, options.mixture) };
}

function checkImages(what: string, x: Float32Array, count: number, min: number, size: number, shape = IMAGE_SHAPE): void {
  if (!Number.isInteger(count) || count < min) throw new RangeError(`${what}: the metrics asked need at least ${min} samples (got ${count})`);
  if (!(x instanceof Float32Array) || x.length !== count * size) throw new RangeError(`${what}: ${count} images of [${shape.join(", ")}] need ${count * size} values, got ${x?.length}`);
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) throw new RangeError(`${what}: sample ${Math.floor(i / size)} holds ${x[i]}`);
}

function subset(x: Float32Array, n: number, d: number, k: number, rng: SplitMix): { x: Float32Array; n: number } {
  if (k >= n) return { x, n };
  const rows = rng.choose(n, k), out = new Float32Array(k * d);
  for (let r = 0; r < k; r++) out.set(x.subarray(rows[r] * d, rows[r] * d + d), r * d);
  return { x: out, n: k };
}
