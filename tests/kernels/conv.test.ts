// Convolution kernels (assembly/kernels/conv.ts), strict build: im2col / col2im against plain
// loops and as each other's adjoint; conv2d forward, input gradient and filter gradient against
// an f64 direct loop and tfjs-cpu (tf.conv2d and tf.grads of it); the transposed conv
// (tf.conv2dTranspose and its gradients) run through the same three kernels, as the layers will;
// central differences. Shapes: n 1, 3; h, w in 1, 3, 5, 7, 14; cin, cout in 1, 3, 8, 17; kernels
// 1, 3, 4, 5 (square and not); strides 1, 2 (equal and not); 'same' and 'valid'; plus the
// dcgan-mnist layers at n = 1. Every buffer has guard words; outputs start as NaN.
//
// Tolerances (u = 2^-24, γ_k = k·u / (1 − k·u); A = Σ |terms| of the exact sum, taken from the
// f64 reference, whose own error (f64 sums of exact products of f32s) is negligible beside these):
//  - im2col is copies and zeros, col2im single f32 additions in a fixed order: bit-identical to a
//    plain loop. Adjointness <col2im(a), b> = <a, im2col(b)> on small integers: exact equality.
//  - forward: y is a K-term dot product (K = kh·kw·cin, padding taps included; the GEMM's blocked
//    order is one f32 summation order among others), so |y − y64| <= γ_K · A (Higham, ASNA eq. 3.5).
//  - input gradient: each dcol entry is a cout-term dot product and col2im adds at most kh·kw of
//    them into a zeroed dx, so |dx − dx64| <= γ_{cout + kh·kw} · A.
//  - filter gradient: dfilter0 plus an M-term sum (M = n·outH·outW): |df − df64| <= γ_{M+1} · (|df0| + A).
//  - tfjs-cpu sums the same terms in its own order (f32 or f64), also within the bound of the
//    exact value, so the wasm result is held within twice the bound of tfjs's.
//  - central differences: see the comment above fdCheck.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { instantiate, relaxedSimdSupported } from "../../src/engine/wasm_module.ts";
import type { WasmExports } from "../../src/engine/abi.ts";
import { testRandom, randomArray, expectBitIdentical } from "../util/check.ts";
import { Guarded, U, expectWithin } from "../util/f32.ts";
import { tfCpu } from "../util/tfjs.ts";

const wasm = await instantiate("strict");
const tf = await tfCpu();
const mem = new Guarded(wasm);

const gamma = (k: number) => (k * U) / (1 - k * U);

// ---- geometry: a conv from x [n, h, w, cin] to y [n, oh, ow, cout], filter [kh, kw, cin, cout]
type Geo = {
  n: number; h: number; w: number; cin: number; kh: number; kw: number; cout: number;
  sh: number; sw: number; same: boolean; pt: number; pl: number; oh: number; ow: number;
};

// tfjs / TensorFlow rules, written out independently of the kernel's helpers
function outSize(inSize: number, k: number, s: number, same: boolean) {
  return same ? Math.ceil(inSize / s) : Math.max(Math.ceil((inSize - k + 1) / s), 0);
}
function padBefore(inSize: number, k: number, s: number, same: boolean) {
  if (!same) return 0;
  return Math.floor(Math.max((outSize(inSize, k, s, true) - 1) * s + k - inSize, 0) / 2);
}
function geo(n: number, h: number, w: number, cin: number, kh: number, kw: number, cout: number, sh: number, sw: number, same: boolean): Geo {
  return {
    n, h, w, cin, kh, kw, cout, sh, sw, same,
    pt: padBefore(h, kh, sh, same), pl: padBefore(w, kw, sw, same),
    oh: outSize(h, kh, sh, same), ow: outSize(w, kw, sw, same),
  };
}
const show = (g: Geo) =>
  `n${g.n} ${g.h}x${g.w}x${g.cin} -> ${g.oh}x${g.ow}x${g.cout} k${g.kh}x${g.kw} s${g.sh}x${g.sw} ${g.same ? "same" : "valid"}`;
