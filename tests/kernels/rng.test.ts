// The engine's RNG (strict build): rngSeed, rngUniformFill, rngNormalFill.
//
// Exactness: the stream is specified (xoshiro128**, Blackman & Vigna's reference algorithm, 4 u32 of
// state seeded by the splitmix32-style mixer documented in assembly/kernels/rng.ts) and must be the
// same on every engine, so it is checked bit for bit against an independent JS implementation:
// the seeded state, every uniform (lo + fl(w·u), u = (next >>> 8)·2^-24, w = fl(hi − lo)), and the
// stream position after every fill.
// Box–Muller values are checked against f64 Box–Muller on the same uniforms, per value:
//   |z − z64| <= std·(r·(3u·θ + u) + |cos θ|·3u·r + u·|z|) + u·|out|     (u = 2^-24, θ = 2π·u2)
// i.e. θ is formed in f32 (2·fl32(π)·u2: relative error <= 3u, an absolute error up to 3u·2π that
// r <= 5.77 amplifies: the one not-tiny term, up to ~7e-6 absolute at the tail), r = sqrt(−2 log u1)
// in f32 (3u relative), and the last product and the shift by the mean (u each).
//
// Statistics (fixed seeds, so deterministic; each bound is one a correct generator violates with
// probability < 1e-6, so a failure means a defect, not bad luck), N = 100 000 samples:
//  - uniform on [lo, hi): mean within 6 standard errors (SE = w/sqrt(12N)); variance within 6 SE
//    (SE = w²·sqrt(1/80 − 1/144)/sqrt(N)); Kolmogorov–Smirnov D <= 2.69/sqrt(N)
//    (P(sqrt(N)·D > x) ≈ 2e^(−2x²) = 1.0e-6 at x = 2.69); lag-1 correlation within 6/sqrt(N);
//    min − lo and hi − max below 20·w/N (P = e^−20 each); the lowest of the 24 bits set in
//    N/2 ± 6·sqrt(N/4) samples.
//  - normal: mean within 6·std/sqrt(N); variance within 6·std²·sqrt(2/N); skewness within
//    6·sqrt(6/N), excess kurtosis within 6·sqrt(24/N); KS against Φ with the bound above; the
//    fractions beyond 1σ, 2σ and 3σ within 6 binomial SE of 0.317311, 0.045500, 0.002700; the
//    correlation between the cos and sin halves of the pairs within 6/sqrt(N/2).
//  - different seeds: the streams of seeds 1 and 2 correlate within 6/sqrt(N).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { instantiate } from "../../src/engine/wasm_module.ts";
import { expectBitIdentical } from "../util/check.ts";
import { Guarded, U, expectWithin } from "../util/f32.ts";

const wasm = await instantiate("strict");
const mem = new Guarded(wasm);
const fr = Math.fround;
const N = 100_000;

// ---- independent reference: xoshiro128** (reference C code by Blackman & Vigna), seeded by splitmix32
const rotl = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0;
class RefRng {
  s = new Uint32Array(4);
  constructor(seed: number) {
    let x = seed >>> 0;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      z = (z ^ (z >>> 16)) >>> 0;
      this.s[i] = z === 0 && i === 0 ? 1 : z;
    }
  }
  next(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }
  uniform(): number { return (this.next() >>> 8) * 2 ** -24; }
}

function newState(seed: number): number {
  const s = wasm.alloc(16);
  wasm.rngSeed(s, seed);
  return s;
}
const stateOf = (s: number) => Array.from(new Uint32Array(wasm.memory.buffer, s, 4));
// the largest f32 below x (x > 0 here)
function floatBelow(x: number): number {
  const u = new Uint32Array(new Float32Array([x]).buffer);
  u[0] -= 1;
  return new Float32Array(u.buffer)[0];
}

