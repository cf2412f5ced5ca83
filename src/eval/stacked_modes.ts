// Stacked MNIST's mode count (Srivastava et al. 2017, VEEGAN, §5; Lin et al. 2018, PacGAN,
// Table 2): each of an image's three channels is classified by a digit classifier, the image's
// mode is the triple of argmax classes (1,000 possible), and two numbers are reported on 26,000
// samples: the modes holding at least one sample, and the KL divergence of the mode histogram p
// from the uniform distribution u over the 1,000 modes,
//   KL(p || u) = Σ_m p_m · ln(p_m · 1000)   (natural log; empty modes add 0),
// the direction PacGAN's code computes (KLD(p, q) with p the generated histogram, q uniform;
// its Table 2 calls it the "reverse KL ... over the generated mode distribution"). 0 for a
// perfectly even spread, ln 1000 = 6.908 when every sample lands on one mode.
// Added here: the share of samples whose three channels are each classified with confidence
// (softmax probability) >= 0.9, to read the counts by: blobs still get an argmax.
//
// images: [count, 28, 28, 3] in [-1, 1]. The judge is this project's digit classifier
// (src/eval/digit_classifier.ts, 98.05% on its held-out digits): its errors spread real
// samples over wrong modes, so real data does not score KL 0 (the floor is measured in
// bench/experiments/stacked_mnist.ts).
import { digitClassifier, type DigitClassifier } from "./digit_classifier.ts";
import { stackedChannel } from "../data/stacked_mnist.ts";

export const STACKED_EVAL_SAMPLES = 26_000; // as PacGAN and VEEGAN count
export const STACKED_TOTAL_MODES = 1000;
const CHUNK = 2048; // images per classifier call: the channel buffer stays 6.4 MB

export interface StackedModes {
  count: number;
  modes: number;          // modes holding at least one sample (of 1,000)
  totalModes: number;     // 1000
  kl: number;             // KL(mode histogram || uniform), nats
  perMode: number[];      // [1000] samples per mode, mode = 100·d0 + 10·d1 + d2
  confidentShare: number; // share of samples whose three channels all reach `threshold`
  highQuality: number;    // = confidentShare: what the health detectors gate their judgement on
  threshold: number;
}

// KL(p || uniform) of a histogram of counts over K = counts.length modes.
export function klFromUniform(counts: ArrayLike<number>): number {
  const K = counts.length;
  let total = 0;
  for (let k = 0; k < K; k++) total += counts[k];
  if (!(total > 0)) return Infinity;
  let kl = 0;
  for (let k = 0; k < K; k++) if (counts[k] > 0) { const p = counts[k] / total; kl += p * Math.log(p * K); }
  return kl;
}

export function stackedModes(images: Float32Array, count: number, { threshold = 0.9, net = digitClassifier() }: { threshold?: number; net?: DigitClassifier } = {}): StackedModes {
  const P = 28 * 28;
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`stackedModes: count must be a positive integer (got ${count})`);
  if (!(images instanceof Float32Array) || images.length !== count * P * 3) throw new RangeError(`stackedModes: ${count} images of [28, 28, 3] need ${count * P * 3} values, got ${images?.length}`);
  if (!(threshold >= 0 && threshold <= 1)) throw new RangeError(`stackedModes: threshold must be in [0, 1] (got ${threshold})`);
  const perMode = new Array<number>(STACKED_TOTAL_MODES).fill(0);
  const channel = new Float32Array(CHUNK * P);
  const mode = new Int32Array(CHUNK), sure = new Uint8Array(CHUNK);
  let confident = 0;
  for (let i = 0; i < count; i += CHUNK) {
    const n = Math.min(CHUNK, count - i);
    const chunk = images.subarray(i * P * 3, (i + n) * P * 3);
    mode.fill(0); sure.fill(1);
    for (let c = 0; c < 3; c++) {
      stackedChannel(chunk, n, c, channel);
      const { labels, confidences } = net.classify(channel, n);
      for (let j = 0; j < n; j++) {
        mode[j] = 10 * mode[j] + labels[j];
        if (!(confidences[j] >= threshold)) sure[j] = 0;
      }
    }
    for (let j = 0; j < n; j++) { perMode[mode[j]]++; confident += sure[j]; }
  }
  const confidentShare = confident / count;
  return {
    count, modes: perMode.filter((c) => c > 0).length, totalModes: STACKED_TOTAL_MODES,
    kl: klFromUniform(perMode), perMode, confidentShare, highQuality: confidentShare, threshold,
  };
}
