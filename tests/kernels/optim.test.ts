// Optimiser kernels (strict build): adamUpdate, sgdUpdate (momentum 0 and 0.9), rmspropUpdate,
// sumSquares. References: PyTorch-form updates written out in f64, using the f32 hyperparameters
// the kernel receives (B = fl32(β), LR = fl32(lr), ...), and tfjs-cpu's tf.train optimisers.
//
// Tolerances (u = 2^-24). The f64 references carry a running error bound for an f32 implementation,
// accumulated step by step (so a multi-step comparison is as tight as the single steps it is made of):
//   m' = B1·m + (1 − B1)·g            error <= B1·err(m) + 2u·(B1|m| + (1 − B1)|g|)   (m may cancel)
//   v' = B2·v + (1 − B2)·g²           error <= B2·err(v) + 3u·v'                      (no cancellation)
//   step d = LR/bc1 · m'/(sqrt(v'/bc2) + ε)
//                                     error <= LR/bc1·[err(m') + (|m'| + err(m'))·(12u + κ + err(v')/(2v'))]/den
//   p' = p − d                        error <= err(p) + err(d) + u·|p'|
// where 12u covers the dozen roundings of the step (including fl32(LR/bc1) and fl32(1/sqrt(bc2)):
// adamUpdate forms the bias corrections 1 − β^t in f64, so they add no error of their own). The
// reference keeps an optional κ term (the error an f32 1 − β^t would add: ulp(B1^t)/bc1 +
// ulp(B2^t)/(2·bc2), ~250u at t = 2 with β2 = 0.999); every case now runs with κ = 0.
//
// tfjs's Adam places ε exactly as PyTorch does (ε added to sqrt(v̂), after bias correction) and
// differs only in its constants: it rounds the f64 value 1 − β to f32 (fl32(1 − 0.999) = 1.0000000475e-3)
// while its β^t is the f32 product of fl32(0.999) (so 1 − β^t = 0.999987e-3 at t = 1): its v̂ is
// larger by a factor 1.29e-5 and its step smaller by ~6.4e-6 relative. (Its default ε is also
// 1e-7, not PyTorch's 1e-8; the tests pass ε explicitly.) tfjs's RMSProp, unlike PyTorch's, puts ε
// under the square root: sqrt(s + ε), not sqrt(s) + ε. Those differences are not guessed at: a
// second f64 reference replays tfjs's exact form and constants, the tfjs result is checked against
// it with the same kind of bound, and the kernel-vs-tfjs tolerance is (kernel bound) + (tfjs bound)
// + |PyTorch-form reference − tfjs-form reference|.
//
// SGD: every operation is a single f32 rounding, so the kernel is bit-identical to the PyTorch
// sequence (buf = fl(fl(μ·buf) + g); p = fl(p − fl(LR·buf))) emulated with Math.fround, and to
// tfjs tf.train.sgd / tf.train.momentum (the same operations); against f64 the running bound is
// err(buf') = μ·err(buf) + 2u(μ|buf| + |g|), err(p') = err(p) + LR·err(buf') + u·LR·|buf'| + u·|p'|.
// RMSProp: err(s') = α·err(s) + 3u·s', err(d) = |d|·(6u + err(s')/(2s')), err(p') as above.
// sumSquares: f64 accumulation of exact f64 products: |S − Σ g²| <= n·2^-53·Σ g².
import { test } from "uvu";
import * as assert from "uvu/assert";
import { instantiate } from "../../src/engine/wasm_module.ts";
import { testRandom, randomArray, expectBitIdentical } from "../util/check.ts";
import { Guarded, U, f32Ulp, expectWithin } from "../util/f32.ts";
import { tfCpu } from "../util/tfjs.ts";

const wasm = await instantiate("strict");
const tf = await tfCpu();
const mem = new Guarded(wasm);
const fr = Math.fround;

const LENGTHS = [1, 3, 4, 5, 17, 65, 1000];

