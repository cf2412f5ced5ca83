// Batch normalisation kernels (strict build): training forward, inference forward, backward, over
// x: [rows, c] with rows in {1, 2, 3, 17, 64·49} and c in {1, 3, 4, 5, 17, 65, 128} (every SIMD tail
// class, both row parities, the DCGAN 7x7 feature map at batch 64). Channels get their own offset
// and spread (mean in [−3, 3], half-width in [0.1, 4]); gamma in ±[0.25, 2], beta in [−1, 1].
// Every buffer has guard words either side; inputs are checked unchanged. The tfjs-cpu
// comparisons run every shape up to 64·49 x 17 (tfjs reduces over rows slowly); the f64
// references and the finite differences run every shape.
//
// Notation: u = 2^-24 (f32 unit roundoff); mean, var, inv = 1/sqrt(var + eps), xhat, C = mean(dy·xhat)
// and the references ref are f64 from the f32 inputs (two-pass; their own error, ~rows·2^-53
// relative, is covered by a 2^-40 relative slack); δm = |fl32(mean) − mean| (computed, <= u·|mean|).
// Every bound counts the roundings of the f32 arithmetic in assembly/kernels/batchnorm.ts (each at
// most u relative); second-order terms are covered by a factor (1 + 16u). The measured worst
// cases reach 0.98-1.0 of the kernel bounds (they are attained), 0.4-0.9 of the tfjs ones.
//  - saved mean, saved invStd, running mean/var: the correctly rounded f64 values, |got − ref| <= u·|ref|.
//  - train y = fl(fl(fl(x − m)·k) + beta), m = fl32(mean), k = fl32(gamma·inv):
//      |y − ref| <= |gamma|·inv·(δm + 3u·|x − m|) + u·|ref|
//    inference: the same with m = runningMean (exact: δm = 0) and inv from runningVar.
//  - tfjs-cpu forward: tf.moments divides each x by rows in f32 and sums in f64, so
//    |m_tf − mean| <= δm_tf = u·(mean|x| + |mean|); its variance rounds x − m_tf, the square and the
//    division: |v_tf − var| <= δv_tf = 5u·(var + δm_tf²) + δm_tf² (both checked); tf.batchNorm
//    evaluates in f64 and rounds once. With ρ = ½·δv_tf/(var + eps) (+ its square), the relative
//    error of tfjs's 1/sqrt(v_tf + eps):
//      |y_tf − ref| <= |gamma|·inv·(δm_tf + |x − mean|·ρ) + u·|ref|
//    and kernel vs tfjs is checked against the SUM of the two bounds (so everywhere below).
//  - backward: dx = fl(k·fl(fl(dy − b) − fl(fl(x − m)·c2))), k = fl32(gamma·s), s = saved invStd,
//    b = fl32(Σdy/rows), c2 = fl32(s²·Σdy·(x − m)/rows), the sums in f64. With e = dy − mean(dy) − xhat·C
//    (ref = gamma·inv·e):
//      |dx − ref| <= |gamma|·inv·(4u·|e| + u·|dy − b| + u·|b| + 5u·|xhat·C|
//                                 + δm·inv·(|C| + |xhat·b|) + (δm·inv)²·|b|)
//    (4u: the subtraction, s, k, the product; 5u: x − m, s², c2, the product; the δm terms are the
//    exact expansion of (x − m)·c2 in δm, which dominates when |mean| >> std).
//    dgamma = fl32(dgamma0 + s·Σdy·(x − m)): |dgamma − ref| <= u·|ref| + u·|Σdy·xhat| + δm·inv·|Σdy|;
//    dbeta = fl32(dbeta0 + Σdy): u·|ref|.
//  - tfjs-cpu tf.grads (x as [rows, 1, 1, c], batch statistics inside the function): tfjs rounds
//    every op of its autodiff graph to f32. Its longest path, through the variance (v + eps, rsqrt,
//    its cube, x − m, dy·gamma, two products, the sum, /rows, the square's 2·d·g, the adds into dx),
//    has fewer than 24 roundings, each relative to that path's own size. The paths:
//    |gamma·inv·dy|, |gamma·inv·mean(dy)|, |gamma·inv·xhat·C|, and the variance's path through the
//    mean, <= |gamma·inv·C| (mean|xhat| <= 1). Bound: 24u·(their sum) + 3ρ·(their sum) (inv³ on the
//    variance path) + |gamma|·inv·(δm_tf·inv·(|C| + |xhat·mean(dy)|) + (δm_tf·inv)²·|mean(dy)|).
//    dgamma_tf (x − m, v + eps, rsqrt, ·xhat, ·dy, f64 sum): (5u + ρ)·Σ|dy·xhat| + δm_tf·inv·|Σdy|
//    + u·|ref|; dbeta_tf (f64 sum): u·|ref|.
//  - finite differences (f64 loss L = <y, r>, y the f64 batch norm with batch statistics, central
//    differences D(h) along random directions, h = 1e-4 relative): <dx, v> within Σ|v|·(dx bound)
//    + |D(h) − D(2h)| (>= the O(h²) truncation of D(h), a third of it) + 8·2^-53·Σ|y·r|/h (rounding
//    of L). The same for gamma and beta (dgamma, dbeta started at 0; L is linear in both).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { instantiate, relaxedSimdSupported } from "../../src/engine/wasm_module.ts";
import type { WasmExports } from "../../src/engine/abi.ts";
import { testRandom, randomArray, expectBitIdentical } from "../util/check.ts";
import { Guarded, U, expectWithin } from "../util/f32.ts";
import { tfCpu } from "../util/tfjs.ts";
import type { Tensor } from "@tensorflow/tfjs-core";

