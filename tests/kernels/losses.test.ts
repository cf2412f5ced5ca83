// GAN loss kernels on discriminator logits l[n] (strict build): bceLogitsReal (target 1 and 0.9),
// bceLogitsFake, generatorMinimax, generatorNonSaturating, meanSigmoid. Each loss returns the mean
// and ADDS dL/dl into dl, so dl starts nonzero. With sp(x) = softplus(x) = log(1 + e^x):
//   real(t): ℓ = t·sp(−x) + (1 − t)·sp(x), ℓ' = σ(x) − t     fake:   ℓ = sp(x),   ℓ' = σ(x)
//   minimax: ℓ = −sp(x),                    ℓ' = −σ(x)        nonsat: ℓ = sp(−x),  ℓ' = σ(x) − 1
//   L = mean ℓ,  dL/dl_i = ℓ'(l_i) / n.  The target the kernel receives is t = fl32(0.9), and the
//   references use that same t.
//
// Tolerances (u = 2^-24; g = ℓ'(x)/n in f64; ref = dl0 + g):
//  - value against the f64 formula: 6u·|L| + 4·2^-149. Every ℓ has one sign, so relative errors
//    do not grow in the mean: sp in f32 is within ~3u, the products by t and 1 − t and their sum
//    add ~2u, the f64 sum and final f32 cast 1u (measured worst 2.1u). The 2^-149 floor is for
//    subnormal terms (sp(−88.8) = e^−88.8 is subnormal in f32).
//  - value against tfjs tf.losses.sigmoidCrossEntropy: 6u·|L| + 2u·mean|l|: tfjs evaluates
//    max(x, 0) − x·t + log1p(e^−|x|), whose x·t rounds with error u·|x| before it cancels.
//  - gradient: σ(x) in f32 is within 3u absolute, σ − t and the two products add ~3u·|g|, the
//    add into dl0 rounds once: |dl − ref| <= 4u/n + 4u·|g| + u·|ref| (measured worst 1.5·(u/n + u|g|)).
//    The absolute 4u/n is inherent in forming σ(x) − t in f32 (σ(20) is 1 in f32, so the gradient of
//    the real loss at l = 20 is 0, not −2e−9/n); PyTorch's BCEWithLogits gradient is formed the same way.
//  - gradient against tfjs tf.grad of the softplus form (tfjs's own sp' = σ, within 1u): the same bound.
//  - finite differences of the f64 value: L is separable, so L(l + h·e_i) − L(l − h·e_i) =
//    (ℓ(l_i + h) − ℓ(l_i − h))/n exactly; with h = 1e-4·max(1, |l_i|) the central difference has
//    truncation h²/6·|ℓ'''|/n <= 2e-10/n and rounding <= 2e-12/n, added to the gradient bound.
//  - finite differences of the KERNEL's own f32 value (ties value and gradient of one kernel
//    together; necessarily loose): h = 2^-7 (l ± h exact in f32), error <= 6u·(|L+| + |L−|)/(2h)
//    (the values' rounding) + h²/6·0.1/n (truncation: |σ''| <= 0.1) + the gradient bound.
//  - meanSigmoid: against f64 8u·|mean| (σ within 3 ulps = 6u relative, plus the cast); against tfjs
//    tf.mean(tf.sigmoid) 10u·|mean| (tfjs adds 1u for σ and 1u for the mean).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { instantiate } from "../../src/engine/wasm_module.ts";
import { testRandom, randomArray, expectBitIdentical } from "../util/check.ts";
import { Guarded, U, expectWithin, expectAllFinite } from "../util/f32.ts";
import { tfCpu } from "../util/tfjs.ts";
import type { Tensor } from "@tensorflow/tfjs-core";

const wasm = await instantiate("strict");
const tf = await tfCpu();
const mem = new Guarded(wasm);

