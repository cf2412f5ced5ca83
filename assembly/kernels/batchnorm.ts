// Batch normalisation over the rows of x: [rows, c] (rows = n·h·w for NHWC images, n for dense
// features), one mean and variance per channel j, with PyTorch's BatchNorm1d/2d semantics:
//   training:  mean_j = Σ_i x[i, j] / rows,   var_j = Σ_i (x[i, j] − mean_j)² / rows   (biased)
//              invStd_j = 1 / sqrt(var_j + eps),   xhat = (x − mean_j) · invStd_j
//              y[i, j] = gamma_j · xhat[i, j] + beta_j
//              runningMean_j = (1 − momentum) · runningMean_j + momentum · mean_j
//              runningVar_j  = (1 − momentum) · runningVar_j  + momentum · var_j · rows / (rows − 1)
//              (the running variance takes the UNBIASED batch variance, as PyTorch does)
//   inference: y[i, j] = gamma_j · (x[i, j] − runningMean_j) / sqrt(runningVar_j + eps) + beta_j
//   backward:  dx = gamma·invStd / rows · (rows·dy − Σ_i dy − xhat · Σ_i dy·xhat)   (WRITTEN)
//              dgamma += Σ_i dy·xhat,   dbeta += Σ_i dy                             (ADDED)
// gamma, beta, saveMean, saveInvStd, runningMean, runningVar, dgamma, dbeta: [c].
// y may alias x, and dx may alias dy (every element is read before it is written).
//
// Accuracy: every per-channel sum is accumulated in f64, and the variance takes a second pass
// over x (Σ (x − mean)², never Σx²/rows − mean²). An f64 sum of f32 terms is correct to about
// rows · 2^-53 relative, far below one f32 ulp for any batch this engine sees, so the saved mean
// and invStd and the running statistics are the correctly rounded f32 values of the exact ones;
// the two-pass variance has no cancellation when |mean| >> std (the one-pass form in f32 loses
// every digit of var once |mean|/std nears 2^12, and the worst-case error of an f32 sum of the
// 12544 rows of the second DCGAN batch norm is 7.5e-4 · Σ|x|). The widening costs little: a
// 4-channel block is two f64x2 adds per row and statistic, and the kernels read x at most 3 times.
// The per-element transforms stay in f32x4 with per-channel constants rounded once from f64
// (the bounds are derived in tests/kernels/batchnorm.test.ts):
//   y  = (x − m) · k + beta                  m = fl32(mean), k = fl32(gamma · invStd)
//   dx = k · ((dy − b) − (x − m) · c2)       b = fl32(Σdy / rows), c2 = fl32(invStd² · Σ dy·(x − m) / rows)
// Sums run over the even and the odd rows separately, then add (two f64 chains per lane); the
// scalar tail channels use the same order, so a channel's results do not depend on whether it
// falls in a SIMD block or in the tail.
//
// Loops: 4-channel blocks outermost, rows innermost with stride c (the statistics stay in
// registers, and a block's column strip is still in cache for its second and third pass).
// eps and momentum are f64, as PyTorch holds them; they only enter f64 arithmetic.
import { madd } from "./simd";

// the low / high two lanes of an f32x4, widened to f64x2
// @ts-ignore: decorator
@inline function lo64(v: v128): v128 { return f64x2.promote_low_f32x4(v); }
// @ts-ignore: decorator
@inline function hi64(v: v128): v128 { return f64x2.promote_low_f32x4(f32x4.shuffle(v, v, 2, 3, 2, 3)); }
// two f64x2 (lanes 0-1, 2-3) rounded to one f32x4
// @ts-ignore: decorator
@inline function to32(lo: v128, hi: v128): v128 {
  return f32x4.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
}

