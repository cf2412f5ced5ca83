// FID and KID against independent computations: scipy's sqrtm (python3, when it imports) and a
// plain-JS Denman–Beavers square root of Σ₁Σ₂ (never skipped); KID's estimator against a direct
// O(n²) double loop here and numpy. On constructed correlated data and on the classifier's own
// features of real digits.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { testRandom } from "../util/check.ts";
import { frechetDistanceOf } from "../../src/eval/fid.ts";
import { gaussianStats, symmetricEigen } from "../../src/eval/linalg.ts";
import { kernelInceptionDistance, mmd2Unbiased } from "../../src/eval/kid.ts";
import { digitClassifier } from "../../src/eval/digit_classifier.ts";
import { mnist } from "../../src/data/mnist.ts";

const hasScipy = spawnSync("python3", ["-c", "import scipy, numpy"]).status === 0;
const dir = mkdtempSync(join(tmpdir(), "wasm-gan-fid-"));

// x: [n, d], correlated: x = A g + shift with g standard normal-ish
function correlated(n: number, d: number, seed: number, shift = 0): Float32Array {
  const r = testRandom(seed), A = Array.from({ length: d * d }, () => r() - 0.5), out = new Float32Array(n * d);
  const gauss = () => Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
  for (let i = 0; i < n; i++) {
    const g = Array.from({ length: d }, gauss);
    for (let a = 0; a < d; a++) { let s = shift * (a % 3); for (let b = 0; b < d; b++) s += A[a * d + b] * g[b]; out[i * d + a] = s; }
  }
  return out;
}

// ---- the independent route: Tr((Σ₁Σ₂)^½) by the Denman–Beavers iteration, no eigen-solver
function inverse(M: Float64Array, d: number): Float64Array {
  const a = Float64Array.from(M), inv = new Float64Array(d * d);
  for (let i = 0; i < d; i++) inv[i * d + i] = 1;
  for (let c = 0; c < d; c++) { // Gauss-Jordan with partial pivoting
    let p = c;
    for (let r = c + 1; r < d; r++) if (Math.abs(a[r * d + c]) > Math.abs(a[p * d + c])) p = r;
    for (let k = 0; k < d; k++) { [a[c * d + k], a[p * d + k]] = [a[p * d + k], a[c * d + k]]; [inv[c * d + k], inv[p * d + k]] = [inv[p * d + k], inv[c * d + k]]; }
    const piv = a[c * d + c];
    for (let k = 0; k < d; k++) { a[c * d + k] /= piv; inv[c * d + k] /= piv; }
    for (let r = 0; r < d; r++) if (r !== c) {
      const f = a[r * d + c];
      if (f !== 0) for (let k = 0; k < d; k++) { a[r * d + k] -= f * a[c * d + k]; inv[r * d + k] -= f * inv[c * d + k]; }
    }
  }
  return inv;
}
function mul(A: Float64Array, B: Float64Array, d: number): Float64Array {
  const o = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) { let s = 0; for (let k = 0; k < d; k++) s += A[i * d + k] * B[k * d + j]; o[i * d + j] = s; }
  return o;
}
function fidDenmanBeavers(x: Float32Array, n: number, y: Float32Array, m: number, d: number): number {
  const mean = (z: Float32Array, c: number) => Array.from({ length: d }, (_, j) => { let s = 0; for (let i = 0; i < c; i++) s += z[i * d + j]; return s / c; });
  const cov = (z: Float32Array, c: number, mu: number[]) => {
    const o = new Float64Array(d * d);
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) { let s = 0; for (let i = 0; i < c; i++) s += (z[i * d + a] - mu[a]) * (z[i * d + b] - mu[b]); o[a * d + b] = s / (c - 1); }
    return o;
  };
  const m1 = mean(x, n), m2 = mean(y, m), s1 = cov(x, n, m1), s2 = cov(y, m, m2);
  let Y = mul(s1, s2, d), Z = new Float64Array(d * d);
  for (let i = 0; i < d; i++) Z[i * d + i] = 1;
  for (let it = 0; it < 60; it++) {
    const Yi = inverse(Y, d), Zi = inverse(Z, d);
    const Yn = Y.map((v, i) => (v + Zi[i]) / 2), Zn = Z.map((v, i) => (v + Yi[i]) / 2);
    Y = Yn; Z = Zn;
  }
  let t = 0;
  for (let i = 0; i < d; i++) t += (m1[i] - m2[i]) ** 2 + s1[i * d + i] + s2[i * d + i] - 2 * Y[i * d + i];
  return t;
}