function uniformFill(s: number, len: number, lo: number, hi: number): Float32Array {
  const p = mem.zeros(len);
  wasm.rngUniformFill(s, p, len, lo, hi);
  mem.checkGuards(`uniform len ${len}`);
  return mem.read(p);
}
function normalFill(s: number, len: number, mean: number, std: number): Float32Array {
  const p = mem.put(new Float32Array(len).fill(-12345));
  wasm.rngNormalFill(s, p, len, mean, std);
  mem.checkGuards(`normal len ${len}`);
  return mem.read(p);
}

const SEEDS = [0, 1, 2, 3, 42, 12345, 0x7fffffff, 0x80000000, 0x9e3779b9, 0xffffffff];
const LENGTHS = [1, 2, 3, 4, 5, 17, 65, 1000, 1001];

test("rngSeed: the state is the documented splitmix32 expansion of the seed, never all zero", () => {
  for (const seed of SEEDS) {
    const s = newState(seed);
    assert.equal(stateOf(s), Array.from(new RefRng(seed).s), `seed ${seed}`);
    assert.ok(stateOf(s).some((w) => w !== 0), `seed ${seed}: all-zero state`);
  }
});

test("rngUniformFill: bit-identical to reference xoshiro128**, stream position exact, fills concatenate", () => {
  for (const seed of SEEDS) for (const [lo, hi] of [[0, 1], [-1, 1], [-0.5, 0.25], [2, 5], [-3, 5]]) {
    const s = newState(seed), ref = new RefRng(seed);
    const w = fr(fr(hi) - fr(lo));
    for (const len of LENGTHS) {
      const got = uniformFill(s, len, lo, hi);
      const want = Float32Array.from({ length: len }, () => Math.min(fr(fr(lo) + fr(w * ref.uniform())), floatBelow(hi)));
      expectBitIdentical(`uniform seed ${seed} [${lo}, ${hi}) len ${len}`, got, want);
      assert.equal(stateOf(s), Array.from(ref.s), `state after uniform fill of ${len}`);
    }
  }
  // one fill of a + b values equals a fill of a then a fill of b
  const s1 = newState(7), s2 = newState(7);
  const whole = uniformFill(s1, 82, 0, 1);
  const parts = new Float32Array(82);
  parts.set(uniformFill(s2, 17, 0, 1), 0);
  parts.set(uniformFill(s2, 65, 0, 1), 17);
  expectBitIdentical("uniform 82 = 17 + 65", whole, parts);
});

test("same seed, same streams (also across module instances); different seeds, different streams", async () => {
  const other = await instantiate("strict");
  const otherMem = new Guarded(other);
  for (const seed of SEEDS) {
    const a = newState(seed), b = newState(seed);
    const so = other.alloc(16);
    other.rngSeed(so, seed);
    for (const len of [5, 1000]) {
      const ua = uniformFill(a, len, -1, 1), ub = uniformFill(b, len, -1, 1);
      const po = otherMem.zeros(len);
      other.rngUniformFill(so, po, len, -1, 1);
      expectBitIdentical(`uniform seed ${seed}, two states`, ua, ub);
      expectBitIdentical(`uniform seed ${seed}, two instances`, ua, otherMem.read(po));
      const na = normalFill(a, len + 1, 0, 1), nb = normalFill(b, len + 1, 0, 1);
      const pn = otherMem.zeros(len + 1);
      other.rngNormalFill(so, pn, len + 1, 0, 1);
      expectBitIdentical(`normal seed ${seed}, two states`, na, nb);
      expectBitIdentical(`normal seed ${seed}, two instances`, na, otherMem.read(pn));
    }
  }
  // 64 uniforms of 24 bits: two correct streams agree in a position with probability 2^-24
  const firsts = SEEDS.map((seed) => uniformFill(newState(seed), 64, 0, 1));
  for (let i = 0; i < SEEDS.length; i++) for (let j = i + 1; j < SEEDS.length; j++) {
    let same = 0;
    for (let k = 0; k < 64; k++) if (firsts[i][k] === firsts[j][k]) same++;
    assert.ok(same <= 1, `seeds ${SEEDS[i]} and ${SEEDS[j]}: ${same} of 64 values equal`);
  }
  // neighbouring seeds give uncorrelated streams
  const x = uniformFill(newState(1), N, 0, 1), y = uniformFill(newState(2), N, 0, 1);
  const r = correlation(x, y);
  assert.ok(Math.abs(r) <= 6 / Math.sqrt(N), `seeds 1 and 2: correlation ${r}`);
});

