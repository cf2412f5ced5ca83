// Mode collapse: the samples cover far less of the data than they should, judged at each
// snapshot. On 2-D mixtures: the spread of the samples against the data's, and, once enough
// samples lie on modes to count them, the effective number of modes (exp of the entropy of the
// per-mode histogram; the mode metrics of src/eval/mixture_metrics.ts). On MNIST: the digit
// classifier's largest class share and the classes present, once enough samples are digits;
// and, from the first judged snapshot, the within-batch nearest-neighbour distance of 1,000
// samples in the classifier's feature space against that of 1,000 real digits (near-duplicates).
import { num, type Detector, type SampleMetrics, type Verdict } from "./types.ts";

export const COLLAPSE = {
  // mean pairwise distance of the samples over the data's (sampleSpread): below 0.4 the samples
  // fill less than half the data's extent. The healthy ring8 preset measured 0.83 at step 500
  // and 0.99-1.03 from step 1,000 on; one captured ring8 mode is ~0.01; the plain mlp-ring8
  // (which collapses) 0.05-0.33.
  spreadBelow: 0.4,
  // mode counts mean something once >= 20% of the samples (500 of 2,500) lie within 3 std of
  // a centre; before that a few lucky samples decide them (ring8 at step 1,000: 1.9%, 3 modes)
  minHighQuality: 0.2,
  // effective modes below a quarter of the mixture's (8 -> 2, 25 -> 6.25): one or two modes
  // holding nearly all the mass. The healthy ring8 preset's lowest, measured, was 2.8 (step
  // 2,000 of a 3,000-step run, two modes filling first)
  effectiveShare: 0.25,
  // MNIST: class shares mean something once >= 20% of the samples are digits the classifier
  // calls with confidence >= 0.9 (its verdict on blobs is arbitrary; dcgan-mnist reaches 34%
  // at 1k steps); collapsed when the largest class holds > 50% (5x the uniform 10%; healthy
  // dcgan-mnist <= 18% from 5k steps on) or <= 5 of 10 classes are present
  minConfident: 0.2, maxClassShare: 0.5, minClasses: 6,
  // MNIST: the samples' nearest-neighbour distance in feature space below 0.3 of the real
  // digits' (neighbourSpread): a large part of the batch are near-copies of each other. Measured
  // on the classifier's features: a second real set 1.02; healthy dcgan-mnist (seed 1) 0.73 at
  // step 200, 1.10-1.30 from step 400 on (its samples are, if anything, less clustered than
  // the digits); 1,000 real "1"s 0.36 (one class: the class share catches it first); 100
  // digits repeated with small noise 0.05; 10 digits repeated 0. Uniform noise: 0.84 (blobs and
  // noise are not a collapse: the class share and the confident share judge those)
  neighbourBelow: 0.3,
  fireAfter: 2,     // consecutive collapsed snapshots to fire (one is a warning)
} as const;

// exp(entropy) of a histogram: the number of equally filled modes it is worth
export function effectiveModes(counts: number[]): number {
  const total = counts.reduce((a, b) => a + b, 0);
  if (!(total > 0)) return 0;
  let h = 0;
  for (const c of counts) if (c > 0) h -= (c / total) * Math.log(c / total);
  return Math.exp(h);
}

export class ModeCollapse implements Detector {
  readonly name = "mode-collapse";
  readonly title = "mode collapse";
  readonly advice = "the samples cover few modes of the data: let D see several samples at once (packing, pack: 2, or minibatch standard deviation), add a gradient penalty, or judge an EMA generator; a larger learning rate that decays can also help find the modes.";
  private streak = 0;

  sample(_step: number, m: SampleMetrics & { spread?: number }): Verdict | undefined {
    const P = COLLAPSE;
    const reasons: string[] = [];
    const evidence: Record<string, number | string | null> = {};
    let judged = false;
    if (m.spread !== undefined) {
      judged = true;
      evidence.spread = num(m.spread);
      if (m.spread < P.spreadBelow) reasons.push(`spread ${m.spread.toFixed(2)} < ${P.spreadBelow}`);
    }
    if (m.perMode && m.totalModes) {
      const eff = effectiveModes(m.perMode);
      Object.assign(evidence, { modes: m.modes ?? null, totalModes: m.totalModes, highQuality: num(m.highQuality ?? 0), effectiveModes: num(eff) });
      if ((m.highQuality ?? 0) >= P.minHighQuality) {
        judged = true;
        if (eff < P.effectiveShare * m.totalModes) reasons.push(`effective modes ${eff.toFixed(1)} < ${P.effectiveShare * m.totalModes}`);
      }
    }
    if (typeof m.neighbourSpread === "number") {
      judged = true;
      evidence.neighbourSpread = num(m.neighbourSpread);
      if (m.neighbourSpread < P.neighbourBelow) reasons.push(`nearest-neighbour distance ${m.neighbourSpread.toFixed(2)} of the data's < ${P.neighbourBelow}`);
    }
    if (m.maxClassShare !== undefined && m.classesPresent !== undefined) {
      Object.assign(evidence, { confidentShare: num(m.confidentShare ?? 0), classesPresent: m.classesPresent, maxClassShare: num(m.maxClassShare) });
      if ((m.confidentShare ?? 0) >= P.minConfident) {
        judged = true;
        if (m.maxClassShare > P.maxClassShare) reasons.push(`largest class ${(100 * m.maxClassShare).toFixed(0)}% > ${100 * P.maxClassShare}%`);
        if (m.classesPresent < P.minClasses) reasons.push(`${m.classesPresent} classes < ${P.minClasses}`);
      }
    }
    if (!judged) return undefined; // nothing to judge (yet): the state stays
    this.streak = reasons.length ? this.streak + 1 : 0;
    evidence.because = reasons.join("; ") || null;
    evidence["collapsed snapshots in a row"] = this.streak;
    return { state: this.streak >= P.fireAfter ? "firing" : this.streak > 0 ? "warning" : "ok", evidence };
  }
}
