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
// 12544 rows of the second DCGAN batch norm is 7.5e-4 · Σ|x|). The widening costs little: two
// f64x2 adds per 4 values and statistic, and the kernels read x at most 3 times.
// The per-element transforms stay in f32x4 with per-channel constants rounded once from f64
// (the bounds are derived in tests/kernels/batchnorm.test.ts):
//   y  = (x − m) · k + beta                  m = fl32(mean), k = fl32(gamma · invStd)
//   dx = k · ((dy − b) − (x − m) · c2)       b = fl32(Σdy / rows), c2 = fl32(invStd² · Σ dy·(x − m) / rows)
// Every channel's sums run over the rows in order, in the SIMD lanes and in the scalar tail alike,
// so a channel's results do not depend on c or on its position (bit for bit).
//
// Loops: rows outermost, channels innermost, so x, dy, y and dx stream contiguously; the
// per-channel f64 accumulators and f32 constants live in a static scratch of CHUNK channels
// (28 KiB, stays in L1), and wider tensors go chunk by chunk. The c mod 4 tail channels sum down
// their column in a register instead (one channel accumulating through memory would wait on its
// own store every row). This beat 4-channel column strips (statistics in registers, stride c) by
// 1.3-2.6x on the DCGAN shapes: a strip uses a quarter of each cache line it pulls in.
// eps and momentum are f64, as PyTorch holds them; they only enter f64 arithmetic.
import { madd } from "./simd";

// the low / high two lanes of an f32x4, widened to f64x2
// @ts-ignore: decorator
@inline function lo64(v: v128): v128 { return f64x2.promote_low_f32x4(v); }
// @ts-ignore: decorator
@inline function hi64(v: v128): v128 { return f64x2.promote_low_f32x4(f32x4.shuffle(v, v, 2, 3, 2, 3)); }

// Per-channel scratch for one chunk of channels, static (laid out at compile time, never allocated):
// two f64 accumulators and three f32 constants per channel, 28 KiB that stay in L1 while the rows stream.
const CHUNK: i32 = 1024;
const ACC1: usize = memory.data(CHUNK * 8, 16);
const ACC2: usize = memory.data(CHUNK * 8, 16);
const CK: usize = memory.data(CHUNK * 4, 16);
const CB: usize = memory.data(CHUNK * 4, 16);
const CC: usize = memory.data(CHUNK * 4, 16);

// ACC1[j] = Σ_i x[i, j] for the channels j of one chunk (f64, rows in order)
// @ts-ignore: decorator
@inline function sumRows(x: usize, rows: i32, stride: usize, w: i32): void {
  const w4 = w & ~3;
  memory.fill(ACC1, 0, <usize>w4 << 3);
  let row = x;
  for (let i = 0; i < rows; i++, row += stride) {
    for (let j = 0; j < w4; j += 4) {
      const v = v128.load(row + (<usize>j << 2));
      const a = ACC1 + (<usize>j << 3);
      v128.store(a, f64x2.add(v128.load(a), lo64(v)));
      v128.store(a + 16, f64x2.add(v128.load(a + 16), hi64(v)));
    }
  }
  for (let j = w4; j < w; j++) {
    let s: f64 = 0, p = x + (<usize>j << 2);
    for (let i = 0; i < rows; i++, p += stride) s += <f64>load<f32>(p);
    store<f64>(ACC1 + (<usize>j << 3), s);
  }
}