const convArgs = (g: Geo) => [g.n, g.h, g.w, g.cin, g.kh, g.kw, g.cout, g.sh, g.sw, g.pt, g.pl, g.oh, g.ow] as const;
const colArgs = (g: Geo) => [g.n, g.h, g.w, g.cin, g.kh, g.kw, g.sh, g.sw, g.pt, g.pl, g.oh, g.ow] as const;
const sizes = (g: Geo) => ({
  x: g.n * g.h * g.w * g.cin, y: g.n * g.oh * g.ow * g.cout, f: g.kh * g.kw * g.cin * g.cout,
  K: g.kh * g.kw * g.cin, M: g.n * g.oh * g.ow,
});

function randomGeo(rand: () => number): Geo {
  const pick = <T>(a: readonly T[]) => a[Math.floor(rand() * a.length)];
  const HW = [1, 3, 5, 7, 14], C = [1, 3, 8, 17], KS = [1, 3, 4, 5], S = [1, 2];
  const h = pick(HW), w = rand() < 0.6 ? h : pick(HW);
  const kh = pick(KS), kw = rand() < 0.7 ? kh : pick(KS);
  const sh = pick(S), sw = rand() < 0.7 ? sh : pick(S);
  // 'valid' needs the filter to fit (tfjs refuses an empty output)
  const same = rand() < 0.5 || kh > h || kw > w;
  return geo(pick([1, 3]), h, w, pick(C), kh, kw, pick(C), sh, sw, same);
}

// fixed cases first: the 1x1 fast path, stride larger than the kernel, the dcgan-mnist layers (n = 1)
const FIXED: Geo[] = [
  geo(3, 5, 7, 8, 1, 1, 3, 1, 1, false), geo(1, 3, 3, 17, 1, 1, 17, 1, 1, true),
  geo(3, 7, 5, 3, 1, 1, 8, 2, 2, true), geo(1, 14, 14, 1, 3, 3, 3, 2, 2, false),
  geo(1, 28, 28, 1, 4, 4, 64, 2, 2, true), geo(1, 14, 14, 64, 4, 4, 128, 2, 2, true),
];
const CASES: Geo[] = [...FIXED];
{
  const rand = testRandom(2024);
  while (CASES.length < 46) CASES.push(randomGeo(rand));
}
// transposed convs, described by their adjoint conv (the big side is that conv's input); the
// dcgan generator's two layers are G's 7x7x128 -> 14x14x64 and 14x14x64 -> 28x28x1
const T_CASES: Geo[] = [geo(1, 14, 14, 64, 4, 4, 128, 2, 2, true), geo(1, 28, 28, 1, 4, 4, 64, 2, 2, true), geo(2, 5, 5, 3, 1, 1, 3, 1, 1, true)];
{
  const rand = testRandom(77);
  while (T_CASES.length < 30) T_CASES.push(randomGeo(rand));
}

// ---- references

// The f64 direct loop over every (output pixel, tap, cin, cout) term. For data x, filter F and an
// output gradient dy it gives y = conv(x, F), dx = its input gradient for dy, df = df0 + its
// filter gradient, and the Σ |terms| of each.
function reference(g: Geo, x: ArrayLike<number>, F: ArrayLike<number>, dy: ArrayLike<number>, df0?: ArrayLike<number>) {
  const s = sizes(g);
  const y = new Float64Array(s.y), yA = new Float64Array(s.y);
  const dx = new Float64Array(s.x), dxA = new Float64Array(s.x);
  const df = new Float64Array(s.f), dfA = new Float64Array(s.f);
  if (df0) for (let i = 0; i < s.f; i++) { df[i] = df0[i]; dfA[i] = Math.abs(df0[i]); }
  const { n, h, w, cin, kh, kw, cout, sh, sw, pt, pl, oh, ow } = g;
  for (let b = 0; b < n; b++) for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++) {
    const yo = ((b * oh + oy) * ow + ox) * cout;
    for (let ki = 0; ki < kh; ki++) for (let kj = 0; kj < kw; kj++) {
      const iy = oy * sh - pt + ki, ix = ox * sw - pl + kj;
      if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
      for (let ci = 0; ci < cin; ci++) {
        const xi = ((b * h + iy) * w + ix) * cin + ci, xv = x[xi];
        const fo = ((ki * kw + kj) * cin + ci) * cout;
        for (let co = 0; co < cout; co++) {
          const fv = F[fo + co], gv = dy[yo + co];
          const t1 = xv * fv, t2 = gv * fv, t3 = xv * gv;
          y[yo + co] += t1; yA[yo + co] += Math.abs(t1);
          dx[xi] += t2; dxA[xi] += Math.abs(t2);
          df[fo + co] += t3; dfA[fo + co] += Math.abs(t3);
        }
      }
    }
  }
  return { y, yA, dx, dxA, df, dfA };
}

