// Unstable convergence / divergence: the run swings or blows up instead of settling. Looks at
// each logged step (NaN, gradients stuck at exactly 0, gradient-norm spikes, D's outputs swinging
// between chance and certainty, a critic's loss exploding) and at the snapshots (the per-mode
// histogram hopping from one snapshot to the next). One sign is a warning; two kinds of sign, or
// one repeated, within the window, fire; a non-finite statistic or dead gradients fire at once.
import type { StepStats } from "../model/stats.ts";
import { isBce, median, num, type Detector, type DetectorContext, type SampleMetrics, type Verdict } from "./types.ts";

export const INSTABILITY = {
  window: 20,      // the last 20 reports (the same window as vanishing-G)
  // a gradient norm 50x the median of the 20 reports before it: the healthy ring8 preset's
  // norms wander 0.5-25 over a run, but report to report they move little (measured, seed 1,
  // a report every 50 steps over 3,000 steps: the worst report 4.8x the median of the 20
  // before it for D, 3.3x for G)
  spikeRatio: 50,
  deadReports: 5,  // G's or D's gradient norm exactly 0 on 5 reports in a row: its units died
                   // (ReLUs pushed out of range by steps too large), it will not learn again
  // BCE: D certain (D(x) − D(G(z)) > 0.9) on >= 3 and at chance (|D(x) − D(G(z))| < 0.1) on >= 3
  // of the window's reports: D swings rather than tracks G
  certain: 0.9, chance: 0.1, swingCount: 3,
  // critics: |loss| 100x the early median (floor 1): the critic values run away
  explode: 100, early: 10,
  // snapshots: total-variation distance between consecutive per-mode shares > 0.5 (half the
  // mass moved to other modes), both snapshots with >= 20% of samples on modes
  // and only with >= 20 counted samples per mode on average (2-D snapshots of 2,500 at >= 20%
  // on modes: >= 62 a mode on ring8, >= 20 on grid25). Stacked MNIST's 2,600 samples over 1,000
  // modes are 2.6 a mode: two draws of the same uniform sampler then differ by a TV of ~0.35
  hop: 0.5, minHighQuality: 0.2, minPerMode: 20,
  repeat: 3,       // one kind of sign on 3 reports of the window fires
} as const;

type Sign = "spike" | "swing" | "explode" | "hop";

export class Instability implements Detector {
  readonly name = "unstable";
  readonly title = "unstable convergence / divergence";
  readonly advice = "the run oscillates or diverges: lower the learning rates (or give D and G different ones, two time-scale rates), add spectral normalisation or a gradient penalty to D.";
  private readonly recent: StepStats[] = [];
  private readonly signs: { report: number; sign: Sign }[] = [];
  private readonly earlyLoss: number[] = [];
  private reports = 0;
  private dead = 0;
  private lastShares: number[] | undefined;
  private lastEvidence: Record<string, number | string | null> = {};
  constructor(private readonly ctx: DetectorContext) {}

  private verdict(extra: Record<string, number | string | null> = {}): Verdict {
    const P = INSTABILITY;
    while (this.signs.length && this.signs[0].report <= this.reports - P.window) this.signs.shift();
    const counts: Partial<Record<Sign, number>> = {};
    for (const s of this.signs) counts[s.sign] = (counts[s.sign] ?? 0) + 1;
    const kinds = Object.keys(counts).length, most = Math.max(0, ...Object.values(counts) as number[]);
    const dead = this.dead >= P.deadReports;
    const state = dead || kinds >= 2 || most >= P.repeat ? "firing" : kinds ? "warning" : "ok";
    this.lastEvidence = { ...this.lastEvidence, ...extra, "dead reports": this.dead, signs: Object.entries(counts).map(([k, v]) => `${k} x${v}`).join(", ") || null, window: P.window };
    return { state, evidence: this.lastEvidence };
  }

  step(s: StepStats): Verdict | undefined {
    const P = INSTABILITY;
    this.reports++;
    const bad = (Object.keys(s) as (keyof StepStats)[]).filter((k) => !Number.isFinite(s[k]));
    if (bad.length) return this.diverged(s.step, `non-finite ${bad.join(", ")} at step ${s.step}`);
    const ev: Record<string, number | string | null> = { "D.gradNorm": num(s.dGradNorm), "G.gradNorm": num(s.gGradNorm), "D(x)": num(s.dReal), "D(G(z))": num(s.dFake) };
    this.dead = s.gGradNorm === 0 || s.dGradNorm === 0 ? this.dead + 1 : 0;
    if (this.recent.length >= P.window) {
      for (const k of ["dGradNorm", "gGradNorm"] as const) {
        const m = median(this.recent.map((r) => r[k]));
        if (m > 0 && s[k] > P.spikeRatio * m) { this.signs.push({ report: this.reports, sign: "spike" }); ev[`${k} / median`] = num(s[k] / m); }
      }
    }
    if (isBce(this.ctx.loss)) {
      const gaps = [...this.recent.slice(1 - P.window), s].map((r) => Math.abs(r.dReal - r.dFake));
      const certain = gaps.filter((g) => g > P.certain).length, chance = gaps.filter((g) => g < P.chance).length;
      if (certain >= P.swingCount && chance >= P.swingCount && gaps.at(-1)! > P.certain) this.signs.push({ report: this.reports, sign: "swing" });
    } else {
      const loss = Math.max(Math.abs(s.dLoss), Math.abs(s.gLoss));
      if (this.earlyLoss.length < P.early) this.earlyLoss.push(loss);
      else if (loss > P.explode * Math.max(1, median(this.earlyLoss))) { this.signs.push({ report: this.reports, sign: "explode" }); ev["loss / early"] = num(loss / Math.max(1, median(this.earlyLoss))); }
    }
    this.recent.push(s);
    if (this.recent.length > P.window) this.recent.shift();
    return this.verdict(ev);
  }

  sample(_step: number, m: SampleMetrics): Verdict | undefined {
    const P = INSTABILITY;
    if (!m.perMode || (m.highQuality ?? 0) < P.minHighQuality) { this.lastShares = undefined; return undefined; }
    const total = m.perMode.reduce((a, b) => a + b, 0);
    // too few counted samples per mode and the histogram's own sampling noise is a "hop"
    if (total < P.minPerMode * m.perMode.length) { this.lastShares = undefined; return undefined; }
    const shares = m.perMode.map((c) => c / total);
    let extra = {};
    if (this.lastShares) {
      const tv = 0.5 * shares.reduce((a, p, i) => a + Math.abs(p - this.lastShares![i]), 0);
      extra = { "mode shares moved (TV)": num(tv) };
      if (tv > P.hop) this.signs.push({ report: this.reports, sign: "hop" });
    }
    this.lastShares = shares;
    return this.verdict(extra);
  }

  diverged(_step: number, message: string): Verdict {
    return { state: "firing", evidence: { ...this.lastEvidence, diverged: message } };
  }
}
