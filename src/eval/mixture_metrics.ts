// Mode metrics for 2-D mixtures, as the literature counts them (Srivastava et al. 2017, VEEGAN;
// Lin et al. 2018, PacGAN): a sample is high quality when it lies within 3 std of its nearest
// centre; a mode is captured when at least `minPerMode` high-quality samples are nearest to it;
// KL is that of the histogram of high-quality samples over modes from the uniform distribution.
import type { MixtureInfo } from "../data/dataset.ts";

export interface MixtureMetrics {
  samples: number;
  modes: number;            // captured
  totalModes: number;
  highQuality: number;      // share of samples within 3 std of a centre, in [0, 1]
  kl: number;               // KL(mode histogram of high-quality samples || uniform); Infinity if none
  perMode: number[];        // high-quality samples nearest to each centre
}

export function mixtureMetrics(samples: Float32Array, { centres, std }: MixtureInfo, minPerMode = 1): MixtureMetrics {
  const n = samples.length / 2, K = centres.length / 2;
  const perMode = new Array<number>(K).fill(0);
  const limit2 = (3 * std) ** 2;
  let hq = 0;
  for (let i = 0; i < n; i++) {
    const x = samples[2 * i], y = samples[2 * i + 1];
    let best = 0, bestD = Infinity;
    for (let k = 0; k < K; k++) {
      const d = (x - centres[2 * k]) ** 2 + (y - centres[2 * k + 1]) ** 2;
      if (d < bestD) { bestD = d; best = k; }
    }
    if (bestD <= limit2) { hq++; perMode[best]++; }
  }
  let kl = hq === 0 ? Infinity : 0;
  if (hq > 0) for (const c of perMode) if (c > 0) { const p = c / hq; kl += p * Math.log(p * K); }
  return { samples: n, modes: perMode.filter((c) => c >= minPerMode).length, totalModes: K, highQuality: n ? hq / n : 0, kl, perMode };
}
