// f64 statistics and symmetric eigen-decomposition for the evaluation metrics (FID's matrix
// square roots). Sizes here are small (64 features, 10 logits), so cyclic Jacobi rotations are
// exact enough (off-diagonal mass below 1e-22 of the total) and fast (a few ms at 64).
//
// Matrices are row-major Float64Array [d, d].

export interface Gaussian { mean: Float64Array; cov: Float64Array; dim: number; count: number } // mean [d], cov [d, d]

// The mean and the unbiased (n - 1) covariance of x: [n, d], as numpy's np.cov and TF-GAN do.
// Two passes over the centred data in f64, so the f32 inputs lose nothing to cancellation.
export function gaussianStats(x: ArrayLike<number>, n: number, d: number): Gaussian {
  if (!Number.isInteger(n) || n < 2) throw new RangeError(`statistics need at least 2 samples (got ${n})`);
  if (x.length < n * d) throw new RangeError(`statistics: ${n} samples of ${d} values need ${n * d} values, got ${x.length}`);
  const mean = new Float64Array(d), cov = new Float64Array(d * d), c = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) c[j] = x[i * d + j] - mean[j];
    for (let a = 0; a < d; a++) {
      const ca = c[a];
      if (ca === 0) continue;
      for (let b = a; b < d; b++) cov[a * d + b] += ca * c[b];
    }
  }
  for (let a = 0; a < d; a++) for (let b = a; b < d; b++) cov[b * d + a] = cov[a * d + b] /= n - 1;
  return { mean, cov, dim: d, count: n };
}

// Eigen-decomposition of a symmetric A [d, d]: A = V diag(values) Vᵀ, V's columns the vectors.
// Cyclic Jacobi (Golub & Van Loan, Matrix Computations, 8.5): sweep all (p, q) pairs, rotating
// each off-diagonal entry to zero, until the off-diagonal sum of squares is negligible.
export function symmetricEigen(A: ArrayLike<number>, d: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(A as ArrayLike<number>), v = new Float64Array(d * d);
  for (let i = 0; i < d; i++) v[i * d + i] = 1;
  let total = 0;
  for (let i = 0; i < d * d; i++) total += a[i] * a[i];
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < d; p++) for (let q = p + 1; q < d; q++) off += a[p * d + q] ** 2;
    if (off <= 1e-30 * total || off === 0) break;
    for (let p = 0; p < d - 1; p++) for (let q = p + 1; q < d; q++) {
      const apq = a[p * d + q];
      if (apq === 0) continue;
      const theta = (a[q * d + q] - a[p * d + p]) / (2 * apq);
      const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
      const c = 1 / Math.sqrt(t * t + 1), s = t * c;
      for (let k = 0; k < d; k++) { // columns p, q of A
        const akp = a[k * d + p], akq = a[k * d + q];
        a[k * d + p] = c * akp - s * akq; a[k * d + q] = s * akp + c * akq;
      }
      for (let k = 0; k < d; k++) { // rows p, q
        const apk = a[p * d + k], aqk = a[q * d + k];
        a[p * d + k] = c * apk - s * aqk; a[q * d + k] = s * apk + c * aqk;
      }
      a[p * d + q] = a[q * d + p] = 0;
      for (let k = 0; k < d; k++) {
        const vkp = v[k * d + p], vkq = v[k * d + q];
        v[k * d + p] = c * vkp - s * vkq; v[k * d + q] = s * vkp + c * vkq;
      }
    }
  }
  const values = new Float64Array(d);
  for (let i = 0; i < d; i++) values[i] = a[i * d + i];
  return { values, vectors: v };
}

// The PSD square root of a symmetric positive semi-definite A: V diag(sqrt(max(λ, 0))) Vᵀ
// (eigenvalues below zero are rounding noise of a PSD matrix and are clamped).
export function sqrtPsd(A: ArrayLike<number>, d: number): Float64Array {
  const { values, vectors: v } = symmetricEigen(A, d);
  const out = new Float64Array(d * d);
  for (let k = 0; k < d; k++) {
    const s = Math.sqrt(Math.max(values[k], 0));
    if (s === 0) continue;
    for (let i = 0; i < d; i++) {
      const vik = v[i * d + k] * s;
      for (let j = 0; j < d; j++) out[i * d + j] += vik * v[j * d + k];
    }
  }
  return out;
}

// A [d, d] · B [d, d]
export function matmul(A: ArrayLike<number>, B: ArrayLike<number>, d: number): Float64Array {
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let k = 0; k < d; k++) {
    const aik = A[i * d + k];
    if (aik === 0) continue;
    for (let j = 0; j < d; j++) out[i * d + j] += aik * B[k * d + j];
  }
  return out;
}