// gradients in [-1, 1] with some exact zeros, tiny and large values mixed in
function grads(len: number, rand: () => number): Float32Array {
  const g = randomArray(len, rand);
  for (let i = 0; i < len; i += 7) g[i] = [0, 1e-6, -3e-5, 40, -1e3, 0.5][(i / 7) % 6];
  return g;
}

// ---------------------------------------------------------------------------------------- Adam

interface AdamCfg { lr: number; b1: number; b2: number; eps: number }
interface State { p: Float64Array; m: Float64Array; v: Float64Array; eP: Float64Array; eM: Float64Array; eV: Float64Array }

function state(p: ArrayLike<number>, m: ArrayLike<number>, v: ArrayLike<number>): State {
  const n = p.length;
  return { p: Float64Array.from(p), m: Float64Array.from(m), v: Float64Array.from(v), eP: new Float64Array(n), eM: new Float64Array(n), eV: new Float64Array(n) };
}

// One Adam step in f64, in place on s, at step t. form "pytorch": the kernel's contract (constants
// 1 − B computed exactly from the f32 B, bias corrections 1 − B^t in f64); kappa adds the kernel's
// f32 bias-correction term to the bound. form "tfjs": tfjs's constants (fl32(1 − β), β^t as an
// f32 running product).
function adamStep64(s: State, g: ArrayLike<number>, cfg: AdamCfg, t: number, form: "pytorch" | "tfjs", kappa: boolean) {
  const B1 = fr(cfg.b1), B2 = fr(cfg.b2), LR = fr(cfg.lr), EPS = fr(cfg.eps);
  let c1: number, c2: number, pow1: number, pow2: number;
  if (form === "pytorch") {
    c1 = 1 - B1; c2 = 1 - B2; pow1 = B1 ** t; pow2 = B2 ** t;
  } else {
    c1 = fr(1 - cfg.b1); c2 = fr(1 - cfg.b2);
    pow1 = B1; pow2 = B2;
    for (let k = 1; k < t; k++) { pow1 = fr(pow1 * B1); pow2 = fr(pow2 * B2); }
  }
  const bc1 = 1 - pow1, bc2 = 1 - pow2;
  const k = kappa ? f32Ulp(pow1) / bc1 + f32Ulp(pow2) / (2 * bc2) : 0;
  for (let i = 0; i < g.length; i++) {
    const gi = g[i];
    const S = B1 * Math.abs(s.m[i]) + c1 * Math.abs(gi);
    const m = B1 * s.m[i] + c1 * gi, v = B2 * s.v[i] + c2 * gi * gi;
    const eM = B1 * s.eM[i] + 2 * U * S, eV = B2 * s.eV[i] + 3 * U * v;
    const den = Math.sqrt(v / bc2) + EPS;
    const d = (LR / bc1) * m / den;
    const relV = v > 0 ? eV / (2 * v) : 0;
    const eD = (LR / bc1) * (eM + (Math.abs(m) + eM) * (12 * U + k + relV)) / den;
    s.m[i] = m; s.v[i] = v; s.eM[i] = eM; s.eV[i] = eV;
    s.p[i] -= d;
    s.eP[i] += eD + U * Math.abs(s.p[i]);
  }
}

function runAdam(p: Float32Array, m: Float32Array, v: Float32Array, g: Float32Array, cfg: AdamCfg, t: number) {
  const pp = mem.put(p), pg = mem.put(g), pm = mem.put(m), pv = mem.put(v);
  wasm.adamUpdate(pp, pg, pm, pv, p.length, cfg.lr, cfg.b1, cfg.b2, cfg.eps, t);
  mem.checkGuards(`adam len ${p.length}`);
  expectBitIdentical("adam: g unchanged", mem.read(pg), g);
  return { p: mem.read(pp), m: mem.read(pm), v: mem.read(pv) };
}