function im2colJs(g: Geo, x: Float32Array): Float32Array {
  const { n, h, w, cin: c, kh, kw, sh, sw, pt, pl, oh, ow } = g, K = kh * kw * c;
  const col = new Float32Array(n * oh * ow * K);
  for (let b = 0; b < n; b++) for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++)
    for (let ki = 0; ki < kh; ki++) for (let kj = 0; kj < kw; kj++) for (let ci = 0; ci < c; ci++) {
      const iy = oy * sh - pt + ki, ix = ox * sw - pl + kj;
      const inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
      col[((b * oh + oy) * ow + ox) * K + (ki * kw + kj) * c + ci] = inside ? x[((b * h + iy) * w + ix) * c + ci] : 0;
    }
  return col;
}

// dx0 + col2im(col), one f32 addition per term in the kernel's documented order
function col2imJs(g: Geo, dx0: Float32Array, col: Float32Array): Float32Array {
  const { n, h, w, cin: c, kh, kw, sh, sw, pt, pl, oh, ow } = g, K = kh * kw * c;
  const dx = Float32Array.from(dx0);
  for (let b = 0; b < n; b++) for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++)
    for (let ki = 0; ki < kh; ki++) for (let kj = 0; kj < kw; kj++) for (let ci = 0; ci < c; ci++) {
      const iy = oy * sh - pt + ki, ix = ox * sw - pl + kj;
      if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
      dx[((b * h + iy) * w + ix) * c + ci] += col[((b * oh + oy) * ow + ox) * K + (ki * kw + kj) * c + ci];
    }
  return dx;
}

// ---- the kernels, on guarded buffers; outputs and scratch start as NaN so a missed write shows

const nans = (len: number) => new Float32Array(len).fill(NaN);
function scratchFor(w: WasmExports, g: Geo) {
  const len = w.conv2dScratchSize(g.n, g.oh, g.ow, g.kh, g.kw, g.cin);
  assert.is(len, sizes(g).M * sizes(g).K, `${show(g)}: scratch size`);
  return len;
}

// conv2d forward, input gradient (for dy) and filter gradient (added to df0)
function runConv(w: WasmExports, m: Guarded, g: Geo, x: Float32Array, F: Float32Array, dy: Float32Array, df0: Float32Array) {
  const s = sizes(g), label = show(g);
  const px = m.put(x), pF = m.put(F), pdy = m.put(dy), pdf = m.put(df0);
  const py = m.put(nans(s.y)), pdx = m.put(nans(s.x)), ps = m.put(nans(scratchFor(w, g)));
  w.conv2dForward(py, px, pF, ps, ...convArgs(g));
  w.conv2dBackwardInput(pdx, pdy, pF, ps, ...convArgs(g));
  w.conv2dBackwardFilter(pdf, px, pdy, ps, ...convArgs(g));
  m.checkGuards(label);
  expectBitIdentical(`${label}: x unchanged`, m.read(px), x);
  expectBitIdentical(`${label}: filter unchanged`, m.read(pF), F);
  expectBitIdentical(`${label}: dy unchanged`, m.read(pdy), dy);
  return { y: m.read(py), dx: m.read(pdx), df: m.read(pdf) };
}

// the transposed conv of the adjoint geometry g: xt [n, oh, ow, cout] -> yt [n, h, w, cin],
// filter [kh, kw, cin, cout] (tfjs conv2dTranspose's [kh, kw, outC, inC]); dyt: [n, h, w, cin]
function runTransposed(g: Geo, xt: Float32Array, F: Float32Array, dyt: Float32Array, df0: Float32Array) {
  const s = sizes(g), label = `transposed ${show(g)}`;
  const px = mem.put(xt), pF = mem.put(F), pdy = mem.put(dyt), pdf = mem.put(df0);
  const py = mem.put(nans(s.x)), pdx = mem.put(nans(s.y)), ps = mem.put(nans(scratchFor(wasm, g)));
  wasm.conv2dBackwardInput(py, px, pF, ps, ...convArgs(g)); // forward
  wasm.conv2dForward(pdx, pdy, pF, ps, ...convArgs(g)); // input gradient
  wasm.conv2dBackwardFilter(pdf, pdy, px, ps, ...convArgs(g)); // filter gradient: x and dy swapped
  mem.checkGuards(label);
  expectBitIdentical(`${label}: x unchanged`, mem.read(px), xt);
  expectBitIdentical(`${label}: dy unchanged`, mem.read(pdy), dyt);
  return { y: mem.read(py), dx: mem.read(pdx), df: mem.read(pdf) };
}