// y = (x − m) · k + beta over rows, channels [0, w): m, k, beta f32 per channel
// @ts-ignore: decorator
@inline function affineRows(y: usize, x: usize, m: usize, k: usize, beta: usize, rows: i32, stride: usize, w: i32): void {
  const w4 = w & ~3;
  let row = x, out = y;
  for (let i = 0; i < rows; i++, row += stride, out += stride) {
    let j = 0;
    for (; j < w4; j += 4) {
      const o = <usize>j << 2;
      v128.store(out + o, madd(f32x4.sub(v128.load(row + o), v128.load(m + o)), v128.load(k + o), v128.load(beta + o)));
    }
    for (; j < w; j++) {
      const o = <usize>j << 2;
      store<f32>(out + o, (load<f32>(row + o) - load<f32>(m + o)) * load<f32>(k + o) + load<f32>(beta + o));
    }
  }
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
  for (let c0 = 0; c0 < c; c0 += CHUNK) {
    const w = min(CHUNK, c - c0), w4 = w & ~3;
    const off = <usize>c0 << 2;
    sumRows(x + off, rows, stride, w);
    for (let j = 0; j < w; j++) { const a = ACC1 + (<usize>j << 3); store<f64>(a, load<f64>(a) / n); }
    // pass 2: ACC2[j] = Σ_i (x[i, j] − mean_j)²
    memory.fill(ACC2, 0, <usize>w4 << 3);
    let row = x + off;
    for (let i = 0; i < rows; i++, row += stride) {
      for (let j = 0; j < w4; j += 4) {
        const v = v128.load(row + (<usize>j << 2));
        const mo = ACC1 + (<usize>j << 3), a = ACC2 + (<usize>j << 3);
        const d0 = f64x2.sub(lo64(v), v128.load(mo)), d1 = f64x2.sub(hi64(v), v128.load(mo + 16));
        v128.store(a, f64x2.add(v128.load(a), f64x2.mul(d0, d0)));
        v128.store(a + 16, f64x2.add(v128.load(a + 16), f64x2.mul(d1, d1)));
      }
    }
    for (let j = w4; j < w; j++) {
      const mean = load<f64>(ACC1 + (<usize>j << 3));
      let s: f64 = 0, p = x + off + (<usize>j << 2);
      for (let i = 0; i < rows; i++, p += stride) { const d = <f64>load<f32>(p) - mean; s += d * d; }
      store<f64>(ACC2 + (<usize>j << 3), s);
    }
    // per channel: saved statistics, running statistics, k = fl32(gamma · invStd)
    for (let j = 0; j < w; j++) {
      const o = off + (<usize>j << 2);
      const mean = load<f64>(ACC1 + (<usize>j << 3));
      const variance = load<f64>(ACC2 + (<usize>j << 3)) / n;
      const inv = 1 / Math.sqrt(variance + eps);
      store<f32>(saveMean + o, <f32>mean);
      store<f32>(saveInvStd + o, <f32>inv);
      if (runningMean != 0) {
        store<f32>(runningMean + o, <f32>(keep * <f64>load<f32>(runningMean + o) + momentum * mean));
        if (rows > 1) store<f32>(runningVar + o, <f32>(keep * <f64>load<f32>(runningVar + o) + momentum * (variance * unbias)));
      }
      store<f32>(CK + (<usize>j << 2), <f32>(<f64>load<f32>(gamma + o) * inv));
    }
    affineRows(y + off, x + off, saveMean + off, CK, beta + off, rows, stride, w);
  }
}

// Inference mode: the running statistics in place of the batch ones (read only).
export function batchNormForwardInference(y: usize, x: usize, gamma: usize, beta: usize,
  runningMean: usize, runningVar: usize, rows: i32, c: i32, eps: f64): void {
  const stride = <usize>c << 2;
  for (let c0 = 0; c0 < c; c0 += CHUNK) {
    const w = min(CHUNK, c - c0);
    const off = <usize>c0 << 2;
    for (let j = 0; j < w; j++) {
      const o = off + (<usize>j << 2);
      const inv = 1 / Math.sqrt(<f64>load<f32>(runningVar + o) + eps);
      store<f32>(CK + (<usize>j << 2), <f32>(<f64>load<f32>(gamma + o) * inv));
    }
    affineRows(y + off, x + off, runningMean + off, CK, beta + off, rows, stride, w);
  }
}