// ---- statistics helpers

function moments(a: ArrayLike<number>) {
  const n = a.length;
  let m = 0;
  for (let i = 0; i < n; i++) m += a[i];
  m /= n;
  let m2 = 0, m3 = 0, m4 = 0;
  for (let i = 0; i < n; i++) { const d = a[i] - m, d2 = d * d; m2 += d2; m3 += d2 * d; m4 += d2 * d2; }
  m2 /= n; m3 /= n; m4 /= n;
  return { mean: m, variance: m2, skew: m3 / m2 ** 1.5, exKurt: m4 / (m2 * m2) - 3 };
}
function correlation(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const mx = moments(x).mean, my = moments(y).mean;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < x.length; i++) { const a = x[i] - mx, b = y[i] - my; sxy += a * b; sxx += a * a; syy += b * b; }
  return sxy / Math.sqrt(sxx * syy);
}
// Kolmogorov–Smirnov statistic against a continuous CDF
function ksStatistic(a: ArrayLike<number>, cdf: (x: number) => number): number {
  const s = Float64Array.from(a).sort();
  const n = s.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const F = cdf(s[i]);
    d = Math.max(d, (i + 1) / n - F, F - i / n);
  }
  return d;
}
// Φ via erfc (W. J. Cody's rational Chebyshev form as in Numerical Recipes' erfcc: |error| < 1.2e-7)
function erfc(x: number): number {
  const z = Math.abs(x), t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r : 2 - r;
}
const Phi = (x: number) => 0.5 * erfc(-x / Math.SQRT2);
const KS_BOUND = 2.69 / Math.sqrt(N);

test("rngUniformFill: never returns hi, even where lo + w·u rounds up to it ([1000, 1001))", () => {
  const a = uniformFill(newState(5), 1_000_000, 1000, 1001);
  let atTop = 0;
  for (const v of a) {
    if (!(v >= 1000 && v < 1001)) assert.unreachable(`[1000, 1001): sample ${v}`);
    if (v === floatBelow(1001)) atTop++;
  }
  // without the clamp ~29 in 1e6 rounded up to 1001; they now sit on the float below it
  assert.ok(atTop > 0 && atTop < 200, `${atTop} samples on the float below 1001`);
});

test("rngUniformFill: 100k samples in [lo, hi), mean, variance, KS, serial correlation, low bit", () => {
  for (const [seed, lo, hi] of [[11, 0, 1], [12, -1, 1], [13, -3, 5]]) {
    const a = uniformFill(newState(seed), N, lo, hi);
    const w = hi - lo;
    let min = Infinity, max = -Infinity;
    for (const v of a) {
      if (!(v >= lo && v < hi)) assert.unreachable(`[${lo}, ${hi}): sample ${v}`);
      if (v < min) min = v;
      if (v > max) max = v;
    }
    assert.ok(min - lo < 20 * w / N && hi - max < 20 * w / N, `[${lo}, ${hi}): range covered only to [${min}, ${max}]`);
    const { mean, variance } = moments(a);
    const seMean = w / Math.sqrt(12 * N), seVar = w * w * Math.sqrt(1 / 80 - 1 / 144) / Math.sqrt(N);
    assert.ok(Math.abs(mean - (lo + hi) / 2) <= 6 * seMean, `[${lo}, ${hi}): mean ${mean}`);
    assert.ok(Math.abs(variance - w * w / 12) <= 6 * seVar, `[${lo}, ${hi}): variance ${variance}, want ${w * w / 12}`);
    const D = ksStatistic(a, (x) => Math.min(1, Math.max(0, (x - lo) / w)));
    assert.ok(D <= KS_BOUND, `[${lo}, ${hi}): KS D = ${D} > ${KS_BOUND}`);
    const r1 = correlation(a.subarray(0, N - 1), a.subarray(1));
    assert.ok(Math.abs(r1) <= 6 / Math.sqrt(N), `[${lo}, ${hi}): lag-1 correlation ${r1}`);
    if (lo === 0 && hi === 1) {
      let odd = 0;
      for (const v of a) odd += (v * 2 ** 24) & 1; // exact: v is k·2^-24
      assert.ok(Math.abs(odd - N / 2) <= 6 * Math.sqrt(N / 4), `lowest of the 24 bits set in ${odd} of ${N}`);
    }
  }
});