const wasm = await instantiate("strict");
const tf = await tfCpu();
const mem = new Guarded(wasm);

const EPS = 1e-5, MOM = 0.1;
const SLACK = 2 ** -40;          // relative slack for the f64 references' own rounding
const SECOND = 1 + 16 * U;       // second-order rounding terms
const ROWS = [1, 2, 3, 17, 64 * 49];
const CHANNELS = [1, 3, 4, 5, 17, 65, 128];
const shapes = ROWS.flatMap((rows) => CHANNELS.map((c) => [rows, c] as const));
const f32 = (v: number) => Math.fround(v);

// ---- inputs and f64 references

interface Case {
  rows: number; c: number; label: string;
  x: Float32Array; gamma: Float32Array; beta: Float32Array; rm0: Float32Array; rv0: Float32Array;
  dy: Float32Array; dg0: Float32Array; db0: Float32Array;
  st: Stats;
}
interface Stats { mean: Float64Array; variance: Float64Array; inv: Float64Array; absMean: Float64Array; dm: Float64Array }

function stats64(x: ArrayLike<number>, rows: number, c: number): Stats {
  const mean = new Float64Array(c), variance = new Float64Array(c), inv = new Float64Array(c);
  const absMean = new Float64Array(c), dm = new Float64Array(c);
  for (let i = 0; i < rows; i++) for (let j = 0; j < c; j++) { mean[j] += x[i * c + j]; absMean[j] += Math.abs(x[i * c + j]); }
  for (let j = 0; j < c; j++) { mean[j] /= rows; absMean[j] /= rows; dm[j] = Math.abs(f32(mean[j]) - mean[j]); }
  for (let i = 0; i < rows; i++) for (let j = 0; j < c; j++) variance[j] += (x[i * c + j] - mean[j]) ** 2;
  for (let j = 0; j < c; j++) { variance[j] /= rows; inv[j] = 1 / Math.sqrt(variance[j] + EPS); }
  return { mean, variance, inv, absMean, dm };
}

function makeCase(rows: number, c: number, seed: number): Case {
  const rand = testRandom(seed);
  const mu = randomArray(c, rand, -3, 3), half = randomArray(c, rand, 0.1, 4);
  const x = new Float32Array(rows * c);
  for (let i = 0; i < rows; i++) for (let j = 0; j < c; j++) x[i * c + j] = mu[j] + half[j] * (2 * rand() - 1);
  const gamma = Float32Array.from({ length: c }, () => (rand() < 0.5 ? -1 : 1) * (0.25 + 1.75 * rand()));
  return {
    rows, c, label: `${rows}x${c}`, x, gamma,
    beta: randomArray(c, rand, -1, 1), rm0: randomArray(c, rand, -1, 1), rv0: randomArray(c, rand, 0.5, 2),
    dy: randomArray(rows * c, rand), dg0: randomArray(c, rand, -2, 2), db0: randomArray(c, rand, -2, 2),
    st: stats64(x, rows, c),
  };
}
const cases = shapes.map(([rows, c], k) => makeCase(rows, c, 1000 + k));
// tfjs-cpu reduces over rows slowly (moments of 3136x128 take ~0.5 s): its comparisons stop at
// 3136x17; the f64 references and the finite differences cover every shape
const tfCases = cases.filter((k) => k.rows * k.c <= 64 * 49 * 17);

// ---- running the kernels (fresh guarded buffers each time; inputs checked unchanged)

function trainForward(w: WasmExports, g: Guarded, k: Case, running = true) {
  const { rows, c } = k;
  const px = g.put(k.x), pg = g.put(k.gamma), pb = g.put(k.beta);
  const py = g.put(new Float32Array(rows * c).fill(777)), psm = g.put(new Float32Array(c).fill(777)), psi = g.put(new Float32Array(c).fill(777));
  const prm = running ? g.put(k.rm0) : 0, prv = running ? g.put(k.rv0) : 0;
  w.batchNormForwardTrain(py, px, pg, pb, psm, psi, prm, prv, rows, c, EPS, MOM);
  g.checkGuards(`train ${k.label}`);
  expectBitIdentical(`train ${k.label}: x unchanged`, g.read(px), k.x);
  expectBitIdentical(`train ${k.label}: gamma unchanged`, g.read(pg), k.gamma);
  expectBitIdentical(`train ${k.label}: beta unchanged`, g.read(pb), k.beta);
  return {
    y: g.read(py), saveMean: g.read(psm), saveInvStd: g.read(psi),
    rm: running ? g.read(prm) : undefined, rv: running ? g.read(prv) : undefined,
  };
}