// Training mode: y, the batch mean and invStd saved for backward (saveMean, saveInvStd), and the
// running statistics updated in place (skipped when runningMean == 0). rows = 1: var = 0 and
// y = beta; the unbiased variance is 0/0 there (PyTorch refuses such a batch: "Expected more than
// 1 value per channel when training"), so runningVar is left unchanged while runningMean still
// moves. rows <= 0: nothing is written.
export function batchNormForwardTrain(y: usize, x: usize, gamma: usize, beta: usize,
  saveMean: usize, saveInvStd: usize, runningMean: usize, runningVar: usize,
  rows: i32, c: i32, eps: f64, momentum: f64): void {
  if (rows <= 0) return;
  const stride = <usize>c << 2;
  const n = <f64>rows;
  const keep = 1 - momentum;
  const unbias: f64 = rows > 1 ? n / (n - 1) : 0;
  const vn = f64x2.splat(n), vEps = f64x2.splat(eps), one = f64x2.splat(1);
  const vMom = f64x2.splat(momentum), vKeep = f64x2.splat(keep), vUnbias = f64x2.splat(unbias);
  const c4 = c & ~3;
  let j = 0;
  for (; j < c4; j += 4) {
    const o = <usize>j << 2;
    // pass 1: the mean
    let s0 = f64x2.splat(0), s1 = s0, t0 = s0, t1 = s0;
    let p = x + o;
    let i = 0;
    for (; i + 1 < rows; i += 2) {
      const a = v128.load(p), b = v128.load(p + stride);
      s0 = f64x2.add(s0, lo64(a)); s1 = f64x2.add(s1, hi64(a));
      t0 = f64x2.add(t0, lo64(b)); t1 = f64x2.add(t1, hi64(b));
      p += stride << 1;
    }
    if (i < rows) {
      const a = v128.load(p);
      s0 = f64x2.add(s0, lo64(a)); s1 = f64x2.add(s1, hi64(a));
    }
    const mean0 = f64x2.div(f64x2.add(s0, t0), vn), mean1 = f64x2.div(f64x2.add(s1, t1), vn);
    // pass 2: the biased variance, Σ (x − mean)² / rows
    s0 = f64x2.splat(0); s1 = s0; t0 = s0; t1 = s0;
    p = x + o;
    for (i = 0; i + 1 < rows; i += 2) {
      const a = v128.load(p), b = v128.load(p + stride);
      const da0 = f64x2.sub(lo64(a), mean0), da1 = f64x2.sub(hi64(a), mean1);
      const db0 = f64x2.sub(lo64(b), mean0), db1 = f64x2.sub(hi64(b), mean1);
      s0 = f64x2.add(s0, f64x2.mul(da0, da0)); s1 = f64x2.add(s1, f64x2.mul(da1, da1));
      t0 = f64x2.add(t0, f64x2.mul(db0, db0)); t1 = f64x2.add(t1, f64x2.mul(db1, db1));
      p += stride << 1;
    }
    if (i < rows) {
      const a = v128.load(p);
      const da0 = f64x2.sub(lo64(a), mean0), da1 = f64x2.sub(hi64(a), mean1);
      s0 = f64x2.add(s0, f64x2.mul(da0, da0)); s1 = f64x2.add(s1, f64x2.mul(da1, da1));
    }
    const var0 = f64x2.div(f64x2.add(s0, t0), vn), var1 = f64x2.div(f64x2.add(s1, t1), vn);
    const inv0 = f64x2.div(one, f64x2.sqrt(f64x2.add(var0, vEps)));
    const inv1 = f64x2.div(one, f64x2.sqrt(f64x2.add(var1, vEps)));
    const m = to32(mean0, mean1);
    v128.store(saveMean + o, m);
    v128.store(saveInvStd + o, to32(inv0, inv1));
    if (runningMean != 0) {
      const rm = v128.load(runningMean + o);
      v128.store(runningMean + o, to32(
        f64x2.add(f64x2.mul(vKeep, lo64(rm)), f64x2.mul(vMom, mean0)),
        f64x2.add(f64x2.mul(vKeep, hi64(rm)), f64x2.mul(vMom, mean1))));
      if (rows > 1) {
        const rv = v128.load(runningVar + o);
        v128.store(runningVar + o, to32(
          f64x2.add(f64x2.mul(vKeep, lo64(rv)), f64x2.mul(vMom, f64x2.mul(var0, vUnbias))),
          f64x2.add(f64x2.mul(vKeep, hi64(rv)), f64x2.mul(vMom, f64x2.mul(var1, vUnbias)))));
      }
    }
    // pass 3: y = (x − m) · k + beta
    const g = v128.load(gamma + o);
    const k = to32(f64x2.mul(lo64(g), inv0), f64x2.mul(hi64(g), inv1));
    const bt = v128.load(beta + o);
    p = x + o;
    let q = y + o;
    for (i = 0; i < rows; i++) {
      v128.store(q, madd(f32x4.sub(v128.load(p), m), k, bt));
      p += stride; q += stride;
    }
  }
  for (; j < c; j++) {
    const o = <usize>j << 2;
    let s: f64 = 0, t: f64 = 0;
    let p = x + o;
    let i = 0;
    for (; i + 1 < rows; i += 2) {
      s += <f64>load<f32>(p); t += <f64>load<f32>(p + stride);
      p += stride << 1;
    }
    if (i < rows) s += <f64>load<f32>(p);
    const mean = (s + t) / n;
    s = 0; t = 0;
    p = x + o;
    for (i = 0; i + 1 < rows; i += 2) {
      const da = <f64>load<f32>(p) - mean, db = <f64>load<f32>(p + stride) - mean;
      s += da * da; t += db * db;
      p += stride << 1;
    }
    if (i < rows) { const da = <f64>load<f32>(p) - mean; s += da * da; }
    const variance = (s + t) / n;
    const inv = 1 / Math.sqrt(variance + eps);
    const m = <f32>mean;
    store<f32>(saveMean + o, m);
    store<f32>(saveInvStd + o, <f32>inv);
    if (runningMean != 0) {
      store<f32>(runningMean + o, <f32>(keep * <f64>load<f32>(runningMean + o) + momentum * mean));
      if (rows > 1) {
        store<f32>(runningVar + o, <f32>(keep * <f64>load<f32>(runningVar + o) + momentum * (variance * unbias)));
      }
    }
    const k = <f32>(<f64>load<f32>(gamma + o) * inv);
    const bt = load<f32>(beta + o);
    p = x + o;
    let q = y + o;
    for (i = 0; i < rows; i++) {
      store<f32>(q, (load<f32>(p) - m) * k + bt);
      p += stride; q += stride;
    }
  }
}