const ADAM: (AdamCfg & { name: string; kappaFree: boolean })[] = [
  { name: "PyTorch defaults (1e-3, 0.9, 0.999, 1e-8)", lr: 1e-3, b1: 0.9, b2: 0.999, eps: 1e-8, kappaFree: true },
  { name: "DCGAN (2e-4, 0.5, 0.999, 1e-8)", lr: 2e-4, b1: 0.5, b2: 0.999, eps: 1e-8, kappaFree: true },
  { name: "exact bias corrections (1e-2, 0.5, 0.75, 1e-8)", lr: 1e-2, b1: 0.5, b2: 0.75, eps: 1e-8, kappaFree: true },
  // ε comparable to sqrt(v̂) ~ |g|: ε's place (after bias correction, outside the sqrt) shows at the 1e-2 level
  { name: "large ε (1e-2, 0.5, 0.75, 0.3)", lr: 1e-2, b1: 0.5, b2: 0.75, eps: 0.3, kappaFree: true },
  { name: "large ε, PyTorch betas (1e-3, 0.9, 0.999, 0.05)", lr: 1e-3, b1: 0.9, b2: 0.999, eps: 0.05, kappaFree: true },
];

type AdamOut = { p: Float32Array; m: Float32Array; v: Float32Array };
function expectState(label: string, k: AdamOut, s: State) {
  expectWithin(`${label}: m`, k.m, s.m, (i) => s.eM[i]);
  expectWithin(`${label}: v`, k.v, s.v, (i) => s.eV[i]);
  expectWithin(`${label}: p`, k.p, s.p, (i) => s.eP[i]);
}

test("adamUpdate: each step t = 1..5 against the f64 PyTorch form, from the kernel's own state", () => {
  let seed = 1;
  for (const cfg of ADAM) for (const len of LENGTHS) {
    const rand = testRandom(seed++);
    // a state mid-training: m of either sign, v >= 0
    let p: Float32Array = randomArray(len, rand), m: Float32Array = randomArray(len, rand, -0.3, 0.3);
    let v: Float32Array = randomArray(len, rand, 0, 0.2);
    for (let t = 1; t <= 5; t++) {
      const g = grads(len, rand);
      const s = state(p, m, v);
      adamStep64(s, g, cfg, t, "pytorch", !cfg.kappaFree);
      const k = runAdam(p, m, v, g, cfg, t);
      expectState(`adam ${cfg.name} len ${len} t ${t}`, k, s);
      ({ p, m, v } = k);
    }
  }
});

test("adamUpdate: five steps from zero state against an independent f64 trajectory", () => {
  let seed = 50;
  for (const cfg of ADAM) for (const len of [5, 65, 1000]) {
    const rand = testRandom(seed++);
    const p0 = randomArray(len, rand);
    const s = state(p0, new Float64Array(len), new Float64Array(len));
    let k: AdamOut = { p: p0, m: new Float32Array(len), v: new Float32Array(len) };
    for (let t = 1; t <= 5; t++) {
      const g = grads(len, rand);
      adamStep64(s, g, cfg, t, "pytorch", !cfg.kappaFree);
      k = runAdam(k.p, k.m, k.v, g, cfg, t);
    }
    expectState(`adam trajectory ${cfg.name} len ${len}`, k, s);
  }
});

test("adamUpdate: step 1 from zero state is lr·sign(g) (|m̂| = sqrt(v̂) = |g|) and leaves p for g = 0", () => {
  // a direct check of the bias correction, independent of any reference code (ε = 0; p = 1, so
  // p − lr·sign(g) rounds with error <= u, and the step itself carries the kernel's ~12u + κ)
  const g = Float32Array.of(0.5, -2, 1e-3, 7, -0.25);
  const len = g.length, lr = 0.01;
  for (const [b1, b2] of [[0.9, 0.999], [0.5, 0.75], [0, 0.99]]) {
    const k = runAdam(new Float32Array(len).fill(1), new Float32Array(len), new Float32Array(len), g, { lr, b1, b2, eps: 0 }, 1);
    const want = Array.from(g, (gi) => 1 - lr * Math.sign(gi));
    expectWithin(`adam step 1, b = (${b1}, ${b2})`, k.p, want, 16 * U * lr + U);
  }
  const k = runAdam(Float32Array.of(1), new Float32Array(1), new Float32Array(1), Float32Array.of(0), { lr, b1: 0.9, b2: 0.999, eps: 1e-8 }, 1);
  assert.equal([k.p[0], k.m[0], k.v[0]], [1, 0, 0], "g = 0 at step 1 moves nothing");
});