function backward(w: WasmExports, g: Guarded, k: Case, saveMean: Float32Array, saveInvStd: Float32Array,
  dg0: Float32Array = k.dg0, db0: Float32Array = k.db0, dy: Float32Array = k.dy) {
  const { rows, c } = k;
  const px = g.put(k.x), pg = g.put(k.gamma), pdy = g.put(dy), psm = g.put(saveMean), psi = g.put(saveInvStd);
  const pdx = g.put(new Float32Array(rows * c).fill(-777)), pdg = g.put(dg0), pdb = g.put(db0);
  w.batchNormBackward(pdx, pdg, pdb, pdy, px, pg, psm, psi, rows, c);
  g.checkGuards(`backward ${k.label}`);
  expectBitIdentical(`backward ${k.label}: x unchanged`, g.read(px), k.x);
  expectBitIdentical(`backward ${k.label}: dy unchanged`, g.read(pdy), dy);
  expectBitIdentical(`backward ${k.label}: gamma unchanged`, g.read(pg), k.gamma);
  expectBitIdentical(`backward ${k.label}: saved stats unchanged`, g.read(psm), saveMean);
  return { dx: g.read(pdx), dgamma: g.read(pdg), dbeta: g.read(pdb) };
}

// ---- bounds (see the header)

// train forward: the f64 reference and the kernel bound per element
function forwardRef(k: Case) {
  const { rows, c, x, gamma, beta, st } = k;
  const ref = new Float64Array(rows * c), tol = new Float64Array(rows * c);
  for (let i = 0; i < rows; i++) for (let j = 0; j < c; j++) {
    const p = i * c + j, gi = Math.abs(gamma[j]) * st.inv[j];
    ref[p] = gamma[j] * st.inv[j] * (x[p] - st.mean[j]) + beta[j];
    tol[p] = (gi * (st.dm[j] + 3 * U * Math.abs(x[p] - f32(st.mean[j]))) + U * Math.abs(ref[p])) * SECOND
      + SLACK * (gi * Math.abs(x[p] - st.mean[j]) + Math.abs(beta[j]));
  }
  return { ref, tol };
}

// backward: f64 references and the kernel bounds
function backwardRef(k: Case, dy: Float32Array = k.dy) {
  const { rows, c, x, gamma, st } = k;
  const sdy = new Float64Array(c), sdyx = new Float64Array(c), sAbsDy = new Float64Array(c), sAbsDyx = new Float64Array(c);
  for (let i = 0; i < rows; i++) for (let j = 0; j < c; j++) {
    const p = i * c + j, xh = (x[p] - st.mean[j]) * st.inv[j];
    sdy[j] += dy[p]; sdyx[j] += dy[p] * xh; sAbsDy[j] += Math.abs(dy[p]); sAbsDyx[j] += Math.abs(dy[p] * xh);
  }
  const dx = new Float64Array(rows * c), tol = new Float64Array(rows * c), scale = new Float64Array(rows * c);
  for (let i = 0; i < rows; i++) for (let j = 0; j < c; j++) {
    const p = i * c + j, xh = (x[p] - st.mean[j]) * st.inv[j];
    const b = sdy[j] / rows, C = sdyx[j] / rows, gi = Math.abs(gamma[j]) * st.inv[j];
    const e = dy[p] - b - xh * C;
    dx[p] = gamma[j] * st.inv[j] * e;
    scale[p] = gi * (Math.abs(dy[p]) + Math.abs(b) + Math.abs(xh * C));
    tol[p] = gi * (4 * U * Math.abs(e) + U * Math.abs(dy[p] - b) + U * Math.abs(b) + 5 * U * Math.abs(xh * C)
      + st.dm[j] * st.inv[j] * (Math.abs(C) + Math.abs(xh * b)) + (st.dm[j] * st.inv[j]) ** 2 * Math.abs(b)) * SECOND
      + SLACK * scale[p];
  }
  return { dx, tol, scale, sdy, sdyx, sAbsDy, sAbsDyx };
}

// tfjs-cpu's own f32 statistics (see the header): |m_tf − mean| <= dmTf, |v_tf − var| <= dvTf, and
// the relative error that v_tf puts into 1/sqrt(v_tf + eps): relInv (½·δ, plus δ² for the curvature)
function tfStatBounds(st: Stats) {
  const c = st.mean.length;
  const dmTf = new Float64Array(c), dvTf = new Float64Array(c), relInv = new Float64Array(c);
  for (let j = 0; j < c; j++) {
    dmTf[j] = U * (st.absMean[j] + Math.abs(st.mean[j])) * SECOND;
    dvTf[j] = 5 * U * (st.variance[j] + dmTf[j] ** 2) * SECOND + dmTf[j] ** 2 + SLACK * st.variance[j];
    const d = dvTf[j] / (st.variance[j] + EPS);
    relInv[j] = 0.5 * d + d * d;
  }
  return { dmTf, dvTf, relInv };
}

// ---- forward, training mode

