// GAN loss kernels on discriminator logits l[n] (strict build): bceLogitsReal (target 1 and 0.9),
// bceLogitsFake, generatorMinimax, generatorNonSaturating, meanSigmoid; further down the
// non-probabilistic objectives (wasserstein, hinge, least-squares, meanLogit; their tolerances are
// stated there) and the weight-clipping kernel. Each loss returns the mean
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

function run(loss: Pick<Loss, "name" | "kernel">, l: Float32Array, dl0: Float32Array) {
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

// ---- The non-probabilistic objectives: the logit is the raw critic value, no sigmoid.
//   wassersteinReal ℓ = −x (ℓ' = −1)   wassersteinFake ℓ = x (ℓ' = 1)   generatorWasserstein ℓ = −x
//   hingeReal ℓ = relu(1 − x) (ℓ' = −[x < 1])   hingeFake ℓ = relu(1 + x) (ℓ' = [x > −1])
//   leastSquares(t) ℓ = ½(x − t)² (ℓ' = x − t), t = 1 (D real, G) and 0 (D fake)
// The kernels form each term in f64 and round the gradient to f32 once, so (g = ℓ'(x)/n in f64):
//  - value against f64: u·|L| (the final cast) + 2^-48·mean|ℓ|·n (f64 sums of up to 256 terms
//    that may cancel, ±1e30 included) + 2^-149 (a subnormal mean). Where the f64 mean exceeds the
//    f32 range (least squares at |l| = 1e30), the value is exactly +Infinity.
//  - gradient against f64: |dl − (dl0 + g)| <= u·|g| (fl(±1/n), or fl(d/n) with d exact-ish in
//    f64) + u·|dl0 + g| (the add) + 2^-149; i.e. within one rounding of each.
//  - against tfjs-cpu (tf.mean divides each term by n in f32 and sums in f64; 1 − x, x − t and the
//    square round in f32): value 6u·mean|ℓ| + 2u·|L| + 4·2^-149; gradient (tfjs's mean gradient
//    fills fl(1/n), the square's gradient adds 2 roundings) 4u·|g| + 2^-149.
//  - finite differences of the f64 value: ℓ is linear or quadratic, so the central difference is
//    exact but for rounding, 2^-52·(|ℓ(x+h)| + |ℓ(x−h)|)/(2h)/n; points within 2h of a hinge kink
//    are skipped (the kinks themselves are checked exactly below).
//  - finite differences of the kernel's f32 value with h = 2^-7: exact but for the two values'
//    rounding u·(|L+| + |L−|)/(2h) and the gradient bound; kinks within h skipped.
interface Objective {
  name: string;
  kernel(dl: number, l: number, n: number): number;
  ell(x: number): number;
  dell(x: number): number;
  tf(l: Tensor): Tensor; // the mean, in ops tf.grad differentiates
  kinks: number[];
}
const relu = (x: number) => Math.max(x, 0);
const OBJECTIVES: Objective[] = [
  { name: "wassersteinReal", kernel: (dl, l, n) => wasm.wassersteinReal(dl, l, n), ell: (x) => -x, dell: () => -1, tf: (l) => tf.neg(tf.mean(l)), kinks: [] },
  { name: "wassersteinFake", kernel: (dl, l, n) => wasm.wassersteinFake(dl, l, n), ell: (x) => x, dell: () => 1, tf: (l) => tf.mean(l), kinks: [] },
  { name: "generatorWasserstein", kernel: (dl, l, n) => wasm.generatorWasserstein(dl, l, n), ell: (x) => -x, dell: () => -1, tf: (l) => tf.neg(tf.mean(l)), kinks: [] },
  { name: "hingeReal", kernel: (dl, l, n) => wasm.hingeReal(dl, l, n), ell: (x) => relu(1 - x), dell: (x) => (x < 1 ? -1 : 0), tf: (l) => tf.mean(tf.relu(tf.sub(1, l))), kinks: [1] },
  { name: "hingeFake", kernel: (dl, l, n) => wasm.hingeFake(dl, l, n), ell: (x) => relu(1 + x), dell: (x) => (x > -1 ? 1 : 0), tf: (l) => tf.mean(tf.relu(tf.add(1, l))), kinks: [-1] },
  ...[1, 0].map((t): Objective => ({
    name: `leastSquares(t = ${t})`, kernel: (dl, l, n) => wasm.leastSquares(dl, l, n, t),
    ell: (x) => 0.5 * (x - t) ** 2, dell: (x) => x - t,
    tf: (l) => tf.mul(0.5, tf.mean(tf.square(tf.sub(l, t)))), kinks: [],
  })),
];
const newGradTol = (g: number, ref: number) => U * Math.abs(g) + U * Math.abs(ref) + 2 ** -149;
const nearKink = (o: Objective, x: number, h: number) => o.kinks.some((k) => Math.abs(x - k) <= 2 * h);

function checkValue(label: string, L: number, ref: number, slack: number) {
  if (!Number.isFinite(Math.fround(ref))) {
    if (L !== Math.fround(ref)) assert.unreachable(`${label}: L = ${L}, f64 ${ref} is beyond f32`);
    return;
  }
  if (!(Math.abs(L - ref) <= U * Math.abs(ref) + slack + 2 ** -149)) assert.unreachable(`${label}: L = ${L}, f64 ${ref}`);
}

test("wasserstein, hinge, least-squares: values and ADDED gradients against hand-derived f64", () => {
  let seed = 600;
  for (const o of OBJECTIVES) for (const l of CASES) {
    const n = l.length, dl0 = randomArray(n, testRandom(seed++));
    const { L, dl } = run(o, l, dl0);
    const label = `${o.name} n ${n} [${l[0]}, ...]`;
    checkValue(label, L, mean(l, o.ell), 2 ** -48 * mean(l, (x) => Math.abs(o.ell(x))) * n);
    const g = Array.from(l, (x) => o.dell(x) / n), want = g.map((gi, i) => dl0[i] + gi);
    expectWithin(`${label} gradient`, dl, want, (i) => newGradTol(g[i], want[i]));
  }
});

test("wasserstein, hinge, least-squares: exact cases (±fl(1/n), kinks, targets) and extremes", () => {
  const z = (n: number) => new Float32Array(n);
  for (const n of [1, 3, 17, 65]) {
    const inv = Math.fround(1 / n), l = randomArray(n, testRandom(700 + n), -3, 3);
    assert.equal(Array.from(run(OBJECTIVES[0], l, z(n)).dl), new Array(n).fill(-inv), `wassersteinReal n ${n}: dl = −fl(1/n)`);
    assert.equal(Array.from(run(OBJECTIVES[1], l, z(n)).dl), new Array(n).fill(inv), `wassersteinFake n ${n}: dl = fl(1/n)`);
    assert.equal(Array.from(run(OBJECTIVES[2], l, z(n)).dl), new Array(n).fill(-inv), `generatorWasserstein n ${n}`);
  }
  // the hinge at and beyond its kink: zero loss, zero gradient (relu'(0) = 0, as in tfjs)
  const beyondReal = Float32Array.of(1, 1.5, 1e4, 1e30), beyondFake = Float32Array.of(-1, -1.5, -1e4, -1e30);
  for (const [o, l] of [[OBJECTIVES[3], beyondReal], [OBJECTIVES[4], beyondFake]] as const) {
    const dl0 = randomArray(4, testRandom(710));
    const r = run(o, l, dl0);
    assert.is(r.L, 0, `${o.name} beyond the margin`);
    expectBitIdentical(`${o.name} beyond the margin: dl untouched`, r.dl, dl0);
  }
  // least squares at its target: zero loss, zero gradient
  assert.is(run(OBJECTIVES[5], Float32Array.of(1, 1, 1), z(3)).L, 0);
  assert.equal(Array.from(run(OBJECTIVES[6], Float32Array.of(0, 0), z(2)).dl), [0, 0]);
  assert.is(run(OBJECTIVES[5], Float32Array.of(3), z(1)).L, 2, "½(3 − 1)²");
  // extremes: gradients always finite; values finite except least squares past the f32 range
  for (const o of OBJECTIVES) for (const l of CASES) {
    const { L, dl } = run(o, l, new Float32Array(l.length));
    expectAllFinite(`${o.name} [${l[0]}, ...] gradient`, dl);
    const overflows = !Number.isFinite(Math.fround(mean(l, o.ell)));
    assert.ok(overflows ? L === Infinity && o.name.startsWith("leastSquares") : Number.isFinite(L), `${o.name} [${l[0]}, ...]: L = ${L}`);
  }
});

test("wasserstein, hinge, least-squares: values and tf.grad gradients against tfjs-cpu", () => {
  for (const o of OBJECTIVES) for (const l of CASES) {
    const n = l.length;
    const { L, dl } = run(o, l, new Float32Array(n));
    const label = `${o.name} n ${n} [${l[0]}, ...]`;
    const tl = tf.tensor1d(l), tv = o.tf(tl), tg = tf.grad((v: Tensor) => o.tf(v))(tl);
    const want = tv.dataSync()[0], wantG = tg.dataSync() as Float32Array;
    tf.dispose([tl, tv, tg]);
    if (!Number.isFinite(want)) assert.is(L, want, `${label}: tfjs overflows, so must the kernel`);
    else {
      const tol = 6 * U * mean(l, (x) => Math.abs(o.ell(x))) + 2 * U * Math.abs(want) + 4 * 2 ** -149;
      if (!(Math.abs(L - want) <= tol)) assert.unreachable(`${label}: L = ${L}, tfjs ${want} (tol ${tol})`);
    }
    expectWithin(`${label} gradient vs tfjs`, dl, wantG, (i) => 4 * U * Math.abs(wantG[i]) + 2 ** -149);
  }
});

test("wasserstein, hinge, least-squares: gradients against central finite differences of the f64 value", () => {
  let checked = 0, seed = 800;
  for (const o of OBJECTIVES) for (const l of CASES) {
    const n = l.length, dl0 = randomArray(n, testRandom(seed++));
    const { dl } = run(o, l, dl0);
    for (let i = 0; i < n; i++) {
      const x = l[i], h = 1e-4 * Math.max(1, Math.abs(x));
      if (nearKink(o, x, h)) continue;
      const lp = o.ell(x + h), lm = o.ell(x - h);
      const fd = (lp - lm) / (2 * h) / n, ref = dl0[i] + fd;
      const tol = newGradTol(fd, ref) + 2 ** -52 * (Math.abs(lp) + Math.abs(lm)) / (2 * h) / n;
      if (!(Math.abs(dl[i] - ref) <= tol)) assert.unreachable(`${o.name} n ${n} l[${i}] = ${x}: dl ${dl[i]}, dl0 + FD ${ref} (tol ${tol})`);
      checked++;
    }
  }
  assert.ok(checked > 3000, `checked ${checked}`);
});

test("wasserstein, hinge, least-squares: gradients against finite differences of the kernel's f32 value", () => {
  const h = 2 ** -7;
  for (const o of OBJECTIVES) for (const n of [1, 3, 17, 65]) {
    const l = randomArray(n, testRandom(900 + n), -8, 8);
    const { dl } = run(o, l, new Float32Array(n));
    for (let i = 0; i < n; i++) {
      if (nearKink(o, l[i], h)) continue;
      const lp = l.slice(), lm = l.slice();
      lp[i] += h; lm[i] -= h; // exact in f32
      const Lp = run(o, lp, new Float32Array(n)).L, Lm = run(o, lm, new Float32Array(n)).L;
      const fd = (Lp - Lm) / (2 * h);
      const tol = U * (Math.abs(Lp) + Math.abs(Lm)) / (2 * h) + newGradTol(dl[i], 0);
      if (!(Math.abs(dl[i] - fd) <= tol)) assert.unreachable(`${o.name} n ${n} l[${i}] = ${l[i]}: dl ${dl[i]}, kernel FD ${fd} (tol ${tol})`);
    }
  }
});

test("wasserstein, hinge, least-squares: real and fake halves accumulate into one dl buffer", () => {
  const pairs: [Objective, Objective][] = [[OBJECTIVES[0], OBJECTIVES[1]], [OBJECTIVES[3], OBJECTIVES[4]], [OBJECTIVES[5], OBJECTIVES[6]]];
  for (const n of [1, 3, 17, 65]) for (const [r, f] of pairs) {
    const rand = testRandom(1000 + n);
    const lr = randomArray(n, rand, -3, 3), lf = randomArray(n, rand, -3, 3), dl0 = randomArray(n, rand);
    const pdl = mem.put(dl0), pr = mem.put(lr), pf = mem.put(lf);
    const Lr = r.kernel(pdl, pr, n), Lf = f.kernel(pdl, pf, n);
    mem.checkGuards(`${r.name} + ${f.name} n ${n}`);
    const dl = mem.read(pdl);
    const gr = Array.from(lr, (x) => r.dell(x) / n), gf = Array.from(lf, (x) => f.dell(x) / n);
    const mid = Array.from(dl0, (v, i) => v + gr[i]), want = mid.map((v, i) => v + gf[i]);
    expectWithin(`${r.name} + ${f.name} n ${n} into one buffer`, dl, want, (i) => newGradTol(gr[i], mid[i]) + newGradTol(gf[i], want[i]));
    checkValue(`${r.name} n ${n}`, Lr, mean(lr, r.ell), 1e-15);
    checkValue(`${f.name} n ${n}`, Lf, mean(lf, f.ell), 1e-15);
  }
});

test("meanLogit: against f64 and tfjs tf.mean, extremes included", () => {
  for (const l of CASES) {
    const n = l.length, pl = mem.put(l);
    const m = wasm.meanLogit(pl, n);
    mem.checkGuards(`meanLogit n ${n}`);
    expectBitIdentical("meanLogit: logits unchanged", mem.read(pl), l);
    checkValue(`meanLogit n ${n} [${l[0]}, ...]`, m, mean(l, (x) => x), 2 ** -48 * mean(l, Math.abs) * n);
    const tl = tf.tensor1d(l), tm = tf.mean(tl), want = tm.dataSync()[0];
    tf.dispose([tl, tm]);
    if (!(Math.abs(m - want) <= 2 * U * mean(l, Math.abs) + 2 * U * Math.abs(want) + 2 ** -149)) assert.unreachable(`meanLogit n ${n}: ${m} vs tfjs ${want}`);
  }
});

// clipUpdate(p, len, c): p = min(max(p, −c), c), exactly; NaN stays NaN, −0 stays −0
test("clipUpdate: exact clipping to [−c, c], odd lengths, specials, guards", () => {
  const above = (x: number) => { const f = Float32Array.of(x), u = new Uint32Array(f.buffer); u[0] += 1; return f[0]; }; // next f32 away from 0
  for (const c of [Math.fround(0.01), 0.5, 1, 10]) for (const len of [1, 3, 17, 65]) {
    const p = randomArray(len, testRandom(1100 + len), -2 * c, 2 * c);
    const specials = [c, -c, above(c), -above(c), 0, -0, Infinity, -Infinity, NaN, Math.fround(c * 0.999), 2 ** -149];
    for (let k = 0; k < Math.min(len, specials.length); k++) p[(k * 7) % len] = specials[k];
    const pp = mem.put(p);
    wasm.clipUpdate(pp, len, c);
    mem.checkGuards(`clipUpdate c ${c} len ${len}`);
    const want = p.map((v) => (v > c ? c : v < -c ? -c : v)); // keeps NaN and −0 bit for bit
    expectBitIdentical(`clipUpdate c ${c} len ${len}`, mem.read(pp), want);
    for (const v of mem.read(pp)) assert.ok(Number.isNaN(v) || Math.abs(v) <= c);
  }
});

test.run();