function tfConv(g: Geo, x: Float32Array, F: Float32Array, dy: Float32Array) {
  return tf.tidy(() => {
    const pad = g.same ? "same" : "valid";
    const tx = tf.tensor4d(x, [g.n, g.h, g.w, g.cin]), tF = tf.tensor4d(F, [g.kh, g.kw, g.cin, g.cout]);
    const tdy = tf.tensor4d(dy, [g.n, g.oh, g.ow, g.cout]);
    const f = (a: any, k: any) => tf.conv2d(a, k, [g.sh, g.sw], pad);
    const y = f(tx, tF) as any;
    assert.equal(y.shape, [g.n, g.oh, g.ow, g.cout], `${show(g)}: tfjs output shape`);
    const [dx, df] = tf.grads(f)([tx, tF], tdy);
    return { y: y.dataSync() as Float32Array, dx: dx.dataSync() as Float32Array, df: df.dataSync() as Float32Array };
  });
}

function tfTransposed(g: Geo, xt: Float32Array, F: Float32Array, dyt: Float32Array) {
  return tf.tidy(() => {
    const pad = g.same ? "same" : "valid";
    const tx = tf.tensor4d(xt, [g.n, g.oh, g.ow, g.cout]), tF = tf.tensor4d(F, [g.kh, g.kw, g.cin, g.cout]);
    const tdy = tf.tensor4d(dyt, [g.n, g.h, g.w, g.cin]);
    const f = (a: any, k: any) => tf.conv2dTranspose(a, k, [g.n, g.h, g.w, g.cin], [g.sh, g.sw], pad);
    const y = f(tx, tF) as any;
    const [dx, df] = tf.grads(f)([tx, tF], tdy);
    return { y: y.dataSync() as Float32Array, dx: dx.dataSync() as Float32Array, df: df.dataSync() as Float32Array };
  });
}

// tfjs-cpu's gradient kernels take about 1 s on the dcgan 14x14x64 -> 7x7x128 layer (6.4M terms);
// that layer is held to the f64 loop only (tfjs pins the conventions on every other case)
const TFJS_MAX_TERMS = 2_000_000;

// ---- tests

test("convOutSize / convPadBefore follow tfjs's 'same' and 'valid' rules", () => {
  for (let inSize = 1; inSize <= 30; inSize++) for (let k = 1; k <= 7; k++) for (let s = 1; s <= 3; s++) for (const same of [false, true]) {
    const at = `in ${inSize} k ${k} s ${s} ${same ? "same" : "valid"}`;
    assert.is(wasm.convOutSize(inSize, k, s, +same), outSize(inSize, k, s, same), `${at}: out`);
    assert.is(wasm.convPadBefore(inSize, k, s, +same), padBefore(inSize, k, s, same), `${at}: pad`);
  }
  // the dcgan layers: 28 -> 14 -> 7 with 4x4 stride 2 'same' pads 1 before (and 1 after)
  assert.is(wasm.convPadBefore(28, 4, 2, 1), 1);
  assert.is(wasm.convPadBefore(14, 4, 2, 1), 1);
  assert.is(wasm.convOutSize(14, 4, 2, 1), 7);
});

test("im2col: bit-identical to a plain loop (zeros in the padding); col2im adds, bit-identical to a plain loop", () => {
  let seed = 1;
  for (const g of CASES) {
    const rand = testRandom(seed++), s = sizes(g);
    const x = randomArray(s.x, rand, -4, 4);
    const px = mem.put(x), pcol = mem.put(nans(s.M * s.K));
    wasm.im2col(pcol, px, ...colArgs(g));
    const col = mem.read(pcol);
    expectBitIdentical(`im2col ${show(g)}`, col, im2colJs(g, x));
    const dcol = randomArray(s.M * s.K, rand), dx0 = randomArray(s.x, rand);
    const pdcol = mem.put(dcol), pdx = mem.put(dx0);
    wasm.col2im(pdx, pdcol, ...colArgs(g));
    expectBitIdentical(`col2im ${show(g)}`, mem.read(pdx), col2imJs(g, dx0, dcol));
    mem.checkGuards(show(g));
    expectBitIdentical(`im2col ${show(g)}: x unchanged`, mem.read(px), x);
    expectBitIdentical(`col2im ${show(g)}: col unchanged`, mem.read(pdcol), dcol);
  }
});