test("forward train vs f64: y, saved mean and invStd, running mean and (unbiased) running var", () => {
  for (const k of cases) {
    const { rows, c, st } = k;
    const got = trainForward(wasm, mem, k);
    const { ref, tol } = forwardRef(k);
    expectWithin(`train ${k.label}: y`, got.y, ref, tol);
    expectWithin(`train ${k.label}: saved mean`, got.saveMean, st.mean,
      (j) => U * Math.abs(st.mean[j]) + SLACK * st.absMean[j]);
    expectWithin(`train ${k.label}: saved invStd`, got.saveInvStd, st.inv, (j) => (U + SLACK) * st.inv[j]);
    const rm = Array.from(st.mean, (m, j) => (1 - MOM) * k.rm0[j] + MOM * m);
    expectWithin(`train ${k.label}: running mean`, got.rm!, rm,
      (j) => U * Math.abs(rm[j]) + SLACK * (Math.abs(k.rm0[j]) + st.absMean[j]));
    if (rows === 1) {
      // the unbiased variance of one value is 0/0: running var is left as it was (documented)
      expectBitIdentical(`train ${k.label}: running var unchanged at rows = 1`, got.rv!, k.rv0);
      expectBitIdentical(`train ${k.label}: y = beta at rows = 1`, got.y, k.beta);
    } else {
      const rv = Array.from(st.variance, (v, j) => (1 - MOM) * k.rv0[j] + MOM * v * rows / (rows - 1));
      expectWithin(`train ${k.label}: running var`, got.rv!, rv, (j) => (U + SLACK) * Math.abs(rv[j]));
    }
  }
});

// kernel vs tfjs: the kernel bound plus the bound of tfjs's own f32 statistics (see the header)
test("forward train vs tfjs-cpu (tf.moments + tf.batchNorm)", () => {
  for (const k of tfCases) {
    const { rows, c, st, gamma } = k;
    const got = trainForward(wasm, mem, k);
    const { ref, tol } = forwardRef(k);
    const [yTf, mTf, vTf] = tf.tidy(() => {
      const x = tf.tensor2d(k.x, [rows, c]);
      const { mean, variance } = tf.moments(x, 0);
      const y = tf.batchNorm(x, mean, variance, tf.tensor1d(k.beta), tf.tensor1d(gamma), EPS);
      return [y, mean, variance].map((t) => t.dataSync() as Float32Array);
    });
    const { dmTf, dvTf, relInv } = tfStatBounds(st);
    expectWithin(`train ${k.label}: tfjs mean vs f64`, mTf, st.mean, dmTf);
    expectWithin(`train ${k.label}: tfjs var vs f64`, vTf, st.variance, dvTf);
    const tolTf = (p: number) => {
      const j = p % c, gi = Math.abs(gamma[j]) * st.inv[j];
      return tol[p] + gi * dmTf[j] * (1 + relInv[j]) + gi * Math.abs(k.x[p] - st.mean[j]) * relInv[j]
        + U * Math.abs(ref[p]) * SECOND;
    };
    expectWithin(`train ${k.label}: y vs tfjs`, got.y, yTf, tolTf);
  }
});

// ---- forward, inference mode

test("forward inference vs f64 and tfjs-cpu tf.batchNorm; running stats read only", () => {
  for (const k of tfCases) {
    const { rows, c, x, gamma, beta, rm0, rv0 } = k;
    const px = mem.put(x), pg = mem.put(gamma), pb = mem.put(beta), prm = mem.put(rm0), prv = mem.put(rv0);
    const py = mem.put(new Float32Array(rows * c).fill(777));
    wasm.batchNormForwardInference(py, px, pg, pb, prm, prv, rows, c, EPS);
    mem.checkGuards(`inference ${k.label}`);
    expectBitIdentical(`inference ${k.label}: running mean untouched`, mem.read(prm), rm0);
    expectBitIdentical(`inference ${k.label}: running var untouched`, mem.read(prv), rv0);
    expectBitIdentical(`inference ${k.label}: x untouched`, mem.read(px), x);
    const y = mem.read(py);
    const ref = new Float64Array(rows * c), tol = new Float64Array(rows * c);
    for (let p = 0; p < rows * c; p++) {
      const j = p % c, inv = 1 / Math.sqrt(rv0[j] + EPS);
      ref[p] = gamma[j] * inv * (x[p] - rm0[j]) + beta[j];
      tol[p] = (Math.abs(gamma[j]) * inv * 3 * U * Math.abs(x[p] - rm0[j]) + U * Math.abs(ref[p])) * SECOND
        + SLACK * (Math.abs(gamma[j] * inv * (x[p] - rm0[j])) + Math.abs(beta[j]));
    }
    expectWithin(`inference ${k.label}: y vs f64`, y, ref, tol);
    // tfjs: the same statistics, evaluated in f64 and rounded once: + u·|ref|
    const yTf = tf.tidy(() => tf.batchNorm(tf.tensor2d(x, [rows, c]), tf.tensor1d(rm0), tf.tensor1d(rv0),
      tf.tensor1d(beta), tf.tensor1d(gamma), EPS).dataSync() as Float32Array);
    expectWithin(`inference ${k.label}: y vs tfjs`, y, yTf, (p) => tol[p] + U * Math.abs(ref[p]) * SECOND);
  }
});

// ---- backward