test("adamUpdate: five steps against tfjs tf.train.adam (ε placed as in PyTorch; constants differ, see top)", () => {
  let seed = 80;
  for (const cfg of ADAM) for (const len of [4, 17, 65]) {
    const rand = testRandom(seed++);
    const p0 = randomArray(len, rand);
    const pt = state(p0, new Float64Array(len), new Float64Array(len));
    const tj = state(p0, new Float64Array(len), new Float64Array(len));
    const variable = tf.variable(tf.tensor1d(p0));
    const opt = tf.train.adam(cfg.lr, cfg.b1, cfg.b2, cfg.eps);
    let k: AdamOut = { p: p0, m: new Float32Array(len), v: new Float32Array(len) };
    for (let t = 1; t <= 5; t++) {
      const g = grads(len, rand);
      adamStep64(pt, g, cfg, t, "pytorch", !cfg.kappaFree);
      adamStep64(tj, g, cfg, t, "tfjs", false);
      k = runAdam(k.p, k.m, k.v, g, cfg, t);
      const tg = tf.tensor1d(g);
      opt.applyGradients([{ name: variable.name, tensor: tg }]);
      tg.dispose();
    }
    const ptf = variable.dataSync() as Float32Array;
    const label = `adam vs tfjs ${cfg.name} len ${len}`;
    expectWithin(`${label}: tfjs against its own f64 form`, ptf, tj.p, (i) => tj.eP[i]);
    expectWithin(label, k.p, ptf, (i) => pt.eP[i] + tj.eP[i] + Math.abs(pt.p[i] - tj.p[i]));
    opt.dispose();
    variable.dispose();
  }
});

// ----------------------------------------------------------------------------------------- SGD

type SgdOut = { p: Float32Array; buf: Float32Array };
function runSgd(p: Float32Array, g: Float32Array, buf: Float32Array, lr: number, mu: number) {
  const pp = mem.put(p), pg = mem.put(g), pb = mem.put(buf);
  wasm.sgdUpdate(pp, pg, pb, p.length, lr, mu);
  mem.checkGuards(`sgd len ${p.length}`);
  expectBitIdentical("sgd: g unchanged", mem.read(pg), g);
  return { p: mem.read(pp), buf: mem.read(pb) };
}

test("adamUpdate: the f32x4 body and the scalar tail give the same bits (each element alone = inside a block)", () => {
  const rand = testRandom(2024), len = 11;
  const p = randomArray(len, rand), g = randomArray(len, rand), m = randomArray(len, rand, -0.1, 0.1);
  const v = Float32Array.from(randomArray(len, rand, 0, 0.01));
  const run = (lo: number, hi: number) => {
    const pp = mem.put(p.slice(lo, hi)), pg = mem.put(g.slice(lo, hi)), pm = mem.put(m.slice(lo, hi)), pv = mem.put(v.slice(lo, hi));
    wasm.adamUpdate(pp, pg, pm, pv, hi - lo, 1e-3, 0.5, 0.999, 1e-8, 3);
    return [mem.read(pp), mem.read(pm), mem.read(pv)];
  };
  const whole = run(0, len);
  for (let i = 0; i < len; i++) {
    const one = run(i, i + 1);
    for (let k = 0; k < 3; k++) expectBitIdentical(`element ${i}, output ${k}`, one[k], whole[k].slice(i, i + 1));
  }
});