// Inference mode: the running statistics in place of the batch ones (read only).
export function batchNormForwardInference(y: usize, x: usize, gamma: usize, beta: usize,
  runningMean: usize, runningVar: usize, rows: i32, c: i32, eps: f64): void {
  const stride = <usize>c << 2;
  const vEps = f64x2.splat(eps), one = f64x2.splat(1);
  const c4 = c & ~3;
  let j = 0;
  for (; j < c4; j += 4) {
    const o = <usize>j << 2;
    const rv = v128.load(runningVar + o), g = v128.load(gamma + o);
    const inv0 = f64x2.div(one, f64x2.sqrt(f64x2.add(lo64(rv), vEps)));
    const inv1 = f64x2.div(one, f64x2.sqrt(f64x2.add(hi64(rv), vEps)));
    const k = to32(f64x2.mul(lo64(g), inv0), f64x2.mul(hi64(g), inv1));
    const m = v128.load(runningMean + o), bt = v128.load(beta + o);
    let p = x + o, q = y + o;
    for (let i = 0; i < rows; i++) {
      v128.store(q, madd(f32x4.sub(v128.load(p), m), k, bt));
      p += stride; q += stride;
    }
  }
  for (; j < c; j++) {
    const o = <usize>j << 2;
    const inv = 1 / Math.sqrt(<f64>load<f32>(runningVar + o) + eps);
    const k = <f32>(<f64>load<f32>(gamma + o) * inv);
    const m = load<f32>(runningMean + o), bt = load<f32>(beta + o);
    let p = x + o, q = y + o;
    for (let i = 0; i < rows; i++) {
      store<f32>(q, (load<f32>(p) - m) * k + bt);
      p += stride; q += stride;
    }
  }
}