test("backward vs f64: dx written, dgamma and dbeta added to nonzero starting values", () => {
  for (const k of cases) {
    const { c, st } = k;
    const fw = trainForward(wasm, mem, k);
    const got = backward(wasm, mem, k, fw.saveMean, fw.saveInvStd);
    const r = backwardRef(k);
    expectWithin(`backward ${k.label}: dx`, got.dx, r.dx, r.tol);
    const dg = Array.from(r.sdyx, (s, j) => k.dg0[j] + s), db = Array.from(r.sdy, (s, j) => k.db0[j] + s);
    expectWithin(`backward ${k.label}: dgamma`, got.dgamma, dg, (j) => (U * Math.abs(dg[j]) + U * Math.abs(r.sdyx[j])
      + st.dm[j] * st.inv[j] * Math.abs(r.sdy[j])) * SECOND + SLACK * (Math.abs(k.dg0[j]) + r.sAbsDyx[j]));
    expectWithin(`backward ${k.label}: dbeta`, got.dbeta, db,
      (j) => U * Math.abs(db[j]) + SLACK * (Math.abs(k.db0[j]) + r.sAbsDy[j]));
    if (k.rows === 1) assert.ok(got.dx.every((v) => v === 0), `backward ${k.label}: dx = 0 at rows = 1`);
  }
});

test("backward vs tfjs-cpu tf.grads of moments + batchNorm (x as [rows, 1, 1, c])", () => {
  for (const k of tfCases) {
    const { rows, c, st, gamma } = k;
    const fw = trainForward(wasm, mem, k);
    const zeros = new Float32Array(c);
    const got = backward(wasm, mem, k, fw.saveMean, fw.saveInvStd, zeros, zeros);
    const r = backwardRef(k);
    const [dxTf, dgTf, dbTf] = tf.tidy(() => {
      const f = (x: Tensor, g: Tensor, b: Tensor) => {
        const { mean, variance } = tf.moments(x, [0, 1, 2]);
        return tf.batchNorm(x, mean, variance, b, g, EPS);
      };
      const x4 = tf.tensor4d(k.x, [rows, 1, 1, c]);
      const grads = tf.grads(f as (...a: Tensor[]) => Tensor)([x4, tf.tensor1d(gamma), tf.tensor1d(k.beta)],
        tf.tensor4d(k.dy, [rows, 1, 1, c]));
      return grads.map((t) => t.dataSync() as Float32Array);
    });
    const { dmTf, relInv } = tfStatBounds(st);
    // kernel bound + tfjs bound (the header), per element
    expectWithin(`backward ${k.label}: dx vs tfjs`, got.dx, dxTf, (p) => {
      const j = p % c, xh = (k.x[p] - st.mean[j]) * st.inv[j], gi = Math.abs(gamma[j]) * st.inv[j];
      const b = r.sdy[j] / rows, C = r.sdyx[j] / rows, paths = r.scale[p] + gi * Math.abs(C);
      return r.tol[p] + (24 * U + 3 * relInv[j]) * paths * SECOND
        + gi * (dmTf[j] * st.inv[j] * (Math.abs(C) + Math.abs(xh * b)) + (dmTf[j] * st.inv[j]) ** 2 * Math.abs(b));
    });
    expectWithin(`backward ${k.label}: dgamma vs tfjs`, got.dgamma, dgTf, (j) =>
      (2 * U * Math.abs(r.sdyx[j]) + st.dm[j] * st.inv[j] * Math.abs(r.sdy[j])) * SECOND
      + ((5 * U + relInv[j]) * r.sAbsDyx[j] + dmTf[j] * st.inv[j] * Math.abs(r.sdy[j]) + U * Math.abs(r.sdyx[j])) * SECOND
      + SLACK * r.sAbsDyx[j]);
    expectWithin(`backward ${k.label}: dbeta vs tfjs`, got.dbeta, dbTf,
      (j) => 2 * U * Math.abs(r.sdy[j]) * SECOND + SLACK * r.sAbsDy[j]);
  }
});

// f64 batch norm with batch statistics: L = Σ r·y
function loss64(x: ArrayLike<number>, gamma: ArrayLike<number>, beta: ArrayLike<number>, r: ArrayLike<number>,
  rows: number, c: number, st = stats64(x, rows, c)) {
  let L = 0, A = 0;
  for (let p = 0; p < rows * c; p++) {
    const j = p % c, y = gamma[j] * (x[p] - st.mean[j]) * st.inv[j] + beta[j];
    L += r[p] * y; A += Math.abs(r[p] * y);
  }
  return { L, A };
}