const sp = (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
const sigmoid64 = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

interface Loss {
  name: string;
  kernel(dl: number, l: number, n: number): number;
  ell(x: number): number;   // per-example loss, L = mean ell
  dell(x: number): number;  // its derivative, dL/dl_i = dell(l_i)/n
  tfLoss(l: Tensor, n: number): Tensor;        // tf.losses.sigmoidCrossEntropy form
  tfSoftplus(l: Tensor): Tensor;               // softplus composition (for tf.grad)
}

function real(target: number): Loss {
  const t = Math.fround(target);
  return {
    name: `bceLogitsReal(t = ${target})`,
    kernel: (dl, l, n) => wasm.bceLogitsReal(dl, l, n, target),
    ell: (x) => t * sp(-x) + (1 - t) * sp(x),
    dell: (x) => sigmoid64(x) - t,
    tfLoss: (l, n) => tf.losses.sigmoidCrossEntropy(tf.fill([n], t), l),
    tfSoftplus: (l) => tf.mean(tf.add(tf.mul(t, tf.softplus(tf.neg(l))), tf.mul(1 - t, tf.softplus(l)))),
  };
}

const LOSSES: Loss[] = [
  real(1),
  real(0.9),
  {
    name: "bceLogitsFake",
    kernel: (dl, l, n) => wasm.bceLogitsFake(dl, l, n),
    ell: sp,
    dell: sigmoid64,
    tfLoss: (l, n) => tf.losses.sigmoidCrossEntropy(tf.zeros([n]), l),
    tfSoftplus: (l) => tf.mean(tf.softplus(l)),
  },
  {
    name: "generatorMinimax",
    kernel: (dl, l, n) => wasm.generatorMinimax(dl, l, n),
    ell: (x) => -sp(x),
    dell: (x) => -sigmoid64(x),
    tfLoss: (l, n) => tf.neg(tf.losses.sigmoidCrossEntropy(tf.zeros([n]), l)),
    tfSoftplus: (l) => tf.neg(tf.mean(tf.softplus(l))),
  },
  {
    name: "generatorNonSaturating",
    kernel: (dl, l, n) => wasm.generatorNonSaturating(dl, l, n),
    ell: (x) => sp(-x),
    dell: (x) => sigmoid64(x) - 1,
    tfLoss: (l, n) => tf.losses.sigmoidCrossEntropy(tf.ones([n]), l),
    tfSoftplus: (l) => tf.mean(tf.softplus(tf.neg(l))),
  },
];

const EXTREMES = [80, -80, 1e4, -1e4, 88.8, -88.8, 1e30, -1e30, 0, 20, -20];
const SIZES = [1, 3, 4, 5, 17, 64, 65, 256];

// logits: random in [-12, 12]; some cases all extreme, some mixed
function logitCases(): Float32Array[] {
  const out: Float32Array[] = [];
  let seed = 1;
  for (const n of SIZES) out.push(randomArray(n, testRandom(seed++), -12, 12));
  for (const v of EXTREMES) out.push(Float32Array.of(v));
  out.push(Float32Array.from(EXTREMES));
  const mixed = randomArray(65, testRandom(seed++), -3, 3);
  EXTREMES.forEach((v, k) => { mixed[k * 5 + 2] = v; });
  out.push(mixed);
  return out;
}
const CASES = logitCases();

function run(loss: Loss, l: Float32Array, dl0: Float32Array) {
  const n = l.length;
  const pl = mem.put(l), pdl = mem.put(dl0);
  const L = loss.kernel(pdl, pl, n);
  const dl = mem.read(pdl);
  mem.checkGuards(`${loss.name} n ${n}`);
  expectBitIdentical(`${loss.name}: logits unchanged`, mem.read(pl), l);
  return { L, dl };
}

const gradTol = (g: number, ref: number, n: number) => 4 * U / n + 4 * U * Math.abs(g) + U * Math.abs(ref);
const mean = (a: ArrayLike<number>, f: (x: number) => number) => { let s = 0; for (let i = 0; i < a.length; i++) s += f(a[i]); return s / a.length; };

test("values and ADDED gradients against the hand-derived f64 formulas", () => {
  let seed = 100;
  for (const loss of LOSSES) for (const l of CASES) {
    const n = l.length, dl0 = randomArray(n, testRandom(seed++));
    const { L, dl } = run(loss, l, dl0);
    const label = `${loss.name} n ${n} [${l[0]}, ...]`;
    const ref = mean(l, loss.ell);
    if (!(Math.abs(L - ref) <= 6 * U * Math.abs(ref) + 4 * 2 ** -149)) assert.unreachable(`${label}: L = ${L}, f64 ${ref}`);
    const g = Array.from(l, (x) => loss.dell(x) / n), want = g.map((gi, i) => dl0[i] + gi);
    expectWithin(`${label} gradient`, dl, want, (i) => gradTol(g[i], want[i], n));
  }
});

test("extreme logits (±80, ±88.8, ±1e4, ±1e30): finite values and gradients, no log(0)", () => {
  for (const loss of LOSSES) for (const l of CASES) {
    const { L, dl } = run(loss, l, new Float32Array(l.length));
    assert.ok(Number.isFinite(L), `${loss.name} [${l[0]}, ...]: L = ${L}`);
    expectAllFinite(`${loss.name} [${l[0]}, ...] gradient`, dl);
  }
  // the saturated ends are exact: −log σ(1e4) = 0, −log(1 − σ(−1e4)) = 0, −log σ(−1e4) = 1e4
  const z = new Float32Array(1);
  assert.is(run(LOSSES[0], Float32Array.of(1e4), z).L, 0, "real(1) at 1e4");
  assert.is(run(LOSSES[2], Float32Array.of(-1e4), z).L, 0, "fake at -1e4");
  assert.is(run(LOSSES[4], Float32Array.of(-1e4), z).L, 1e4, "non-saturating at -1e4");
  assert.is(run(LOSSES[3], Float32Array.of(1e4), z).L, -1e4, "minimax at 1e4");
  // and the gradient there is the full ±1/n: σ(−1e4) − 1 = −1, σ(1e4) = 1
  assert.equal(Array.from(run(LOSSES[4], Float32Array.of(-1e4, -1e4), new Float32Array(2)).dl), [-0.5, -0.5]);
  assert.equal(Array.from(run(LOSSES[2], Float32Array.of(1e4, 1e4, 1e4, 1e4), new Float32Array(4)).dl), [0.25, 0.25, 0.25, 0.25]);
});

test("values against tfjs tf.losses.sigmoidCrossEntropy and gradients against tfjs tf.grad", () => {
  for (const loss of LOSSES) for (const l of CASES) {
    const n = l.length;
    const { L, dl } = run(loss, l, new Float32Array(n));
    const label = `${loss.name} n ${n} [${l[0]}, ...]`;
    const tl = tf.tensor1d(l);
    const tv = loss.tfLoss(tl, n), tv2 = loss.tfSoftplus(tl);
    const want = tv.dataSync()[0], want2 = tv2.dataSync()[0];
    const tg = tf.grad((v: Tensor) => loss.tfSoftplus(v))(tl);
    const wantG = tg.dataSync() as Float32Array;
    tf.dispose([tl, tv, tv2, tg]);
    const tol = 6 * U * Math.abs(want) + 2 * U * mean(l, Math.abs) + 4 * 2 ** -149;
    if (!(Math.abs(L - want) <= tol)) assert.unreachable(`${label}: L = ${L}, tfjs sigmoidCrossEntropy ${want} (tol ${tol})`);
    if (!(Math.abs(L - want2) <= 6 * U * Math.abs(want2) + 4 * 2 ** -149)) assert.unreachable(`${label}: L = ${L}, tfjs softplus form ${want2}`);
    expectWithin(`${label} gradient vs tfjs`, dl, wantG, (i) => gradTol(wantG[i], 0, n));
  }
});

test("gradients against central finite differences of the f64 value", () => {
  let checked = 0, seed = 300;
  for (const loss of LOSSES) for (const l of CASES) {
    const n = l.length, dl0 = randomArray(n, testRandom(seed++));
    const { dl } = run(loss, l, dl0);
    for (let i = 0; i < n; i++) {
      const x = l[i], h = 1e-4 * Math.max(1, Math.abs(x));
      const fd = (loss.ell(x + h) - loss.ell(x - h)) / (2 * h) / n;
      const ref = dl0[i] + fd;
      const tol = gradTol(fd, ref, n) + 2e-10 / n;
      if (!(Math.abs(dl[i] - ref) <= tol)) assert.unreachable(`${loss.name} n ${n} l[${i}] = ${x}: dl ${dl[i]}, dl0 + FD ${ref} (tol ${tol})`);
      checked++;
    }
  }
  assert.ok(checked > 2000, `checked ${checked}`);
});

test("gradients against central finite differences of the kernel's own f32 value", () => {
  const h = 2 ** -7;
  for (const loss of LOSSES) for (const n of [1, 3, 5, 17]) {
    const l = randomArray(n, testRandom(400 + n), -8, 8);
    const { L, dl } = run(loss, l, new Float32Array(n));
    assert.ok(Number.isFinite(L));
    for (let i = 0; i < n; i++) {
      const lp = l.slice(), lm = l.slice();
      lp[i] += h; lm[i] -= h; // exact: |l| < 8, so l ± 2^-7 is representable
      const Lp = run(loss, lp, new Float32Array(n)).L, Lm = run(loss, lm, new Float32Array(n)).L;
      const fd = (Lp - Lm) / (2 * h);
      const tol = 6 * U * (Math.abs(Lp) + Math.abs(Lm)) / (2 * h) + (h * h / 6) * 0.1 / n + gradTol(dl[i], 0, n);
      if (!(Math.abs(dl[i] - fd) <= tol)) assert.unreachable(`${loss.name} n ${n} l[${i}] = ${l[i]}: dl ${dl[i]}, kernel FD ${fd} (tol ${tol})`);
    }
  }
});

test("real and fake halves accumulate into one dl buffer", () => {
  const n = 17, rand = testRandom(500);
  const lr = randomArray(n, rand, -5, 5), lf = randomArray(n, rand, -5, 5), dl0 = randomArray(n, rand);
  const t = Math.fround(0.9);
  const pdl = mem.put(dl0), pr = mem.put(lr), pf = mem.put(lf);
  // one buffer receives the gradient for the real logits, then for the fake logits
  wasm.bceLogitsReal(pdl, pr, n, t);
  wasm.bceLogitsFake(pdl, pf, n);
  const dl = mem.read(pdl);
  const gr = Array.from(lr, (x) => (sigmoid64(x) - t) / n), gf = Array.from(lf, (x) => sigmoid64(x) / n);
  const want = Array.from(dl0, (v, i) => v + gr[i] + gf[i]);
  expectWithin("real + fake into one buffer", dl, want, (i) => gradTol(gr[i], want[i], n) + gradTol(gf[i], want[i], n));
});

test("meanSigmoid: against f64 and tfjs tf.mean(tf.sigmoid), extremes included", () => {
  for (const l of CASES) {
    const n = l.length, pl = mem.put(l);
    const m = wasm.meanSigmoid(pl, n);
    mem.checkGuards(`meanSigmoid n ${n}`);
    expectBitIdentical("meanSigmoid: logits unchanged", mem.read(pl), l);
    const ref = mean(l, sigmoid64);
    if (!(Math.abs(m - ref) <= 8 * U * ref + 4 * 2 ** -149)) assert.unreachable(`meanSigmoid n ${n} [${l[0]}, ...]: ${m} vs f64 ${ref}`);
    const tl = tf.tensor1d(l), tm = tf.mean(tf.sigmoid(tl));
    const want = tm.dataSync()[0];
    tf.dispose([tl, tm]);
    if (!(Math.abs(m - want) <= 10 * U * want + 4 * 2 ** -149)) assert.unreachable(`meanSigmoid n ${n}: ${m} vs tfjs ${want}`);
  }
  const at = (v: number[]) => wasm.meanSigmoid(mem.put(v), v.length);
  assert.is(at([1e4, -1e4]), 0.5, "σ(1e4), σ(−1e4) = 1, 0");
  assert.is(at([0]), 0.5, "σ(0)");
  assert.is(at([-1e30, -1e4, -200]), 0, "all saturated low");
});

test.run();
