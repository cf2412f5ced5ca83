// The training run as library code: steps in chunks off the caller's thread (the GAN's own
// worker), with snapshots and checkpoints on a cadence, an abort signal, and hooks. The CLI's
// `train`, the benches and any host (a page, a serverless job) call this; what a hook does with
// a snapshot or a checkpoint (files, a canvas, an upload) is the caller's business.
//
// Cadence: the run goes from the GAN's current step (a resumed GAN continues) to `steps`, in
// chunks that end at each multiple of `sampleEvery` and of `checkpointEvery`; onSnapshot runs
// at each multiple of sampleEvery and at the last step, onCheckpoint at each multiple of
// checkpointEvery (0: none on the way) and at the last step, and once more at the step an abort
// stopped at (the model intact, so a resumed run ends with the same weights, bit for bit, as an
// uninterrupted one).
//
// Health (src/health/): with `health` (a HealthMonitor) or `onHealth`, the monitor sees every
// logEvery-th StepStats (and the last), the sample metrics each onSnapshot returns, and a
// divergence; onHealth gets each change of a detector's state. What a snapshot measures is the
// caller's: the loop passes on what the hook returns.
//
// Evaluation (src/eval/training_eval.ts): with `evalEvery` (0 or undefined: none), chunks also end
// at each multiple of evalEvery, and onEval runs at each multiple and at the last step (after
// onSnapshot and before onCheckpoint of that step), never at step `start` itself except when the
// run is already at its end (as onSnapshot); not at the step an abort stopped at (a resumed run
// evaluates at the multiples after it, so its evaluations are those of an uninterrupted run).
// onEval resolves to a flat record of numbers. `keepBest` ranks them by one metric, its direction
// from METRIC_DIRECTION (fid lower, score higher, ...): onBest runs, at the step's weights and
// before its checkpoint, whenever a finite value beats the best so far (a tie keeps the earlier);
// `keepBest.best` carries a best from before a resume, which a worse later value never replaces.
import type { GAN } from "../worker/gan_api.ts";
import type { StepStats } from "../engine/wasm_engine.ts";
import type { Dataset } from "../data/dataset.ts";
import { HealthMonitor } from "../health/monitor.ts";
import type { HealthEvent, HealthReport, SampleMetrics } from "../health/types.ts";
import { isBetter, METRIC_DIRECTION, type EvalMetrics } from "../eval/training_eval.ts";

export interface Best { metric: string; step: number; value: number }

export interface RunOptions {
  steps: number;           // the step count the run ends at (not the count still to do)
  sampleEvery: number;     // >= 1
  checkpointEvery?: number; // default sampleEvery; 0: only at the end (or an abort)
  logEvery?: number;       // onStep every logEvery steps and at the last (default 1)
  signal?: AbortSignal;    // stops at the next step boundary, then checkpoints
  onStep?: (s: StepStats) => void;
  // what it resolves to (a snapshot's metrics: healthMetrics(snapshot, data)) goes to the monitor
  onSnapshot?: (step: number) => Promise<SampleMetrics | void> | SampleMetrics | void;
  onCheckpoint?: (step: number) => unknown; // awaited; what it resolves to is ignored (saveCheckpoint's byte count)
  health?: HealthMonitor;  // a monitor to feed (default with onHealth: one for gan.spec.loss)
  onHealth?: (e: HealthEvent) => void; // each change of a detector's state
  evalEvery?: number;      // onEval every evalEvery steps and at the last (0 / undefined: never)
  onEval?: (step: number) => Promise<EvalMetrics> | EvalMetrics;
  keepBest?: {
    metric: string;                       // a key of what onEval returns, named in METRIC_DIRECTION
    best?: { step: number; value: number }; // the best before this run (a resume)
    onBest?: (step: number, value: number, metrics: EvalMetrics) => Promise<void> | void;
  };
}

export interface RunResult {
  step: number;            // where the run stands
  start: number;           // where it started (a resumed GAN's step)
  interrupted: boolean;    // the signal stopped it before `steps`
  checkpointStep?: number; // the last step onCheckpoint ran for
  snapshotStep?: number;   // the last step onSnapshot ran for
  health?: HealthReport[]; // each detector's standing at the end (with health or onHealth)
  evalStep?: number;       // the last step onEval ran for
  best?: Best;             // with keepBest: the best so far (this run's or keepBest.best)
}

// A run that diverged (NaN or infinite loss, seen at every logEvery-th step; or a checkpoint
// refused for NaN weights): the engine's message, and the last step that was checkpointed in
// this run (undefined: none).
export class RunDivergedError extends Error {
  constructor(message: string, readonly checkpointStep: number | undefined) {
    super(message);
    this.name = "RunDivergedError";
  }
}

const nextMultiple = (x: number, k: number) => (Math.floor(x / k) + 1) * k;