test("backward vs central finite differences of the f64 loss <y, r> along random directions", () => {
  for (const k of cases) {
    const { rows, c, st } = k;
    const fw = trainForward(wasm, mem, k);
    const zeros = new Float32Array(c);
    const got = backward(wasm, mem, k, fw.saveMean, fw.saveInvStd, zeros, zeros);
    const r = backwardRef(k);
    const rand = testRandom(rows * 1000 + c);
    // directions scaled per channel (by the spread for x), so h is relative for every channel
    const vx = Float64Array.from({ length: rows * c }, (_, p) => (2 * rand() - 1) * Math.sqrt(st.variance[p % c] + EPS));
    const vg = Float64Array.from({ length: c }, () => 2 * rand() - 1), vb = Float64Array.from({ length: c }, () => 2 * rand() - 1);
    const h = 1e-4, xs = new Float64Array(rows * c);
    const shifted = (t: number) => { for (let p = 0; p < xs.length; p++) xs[p] = k.x[p] + t * vx[p]; return xs; };
    // L is linear in gamma and in beta: their differences need no new statistics
    const dirs = [
      { name: "x", v: vx, grad: got.dx, tol: r.tol,
        at: (t: number) => loss64(shifted(t), k.gamma, k.beta, k.dy, rows, c) },
      { name: "gamma", v: vg, grad: got.dgamma,
        tol: Float64Array.from(r.sdyx, (s, j) => (2 * U * Math.abs(s) + st.dm[j] * st.inv[j] * Math.abs(r.sdy[j])) * SECOND + SLACK * r.sAbsDyx[j]),
        at: (t: number) => loss64(k.x, Float64Array.from(k.gamma, (v, j) => v + t * vg[j]), k.beta, k.dy, rows, c, st) },
      { name: "beta", v: vb, grad: got.dbeta, tol: Float64Array.from(r.sdy, (s, j) => U * Math.abs(s) + SLACK * r.sAbsDy[j]),
        at: (t: number) => loss64(k.x, k.gamma, Float64Array.from(k.beta, (v, j) => v + t * vb[j]), k.dy, rows, c, st) },
    ];
    for (const d of dirs) {
      const D = (s: number) => { const p = d.at(s), m = d.at(-s); return { D: (p.L - m.L) / (2 * s), A: Math.max(p.A, m.A) }; };
      const d1 = D(h), d2 = D(2 * h);
      let dot = 0, bound = 0;
      for (let p = 0; p < d.v.length; p++) { dot += d.grad[p] * d.v[p]; bound += Math.abs(d.v[p]) * d.tol[p]; }
      const tol = bound + Math.abs(d1.D - d2.D) + 8 * 2 ** -53 * d1.A / h;
      assert.ok(Math.abs(dot - d1.D) <= tol,
        `fd ${k.label} ${d.name}: <grad, v> = ${dot}, central difference ${d1.D} (|diff| ${Math.abs(dot - d1.D)} > tol ${tol})`);
    }
  }
});

// ---- semantics

test("accumulation: dgamma/dbeta add across calls, dx overwrites; dx/dgamma/dbeta = 0 are skipped", () => {
  const k = cases.find((q) => q.rows === 17 && q.c === 65)!;
  const { rows, c } = k;
  const fw = trainForward(wasm, mem, k);
  const once = backward(wasm, mem, k, fw.saveMean, fw.saveInvStd);
  // twice into the same dgamma/dbeta, over a dx full of garbage
  const px = mem.put(k.x), pg = mem.put(k.gamma), pdy = mem.put(k.dy), psm = mem.put(fw.saveMean), psi = mem.put(fw.saveInvStd);
  const pdx = mem.put(randomArray(rows * c, testRandom(5), -1e30, 1e30)), pdg = mem.put(k.dg0), pdb = mem.put(k.db0);
  wasm.batchNormBackward(pdx, pdg, pdb, pdy, px, pg, psm, psi, rows, c);
  expectBitIdentical("dx overwrites whatever it held", mem.read(pdx), once.dx);
  expectBitIdentical("one call: dgamma", mem.read(pdg), once.dgamma);
  wasm.batchNormBackward(pdx, pdg, pdb, pdy, px, pg, psm, psi, rows, c);
  expectBitIdentical("second call: dx the same", mem.read(pdx), once.dx);
  // fl32(fl32(g0 + S') + S'), S' the kernel's f64 sum: two roundings, and twice S' − S (the dgamma bound)
  const r = backwardRef(k), { st } = k;
  const two = (g0: number, S: number) => U * (Math.abs(g0 + S) + Math.abs(g0 + 2 * S));
  expectWithin("second call: dgamma = dg0 + 2·Σdy·xhat", mem.read(pdg), Array.from(r.sdyx, (S, j) => k.dg0[j] + 2 * S),
    (j) => (two(k.dg0[j], r.sdyx[j]) + 2 * (U * Math.abs(r.sdyx[j]) + st.dm[j] * st.inv[j] * Math.abs(r.sdy[j]))) * SECOND
      + SLACK * (Math.abs(k.dg0[j]) + 2 * r.sAbsDyx[j]));
  expectWithin("second call: dbeta = db0 + 2·Σdy", mem.read(pdb), Array.from(r.sdy, (S, j) => k.db0[j] + 2 * S),
    (j) => two(k.db0[j], r.sdy[j]) * SECOND + SLACK * (Math.abs(k.db0[j]) + 2 * r.sAbsDy[j]));
  // small integers: every sum is exact, so one call adds exactly Σdy and a second exactly doubles it
  const dyInt = Float32Array.from({ length: rows * c }, (_, p) => ((p * 7) % 11) - 5);
  const db0Int = Float32Array.from({ length: c }, (_, j) => j - 30);
  const pdyI = mem.put(dyInt), pdbI = mem.put(db0Int);
  wasm.batchNormBackward(0, 0, pdbI, pdyI, px, pg, psm, psi, rows, c);
  wasm.batchNormBackward(0, 0, pdbI, pdyI, px, pg, psm, psi, rows, c);
  const exact = Float32Array.from(db0Int);
  for (let p = 0; p < rows * c; p++) exact[p % c] += 2 * dyInt[p];
  expectBitIdentical("dbeta, integer dy, two calls: exact", mem.read(pdbI), exact);
  // dx = 0 and dgamma = dbeta = 0: the other outputs are still right, nothing else is written
  const pdg2 = mem.put(k.dg0), pdb2 = mem.put(k.db0), pdx2 = mem.put(new Float32Array(rows * c));
  wasm.batchNormBackward(0, pdg2, pdb2, pdy, px, pg, psm, psi, rows, c);
  expectBitIdentical("dx = 0: dgamma as before", mem.read(pdg2), once.dgamma);
  expectBitIdentical("dx = 0: dbeta as before", mem.read(pdb2), once.dbeta);
  wasm.batchNormBackward(pdx2, 0, 0, pdy, px, pg, psm, psi, rows, c);
  expectBitIdentical("dgamma = dbeta = 0: dx as before", mem.read(pdx2), once.dx);
  mem.checkGuards("accumulation");
});

