// Evaluation during training: which metrics a data set gets, which way each one is better, and
// one flat record of numbers per evaluation (what runTraining's onEval resolves to, what
// `train --eval-every` writes as an {"eval": …} line and what `--keep-best` ranks).
//
// Two tables:
//   METRIC_DIRECTION  every rankable number an evaluation yields and which way is better (the
//                     only place that says it; keepBest looks it up)
//   EVAL_KINDS        per kind of data: when it applies, the metric names a user may choose
//                     (each yields one or more numbers), the default choice and sample count,
//                     and how to evaluate. Adding a data kind's metrics is one entry here (and
//                     a line in METRIC_DIRECTION for each new number).
// The numbers are those of evaluate() on the same n and seed, so `wasm-gan eval --model
// best.safetensors -n N --seed S --metrics …` reproduces a recorded line exactly.
import type { Dataset } from "../data/dataset.ts";
import { evaluateImages, IMAGE_SHAPE, type ImageMetric } from "./evaluate.ts";
import { mixtureMetrics } from "./mixture_metrics.ts";

export type Better = "lower" | "higher";

// The numbers, with their papers:
//   fid        Fréchet Inception Distance (Heusel et al. 2017) on the digit classifier's features
//   kid        Kernel Inception Distance, mean over subsets (Bińkowski et al. 2018); kidStd (its
//              spread over the subsets) is recorded, not ranked
//   precision, recall   k = 3 nearest-neighbour manifolds (Kynkäänniemi et al. 2019)
//   score      TF-GAN's mnist_score (the Inception score of Salimans et al. 2016 on the classifier)
//   logitsFd   TF-GAN's mnist_frechet_distance (the FID formula on the classifier's logits)
//   modes, highQuality, kl   mixture mode metrics (Srivastava et al. 2017, VEEGAN; Lin et al.
//              2018, PacGAN): modes captured, share within 3 std, KL(mode histogram ‖ uniform)
export const METRIC_DIRECTION: Record<string, Better> = {
  fid: "lower", kid: "lower", logitsFd: "lower", kl: "lower",
  score: "higher", precision: "higher", recall: "higher", modes: "higher", highQuality: "higher",
};

// a flat record of numbers, plus the step, n and seed it was taken at (NaN / Infinity where a
// metric is undefined, e.g. kl with no high-quality sample; JSON writes them as null)
export type EvalMetrics = Record<string, number>;

export interface EvalSource { sample(n: number, options?: { seed?: number }): Float32Array | Promise<Float32Array> }

export interface EvalKind {
  kind: string;                                  // named in messages ("MNIST-shaped images")
  applies(data: Dataset): boolean;
  choices: Record<string, readonly string[]>;    // a name --eval-metrics takes -> the numbers it yields
  fixed: boolean;                                // true: every evaluation holds all choices (no choosing)
  defaultChoices: readonly string[];
  defaultSamples: number;                        // measured: see each entry
  minSamples: number;
  evaluate(gan: EvalSource, data: Dataset, o: { n: number; seed: number; choices: readonly string[] }): Promise<EvalMetrics>;
}

const IMAGE_CHOICES = { fid: ["fid"], kid: ["kid", "kidStd"], pr: ["precision", "recall"], score: ["score", "logitsFd"] };
const finite = (x: Float32Array) => { for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) return false; return true; };

