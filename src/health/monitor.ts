// The training-health monitor: runs the three detectors (vanishing-G, mode-collapse, unstable)
// on what a run reports, keeps each one's state and the step it began, and emits one
// HealthEvent per change of state (to `onHealth` and as the return value). Feed it every logged
// StepStats (step()), each snapshot's sample metrics (sample()), and a divergence (diverged());
// runTraining does all three when given a monitor (RunOptions.health).
import type { StepStats } from "../model/stats.ts";
import type { LossName } from "../model/ops.ts";
import { VanishingGradients } from "./vanishing.ts";
import { ModeCollapse } from "./collapse.ts";
import { Instability } from "./instability.ts";
import type { Detector, HealthEvent, HealthInterval, HealthReport, HealthState, SampleMetrics, Verdict } from "./types.ts";

export interface HealthOptions {
  loss: LossName;                         // the objective (what D.real and D.fake mean)
  onHealth?: (e: HealthEvent) => void;
  detectors?: Detector[];                 // default: the three
  // snapshots before this step are not judged: every generator starts as a small blob (the
  // healthy ring8 preset's spread was 0.83 of the data's at step 500, ~0.1 in its first tens
  // of steps), so sample diversity says nothing before G has had time to spread
  graceSteps?: number;                    // default 500
}

export class HealthMonitor {
  readonly detectors: Detector[];
  private readonly now = new Map<string, HealthReport>();
  private readonly events: HealthEvent[] = [];
  private lastStep = 0;
  private readonly onHealth?: (e: HealthEvent) => void;
  private readonly graceSteps: number;

  constructor(o: HealthOptions) {
    const ctx = { loss: o.loss };
    this.detectors = o.detectors ?? [new VanishingGradients(ctx), new ModeCollapse(), new Instability(ctx)];
    this.onHealth = o.onHealth;
    this.graceSteps = o.graceSteps ?? 500;
    for (const d of this.detectors) this.now.set(d.name, { detector: d.name, title: d.title, state: "ok", since: 0, evidence: {}, advice: "" });
  }

  private apply(d: Detector, step: number, v: Verdict | undefined): HealthEvent[] {
    this.lastStep = Math.max(this.lastStep, step);
    if (!v) return [];
    const r = this.now.get(d.name)!;
    r.evidence = v.evidence;
    if (v.state === r.state) return [];
    const e: HealthEvent = { step, detector: d.name, title: d.title, state: v.state, previous: r.state, evidence: v.evidence, advice: v.state === "ok" ? "" : d.advice };
    Object.assign(r, { state: v.state, since: step, advice: e.advice });
    this.events.push(e);
    this.onHealth?.(e);
    return [e];
  }

  // a logged step's statistics; the events it caused
  step(s: StepStats): HealthEvent[] {
    return this.detectors.flatMap((d) => (d.step ? this.apply(d, s.step, d.step(s)) : []));
  }

  // a snapshot's sample metrics (healthMetrics(snapshot, data) adds the samples' spread)
  sample(step: number, m: SampleMetrics & { spread?: number }): HealthEvent[] {
    if (step < this.graceSteps) return [];
    return this.detectors.flatMap((d) => (d.sample ? this.apply(d, step, d.sample(step, m)) : []));
  }

  // the run stopped on a non-finite statistic
  diverged(step: number, message: string): HealthEvent[] {
    return this.detectors.flatMap((d) => (d.diverged ? this.apply(d, step, d.diverged(step, message)) : []));
  }

  // each detector's standing now
  reports(): HealthReport[] { return this.detectors.map((d) => structuredClone(this.now.get(d.name)!)); }

  // every change of state so far, in order
  history(): HealthEvent[] { return [...this.events]; }

  // the short flag for a progress line: "⚠ vanishing-G" (warning), "✖ unstable" (firing); "" when all ok
  flag(): string {
    return [...this.now.values()].filter((r) => r.state !== "ok").map((r) => `${r.state === "firing" ? "✖" : "⚠"} ${r.detector}`).join(" ");
  }
}

// The stretches each detector spent warning or firing, from its events (to: `end` while open)
export function healthIntervals(events: Pick<HealthEvent, "step" | "detector" | "state">[], end: number): HealthInterval[] {
  const out: HealthInterval[] = [];
  const open = new Map<string, { state: Exclude<HealthState, "ok">; from: number }>();
  for (const e of events) {
    const o = open.get(e.detector);
    if (o) { out.push({ detector: e.detector, state: o.state, from: o.from, to: e.step }); open.delete(e.detector); }
    if (e.state !== "ok") open.set(e.detector, { state: e.state, from: e.step });
  }
  for (const [detector, o] of open) out.push({ detector, state: o.state, from: o.from, to: Math.max(end, o.from) });
  return out;
}