test("sgdUpdate, momentum 0: p −= lr·g bit-identical to f32, within the f64 bound, buffer untouched", () => {
  let seed = 100;
  for (const len of LENGTHS) for (const lr of [0.1, 1e-3]) {
    const rand = testRandom(seed++);
    const p = randomArray(len, rand), g = grads(len, rand), buf = randomArray(len, rand);
    const k = runSgd(p, g, buf, lr, 0);
    const LR = fr(lr);
    expectBitIdentical(`sgd mu 0 len ${len}`, k.p, Float32Array.from(p, (pi, i) => pi - fr(LR * g[i])));
    const ref = Array.from(p, (pi, i) => pi - LR * g[i]);
    expectWithin(`sgd mu 0 len ${len} vs f64`, k.p, ref, (i) => U * LR * Math.abs(g[i]) + U * Math.abs(ref[i]));
    expectBitIdentical(`sgd mu 0 len ${len}: buffer neither read nor written`, k.buf, buf);
  }
});

test("sgdUpdate, momentum 0.9, 0.5, 0.1: PyTorch's first step (buf = g) and steps 2..5, bit-exact and against f64", () => {
  let seed = 200;
  for (const mu of [0.9, 0.5, 0.1]) for (const len of LENGTHS) {
    const MU = fr(mu);
    const rand = testRandom(seed++);
    const lr = 0.05, LR = fr(lr);
    const p0 = randomArray(len, rand);
    let k: SgdOut = { p: p0, buf: new Float32Array(len) };
    let e = { p: Float32Array.from(p0), buf: new Float32Array(len) }; // f32 emulation
    const r = { p: Float64Array.from(p0), buf: new Float64Array(len), eP: new Float64Array(len), eB: new Float64Array(len) };
    for (let t = 1; t <= 5; t++) {
      const g = grads(len, rand);
      k = runSgd(k.p, g, k.buf, lr, mu);
      if (t === 1) expectBitIdentical(`sgd mu ${mu} len ${len}: first step buf = g (PyTorch)`, k.buf, g);
      const buf = Float32Array.from(e.buf, (b, i) => fr(MU * b) + g[i]);
      e = { buf, p: Float32Array.from(e.p, (pi, i) => pi - fr(LR * buf[i])) };
      expectBitIdentical(`sgd mu ${mu} len ${len} t ${t}: buf`, k.buf, e.buf);
      expectBitIdentical(`sgd mu ${mu} len ${len} t ${t}: p`, k.p, e.p);
      for (let i = 0; i < len; i++) {
        const eB = MU * r.eB[i] + 2 * U * (MU * Math.abs(r.buf[i]) + Math.abs(g[i]));
        r.buf[i] = MU * r.buf[i] + g[i];
        r.eB[i] = eB;
        r.p[i] -= LR * r.buf[i];
        r.eP[i] += LR * eB + U * LR * Math.abs(r.buf[i]) + U * Math.abs(r.p[i]);
      }
      expectWithin(`sgd mu ${mu} len ${len} t ${t} vs f64: buf`, k.buf, r.buf, (i) => r.eB[i]);
      expectWithin(`sgd mu ${mu} len ${len} t ${t} vs f64: p`, k.p, r.p, (i) => r.eP[i]);
    }
  }
});

test("sgdUpdate: bit-identical to tfjs tf.train.sgd and tf.train.momentum over five steps", () => {
  let seed = 300;
  for (const mu of [0, 0.9]) for (const len of [3, 17, 65]) {
    const rand = testRandom(seed++);
    const lr = 0.03, p0 = randomArray(len, rand);
    const variable = tf.variable(tf.tensor1d(p0));
    const opt = mu === 0 ? tf.train.sgd(lr) : tf.train.momentum(lr, mu);
    let k: SgdOut = { p: p0, buf: new Float32Array(len) };
    for (let t = 1; t <= 5; t++) {
      const g = grads(len, rand);
      k = runSgd(k.p, g, k.buf, lr, mu);
      const tg = tf.tensor1d(g);
      opt.applyGradients([{ name: variable.name, tensor: tg }]);
      tg.dispose();
    }
    expectBitIdentical(`sgd mu ${mu} len ${len} vs tfjs`, k.p, variable.dataSync() as Float32Array);
    opt.dispose();
    variable.dispose();
  }
});