// Backward of the training-mode forward (batch statistics), from the saved mean and invStd.
// Writes dx when dx != 0; adds into dgamma and dbeta when they are != 0 (parameter gradients
// accumulate across passes in this engine). rows = 1 gives dx = ±0 (y = beta does not depend on x).
export function batchNormBackward(dx: usize, dgamma: usize, dbeta: usize, dy: usize, x: usize,
  gamma: usize, saveMean: usize, saveInvStd: usize, rows: i32, c: i32): void {
  if (rows <= 0) return;
  const stride = <usize>c << 2;
  const n = <f64>rows;
  for (let c0 = 0; c0 < c; c0 += CHUNK) {
    const w = min(CHUNK, c - c0), w4 = w & ~3;
    const off = <usize>c0 << 2;
    // ACC1[j] = Σ_i dy[i, j];  ACC2[j] = Σ_i dy[i, j]·(x[i, j] − m_j)  (x − m is exact in f64)
    memory.fill(ACC1, 0, <usize>w4 << 3);
    memory.fill(ACC2, 0, <usize>w4 << 3);
    let row = x + off, grow = dy + off;
    for (let i = 0; i < rows; i++, row += stride, grow += stride) {
      for (let j = 0; j < w4; j += 4) {
        const o = <usize>j << 2;
        const g = v128.load(grow + o), v = v128.load(row + o), m = v128.load(saveMean + off + o);
        const g0 = lo64(g), g1 = hi64(g);
        const a = ACC1 + (<usize>j << 3), e = ACC2 + (<usize>j << 3);
        v128.store(a, f64x2.add(v128.load(a), g0));
        v128.store(a + 16, f64x2.add(v128.load(a + 16), g1));
        v128.store(e, f64x2.add(v128.load(e), f64x2.mul(g0, f64x2.sub(lo64(v), lo64(m)))));
        v128.store(e + 16, f64x2.add(v128.load(e + 16), f64x2.mul(g1, f64x2.sub(hi64(v), hi64(m)))));
      }
    }
    for (let j = w4; j < w; j++) {
      const o = <usize>j << 2;
      const m = <f64>load<f32>(saveMean + off + o);
      let s: f64 = 0, e: f64 = 0, p = x + off + o, q = dy + off + o;
      for (let i = 0; i < rows; i++, p += stride, q += stride) {
        const g = <f64>load<f32>(q);
        s += g;
        e += g * (<f64>load<f32>(p) - m);
      }
      store<f64>(ACC1 + (<usize>j << 3), s);
      store<f64>(ACC2 + (<usize>j << 3), e);
    }
    for (let j = 0; j < w; j++) {
      const o = off + (<usize>j << 2), jo = <usize>j << 2;
      const sdy = load<f64>(ACC1 + (<usize>j << 3)), sdd = load<f64>(ACC2 + (<usize>j << 3));
      const is = <f64>load<f32>(saveInvStd + o);
      if (dbeta != 0) store<f32>(dbeta + o, <f32>(<f64>load<f32>(dbeta + o) + sdy));
      if (dgamma != 0) store<f32>(dgamma + o, <f32>(<f64>load<f32>(dgamma + o) + sdd * is));
      store<f32>(CK + jo, <f32>(<f64>load<f32>(gamma + o) * is));
      store<f32>(CB + jo, <f32>(sdy / n));
      store<f32>(CC + jo, <f32>(is * is * (sdd / n)));
    }
    if (dx == 0) continue;
    row = x + off; grow = dy + off;
    let out = dx + off;
    for (let i = 0; i < rows; i++, row += stride, grow += stride, out += stride) {
      let j = 0;
      for (; j < w4; j += 4) {
        const o = <usize>j << 2;
        const d = f32x4.sub(f32x4.sub(v128.load(grow + o), v128.load(CB + o)),
          f32x4.mul(f32x4.sub(v128.load(row + o), v128.load(saveMean + off + o)), v128.load(CC + o)));
        v128.store(out + o, f32x4.mul(v128.load(CK + o), d));
      }
      for (; j < w; j++) {
        const o = <usize>j << 2;
        store<f32>(out + o, load<f32>(CK + o) * ((load<f32>(grow + o) - load<f32>(CB + o))
          - (load<f32>(row + o) - load<f32>(saveMean + off + o)) * load<f32>(CC + o)));
      }
    }
  }
}