function python(code: string, arrays: Record<string, { x: Float32Array; n: number; d: number }>): any {
  for (const [k, a] of Object.entries(arrays)) writeFileSync(join(dir, `${k}.f32`), a.x.subarray(0, a.n * a.d));
  const load = Object.entries(arrays).map(([k, a]) => `${k} = np.fromfile(${JSON.stringify(join(dir, `${k}.f32`))}, dtype='<f4').astype(np.float64).reshape(${a.n}, ${a.d})`).join("\n");
  const r = spawnSync("python3", ["-c", `import json, numpy as np, scipy.linalg\n${load}\n${code}`], { encoding: "utf8" });
  assert.is(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}
const SCIPY_FID = `
def fid(a, b):
    m1, m2 = a.mean(0), b.mean(0); s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    c = scipy.linalg.sqrtm(s1 @ s2).real
    return float(((m1 - m2) ** 2).sum() + np.trace(s1 + s2 - 2 * c))
print(json.dumps(fid(x, y)))`;

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

test("Jacobi: A V = V diag(λ) and VᵀV = I for a random symmetric 12x12 (1e-12)", () => {
  const d = 12, r = testRandom(3), A = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = i; j < d; j++) A[i * d + j] = A[j * d + i] = r() - 0.5;
  const { values, vectors: V } = symmetricEigen(A, d);
  for (let i = 0; i < d; i++) for (let k = 0; k < d; k++) {
    let av = 0, vtv = 0;
    for (let j = 0; j < d; j++) { av += A[i * d + j] * V[j * d + k]; vtv += V[j * d + i] * V[j * d + k]; }
    assert.ok(Math.abs(av - values[k] * V[i * d + k]) < 1e-12, `AV = Vλ at (${i}, ${k}): ${av} vs ${values[k] * V[i * d + k]} (tol 1e-12)`);
    assert.ok(Math.abs(vtv - (i === k ? 1 : 0)) < 1e-12, `VᵀV = I at (${i}, ${k}): ${vtv} (tol 1e-12)`);
  }
});

test("FID of constructed correlated sets (d = 16, 400 vs 300 samples) = Denman–Beavers and scipy sqrtm within 1e-3 relative", () => {
  const d = 16, x = correlated(400, d, 1), y = correlated(300, d, 2, 0.7);
  const ours = frechetDistanceOf(x, 400, y, 300, d), db = fidDenmanBeavers(x, 400, y, 300, d);
  assert.ok(ours > 1, `a real distance to compare (${ours})`);
  assert.ok(rel(ours, db) < 1e-3, `FID ${ours} vs Denman–Beavers ${db}: relative ${rel(ours, db)} (tol 1e-3)`);
  if (hasScipy) {
    const sp = python(SCIPY_FID, { x: { x, n: 400, d }, y: { x: y, n: 300, d } });
    assert.ok(rel(ours, sp) < 1e-3, `FID ${ours} vs scipy ${sp}: relative ${rel(ours, sp)} (tol 1e-3)`);
  } else console.log("  (python3 with numpy and scipy not found: the scipy comparison is skipped, Denman–Beavers ran)");
  assert.ok(Math.abs(frechetDistanceOf(x, 400, x, 400, d)) < 1e-9, "FID of a set with itself is 0 (tol 1e-9)");
});

const net = digitClassifier();
const digits = await mnist({ count: 4000 });
const feats = net.forward(digits.x, 4000).features, F = net.featureSize;
const A = feats.subarray(0, 2000 * F), B = feats.subarray(2000 * F);