// ------------------------------------------------------------------------------------- RMSProp

interface RmsCfg { lr: number; alpha: number; eps: number }
interface RmsState { p: Float64Array; s: Float64Array; eP: Float64Array; eS: Float64Array }

// form "pytorch": s = A·s + (1 − A)·g², p −= LR·g/(sqrt(s) + EPS)
// form "tfjs":    s = A·s + fl32(1 − α)·g², p −= LR·g/sqrt(s + EPS)
function rmsStep64(r: RmsState, g: ArrayLike<number>, cfg: RmsCfg, form: "pytorch" | "tfjs") {
  const A = fr(cfg.alpha), LR = fr(cfg.lr), EPS = fr(cfg.eps);
  const c = form === "pytorch" ? 1 - A : fr(1 - cfg.alpha);
  for (let i = 0; i < g.length; i++) {
    const s = A * r.s[i] + c * g[i] * g[i];
    const eS = A * r.eS[i] + 3 * U * s;
    const d = LR * g[i] / (form === "pytorch" ? Math.sqrt(s) + EPS : Math.sqrt(s + EPS));
    const eD = Math.abs(d) * (6 * U + (s > 0 ? eS / (2 * s) : 0));
    r.s[i] = s; r.eS[i] = eS;
    r.p[i] -= d;
    r.eP[i] += eD + U * Math.abs(r.p[i]);
  }
}

type RmsOut = { p: Float32Array; s: Float32Array };
function runRms(p: Float32Array, g: Float32Array, s: Float32Array, cfg: RmsCfg) {
  const pp = mem.put(p), pg = mem.put(g), ps = mem.put(s);
  wasm.rmspropUpdate(pp, pg, ps, p.length, cfg.lr, cfg.alpha, cfg.eps);
  mem.checkGuards(`rmsprop len ${p.length}`);
  expectBitIdentical("rmsprop: g unchanged", mem.read(pg), g);
  return { p: mem.read(pp), s: mem.read(ps) };
}

const RMS: (RmsCfg & { name: string })[] = [
  { name: "PyTorch defaults (1e-2, 0.99, 1e-8)", lr: 1e-2, alpha: 0.99, eps: 1e-8 },
  { name: "alpha 0.9", lr: 1e-3, alpha: 0.9, eps: 1e-8 },
  // ε comparable to sqrt(s): sqrt(s) + ε and sqrt(s + ε) differ by tens of percent
  { name: "large ε (1e-2, 0.9, 0.05)", lr: 1e-2, alpha: 0.9, eps: 0.05 },
];

test("rmspropUpdate: five steps against the f64 PyTorch form (ε outside the sqrt)", () => {
  let seed = 400;
  for (const cfg of RMS) for (const len of LENGTHS) {
    const rand = testRandom(seed++);
    const p0 = randomArray(len, rand);
    const r: RmsState = { p: Float64Array.from(p0), s: new Float64Array(len), eP: new Float64Array(len), eS: new Float64Array(len) };
    let k: RmsOut = { p: p0, s: new Float32Array(len) };
    for (let t = 1; t <= 5; t++) {
      const g = grads(len, rand);
      rmsStep64(r, g, cfg, "pytorch");
      k = runRms(k.p, g, k.s, cfg);
      expectWithin(`rmsprop ${cfg.name} len ${len} t ${t}: s`, k.s, r.s, (i) => r.eS[i]);
      expectWithin(`rmsprop ${cfg.name} len ${len} t ${t}: p`, k.p, r.p, (i) => r.eP[i]);
    }
  }
});