test("running stats: runningMean = 0 skips the update (same y and saved stats), nothing written at address 0", () => {
  for (const k of cases.filter((q) => q.rows === 17)) {
    const low = new Uint8Array(wasm.memory.buffer, 0, 1024).slice();
    const a = trainForward(wasm, mem, k, false), b = trainForward(wasm, mem, k, true);
    expectBitIdentical(`no running ${k.label}: y`, a.y, b.y);
    expectBitIdentical(`no running ${k.label}: saved mean`, a.saveMean, b.saveMean);
    expectBitIdentical(`no running ${k.label}: saved invStd`, a.saveInvStd, b.saveInvStd);
    const after = new Uint8Array(wasm.memory.buffer, 0, 1024);
    for (let i = 0; i < 1024; i++) if (after[i] !== low[i]) assert.unreachable(`no running ${k.label}: byte ${i} of memory changed`);
  }
});

test("SIMD blocks and the scalar tail agree bit for bit: each channel alone gives the same results", () => {
  for (const k of cases.filter((q) => q.c === 5 || q.c === 17)) {
    const { rows, c } = k;
    const all = trainForward(wasm, mem, k);
    const ball = backward(wasm, mem, k, all.saveMean, all.saveInvStd);
    for (let j = 0; j < c; j++) {
      const col = (a: Float32Array) => Float32Array.from({ length: rows }, (_, i) => a[i * c + j]);
      const one: Case = {
        rows, c: 1, label: `${k.label} channel ${j}`, x: col(k.x), gamma: k.gamma.slice(j, j + 1), beta: k.beta.slice(j, j + 1),
        rm0: k.rm0.slice(j, j + 1), rv0: k.rv0.slice(j, j + 1), dy: col(k.dy), dg0: k.dg0.slice(j, j + 1), db0: k.db0.slice(j, j + 1),
        st: k.st,
      };
      const s = trainForward(wasm, mem, one);
      expectBitIdentical(`${one.label}: y`, s.y, col(all.y));
      expectBitIdentical(`${one.label}: saved`, Float32Array.of(s.saveMean[0], s.saveInvStd[0], s.rm![0], s.rv![0]),
        Float32Array.of(all.saveMean[j], all.saveInvStd[j], all.rm![j], all.rv![j]));
      const sb = backward(wasm, mem, one, s.saveMean, s.saveInvStd);
      expectBitIdentical(`${one.label}: dx`, sb.dx, col(ball.dx));
      expectBitIdentical(`${one.label}: dgamma, dbeta`, Float32Array.of(sb.dgamma[0], sb.dbeta[0]), Float32Array.of(ball.dgamma[j], ball.dbeta[j]));
    }
  }
});

// The kernels keep per-channel scratch for 1024 channels and go through wider tensors chunk by
// chunk: the first DCGAN batch norm (64 x 7·7·128) and 2 chunks + a tail of 5
test("wide c, several scratch chunks: 64x6272 and 5x2053 vs f64; channels across chunks agree bit for bit", () => {
  for (const [rows, c] of [[64, 6272], [5, 2053]]) {
    const k = makeCase(rows, c, rows + c);
    const fw = trainForward(wasm, mem, k);
    const { ref, tol } = forwardRef(k);
    expectWithin(`wide ${k.label}: y`, fw.y, ref, tol);
    expectWithin(`wide ${k.label}: saved invStd`, fw.saveInvStd, k.st.inv, (j) => (U + SLACK) * k.st.inv[j]);
    const bw = backward(wasm, mem, k, fw.saveMean, fw.saveInvStd);
    const r = backwardRef(k);
    expectWithin(`wide ${k.label}: dx`, bw.dx, r.dx, r.tol);
    for (const j of [0, 1023, 1024, 2047, 2048, c - 1]) {
      const col = (a: Float32Array) => Float32Array.from({ length: rows }, (_, i) => a[i * c + j]);
      const one: Case = { ...k, c: 1, label: `${k.label} channel ${j}`, x: col(k.x), gamma: k.gamma.slice(j, j + 1),
        beta: k.beta.slice(j, j + 1), rm0: k.rm0.slice(j, j + 1), rv0: k.rv0.slice(j, j + 1), dy: col(k.dy),
        dg0: k.dg0.slice(j, j + 1), db0: k.db0.slice(j, j + 1) };
      const s1 = trainForward(wasm, mem, one);
      expectBitIdentical(`${one.label}: y`, s1.y, col(fw.y));
      const b1 = backward(wasm, mem, one, s1.saveMean, s1.saveInvStd);
      expectBitIdentical(`${one.label}: dx`, b1.dx, col(bw.dx));
      expectBitIdentical(`${one.label}: dgamma, dbeta`, Float32Array.of(b1.dgamma[0], b1.dbeta[0]), Float32Array.of(bw.dgamma[j], bw.dbeta[j]));
    }
  }
});