test("FID on the classifier's features of 2,000 vs 2,000 real digits (d = 64) = Denman–Beavers and scipy within 1e-3 relative", () => {
  const ours = frechetDistanceOf(A, 2000, B, 2000, F), db = fidDenmanBeavers(A, 2000, B, 2000, F);
  assert.ok(rel(ours, db) < 1e-3, `FID ${ours} vs Denman–Beavers ${db}: relative ${rel(ours, db)} (tol 1e-3)`);
  if (hasScipy) {
    const sp = python(SCIPY_FID, { x: { x: A, n: 2000, d: F }, y: { x: B, n: 2000, d: F } });
    assert.ok(rel(ours, sp) < 1e-3, `FID ${ours} vs scipy ${sp}: relative ${rel(ours, sp)} (tol 1e-3)`);
  }
  const st = gaussianStats(A, 2000, F);
  let live = 0;
  for (let j = 0; j < F; j++) if (st.cov[j * F + j] > 1e-6) live++;
  assert.is(live, F, `every one of the ${F} pre-ReLU features varies over real digits (${live} do)`);
});

// the estimator as its definition reads, no symmetry trick: i ≠ j sums over full matrices
function mmdDirect(x: Float32Array, y: Float32Array, m: number, d: number): number {
  const k = (a: Float32Array, i: number, b: Float32Array, j: number) => { let s = 0; for (let t = 0; t < d; t++) s += a[i * d + t] * b[j * d + t]; return (s / d + 1) ** 3; };
  let xx = 0, yy = 0, xy = 0;
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) {
    if (i !== j) { xx += k(x, i, x, j); yy += k(y, i, y, j); }
    xy += k(x, i, y, j);
  }
  return xx / (m * (m - 1)) + yy / (m * (m - 1)) - 2 * xy / (m * m);
}

test("KID's estimator = a direct double loop and numpy's (torch-fidelity's formula) within 1e-9 relative; one full-size subset is the whole-set estimate", () => {
  const d = 16, m = 300, x = correlated(m, d, 5), y = correlated(m, d, 6, 0.5);
  const ours = mmd2Unbiased(x, y, m, d), direct = mmdDirect(x, y, m, d);
  assert.ok(rel(ours, direct) < 1e-9, `MMD² ${ours} vs direct ${direct}: relative ${rel(ours, direct)} (tol 1e-9)`);
  const whole = kernelInceptionDistance(x, m, y, m, d, { subsets: 1 });
  assert.is(whole.subsetSize, m, "subset size falls to the set size");
  assert.ok(rel(whole.mean, direct) < 1e-9 && whole.std === 0, `one subset of all ${m}: ${whole.mean} ± ${whole.std} vs ${direct} (tol 1e-9)`);
  if (hasScipy) {
    const np = python(`
def mmd(X, Y):
    d = X.shape[1]; m = X.shape[0]
    kxx = (X @ X.T / d + 1) ** 3; kyy = (Y @ Y.T / d + 1) ** 3; kxy = (X @ Y.T / d + 1) ** 3
    return float(((kxx.sum() - np.trace(kxx)) + (kyy.sum() - np.trace(kyy))) / (m * (m - 1)) - 2 * kxy.sum() / (m * m))
print(json.dumps(mmd(x, y)))`, { x: { x, n: m, d }, y: { x: y, n: m, d } });
    assert.ok(rel(ours, np) < 1e-9, `MMD² ${ours} vs numpy ${np}: relative ${rel(ours, np)} (tol 1e-9)`);
  }
});

test("KID on real digit features: subsets drawn without replacement, mean ± std; same seed same numbers; real vs real ≪ real vs shifted", () => {
  const k1 = kernelInceptionDistance(A, 2000, B, 2000, F, { subsets: 10 });
  const k2 = kernelInceptionDistance(A, 2000, B, 2000, F, { subsets: 10 });
  assert.equal(k1, k2, "repeatable for a seed");
  assert.is(k1.subsetSize, 1000);
  const shifted = B.map((v) => v + 1);
  const far = kernelInceptionDistance(A, 2000, shifted, 2000, F, { subsets: 10 });
  assert.ok(Math.abs(k1.mean) < 2 * k1.std, `real vs real KID ${k1.mean.toFixed(2)} ± ${k1.std.toFixed(2)}: zero within 2 std of the subsets`);
  assert.ok(far.mean > 20 * (Math.abs(k1.mean) + k1.std), `real vs real shifted by 1 (KID ${far.mean.toFixed(0)} ± ${far.std.toFixed(0)}) is over 20x real vs real's |mean| + std (${(Math.abs(k1.mean) + k1.std).toFixed(0)})`);
});

test.run();
