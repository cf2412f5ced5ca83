// Kernel Inception Distance (KID: Bińkowski, Sutherland, Arbel & Gretton 2018, "Demystifying MMD
// GANs", ICLR): the unbiased estimator of the squared MMD with the polynomial kernel
//   k(x, y) = (xᵀy / d + 1)³
//   MMD²_u = Σ_{i≠j} k(xᵢ, xⱼ) / (m(m−1)) + Σ_{i≠j} k(yᵢ, yⱼ) / (m(m−1)) − 2 Σ_{i,j} k(xᵢ, yⱼ) / m²
// on `subsets` pairs of random subsets of size m (drawn without replacement, each set on its own),
// reported as mean ± std (population std, ddof 0) over the subsets, as torch-fidelity computes it
// (kid_subset_size 1000, kid_subsets 100). Where a set holds fewer than 1000 samples the subset
// size is the smaller set's count (torch-fidelity refuses instead).
import { SplitMix } from "./split_mix.ts";

export interface KidOptions { subsetSize?: number; subsets?: number; seed?: number }
export interface Kid { mean: number; std: number; subsetSize: number; subsets: number }

export const KID_SUBSET_SIZE = 1000, KID_SUBSETS = 100;

// x: [n, d], y: [m, d]
export function kernelInceptionDistance(x: Float32Array, n: number, y: Float32Array, m: number, d: number, options: KidOptions = {}): Kid {
  const size = Math.min(options.subsetSize ?? KID_SUBSET_SIZE, n, m), subsets = options.subsets ?? KID_SUBSETS;
  if (size < 2) throw new RangeError(`KID needs at least 2 samples in each set (got ${n} and ${m})`);
  if (!Number.isInteger(subsets) || subsets < 1) throw new RangeError(`KID: subsets must be a positive integer (got ${subsets})`);
  const rng = new SplitMix(options.seed ?? 2020);
  const xs = new Float32Array(size * d), ys = new Float32Array(size * d);
  const mmds: number[] = [];
  for (let s = 0; s < subsets; s++) {
    gather(x, n, d, rng.choose(n, size), xs);
    gather(y, m, d, rng.choose(m, size), ys);
    mmds.push(mmd2Unbiased(xs, ys, size, d));
  }
  const mean = mmds.reduce((a, b) => a + b, 0) / subsets;
  const std = Math.sqrt(mmds.reduce((a, b) => a + (b - mean) ** 2, 0) / subsets);
  return { mean, std, subsetSize: size, subsets };
}

// The estimator on one pair of subsets x, y: [m, d]. K_XX and K_YY are symmetric: each
// off-diagonal pair is computed once and counted twice.
export function mmd2Unbiased(x: Float32Array, y: Float32Array, m: number, d: number): number {
  let xx = 0, yy = 0, xy = 0;
  for (let i = 0; i < m; i++) {
    for (let j = i + 1; j < m; j++) { xx += polyKernel(x, i, x, j, d); yy += polyKernel(y, i, y, j, d); }
    for (let j = 0; j < m; j++) xy += polyKernel(x, i, y, j, d);
  }
  return (2 * xx + 2 * yy) / (m * (m - 1)) - 2 * xy / (m * m);
}

// (aᵢᵀbⱼ / d + 1)³, the dot product in f64
function polyKernel(a: Float32Array, i: number, b: Float32Array, j: number, d: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, k = 0;
  const ai = i * d, bj = j * d;
  for (; k + 4 <= d; k += 4) {
    s0 += a[ai + k] * b[bj + k]; s1 += a[ai + k + 1] * b[bj + k + 1];
    s2 += a[ai + k + 2] * b[bj + k + 2]; s3 += a[ai + k + 3] * b[bj + k + 3];
  }
  for (; k < d; k++) s0 += a[ai + k] * b[bj + k];
  const t = (s0 + s1 + s2 + s3) / d + 1;
  return t * t * t;
}

function gather(src: Float32Array, n: number, d: number, rows: Int32Array, out: Float32Array): void {
  for (let r = 0; r < rows.length; r++) out.set(src.subarray(rows[r] * d, rows[r] * d + d), r * d);
}
