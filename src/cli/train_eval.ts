// `train --eval-every N [--eval-metrics a,b] [--eval-samples N] [--keep-best METRIC]`: the
// settings (checked against the data's kind of metrics, src/eval/training_eval.ts, stored in the
// checkpoints' run settings so --resume continues them), the best of a run being resumed (read
// back from its best.safetensors), and the metadata a best checkpoint carries.
import { readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import type { Dataset } from "../data/dataset.ts";
import { readCheckpoint, type Checkpoint } from "../io/checkpoint.ts";
import { writeFileAtomic } from "../io/files.ts";
import { EVAL_KINDS, METRIC_DIRECTION, evalChoices, evalKeys, evalKindFor, type EvalKind } from "../eval/training_eval.ts";
import { UsageError, intFlag } from "./args.ts";

export const BEST_FILE = "best.safetensors";
export const EVAL_SEED = 1;          // the sampling seed of every evaluation (eval's default --seed)
export const MAX_EVAL_SAMPLES = 100_000;

// what the run settings record (RunSettings.eval)
export interface EvalSettings { every: number; metrics: string[]; samples: number; seed: number; keepBest?: string }
// what best.safetensors records (__metadata__.best, JSON)
export interface BestRecord { metric: string; step: number; value: number; n: number; seed: number }

interface EvalFlags { "eval-every"?: string; "eval-metrics"?: string; "eval-samples"?: string; "keep-best"?: string }

const list = (s: string) => s.split(",").map((x) => x.trim()).filter(Boolean);

// The settings from the flags, else those of the run being resumed; undefined: no evaluation.
export function evalSettings(f: EvalFlags, data: Dataset, prior: EvalSettings | undefined): { settings: EvalSettings; kind: EvalKind } | undefined {
  const every = intFlag(f["eval-every"], "eval-every", prior?.every ?? 0, 0);
  if (every === 0) {
    const dangling = (["keep-best", "eval-metrics", "eval-samples"] as const).find((k) => f[k] !== undefined);
    if (dangling) throw new UsageError(`--${dangling} needs --eval-every N (evaluate every N steps)`);
    return undefined;
  }
  const kind = evalKindFor(data);
  if (!kind) throw new UsageError(`--eval-every: no metrics for the data set ${data.name} (samples of shape [${data.shape.join(", ")}]; metrics exist for ${EVAL_KINDS.map((k) => k.kind).join(", ")})`);
  let metrics: string[];
  try {
    metrics = evalChoices(kind, f["eval-metrics"] !== undefined ? list(f["eval-metrics"]) : prior?.metrics, "--eval-metrics");
  } catch (e) { throw new UsageError((e as Error).message); }
  const samples = intFlag(f["eval-samples"], "eval-samples", prior?.samples ?? kind.defaultSamples, kind.minSamples);
  if (samples > MAX_EVAL_SAMPLES) throw new UsageError(`--eval-samples must be at most ${MAX_EVAL_SAMPLES} (got ${samples})`);
  const keepBest = f["keep-best"] ?? prior?.keepBest;
  if (keepBest !== undefined) {
    const keys = evalKeys(kind, metrics);
    if (!keys.includes(keepBest) || !METRIC_DIRECTION[keepBest]) {
      const rankable = keys.filter((k) => METRIC_DIRECTION[k]).join(", ");
      const chooser = Object.entries(kind.choices).find(([, ks]) => ks.includes(keepBest))?.[0];
      const elsewhere = EVAL_KINDS.find((k) => k !== kind && Object.values(k.choices).some((ks) => ks.includes(keepBest)));
      throw new UsageError(`--keep-best ${keepBest}: ${chooser && METRIC_DIRECTION[keepBest] ? `not evaluated: add ${chooser} to --eval-metrics (now ${metrics.join(",")})`
        : chooser ? "a spread, not a metric to rank by"
        : elsewhere ? `does not apply to ${kind.kind} data (it is for ${elsewhere.kind})` : "unknown metric"} (rankable here: ${rankable})`);
    }
  }
  return { settings: { every, metrics, samples, seed: EVAL_SEED, ...(keepBest !== undefined ? { keepBest } : {}) }, kind };
}

// RunSettings.eval read back from a checkpoint: undefined when absent, else checked
export function checkEvalSettings(v: unknown): boolean {
  if (v === undefined) return true;
  const s = v as EvalSettings, int = (x: unknown, min: number) => Number.isSafeInteger(x) && (x as number) >= min;
  return typeof s === "object" && s !== null && int(s.every, 1) && int(s.samples, 1) && int(s.seed, 0)
    && Array.isArray(s.metrics) && s.metrics.every((m) => typeof m === "string") && (s.keepBest === undefined || typeof s.keepBest === "string");
}

export const bestMetadata = (b: BestRecord) => ({ best: JSON.stringify(b) });

export function bestRecord(c: Checkpoint): BestRecord | undefined {
  try {
    const b = JSON.parse(c.metadata.best ?? "null");
    return b && typeof b.metric === "string" && Number.isSafeInteger(b.step) && typeof b.value === "number" && Number.isSafeInteger(b.n) && Number.isSafeInteger(b.seed) ? b : undefined;
  } catch { return undefined; }
}

// The best of the run being resumed, from best.safetensors beside its checkpoint (copied into
// `out` when that is another folder). None: no such file, a best by another metric, sample
// count or seed (not comparable: a note says so), or one from after the resumed step (those
// steps are run again and evaluated again).
export async function priorBest(resume: Checkpoint, out: string, s: EvalSettings, note: (msg: string) => void): Promise<{ step: number; value: number } | undefined> {
  if (!s.keepBest) return undefined;
  const file = join(dirname(resume.path), BEST_FILE);
  let c: Checkpoint;
  try {
    c = await readCheckpoint(file);
  } catch (e) {
    if (/no such file/.test((e as Error).message)) return undefined;
    throw e; // a damaged best.safetensors: one line naming it (CheckpointError)
  }
  const b = bestRecord(c);
  if (!b) { note(`${file} records no best (__metadata__.best): a new best is kept from this run's evaluations`); return undefined; }
  if (b.metric !== s.keepBest || b.n !== s.samples || b.seed !== s.seed) {
    note(`${file} is the best by ${b.metric} on ${b.n} samples (seed ${b.seed}), not comparable with --keep-best ${s.keepBest} on ${s.samples}: this run's best replaces it`);
    return undefined;
  }
  if (b.step > resume.step) return undefined;
  if (resolve(dirname(file)) !== resolve(out)) await writeFileAtomic(join(out, BEST_FILE), new Uint8Array(await readFile(file)), { fsync: true });
  return { step: b.step, value: b.value };
}

// "fid 127.4": a number in 4 significant digits
export const shortValue = (v: number) => !Number.isFinite(v) ? String(v) : Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(2) : String(+v.toPrecision(4));