test("col2im is the adjoint of im2col: <col2im(a), b> = <a, im2col(b)>, exactly on small integers", () => {
  let seed = 500;
  for (const g of CASES.slice(0, 30)) {
    const rand = testRandom(seed++), s = sizes(g);
    const ints = (len: number) => Float32Array.from({ length: len }, () => Math.floor(rand() * 17) - 8);
    const a = ints(s.M * s.K), b = ints(s.x);
    const pa = mem.put(a), pb = mem.put(b), pdx = mem.zeros(s.x), pcol = mem.put(nans(s.M * s.K));
    wasm.col2im(pdx, pa, ...colArgs(g));
    wasm.im2col(pcol, pb, ...colArgs(g));
    const ca = mem.read(pdx), cb = mem.read(pcol);
    let lhs = 0, rhs = 0;
    for (let i = 0; i < s.x; i++) lhs += ca[i] * b[i];
    for (let i = 0; i < s.M * s.K; i++) rhs += a[i] * cb[i];
    assert.is(lhs, rhs, `adjoint ${show(g)}`);
  }
});

test("conv2d forward, input and filter gradients: f64 direct loop (γ bounds) and tfjs-cpu conv2d + tf.grads", () => {
  let seed = 1000;
  for (const g of CASES) {
    const rand = testRandom(seed++), s = sizes(g), label = show(g);
    const x = randomArray(s.x, rand), F = randomArray(s.f, rand), dy = randomArray(s.y, rand), df0 = randomArray(s.f, rand);
    const got = runConv(wasm, mem, g, x, F, dy, df0);
    const ref = reference(g, x, F, dy, df0);
    const gy = gamma(s.K), gdx = gamma(g.cout + g.kh * g.kw), gdf = gamma(s.M + 1);
    expectWithin(`${label}: y vs f64`, got.y, ref.y, (i) => gy * ref.yA[i]);
    expectWithin(`${label}: dx vs f64`, got.dx, ref.dx, (i) => gdx * ref.dxA[i]);
    expectWithin(`${label}: dfilter vs f64`, got.df, ref.df, (i) => gdf * ref.dfA[i]);
    if (s.M * s.K * g.cout > TFJS_MAX_TERMS) continue;
    const t = tfConv(g, x, F, dy);
    expectWithin(`${label}: y vs tfjs`, got.y, t.y, (i) => 2 * gy * ref.yA[i]);
    expectWithin(`${label}: dx vs tfjs`, got.dx, t.dx, (i) => 2 * gdx * ref.dxA[i]);
    expectWithin(`${label}: dfilter vs df0 + tfjs`, got.df, Array.from(t.df, (v, i) => df0[i] + v), (i) => 2 * gdf * ref.dfA[i]);
  }
});

test("conv2d transposed (conv2dBackwardInput / conv2dForward / conv2dBackwardFilter swapped): f64 and tfjs conv2dTranspose + tf.grads", () => {
  let seed = 2000;
  for (const g of T_CASES) {
    const rand = testRandom(seed++), s = sizes(g), label = `transposed ${show(g)}`;
    // xt: the transposed conv's input (the adjoint conv's output side), dyt: its output gradient
    const xt = randomArray(s.y, rand), F = randomArray(s.f, rand), dyt = randomArray(s.x, rand), df0 = randomArray(s.f, rand);
    const got = runTransposed(g, xt, F, dyt, df0);
    // its forward is the adjoint conv's input gradient for dy = xt; its input gradient the adjoint
    // conv's forward on dyt; its filter gradient the adjoint conv's filter gradient at (dyt, xt)
    const ref = reference(g, dyt, F, xt, df0);
    const gy = gamma(g.cout + g.kh * g.kw), gdx = gamma(s.K), gdf = gamma(s.M + 1);
    expectWithin(`${label}: y vs f64`, got.y, ref.dx, (i) => gy * ref.dxA[i]);
    expectWithin(`${label}: dx vs f64`, got.dx, ref.y, (i) => gdx * ref.yA[i]);
    expectWithin(`${label}: dfilter vs f64`, got.df, ref.df, (i) => gdf * ref.dfA[i]);
    if (s.M * s.K * g.cout > TFJS_MAX_TERMS) continue;
    const t = tfTransposed(g, xt, F, dyt);
    expectWithin(`${label}: y vs tfjs`, got.y, t.y, (i) => 2 * gy * ref.dxA[i]);
    expectWithin(`${label}: dx vs tfjs`, got.dx, t.dx, (i) => 2 * gdx * ref.yA[i]);
    expectWithin(`${label}: dfilter vs df0 + tfjs`, got.df, Array.from(t.df, (v, i) => df0[i] + v), (i) => 2 * gdf * ref.dfA[i]);
  }
});