// Forges a state whose next output is `out` (any s0, s2, s3): s1 = 5^-1 · rotr(9^-1 · out, 7)
function inverseOdd(a: number): number {
  let x = a; // Newton's iteration for the inverse mod 2^32: each step doubles the correct bits
  for (let i = 0; i < 5; i++) x = Math.imul(x, 2 - Math.imul(a, x));
  return x >>> 0;
}
function forgeState(out: number): number {
  const s = wasm.alloc(16);
  const y = Math.imul(out >>> 0, inverseOdd(9)) >>> 0;
  const s1 = Math.imul(((y >>> 7) | (y << 25)) >>> 0, inverseOdd(5)) >>> 0;
  new Uint32Array(wasm.memory.buffer, s, 4).set([0x12345678, s1, 0x9abcdef0, 0x0f1e2d3c]);
  const check = new RefRng(0);
  check.s.set(new Uint32Array(wasm.memory.buffer, s, 4));
  assert.is(check.next(), out >>> 0, "forged state");
  return s;
}

test("rngUniformFill: the extreme uniforms u = 0 and u = 1 − 2^-24 give lo and stay below hi", () => {
  // ranges where [lo, hi) holds in f32 arithmetic: lo = 0, and the symmetric [-a, a) of Dense init
  for (const [lo, hi] of [[0, 1], [-1, 1], [-3, 5], [-0.1, 0.1], [-0.0625, 0.0625], [-0.24618298, 0.24618298], [-2.5e-3, 2.5e-3]]) {
    const top = uniformFill(forgeState(0xffffffff), 1, lo, hi)[0];
    const bottom = uniformFill(forgeState(0x000000ff), 1, lo, hi)[0];
    assert.ok(top < fr(hi), `[${lo}, ${hi}): largest output ${top} is not below hi`);
    assert.is(bottom, fr(lo), `[${lo}, ${hi}): smallest output`);
  }
});

// Box–Muller in f64 from the same uniforms, with the per-value bound from the top of the file
function refNormal(seed: number, len: number, mean: number, std: number) {
  const ref = new RefRng(seed);
  const z = new Float64Array(len), tol = new Float64Array(len);
  const M = fr(mean), S = fr(std);
  for (let i = 0; i < len; i += 2) {
    const u1 = 1 - ref.uniform(), u2 = ref.uniform();
    const r = Math.sqrt(-2 * Math.log(u1)), th = 2 * Math.PI * u2;
    const thErr = 3 * U * th + U;
    for (const [k, c] of [[i, Math.cos(th)], [i + 1, Math.sin(th)]]) {
      if (k >= len) break;
      const zz = r * c;
      z[k] = M + S * zz;
      tol[k] = Math.abs(S) * (r * thErr + Math.abs(c) * 3 * U * r + U * Math.abs(zz)) + U * Math.abs(z[k]) + 1e-30;
    }
  }
  return { z, tol, state: Array.from(ref.s) };
}

