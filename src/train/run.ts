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
import type { GAN } from "../worker/gan_api.ts";
import type { StepStats } from "../engine/wasm_engine.ts";
import type { Dataset } from "../data/dataset.ts";
import { HealthMonitor } from "../health/monitor.ts";
import type { HealthEvent, HealthReport, SampleMetrics } from "../health/types.ts";

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
}

export interface RunResult {
  step: number;            // where the run stands
  start: number;           // where it started (a resumed GAN's step)
  interrupted: boolean;    // the signal stopped it before `steps`
  checkpointStep?: number; // the last step onCheckpoint ran for
  snapshotStep?: number;   // the last step onSnapshot ran for
  health?: HealthReport[]; // each detector's standing at the end (with health or onHealth)
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
  // the engine checks every reported step for a diverged loss: report at logEvery steps even
  // when the caller wants no onStep, so a diverging run always stops
  const onStep = !monitor ? o.onStep ?? (() => {}) : (s: StepStats) => {
    o.onStep?.(s); // the step's own line first, then what it changed
    if (s.step % logEvery === 0 || s.step === steps) tell(monitor.step(s));
  };
  let done = start;
  try {
    while (done < steps && !signal?.aborted) {
      const next = Math.min(nextMultiple(done, sampleEvery), checkpointEvery > 0 ? nextMultiple(done, checkpointEvery) : Infinity, steps);
      // statistics cross from the worker every logEvery steps (and at each chunk's end)
      await gan.train(data, { steps: next - done, every: logEvery, signal, onStep });
      done = await gan.step();
      if (done < next) break; // interrupted
      if (done % sampleEvery === 0 || done === steps) await snapshot(done);
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
  if (result.checkpointStep !== done) await checkpoint(done);
  return result;
}