// Central differences. L(x, F) = <conv(x, F), r>, in f64 from the f32 output, is linear in x and
// in F separately, so (L(p+) − L(p−)) = <grad, p+ − p−> holds with no truncation error at any
// step: the check is limited only by f32 rounding in the two forward passes, which does not
// shrink with the step. So the step is large, h = 1/2 on data in [-1, 1]; p± = fl(p ± h·v) and
// the exact difference p+ − p− (f64) is the direction. Rigorous tolerance:
//   Σ_i |r_i| · γ_K · (A+_i + A−_i)   (the two forward passes)
// + Σ_j |p+ − p−|_j · bound_j          (the kernel's gradient against the exact one, bounds above)
// and the check also asserts that this tolerance is under 1% of |ΔL|, i.e. not vacuous.
function fdCheck(label: string, dL: number, predicted: number, tol: number) {
  assert.ok(tol < 0.01 * Math.abs(dL), `${label}: tolerance ${tol} is not small beside ΔL = ${dL}`);
  if (!(Math.abs(dL - predicted) <= tol)) {
    assert.unreachable(`${label}: ΔL = ${dL}, <grad, Δp> = ${predicted} (|diff| ${Math.abs(dL - predicted)} > tol ${tol})`);
  }
}

test("central differences: directional derivatives of <conv2d(x, F), r> match dx and dfilter", () => {
  const FD = [
    geo(3, 7, 7, 3, 3, 3, 8, 1, 1, true), geo(2, 14, 14, 1, 4, 4, 8, 2, 2, true),
    geo(1, 5, 7, 8, 5, 3, 3, 2, 1, false), geo(3, 7, 5, 17, 1, 1, 3, 1, 1, true), geo(2, 14, 14, 8, 4, 4, 3, 2, 2, true),
  ];
  const h = 0.5;
  let seed = 3000;
  for (const g of FD) {
    const rand = testRandom(seed++), s = sizes(g), label = `fd ${show(g)}`;
    const x = randomArray(s.x, rand), F = randomArray(s.f, rand), r = randomArray(s.y, rand);
    const base = runConv(wasm, mem, g, x, F, r, new Float32Array(s.f));
    const ref = reference(g, x, F, r);
    const loss = (y: Float32Array) => y.reduce((acc, v, i) => acc + v * r[i], 0);
    const fwdBound = (A1: Float64Array, A2: Float64Array) => {
      let t = 0;
      for (let i = 0; i < s.y; i++) t += Math.abs(r[i]) * gamma(s.K) * (A1[i] + A2[i]);
      return t;
    };
    // along x
    {
      const v = randomArray(s.x, rand);
      const xp = Float32Array.from(x, (a, i) => a + h * v[i]), xm = Float32Array.from(x, (a, i) => a - h * v[i]);
      const yp = runConv(wasm, mem, g, xp, F, r, new Float32Array(s.f)).y, ym = runConv(wasm, mem, g, xm, F, r, new Float32Array(s.f)).y;
      let pred = 0, tol = fwdBound(reference(g, xp, F, r).yA, reference(g, xm, F, r).yA);
      for (let j = 0; j < s.x; j++) {
        const d = xp[j] - xm[j];
        pred += base.dx[j] * d;
        tol += Math.abs(d) * gamma(g.cout + g.kh * g.kw) * ref.dxA[j];
      }
      fdCheck(`${label}: along x`, loss(yp) - loss(ym), pred, tol);
    }
    // along the filter
    {
      const v = randomArray(s.f, rand);
      const Fp = Float32Array.from(F, (a, i) => a + h * v[i]), Fm = Float32Array.from(F, (a, i) => a - h * v[i]);
      const yp = runConv(wasm, mem, g, x, Fp, r, new Float32Array(s.f)).y, ym = runConv(wasm, mem, g, x, Fm, r, new Float32Array(s.f)).y;
      let pred = 0, tol = fwdBound(reference(g, x, Fp, r).yA, reference(g, x, Fm, r).yA);
      for (let j = 0; j < s.f; j++) {
        const d = Fp[j] - Fm[j];
        pred += base.df[j] * d;
        tol += Math.abs(d) * gamma(s.M + 1) * ref.dfA[j];
      }
      fdCheck(`${label}: along the filter`, loss(yp) - loss(ym), pred, tol);
    }
  }
});