test("rngNormalFill: Box–Muller values against f64 on the same stream; odd lengths drop the last sine", () => {
  for (const seed of [1, 99, 0xffffffff]) for (const [mean, std] of [[0, 1], [2, -0.5], [-1, 3]]) for (const len of LENGTHS) {
    const s = newState(seed);
    const got = normalFill(s, len, mean, std);
    const { z, tol, state } = refNormal(seed, len, mean, std);
    expectWithin(`normal seed ${seed} N(${mean}, ${std}) len ${len}`, got, z, tol);
    // the stream advances by two uniforms per pair, a dropped sine included
    assert.equal(stateOf(s), state, `state after normal fill of ${len}`);
    // an odd fill is the prefix of the next even fill, and leaves the stream where it leaves it
    if (len % 2 === 1) {
      const s2 = newState(seed);
      const longer = normalFill(s2, len + 1, mean, std);
      expectBitIdentical(`normal len ${len} is a prefix of len ${len + 1}`, got, longer.subarray(0, len));
      assert.equal(stateOf(s2), stateOf(s), `state after ${len} and ${len + 1}`);
    }
  }
});

test("rngNormalFill: u1 = 2^-24 (the smallest; log never sees 0) and u1 = 1 give finite values", () => {
  // first draw 0xffffffff: u = 1 − 2^-24, u1 = 1 − u = 2^-24, r = sqrt(48 ln 2) = 5.768
  const deep = normalFill(forgeState(0xffffffff), 2, 0, 1);
  const rMax = Math.sqrt(-2 * Math.log(2 ** -24));
  assert.ok(Number.isFinite(deep[0]) && Number.isFinite(deep[1]), `${deep}`);
  assert.ok(Math.abs(Math.hypot(deep[0], deep[1]) - rMax) <= 1e-5, `|z| = ${Math.hypot(deep[0], deep[1])}, want ${rMax}`);
  // first draw 0: u1 = 1, r = 0: both values are the mean
  assert.equal(Array.from(normalFill(forgeState(0), 2, 1.5, 2)), [1.5, 1.5]);
});

test("rngNormalFill: 100k samples (and 100 001), mean, variance, skewness, kurtosis, KS, tails, pairs", () => {
  for (const [seed, len, mean, std] of [[21, N, 0, 1], [22, N + 1, 2, 0.5]]) {
    const a = normalFill(newState(seed), len, mean, std);
    const z = Float64Array.from(a, (v) => (v - mean) / std);
    for (const v of z) if (!Number.isFinite(v)) assert.unreachable(`non-finite sample ${v}`);
    const m = moments(z);
    const n = z.length;
    assert.ok(Math.abs(m.mean) <= 6 / Math.sqrt(n), `mean ${m.mean}`);
    assert.ok(Math.abs(m.variance - 1) <= 6 * Math.sqrt(2 / n), `variance ${m.variance}`);
    assert.ok(Math.abs(m.skew) <= 6 * Math.sqrt(6 / n), `skewness ${m.skew}`);
    assert.ok(Math.abs(m.exKurt) <= 6 * Math.sqrt(24 / n), `excess kurtosis ${m.exKurt}`);
    const D = ksStatistic(z, Phi);
    assert.ok(D <= 2.69 / Math.sqrt(n), `KS D = ${D}`);
    for (const [k, p] of [[1, 0.317311], [2, 0.0455003], [3, 0.0026998]]) {
      let beyond = 0;
      for (const v of z) if (Math.abs(v) > k) beyond++;
      const se = Math.sqrt(n * p * (1 - p));
      assert.ok(Math.abs(beyond - n * p) <= 6 * se, `beyond ${k}σ: ${beyond}, expected ${n * p} ± ${6 * se}`);
    }
    const half = Math.floor(n / 2);
    const cosHalf = Float64Array.from({ length: half }, (_, i) => z[2 * i]);
    const sinHalf = Float64Array.from({ length: half }, (_, i) => z[2 * i + 1]);
    const r = correlation(cosHalf, sinHalf);
    assert.ok(Math.abs(r) <= 6 / Math.sqrt(half), `cos/sin halves correlate: ${r}`);
  }
});

test.run();