test("rmspropUpdate: against tfjs tf.train.rmsprop (ε under the sqrt there; difference computed, see top)", () => {
  let seed = 500;
  for (const cfg of [...RMS, { name: "ε = 0, where the two forms agree", lr: 1e-2, alpha: 0.99, eps: 0 }]) for (const len of [4, 17, 65]) {
    const rand = testRandom(seed++);
    const p0 = randomArray(len, rand);
    const mk = (): RmsState => ({ p: Float64Array.from(p0), s: new Float64Array(len), eP: new Float64Array(len), eS: new Float64Array(len) });
    const pt = mk(), tj = mk();
    const variable = tf.variable(tf.tensor1d(p0));
    const opt = tf.train.rmsprop(cfg.lr, cfg.alpha, 0, cfg.eps, false);
    let k: RmsOut = { p: p0, s: new Float32Array(len) };
    for (let t = 1; t <= 5; t++) {
      const g = randomArray(len, rand, 0.01, 1).map((v, i) => (i % 2 ? v : -v)); // |g| >= 0.01: s > 0 even with ε = 0
      rmsStep64(pt, g, cfg, "pytorch");
      rmsStep64(tj, g, cfg, "tfjs");
      k = runRms(k.p, g, k.s, cfg);
      const tg = tf.tensor1d(g);
      opt.applyGradients([{ name: variable.name, tensor: tg }]);
      tg.dispose();
    }
    const ptf = variable.dataSync() as Float32Array;
    const label = `rmsprop vs tfjs ${cfg.name} len ${len}`;
    expectWithin(`${label}: tfjs against its own f64 form`, ptf, tj.p, (i) => tj.eP[i]);
    expectWithin(label, k.p, ptf, (i) => pt.eP[i] + tj.eP[i] + Math.abs(pt.p[i] - tj.p[i]));
    opt.dispose();
    variable.dispose();
  }
});

// ---------------------------------------------------------------------------------- sumSquares

test("sumSquares: f64 accumulation, against f64, tfjs, and where an f32 sum would fail", () => {
  let seed = 600;
  for (const len of [...LENGTHS, 100_000]) {
    const g = randomArray(len, testRandom(seed++), -3, 3);
    const pg = mem.put(g);
    const S = wasm.sumSquares(pg, len);
    mem.checkGuards(`sumSquares len ${len}`);
    let ref = 0;
    for (const v of g) ref += v * v;
    if (!(Math.abs(S - ref) <= len * 2 ** -53 * ref)) assert.unreachable(`sumSquares len ${len}: ${S} vs f64 ${ref}`);
    const tg = tf.tensor1d(g), ts = tf.sum(tf.square(tg));
    const want = ts.dataSync()[0];
    tf.dispose([tg, ts]);
    // tfjs rounds each square to f32 (u) and the f64 sum once more (u)
    if (!(Math.abs(S - want) <= 2 * U * ref + len * 2 ** -53 * ref)) assert.unreachable(`sumSquares len ${len}: ${S} vs tfjs ${want}`);
  }
  assert.is(wasm.sumSquares(mem.put([]), 0), 0, "empty");
  // 3e19² = 9e38 is beyond f32 (3.4e38): finite and exact only with an f64 accumulator
  const big = fr(3e19);
  assert.is(wasm.sumSquares(mem.put([big, -big]), 2), 2 * big * big, "no f32 overflow");
  // 1e3² then 10^5 × (1e-3)²: an f32 sum stays at 1e6 (ulp 0.0625), the f64 sum gains 0.1
  const tiny = fr(1e-3), n = 100_001;
  const arr = new Float32Array(n).fill(tiny);
  arr[0] = 1e3;
  const S = wasm.sumSquares(mem.put(arr), n);
  const ref = 1e6 + (n - 1) * tiny * tiny;
  if (!(Math.abs(S - ref) <= n * 2 ** -53 * ref)) assert.unreachable(`small terms after a large one: ${S} vs ${ref}`);
});

test.run();