export const EVAL_KINDS: EvalKind[] = [
  {
    // the digit classifier's metrics (src/eval/evaluate.ts) against the bundled MNIST (FID: its
    // shipped statistics) or, for other [28, 28, 1] data (train --data), the training set itself.
    // 2,000 samples: FID alone takes ~2 s (sampling 0.9 s + features 0.9 s, dcgan-mnist, one
    // thread, shared 2-core machine); kid and pr add ~20 s (pr: 2,000 against 5,000 real).
    kind: "MNIST-shaped images",
    applies: (d) => d.shape.join() === IMAGE_SHAPE.join(),
    choices: IMAGE_CHOICES,
    fixed: false, defaultChoices: ["fid"], defaultSamples: 2000, minSamples: 4,
    async evaluate(gan, data, { n, seed, choices }) {
      const samples = await gan.sample(n, { seed });
      const keys = choices.flatMap((c) => IMAGE_CHOICES[c as keyof typeof IMAGE_CHOICES]);
      if (!finite(samples)) return Object.fromEntries(keys.map((k) => [k, NaN]));
      const real = data.name === "mnist" ? undefined : { x: data.x, count: data.count };
      // seed: as evaluate() passes it (it also picks the precision/recall subsets)
      const e = await evaluateImages(samples, n, { metrics: choices as ImageMetric[], real, seed });
      const all: EvalMetrics = { fid: e.fid!, kid: e.kid?.mean!, kidStd: e.kid?.std!, precision: e.precision!, recall: e.recall!, score: e.classifierScore!, logitsFd: e.logitsFrechetDistance! };
      return Object.fromEntries(keys.map((k) => [k, all[k]]));
    },
  },
  {
    // 2-D mixtures: the mode metrics on 10,000 samples, the count `wasm-gan eval` draws (a few ms)
    kind: "2-D mixture",
    applies: (d) => !!d.mixture,
    choices: { modes: ["modes"], highQuality: ["highQuality"], kl: ["kl"] },
    fixed: true, defaultChoices: ["modes", "highQuality", "kl"], defaultSamples: 10_000, minSamples: 1,
    async evaluate(gan, data, { n, seed }) {
      const m = mixtureMetrics(await gan.sample(n, { seed }), data.mixture!);
      return { modes: m.modes, highQuality: m.highQuality, kl: m.kl };
    },
  },
];

export function evalKindFor(data: Dataset): EvalKind | undefined {
  return EVAL_KINDS.find((k) => k.applies(data));
}

// The numbers an evaluation with these choices holds
export function evalKeys(kind: EvalKind, choices: readonly string[]): string[] {
  return choices.flatMap((c) => kind.choices[c]);
}

// Checks a choice of metrics against the data's kind; undefined: the kind's default.
// Throws a RangeError naming `what` and the problem.
export function evalChoices(kind: EvalKind, names: readonly string[] | undefined, what = "metrics"): string[] {
  const known = Object.keys(kind.choices);
  if (names?.length === 0) throw new RangeError(`${what}: name at least one metric (for ${kind.kind}: ${known.join(", ")})`);
  for (const m of names ?? []) {
    if (known.includes(m)) continue;
    const elsewhere = EVAL_KINDS.find((k) => k !== kind && k.choices[m]);
    throw new RangeError(elsewhere ? `${what}: ${JSON.stringify(m)} does not apply to ${kind.kind} data (it is for ${elsewhere.kind}; here: ${known.join(", ")})`
      : `${what}: unknown metric ${JSON.stringify(m)} (for ${kind.kind} data: ${known.join(", ")})`);
  }
  // a fixed kind's evaluations always hold all of its numbers
  return names === undefined || kind.fixed ? [...kind.defaultChoices] : [...new Set(names)];
}

// What runTraining's onEval needs: evaluate `gan` on `data`'s metrics (default: the kind's
// default choice and sample count; seed 1). Throws a RangeError for data no kind applies to or a
// metric that does not apply.
export function evaluator(gan: EvalSource, data: Dataset, o: { metrics?: string[]; n?: number; seed?: number } = {}): () => Promise<EvalMetrics> {
  const kind = evalKindFor(data);
  if (!kind) throw new RangeError(`evaluator: no metrics for the data set ${data.name} (samples of shape [${data.shape.join(", ")}]; metrics exist for ${EVAL_KINDS.map((k) => k.kind).join(", ")})`);
  const choices = evalChoices(kind, o.metrics, "evaluator: metrics");
  const n = o.n ?? kind.defaultSamples, seed = o.seed ?? 1;
  if (!Number.isSafeInteger(n) || n < kind.minSamples) throw new RangeError(`evaluator: n must be an integer >= ${kind.minSamples} (got ${n})`);
  return () => kind.evaluate(gan, data, { n, seed, choices });
}

// Is `a` better than `b` by this metric? Only a finite value can be best; a tie keeps the earlier.
export function isBetter(metric: string, a: number, b: number | undefined): boolean {
  const better = METRIC_DIRECTION[metric];
  if (!better) throw new RangeError(`keepBest.metric: ${JSON.stringify(metric)} has no known direction (rankable: ${Object.keys(METRIC_DIRECTION).join(", ")})`);
  if (!Number.isFinite(a)) return false;
  if (b === undefined || !Number.isFinite(b)) return true;
  return better === "lower" ? a < b : a > b;
}