test("in place: y may alias x, dx may alias dy", () => {
  const k = cases.find((q) => q.rows === 17 && q.c === 17)!;
  const { rows, c } = k;
  const fw = trainForward(wasm, mem, k), bw = backward(wasm, mem, k, fw.saveMean, fw.saveInvStd);
  const pxy = mem.put(k.x), pg = mem.put(k.gamma), pb = mem.put(k.beta), psm = mem.zeros(c), psi = mem.zeros(c);
  const prm = mem.put(k.rm0), prv = mem.put(k.rv0);
  wasm.batchNormForwardTrain(pxy, pxy, pg, pb, psm, psi, prm, prv, rows, c, EPS, MOM);
  expectBitIdentical("train in place", mem.read(pxy), fw.y);
  const px = mem.put(k.x), pdd = mem.put(k.dy), pdg = mem.put(k.dg0), pdb = mem.put(k.db0);
  wasm.batchNormBackward(pdd, pdg, pdb, pdd, px, pg, psm, psi, rows, c);
  expectBitIdentical("backward in place", mem.read(pdd), bw.dx);
  const pxi = mem.put(k.x), pyi = mem.zeros(rows * c), prm0 = mem.put(k.rm0), prv0 = mem.put(k.rv0);
  wasm.batchNormForwardInference(pyi, pxi, pg, pb, prm0, prv0, rows, c, EPS);
  wasm.batchNormForwardInference(pxi, pxi, pg, pb, prm0, prv0, rows, c, EPS);
  expectBitIdentical("inference in place", mem.read(pxi), mem.read(pyi));
  mem.checkGuards("in place");
});

test("hard statistics: |mean|/std ≈ 2e5, a constant channel, a channel of zeros", () => {
  // two-pass f64 statistics keep the bounds above; a one-pass f32 variance would be all noise here
  const rows = 64, c = 4, rand = testRandom(77);
  const x = new Float32Array(rows * c);
  for (let i = 0; i < rows; i++) {
    x[i * c] = 1000 + 0.01 * (2 * rand() - 1);
    x[i * c + 1] = 3.25;
    x[i * c + 2] = 0;
    x[i * c + 3] = -7 + 2 * rand();
  }
  const k: Case = {
    rows, c, label: "hard", x, gamma: Float32Array.of(1.5, -2, 0.5, 1), beta: Float32Array.of(0.25, -0.5, 1, 0),
    rm0: new Float32Array(c), rv0: Float32Array.of(1, 1, 1, 1), dy: randomArray(rows * c, rand), dg0: new Float32Array(c),
    db0: new Float32Array(c), st: stats64(x, rows, c),
  };
  const fw = trainForward(wasm, mem, k);
  const { ref, tol } = forwardRef(k);
  expectWithin("hard: y", fw.y, ref, tol);
  expectWithin("hard: saved invStd", fw.saveInvStd, k.st.inv, (j) => (U + SLACK) * k.st.inv[j]);
  // a constant channel: var = 0 exactly, y = beta exactly, invStd = fl32(1/sqrt(eps))
  for (const j of [1, 2]) {
    assert.is(fw.saveInvStd[j], f32(1 / Math.sqrt(EPS)), `constant channel ${j}: invStd`);
    for (let i = 0; i < rows; i++) assert.is(fw.y[i * c + j], k.beta[j], `constant channel ${j}: y = beta`);
  }
  const bw = backward(wasm, mem, k, fw.saveMean, fw.saveInvStd);
  const r = backwardRef(k);
  expectWithin("hard: dx", bw.dx, r.dx, r.tol);
});

// The relaxed build fuses y's multiply-add (one rounding fewer): the same bounds hold. Node 20
// validates it only with --experimental-wasm-relaxed-simd, so this is skipped there.
test("relaxed build, where the runtime accepts it: the same f64 bounds", async () => {
  if (!relaxedSimdSupported()) return;
  const relaxed = await instantiate("relaxed"), rmem = new Guarded(relaxed);
  for (const k of cases.filter((q) => q.rows <= 17)) {
    const fw = trainForward(relaxed, rmem, k);
    const { ref, tol } = forwardRef(k);
    expectWithin(`relaxed ${k.label}: y`, fw.y, ref, tol);
    const bw = backward(relaxed, rmem, k, fw.saveMean, fw.saveInvStd);
    const r = backwardRef(k);
    expectWithin(`relaxed ${k.label}: dx`, bw.dx, r.dx, r.tol);
  }
});

test.run();
