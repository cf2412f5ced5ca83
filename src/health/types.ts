// The training-health monitor's vocabulary: a detector judges the run from the statistics each
// logged step reports (StepStats) and from the sample metrics of each snapshot, and says ok,
// warning or firing with the numbers it looked at. The monitor (monitor.ts) keeps each
// detector's state, the step that state began, and emits one HealthEvent per change of state.
import type { StepStats } from "../model/stats.ts";
import type { LossName } from "../model/ops.ts";

export type HealthState = "ok" | "warning" | "firing";

// The numbers a verdict rests on (JSON-safe: null for a missing or non-finite value)
export type Evidence = Record<string, number | string | null>;

export interface Verdict { state: HealthState; evidence: Evidence }

// A snapshot's sample metrics (src/train/snapshot.ts): for 2-D mixtures the mode metrics, for
// MNIST the digit classifier's verdict; other data sets give none of these fields.
export interface SampleMetrics {
  modes?: number; totalModes?: number; highQuality?: number; kl?: number | null; perMode?: number[];
  confidentShare?: number; classesPresent?: number; maxClassShare?: number; classShares?: number[];
  neighbourSpread?: number | null; // images: within-batch nearest-neighbour distance over the data's (src/health/spread.ts)
}

// What the detectors know of the objective: for "minimax" and "non-saturating" D.real and
// D.fake are mean σ(logit), probabilities; for the others they are raw critic values.
export interface DetectorContext { loss: LossName }

export interface Detector {
  readonly name: string;   // "vanishing-G", "mode-collapse", "unstable"
  readonly title: string;  // in words, for the report
  readonly advice: string;
  // each judges what it is fed; undefined: no new judgement (the state stays)
  step?(s: StepStats): Verdict | undefined;
  sample?(step: number, m: SampleMetrics): Verdict | undefined;
  diverged?(step: number, message: string): Verdict | undefined;
}

// One change of a detector's state
export interface HealthEvent {
  step: number;            // the step the new state began
  detector: string;
  title: string;
  state: HealthState;
  previous: HealthState;
  evidence: Evidence;
  advice: string;          // "" when the state is ok
}

// A detector's standing now
export interface HealthReport { detector: string; title: string; state: HealthState; since: number; evidence: Evidence; advice: string }

// A stretch of steps a detector spent warning or firing (for the report's band)
export interface HealthInterval { detector: string; state: Exclude<HealthState, "ok">; from: number; to: number }

export const isBce = (loss: LossName) => loss === "minimax" || loss === "non-saturating";

export function median(xs: number[]): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b), m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

// evidence numbers rounded to 4 significant digits (what a person reads), null if not finite
export const num = (v: number): number | null => (Number.isFinite(v) ? +v.toPrecision(4) : null);