function check(o: RunOptions): void {
  const int = (v: number | undefined, name: string, min: number) => {
    if (v !== undefined && !(Number.isSafeInteger(v) && v >= min)) throw new RangeError(`runTraining: ${name} must be an integer >= ${min} (got ${v})`);
  };
  int(o.steps, "steps", 0);
  int(o.sampleEvery, "sampleEvery", 1);
  int(o.checkpointEvery, "checkpointEvery", 0);
  int(o.logEvery, "logEvery", 1);
  int(o.evalEvery, "evalEvery", 0);
  if (o.evalEvery && !o.onEval) throw new RangeError("runTraining: evalEvery needs onEval (what to evaluate)");
  if (o.keepBest) {
    const { metric, best } = o.keepBest;
    if (!o.evalEvery) throw new RangeError("runTraining: keepBest needs evalEvery >= 1 (the evaluations to rank)");
    if (!METRIC_DIRECTION[metric]) throw new RangeError(`runTraining: keepBest.metric ${JSON.stringify(metric)} has no known direction (rankable: ${Object.keys(METRIC_DIRECTION).join(", ")})`);
    if (best && !(Number.isSafeInteger(best.step) && best.step >= 0 && typeof best.value === "number")) throw new RangeError(`runTraining: keepBest.best must be { step: integer >= 0, value: number } (got ${JSON.stringify(best)})`);
  }
}

export async function runTraining(gan: GAN, data: Dataset | Float32Array, o: RunOptions): Promise<RunResult> {
  check(o);
  const { steps, sampleEvery, signal } = o;
  const checkpointEvery = o.checkpointEvery ?? sampleEvery;
  const logEvery = o.logEvery ?? 1;
  const start = await gan.step();
  if (start > steps) throw new RangeError(`runTraining: steps ${steps} is behind the GAN, which is at step ${start}`);
  const result: RunResult = { step: start, start, interrupted: false };
  const monitor = o.health ?? (o.onHealth ? new HealthMonitor({ loss: gan.spec.loss }) : undefined);
  const tell = (events: HealthEvent[]) => { if (o.onHealth) for (const e of events) o.onHealth(e); };
  const snapshot = async (step: number) => {
    const m = await o.onSnapshot?.(step);
    if (monitor && m) tell(monitor.sample(step, m));
    result.snapshotStep = step;
  };
  const checkpoint = async (step: number) => { await o.onCheckpoint?.(step); result.checkpointStep = step; };
  const evalEvery = o.evalEvery ?? 0, keep = o.keepBest;
  if (keep?.best) result.best = { metric: keep.metric, ...keep.best };
  const evaluate = async (step: number) => {
    const m = await o.onEval!(step);
    result.evalStep = step;
    if (!keep) return;
    const v = m?.[keep.metric];
    if (typeof v !== "number") throw new RangeError(`runTraining: keepBest.metric ${JSON.stringify(keep.metric)} is not among the numbers onEval returned (${Object.keys(m ?? {}).join(", ") || "none"})`);
    if (!isBetter(keep.metric, v, result.best?.value)) return;
    await keep.onBest?.(step, v, m);
    result.best = { metric: keep.metric, step, value: v };
  };
  // the engine checks every reported step for a diverged loss: report at logEvery steps even
  // when the caller wants no onStep, so a diverging run always stops
  const onStep = !monitor ? o.onStep ?? (() => {}) : (s: StepStats) => {
    o.onStep?.(s); // the step's own line first, then what it changed
    if (s.step % logEvery === 0 || s.step === steps) tell(monitor.step(s));
  };
  let done = start;
  try {
    while (done < steps && !signal?.aborted) {
      const next = Math.min(nextMultiple(done, sampleEvery), checkpointEvery > 0 ? nextMultiple(done, checkpointEvery) : Infinity,
        evalEvery > 0 ? nextMultiple(done, evalEvery) : Infinity, steps);
      // statistics cross from the worker every logEvery steps (and at each chunk's end)
      await gan.train(data, { steps: next - done, every: logEvery, signal, onStep });
      done = await gan.step();
      if (done < next) break; // interrupted
      if (done % sampleEvery === 0 || done === steps) await snapshot(done);
      if (evalEvery > 0 && (done % evalEvery === 0 || done === steps)) await evaluate(done);
      if ((checkpointEvery > 0 && done % checkpointEvery === 0) || done === steps) await checkpoint(done);
    }
  } catch (e) {
    const msg = (e as Error).message;
    if (/diverged/.test(msg)) {
      if (monitor) tell(monitor.diverged(await gan.step().catch(() => done), msg));
      throw new RunDivergedError(msg, result.checkpointStep);
    }
    throw e;
  }
  result.step = done;
  if (monitor) result.health = monitor.reports();
  if (done < steps) { // interrupted
    result.interrupted = true;
    if (result.checkpointStep !== done) await checkpoint(done);
    return result;
  }
  if (result.snapshotStep !== done) await snapshot(done);
  if (evalEvery > 0 && result.evalStep !== done) await evaluate(done);
  if (result.checkpointStep !== done) await checkpoint(done);
  return result;
}