// Backward of the training-mode forward (batch statistics), from the saved mean and invStd.
// Writes dx when dx != 0; adds into dgamma and dbeta when they are != 0 (parameter gradients
// accumulate across passes in this engine). rows = 1 gives dx = 0 (y = beta does not depend on x).
export function batchNormBackward(dx: usize, dgamma: usize, dbeta: usize, dy: usize, x: usize,
  gamma: usize, saveMean: usize, saveInvStd: usize, rows: i32, c: i32): void {
  if (rows <= 0) return;
  const stride = <usize>c << 2;
  const n = <f64>rows;
  const vn = f64x2.splat(n);
  const c4 = c & ~3;
  let j = 0;
  for (; j < c4; j += 4) {
    const o = <usize>j << 2;
    const m = v128.load(saveMean + o);
    const m0 = lo64(m), m1 = hi64(m);
    // Σ dy (s, t: even, odd rows) and Σ dy·(x − m) (e, f), in f64: x − m and the product are exact
    let s0 = f64x2.splat(0), s1 = s0, t0 = s0, t1 = s0, e0 = s0, e1 = s0, f0 = s0, f1 = s0;
    let p = x + o, q = dy + o;
    let i = 0;
    for (; i + 1 < rows; i += 2) {
      const ga = v128.load(q), gb = v128.load(q + stride);
      const xa = v128.load(p), xb = v128.load(p + stride);
      const ga0 = lo64(ga), ga1 = hi64(ga), gb0 = lo64(gb), gb1 = hi64(gb);
      s0 = f64x2.add(s0, ga0); s1 = f64x2.add(s1, ga1);
      t0 = f64x2.add(t0, gb0); t1 = f64x2.add(t1, gb1);
      e0 = f64x2.add(e0, f64x2.mul(ga0, f64x2.sub(lo64(xa), m0)));
      e1 = f64x2.add(e1, f64x2.mul(ga1, f64x2.sub(hi64(xa), m1)));
      f0 = f64x2.add(f0, f64x2.mul(gb0, f64x2.sub(lo64(xb), m0)));
      f1 = f64x2.add(f1, f64x2.mul(gb1, f64x2.sub(hi64(xb), m1)));
      p += stride << 1; q += stride << 1;
    }
    if (i < rows) {
      const ga = v128.load(q), xa = v128.load(p);
      const ga0 = lo64(ga), ga1 = hi64(ga);
      s0 = f64x2.add(s0, ga0); s1 = f64x2.add(s1, ga1);
      e0 = f64x2.add(e0, f64x2.mul(ga0, f64x2.sub(lo64(xa), m0)));
      e1 = f64x2.add(e1, f64x2.mul(ga1, f64x2.sub(hi64(xa), m1)));
    }
    const sdy0 = f64x2.add(s0, t0), sdy1 = f64x2.add(s1, t1);   // Σ dy
    const sdd0 = f64x2.add(e0, f0), sdd1 = f64x2.add(e1, f1);   // Σ dy·(x − m)
    const is = v128.load(saveInvStd + o);
    const is0 = lo64(is), is1 = hi64(is);
    if (dbeta != 0) {
      const db = v128.load(dbeta + o);
      v128.store(dbeta + o, to32(f64x2.add(lo64(db), sdy0), f64x2.add(hi64(db), sdy1)));
    }
    if (dgamma != 0) {   // Σ dy·xhat = invStd · Σ dy·(x − m)
      const dg = v128.load(dgamma + o);
      v128.store(dgamma + o, to32(f64x2.add(lo64(dg), f64x2.mul(sdd0, is0)),
        f64x2.add(hi64(dg), f64x2.mul(sdd1, is1))));
    }
    if (dx != 0) {
      const g = v128.load(gamma + o);
      const k = to32(f64x2.mul(lo64(g), is0), f64x2.mul(hi64(g), is1));
      const b = to32(f64x2.div(sdy0, vn), f64x2.div(sdy1, vn));
      const c2 = to32(f64x2.mul(f64x2.mul(is0, is0), f64x2.div(sdd0, vn)),
        f64x2.mul(f64x2.mul(is1, is1), f64x2.div(sdd1, vn)));
      p = x + o; q = dy + o;
      let r = dx + o;
      for (i = 0; i < rows; i++) {
        const d = f32x4.sub(f32x4.sub(v128.load(q), b), f32x4.mul(f32x4.sub(v128.load(p), m), c2));
        v128.store(r, f32x4.mul(k, d));
        p += stride; q += stride; r += stride;
      }
    }
  }
  for (; j < c; j++) {
    const o = <usize>j << 2;
    const m = load<f32>(saveMean + o);
    const md = <f64>m;
    let s: f64 = 0, t: f64 = 0, e: f64 = 0, f: f64 = 0;
    let p = x + o, q = dy + o;
    let i = 0;
    for (; i + 1 < rows; i += 2) {
      const ga = <f64>load<f32>(q), gb = <f64>load<f32>(q + stride);
      s += ga; t += gb;
      e += ga * (<f64>load<f32>(p) - md);
      f += gb * (<f64>load<f32>(p + stride) - md);
      p += stride << 1; q += stride << 1;
    }
    if (i < rows) {
      const ga = <f64>load<f32>(q);
      s += ga;
      e += ga * (<f64>load<f32>(p) - md);
    }
    const sdy = s + t, sdd = e + f;
    const is = <f64>load<f32>(saveInvStd + o);
    if (dbeta != 0) store<f32>(dbeta + o, <f32>(<f64>load<f32>(dbeta + o) + sdy));
    if (dgamma != 0) store<f32>(dgamma + o, <f32>(<f64>load<f32>(dgamma + o) + sdd * is));
    if (dx != 0) {
      const k = <f32>(<f64>load<f32>(gamma + o) * is);
      const b = <f32>(sdy / n);
      const c2 = <f32>(is * is * (sdd / n));
      p = x + o; q = dy + o;
      let r = dx + o;
      for (i = 0; i < rows; i++) {
        store<f32>(r, k * ((load<f32>(q) - b) - (load<f32>(p) - m) * c2));
        p += stride; q += stride; r += stride;
      }
    }
  }
}
