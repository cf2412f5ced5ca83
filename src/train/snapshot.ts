// A picture and numbers for the current generator, the same at every snapshot of a run: for 2-D
// mixtures a scatter of 2,500 samples over the data and the mode metrics; for images a grid of a
// fixed latent batch and, on the bundled MNIST digits, the digit classifier's verdict on 1,000;
// on Stacked MNIST the mode count and KL (src/eval/stacked_modes.ts) on 2,600 samples (seed 99):
// a tenth of the papers' 26,000, ~3 s of CPU, enough to show progress (a uniform sampler covers
// ~925 of the 1,000 modes with 2,600 draws; the final count is `wasm-gan eval`'s, on 26,000).
import type { GAN } from "../worker/gan_api.ts";
import type { Dataset } from "../data/dataset.ts";
import { mixtureMetrics } from "../eval/mixture_metrics.ts";
import { digitClassifier, qualityOf } from "../eval/digit_classifier.ts";
import { meanNeighbourDistance, neighbourSpread } from "../health/spread.ts";
import { stackedModes } from "../eval/stacked_modes.ts";
import { imageGrid } from "../io/image_grid.ts";
import { encodePng } from "../io/png.ts";
import { scatterPlot } from "../io/plot2d.ts";

export interface Snapshot {
  step: number;
  samples: Float32Array;            // what the picture shows
  png: Uint8Array;
  line: string;                     // the numbers in words ("" where there are none)
  metrics: Record<string, unknown>; // the numbers (JSON-safe)
}

// Resolves to a function that takes a snapshot at the GAN's current weights: the live generator's,
// also where the spec samples from a moving average by default (spec.average), because snapshots
// feed the health monitor, which judges the training itself (an average lags it by ~1/(1 − β)
// steps); sample, eval, evaluation during training and exports use the average.
export async function snapshotter(gan: GAN, data: Dataset): Promise<(step: number) => Promise<Snapshot>> {
  if (data.mixture) {
    const mixture = data.mixture;
    return async (step) => {
      const samples = await gan.sample(2500, { seed: 7, average: false });
      const m = mixtureMetrics(samples, mixture);
      const png = encodePng(scatterPlot(samples, { real: data.x.subarray(0, 5000), centres: mixture.centres }));
      const line = `${m.modes}/${m.totalModes} modes, ${(100 * m.highQuality).toFixed(1)}% high-quality samples, ${Number.isFinite(m.kl) ? `KL ${m.kl.toFixed(3)}` : "KL undefined (no sample within 3 std of a mode)"}`;
      return { step, samples, png, line, metrics: { ...m, kl: Number.isFinite(m.kl) ? m.kl : null } };
    };
  }
  const [h, w, c] = data.shape;
  // a conditional model (numClasses K <= 16) shows K rows of 10, row k asked for class k; others 8x8
  const K = gan.spec.numClasses, byClass = K !== undefined && K <= 16;
  const shown = byClass ? K * 10 : 64;
  const fixedZ = await gan.latent(shown, 12345);
  const shownLabels = byClass ? Int32Array.from({ length: shown }, (_, i) => Math.floor(i / 10)) : undefined;
  // MNIST: 1,000 samples judged by the digit classifier (its verdict and, on its features, the
  // within-batch nearest-neighbour distance against that of the data's first 1,000 digits)
  const net = digitClassifier(), judged = 1000;
  const realNeighbour = data.name === "mnist" ? meanNeighbourDistance(net.forward(data.x.subarray(0, judged * h * w * c), judged).features, net.featureSize) : 0;
  return async (step) => {
    const samples = await gan.generate(fixedZ, { average: false, labels: shownLabels });
    const png = imageGrid(samples, shown, h, w, c, { cols: byClass ? 10 : 8, scale: 2 });
    if (data.name === "stacked-mnist") return { step, samples, png, ...(await stackedSnapshot(gan)) };
    if (data.name !== "mnist") return { step, samples, png, line: "", metrics: {} };
    const { features, logits } = net.forward(await gan.sample(judged, { seed: 99, average: false }), judged);
    const c10 = net.classifyLogits(logits, judged);
    const q = qualityOf(c10, judged);
    const neighbours = neighbourSpread(features, realNeighbour, net.featureSize);
    let line = `${(100 * q.confidentShare).toFixed(1)}% of 1,000 samples classified as digits with confidence >= 0.9, ${q.classesPresent}/10 classes, largest class ${(100 * q.maxClassShare).toFixed(1)}%`;
    const metrics: Record<string, unknown> = { confidentShare: q.confidentShare, classesPresent: q.classesPresent, maxClassShare: q.maxClassShare, classShares: q.classShares, neighbourSpread: Number.isFinite(neighbours) ? neighbours : null };
    if (K === 10) {
      // sample i was asked for digit i mod 10 (sampleClasses): the share of each digit drawn as asked
      const hit = new Array(10).fill(0), asked = new Array(10).fill(0);
      for (let i = 0; i < judged; i++) { asked[i % 10]++; if (c10.labels[i] === i % 10) hit[i % 10]++; }
      const labelAccuracy = hit.map((k, d) => k / asked[d]), low = labelAccuracy.indexOf(Math.min(...labelAccuracy));
      line += `; the digit asked for drawn ${((100 * hit.reduce((a, b) => a + b, 0)) / judged).toFixed(1)}% of the time (lowest: digit ${low}, ${(100 * labelAccuracy[low]).toFixed(1)}%)`;
      metrics.labelAccuracy = labelAccuracy;
      metrics.minLabelAccuracy = labelAccuracy[low];
    }
    return { step, samples, png, line, metrics };
  };
}

export const STACKED_SNAPSHOT_SAMPLES = 2600, STACKED_SNAPSHOT_SEED = 99;

// perMode / totalModes / highQuality are what the health detectors read (src/health/collapse.ts)
async function stackedSnapshot(gan: GAN): Promise<Pick<Snapshot, "line" | "metrics">> {
  const n = STACKED_SNAPSHOT_SAMPLES;
  const m = stackedModes(await gan.sample(n, { seed: STACKED_SNAPSHOT_SEED, average: false }), n);
  const line = `${m.modes}/${m.totalModes} modes, KL ${m.kl.toFixed(3)} on 2,600 samples (seed 99; the papers count 26,000), ${(100 * m.confidentShare).toFixed(1)}% with all three digits at confidence >= 0.9`;
  return { line, metrics: { modes: m.modes, totalModes: m.totalModes, kl: m.kl, highQuality: m.highQuality, confidentShare: m.confidentShare, samples: n, perMode: m.perMode } };
}
