// Vanishing generator gradients: D wins for a sustained window (D(G(z)) near 0 and D's loss near
// 0) while G's gradient norm has fallen by orders of magnitude from its early level. The
// saturating (minimax) objective's failure: G minimises log(1 − D(G(z))), whose gradient at the
// logit is −D(G(z)), so once D rejects every fake the signal G learns from is gone (Goodfellow et
// al. 2014, §3; Arjovsky & Bottou 2017). Wasserstein critics do not saturate: not judged there.
import type { StepStats } from "../model/stats.ts";
import { isBce, median, num, type Detector, type DetectorContext, type Verdict } from "./types.ts";

// Windows in logged reports (the CLI logs 200 per run; the tests and the study every 50 steps)
export const VANISHING = {
  early: 10,       // G's early level: the largest G.gradNorm of the first 10 reports (a peak,
                   // not a median: a strong D can win within the first report's steps, and the
                   // early level is what G had before that)
  window: 20,      // "sustained": judged over the last 20 reports
  winShare: 0.9,   // D wins on >= 90% of them (one lucky G batch does not end the episode)
  // D wins, BCE losses: D(G(z)) < 0.05 (G's logit gradient −D(G(z)) is then 10x below its
  // value at chance, 0.5) and D's loss < 0.2 (real and fake both within ~10% of their targets:
  // −2·log 0.95 = 0.10)
  fakeBelow: 0.05, dLossBelow: 0.2,
  // least-squares (targets 1 and 0): D(x) > 0.9 and D(G(z)) < 0.1; hinge: both margins met
  // (D(x) >= 1, D(G(z)) <= −1: D's loss is 0 and G's hinge gradient is constant, not vanishing,
  // so only the fall of G's gradient norm makes it fire)
  lsReal: 0.9, lsFake: 0.1,
  warnRatio: 1e-1, // G's gradient norm 10x below its early level: warning
  fireRatio: 1e-2, // 100x (two orders of magnitude): firing
} as const;

export class VanishingGradients implements Detector {
  readonly name = "vanishing-G";
  readonly title = "vanishing generator gradients";
  readonly advice = "D rejects every generated sample and G's gradient has all but vanished: use the non-saturating loss (or a Wasserstein loss with a gradient penalty), lower D's learning rate, or take fewer D steps per G step.";
  private readonly earlyG: number[] = [];
  private readonly recent: { win: boolean; g: number }[] = [];
  constructor(private readonly ctx: DetectorContext) {}

  private dWins(s: StepStats): boolean {
    const P = VANISHING;
    switch (this.ctx.loss) {
      case "minimax": case "non-saturating": return s.dFake < P.fakeBelow && s.dLoss < P.dLossBelow;
      case "least-squares": return s.dReal > P.lsReal && s.dFake < P.lsFake;
      case "hinge": return s.dReal >= 1 && s.dFake <= -1;
      default: return false;
    }
  }

  step(s: StepStats): Verdict | undefined {
    const P = VANISHING;
    if (this.ctx.loss === "wasserstein") return undefined;
    if (this.earlyG.length < P.early) this.earlyG.push(s.gGradNorm);
    this.recent.push({ win: this.dWins(s), g: s.gGradNorm });
    if (this.recent.length > P.window) this.recent.shift();
    if (this.recent.length < P.window) return undefined;
    const wins = this.recent.filter((r) => r.win).length / P.window;
    const early = Math.max(...this.earlyG.filter(Number.isFinite));
    const now = median(this.recent.map((r) => r.g));
    const ratio = early > 0 ? now / early : NaN;
    const evidence = {
      "D wins share": num(wins), "D(G(z))": num(s.dFake), "D.loss": num(s.dLoss),
      "G.gradNorm early": num(early), "G.gradNorm now (median)": num(now), "ratio": num(ratio), window: P.window,
    };
    const sustained = wins >= P.winShare;
    const state = sustained && ratio < P.fireRatio ? "firing" : sustained && (ratio < P.warnRatio || isBce(this.ctx.loss)) ? "warning" : "ok";
    return { state, evidence };
  }
}