test("conv2dBackwardFilter accumulates across calls; forward and input gradient overwrite (exact on small integers)", () => {
  const g = geo(3, 7, 7, 3, 3, 3, 5, 2, 2, true), s = sizes(g), rand = testRandom(9);
  const ints = (len: number, r: number) => Float32Array.from({ length: len }, () => Math.floor(rand() * (2 * r + 1)) - r);
  const x = ints(s.x, 3), F = ints(s.f, 3), dy = ints(s.y, 3), df0 = ints(s.f, 50);
  const px = mem.put(x), pF = mem.put(F), pdy = mem.put(dy), pdf = mem.put(df0), ps = mem.zeros(s.M * s.K);
  const py = mem.put(nans(s.y)), pdx = mem.put(nans(s.x));
  for (let rep = 0; rep < 2; rep++) {
    wasm.conv2dForward(py, px, pF, ps, ...convArgs(g));
    wasm.conv2dBackwardInput(pdx, pdy, pF, ps, ...convArgs(g));
    wasm.conv2dBackwardFilter(pdf, px, pdy, ps, ...convArgs(g));
  }
  mem.checkGuards("accumulate");
  const ref = reference(g, x, F, dy, df0), once = reference(g, x, F, dy);
  expectBitIdentical("y after two calls", mem.read(py), Float32Array.from(ref.y));
  expectBitIdentical("dx after two calls", mem.read(pdx), Float32Array.from(ref.dx));
  expectBitIdentical("dfilter after two calls = df0 + 2 grad", mem.read(pdf), Float32Array.from(df0, (v, i) => v + 2 * once.df[i]));
});

test("empty output ('valid', filter larger than the input): y untouched, dx zeroed, dfilter unchanged", () => {
  const g = geo(2, 3, 5, 4, 4, 3, 3, 1, 1, false), s = sizes(g);
  assert.is(g.oh, 0);
  assert.is(wasm.convOutSize(3, 4, 1, 0), 0);
  const x = randomArray(s.x, testRandom(11)), F = randomArray(s.f, testRandom(12)), df0 = randomArray(s.f, testRandom(13));
  const got = runConv(wasm, mem, g, x, F, new Float32Array(0), df0);
  assert.is(got.y.length, 0);
  expectBitIdentical("dx", got.dx, new Float32Array(s.x));
  expectBitIdentical("dfilter", got.df, df0);
});

// The relaxed (fused multiply-add) build keeps the same γ bounds; Node 20 validates it only
// behind a V8 flag, so this runs where the runtime accepts it (Deno, current browsers, Node 22+).
test("relaxed build, where the runtime accepts it: the same f64 bounds", async () => {
  if (!relaxedSimdSupported()) return;
  const relaxed = await instantiate("relaxed"), rmem = new Guarded(relaxed);
  let seed = 4000;
  for (const g of CASES.slice(0, 16)) {
    const rand = testRandom(seed++), s = sizes(g), label = `relaxed ${show(g)}`;
    const x = randomArray(s.x, rand), F = randomArray(s.f, rand), dy = randomArray(s.y, rand), df0 = randomArray(s.f, rand);
    const got = runConv(relaxed, rmem, g, x, F, dy, df0);
    const ref = reference(g, x, F, dy, df0);
    expectWithin(`${label}: y`, got.y, ref.y, (i) => gamma(s.K) * ref.yA[i]);
    expectWithin(`${label}: dx`, got.dx, ref.dx, (i) => gamma(g.cout + g.kh * g.kw) * ref.dxA[i]);
    expectWithin(`${label}: dfilter`, got.df, ref.df, (i) => gamma(s.M + 1) * ref.dfA[i]);
  }
});

test.run();
