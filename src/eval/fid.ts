// Fréchet distance between two Gaussians fitted to features (FID: Heusel et al. 2017, "GANs
// Trained by a Two Time-Scale Update Rule Converge to a Local Nash Equilibrium", NeurIPS):
//   d² = ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2 (Σ₁^½ Σ₂ Σ₁^½)^½)
// In f64. Tr((Σ₁^½ Σ₂ Σ₁^½)^½) is the sum of the square roots of the eigenvalues of the symmetric
// PSD matrix Σ₁^½ Σ₂ Σ₁^½ (the same trace as Tr((Σ₁Σ₂)^½) that scipy's sqrtm route gives, without
// a non-symmetric square root), as TF-GAN's trace_sqrt_product computes it.
import { type Gaussian, gaussianStats, matmul, sqrtPsd, symmetricEigen } from "./linalg.ts";

export function frechetDistance(a: Gaussian, b: Gaussian): number {
  const d = a.dim;
  if (b.dim !== d) throw new RangeError(`frechetDistance: the statistics have ${a.dim} and ${b.dim} dimensions`);
  let meanTerm = 0, trace = 0;
  for (let i = 0; i < d; i++) { meanTerm += (a.mean[i] - b.mean[i]) ** 2; trace += a.cov[i * d + i] + b.cov[i * d + i]; }
  const s = sqrtPsd(a.cov, d);
  const m = matmul(matmul(s, b.cov, d), s, d);
  for (let i = 0; i < d; i++) for (let j = i + 1; j < d; j++) m[i * d + j] = m[j * d + i] = (m[i * d + j] + m[j * d + i]) / 2; // exact symmetry
  const { values } = symmetricEigen(m, d);
  let traceSqrt = 0;
  for (const v of values) traceSqrt += Math.sqrt(Math.max(v, 0));
  return meanTerm + trace - 2 * traceSqrt;
}

// FID between two feature sets x: [n, d], y: [m, d]
export function frechetDistanceOf(x: ArrayLike<number>, n: number, y: ArrayLike<number>, m: number, d: number): number {
  return frechetDistance(gaussianStats(x, n, d), gaussianStats(y, m, d));
}
