// WGAN-GP's gradient penalty by double backprop (assembly/train/penalty.ts, the tangent rules in
// assembly/nn/*.ts): P = λ·mean_i(‖∂D(x̂_i)/∂x̂_i‖₂ − 1)² and its full gradient ∂P/∂θ.
//  (1) dense critics (leaky_relu, relu; and tanh/sigmoid, whose f'' ≠ 0 exercises the ȳ path),
//      the penalty alone (penaltyNew / penaltyRun) at random x̂:
//      (a) against an f64 reference on the host: the MLP's forward and input-gradient in f64,
//          P(θ) in f64, and ∂P/∂θ by central differences in f64, coordinate by coordinate
//          (h = 1e-6; f64 rounding ~1e-16/h and the O(h²) truncation are far below the f32
//          engine's error) and along random unit directions u (h = 1e-5):
//          P within 1e-6 + 1e-5·|P|; each ∂P/∂θ_k within 1e-5·max|∇P| + 1e-3·|∂P/∂θ_k|;
//          each ∇P·u within 1e-4·‖∇P‖. (The engine computes in f32 with f64 norms.)
//      (b) against tfjs-cpu nested gradients, tf.grad over θ of
//          λ·mean((‖tf.grad(x̂ ↦ Σ D(x̂))(x̂)‖ − 1)²): same tolerance as (a) elementwise.
//  (2) one full WGAN-GP step (SGD η = 0.25, as tests/engine/gan_step.test.ts): the critic's
//      gradient recovered from (θ0 − θ1)/η against tfjs of L_D + P, with x̂ read back from the
//      engine and itself checked as ε·x + (1 − ε)·G(z) (within 1e-6 + 1e-5·|x̂|); tolerance
//      |a − b| <= 1e-5 + 2e-3·|b| as there. Dense critics (pack 1 and 2) and a small conv critic
//      (conv2d, leaky_relu, flatten, dense: the nested path needs only Conv2DBackpropInput's
//      gradient in tfjs).
//  (3) a conv critic's ∂P/∂θ against f64 central differences of a naive f64 conv reference.
//  (4) spec refusals: other losses, clip, batch norm in the critic, conditional models, bad λ.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createWasmGAN as createGAN, ring8, validateSpec, roleNet, type GanSpec } from "../../src/index.ts";
import { SpecError, type LayerSpec } from "../../src/model/spec.ts";
import { layerShapes } from "../../src/model/shapes.ts";
import { instantiate } from "../../src/engine/wasm_module.ts";
import { LinearMemory } from "../../src/engine/memory.ts";
import { buildWasmNet } from "../../src/engine/net_builder.ts";
import { expectClose, testRandom, randomArray } from "../util/check.ts";
import { f64InputGrad, f64Penalty } from "../util/f64_net.ts";
import { tfCpu } from "../util/tfjs.ts";
import { tfForward } from "../util/tf_net.ts";
import { sgd, smallMlpGenerator, smallMlpDiscriminator, smallDcganGenerator, smallDcganDiscriminator, randomImages } from "../util/small_gans.ts";
import { refuses } from "../util/spec_refusal.ts";

const tf = await tfCpu();
const wasm = await instantiate("strict");
const mem = new LinearMemory(wasm);

// ---- the f64 reference (tests/util/f64_net.ts: naive f64 loops for dense, activations,
// flatten/reshape, conv2d and the graph nodes): the input gradient of Σ D and the penalty
type Shape = number[];
const refInputGrad = (layers: LayerSpec[], input: Shape, theta: Float64Array, x: Float64Array, n: number) => {
  const outSize = layerShapes(layers, input).at(-1)!.reduce((a, b) => a * b, 1);
  return { g: f64InputGrad(layers, input, theta, x, n, new Float64Array(n * outSize).fill(1)) };
};
const refPenalty = f64Penalty;

// the engine's P and ∂P/∂θ at x̂ (fresh net, seeded weights)
function enginePenalty(layers: LayerSpec[], input: Shape, x: Float32Array, n: number, lambda: number, seed: number) {
  const net = buildWasmNet(wasm, layers, input, n);
  wasm.netInit(net, wasm.rngNew(seed), 0);
  const P = wasm.netParamCount(net);
  const pen = wasm.penaltyNew(net, lambda);
  wasm.netZeroGrads(net);
  const value = wasm.penaltyRun(pen, mem.put(x), n);
  return { theta: mem.read(wasm.netParams(net), P), grad: mem.read(wasm.netGrads(net), P), value, g: mem.read(wasm.penaltyInputGrad(pen), x.length) };
}

// The critic in tfjs ops that tfjs can differentiate twice. tfjs's relu / leakyRelu gradients go
// through a Greater op that has no gradient (nested tf.grad throws), so here they are a product
// with their slope mask f'(x) read off the values (constant, exact almost everywhere, as the
// second derivative is 0). Tanh / sigmoid are left out: their tfjs gradients read the saved
// output, which the tape does not differentiate again (a nested tf.grad throws or silently drops
// f''); those critics are checked against f64 central differences only.
function tfCritic(layers: LayerSpec[], input: Shape, params: any, x: any) {
  const shapes = layerShapes(layers, input);
  const n = x.shape[0];
  let h: any = tf.reshape(x, [n, ...input]);
  let off = 0;
  const take = (count: number, shape: number[]) => { const t = tf.reshape(tf.slice(params, off, count), shape); off += count; return t; };
  layers.forEach((l, i) => {
    const before = i === 0 ? input : shapes[i - 1];
    switch (l.type) {
      case "dense": { const W = take(before[0] * l.units!, [before[0], l.units!]); h = tf.add(tf.matMul(h, W), take(l.units!, [l.units!])); break; }
      case "conv2d": {
        const [kh, kw] = l.kernelSize as number[], c = before[2];
        const f: any = take(kh * kw * c * l.filters!, [kh, kw, c, l.filters!]);
        h = tf.add(tf.conv2d(h, f, l.strides as [number, number], l.padding!), take(l.filters!, [l.filters!]));
        break;
      }
      case "conv2d_transpose": {
        const [kh, kw] = l.kernelSize as number[], c = before[2], out = shapes[i];
        const f: any = take(kh * kw * l.filters! * c, [kh, kw, l.filters!, c]);
        h = tf.add(tf.conv2dTranspose(h, f, [n, out[0], out[1], out[2]], l.strides as [number, number], l.padding!), take(l.filters!, [l.filters!]));
        break;
      }
      case "relu": case "leaky_relu": {
        const a = l.type === "relu" ? 0 : l.alpha ?? 0.2;
        h = tf.mul(h, tf.tensor(Float32Array.from(h.dataSync() as Float32Array, (v) => (v > 0 ? 1 : a)), h.shape));
        break;
      }
      case "flatten": case "reshape": h = tf.reshape(h, [n, ...shapes[i]]); break;
      default: throw new Error(`tfCritic: ${l.type} is not twice differentiable in tfjs`);
    }
  });
  return tf.reshape(h, [n, shapes.at(-1)!.reduce((a, b) => a * b, 1)]);
}

function tfPenalty(layers: LayerSpec[], input: Shape, lambda: number, xhat: any) {
  return (p: any) => {
    const g = tf.grad((xx: any) => tf.sum(tfCritic(layers, input, p, xx)))(xhat);
    const norms = tf.sqrt(tf.sum(tf.square(g), 1));
    return tf.mul(lambda, tf.mean(tf.square(tf.sub(norms, 1))));
  };
}

const norm = (a: ArrayLike<number>) => Math.sqrt(Array.from(a).reduce((s, v) => s + v * v, 0));
const maxAbs = (a: ArrayLike<number>) => Array.from(a).reduce((m, v) => Math.max(m, Math.abs(v)), 0);

function checkAgainstF64(label: string, layers: LayerSpec[], input: Shape, n: number, lambda: number, seed: number, tfjs: boolean) {
  const I = input.reduce((a, b) => a * b, 1);
  const rand = testRandom(seed);
  const x = randomArray(n * I, rand, -1.5, 1.5);
  const e = enginePenalty(layers, input, x, n, lambda, seed);
  const theta = Float64Array.from(e.theta), x64 = Float64Array.from(x);
  const P0 = refPenalty(layers, input, theta, x64, n, lambda);
  expectClose(`${label}: P`, [e.value], [P0], 1e-6, 1e-5);
  // the input gradient itself
  expectClose(`${label}: ∂D/∂x̂`, e.g, refInputGrad(layers, input, theta, x64, n).g, 1e-6, 1e-4);
  // full gradient, coordinate by coordinate
  const h = 1e-6, fd = new Float64Array(theta.length);
  for (let k = 0; k < theta.length; k++) {
    const t = theta[k];
    theta[k] = t + h; const up = refPenalty(layers, input, theta, x64, n, lambda);
    theta[k] = t - h; const down = refPenalty(layers, input, theta, x64, n, lambda);
    theta[k] = t;
    fd[k] = (up - down) / (2 * h);
  }
  const scale = maxAbs(fd);
  assert.ok(scale > 1e-3, `${label}: the penalty's gradient is not trivially small (${scale})`);
  expectClose(`${label}: ∂P/∂θ vs f64 central differences`, e.grad, fd, 1e-5 * scale, 1e-3);
  // along random unit directions
  const hd = 1e-5, gn = norm(e.grad);
  for (let d = 0; d < 4; d++) {
    const u = randomArray(theta.length, rand, -1, 1), un = norm(u);
    const plus = theta.map((t, k) => t + (hd * u[k]) / un), minus = theta.map((t, k) => t - (hd * u[k]) / un);
    const dir = (refPenalty(layers, input, plus, x64, n, lambda) - refPenalty(layers, input, minus, x64, n, lambda)) / (2 * hd);
    const dot = e.grad.reduce((s, v, k) => s + (v * u[k]) / un, 0);
    expectClose(`${label}: ∇P·u (direction ${d})`, [dot], [dir], 1e-4 * gn);
  }
  if (tfjs) {
    const xhat = tf.tensor2d(x, [n, I]);
    const f = tfPenalty(layers, input, lambda, xhat);
    const p0 = tf.tensor1d(e.theta);
    expectClose(`${label}: P vs tfjs`, [e.value], [f(p0).dataSync()[0]], 1e-6, 1e-5);
    expectClose(`${label}: ∂P/∂θ vs tfjs nested tf.grad`, e.grad, tf.grad(f)(p0).dataSync(), 1e-5 * scale, 1e-3);
  }
}

const mlp = (act: LayerSpec[]): LayerSpec[] => [{ type: "dense", units: 16 }, act[0], { type: "dense", units: 8 }, act[1], { type: "dense", units: 1 }];
const denseCases: [string, LayerSpec[], number][] = [
  ["leaky_relu", mlp([{ type: "leaky_relu", alpha: 0.2 }, { type: "leaky_relu", alpha: 0.1 }]), 10],
  ["relu", mlp([{ type: "relu" }, { type: "relu" }]), 10],
  ["relu + leaky_relu, λ = 3", mlp([{ type: "relu" }, { type: "leaky_relu", alpha: 0.2 }]), 3],
];
for (const [name, layers, lambda] of denseCases) {
  test(`dense critic (${name}): ∂P/∂θ matches f64 central differences and tfjs nested gradients`, () => {
    checkAgainstF64(name, layers, [3], 12, lambda, 11, true);
  });
}
const smoothCases: [string, LayerSpec[]][] = [
  ["tanh + sigmoid", mlp([{ type: "tanh" }, { type: "sigmoid" }])],
  ["leaky_relu + tanh", mlp([{ type: "leaky_relu", alpha: 0.2 }, { type: "tanh" }])],
  ["sigmoid + relu", mlp([{ type: "sigmoid" }, { type: "relu" }])],
];
for (const [name, layers] of smoothCases) {
  test(`dense critic (${name}: f'' ≠ 0, the ȳ path): ∂P/∂θ matches f64 central differences`, () => {
    checkAgainstF64(name, layers, [3], 12, 10, 13, false);
  });
}

test("one hidden layer, 1-D input: the f64 check on the smallest critic", () => {
  checkAgainstF64("tiny", [{ type: "dense", units: 4 }, { type: "leaky_relu", alpha: 0.2 }, { type: "dense", units: 1 }], [1], 5, 10, 3, true);
});

// a conv critic: the f64 reference convolves naively
const convCritic: LayerSpec[] = [
  { type: "conv2d", filters: 3, kernelSize: [3, 3], strides: [2, 2], padding: "same" }, { type: "leaky_relu", alpha: 0.2 },
  { type: "conv2d", filters: 2, kernelSize: [2, 2], strides: [1, 1], padding: "valid" }, { type: "tanh" },
  { type: "flatten" }, { type: "dense", units: 1 },
];
test("conv critic (with tanh): ∂P/∂θ matches f64 central differences", () => {
  checkAgainstF64("conv + tanh", convCritic, [6, 5, 2], 4, 10, 21, false);
});
test("conv critic (leaky_relu): ∂P/∂θ matches f64 central differences and tfjs nested gradients", () => {
  const critic: LayerSpec[] = [convCritic[0], convCritic[1], convCritic[2], { type: "leaky_relu", alpha: 0.1 }, convCritic[4], convCritic[5]];
  checkAgainstF64("conv + leaky_relu", critic, [6, 5, 2], 4, 10, 22, true);
});

test("critic with a transposed conv: ∂P/∂θ matches tfjs nested gradients (no f64 reference for it)", () => {
  const critic: LayerSpec[] = [
    { type: "conv2d_transpose", filters: 2, kernelSize: [3, 3], strides: [2, 2], padding: "same" }, { type: "leaky_relu", alpha: 0.2 },
    { type: "conv2d", filters: 2, kernelSize: [3, 3], strides: [2, 2], padding: "valid" }, { type: "leaky_relu", alpha: 0.1 },
    { type: "flatten" }, { type: "dense", units: 1 },
  ];
  const input = [3, 3, 2], n = 5, I = 18;
  const x = randomArray(n * I, testRandom(31), -1.5, 1.5);
  const e = enginePenalty(critic, input, x, n, 10, 31);
  const f = tfPenalty(critic, input, 10, tf.tensor2d(x, [n, I]));
  const p0 = tf.tensor1d(e.theta);
  const want = tf.grad(f)(p0).dataSync();
  expectClose("P vs tfjs", [e.value], [f(p0).dataSync()[0]], 1e-6, 1e-5);
  assert.ok(maxAbs(want) > 1e-3, `a nontrivial gradient (max ${maxAbs(want)})`);
  expectClose("∂P/∂θ vs tfjs nested tf.grad", e.grad, want, 1e-5 * maxAbs(want), 1e-3);
});

// ---- (2) one full WGAN-GP step
const data = await ring8({ count: 4096, seed: 3 });
const smallGp = (pack = 1, critic?: LayerSpec[]): GanSpec => ({
  latentDim: 3, dataShape: [2], batchSize: 24, loss: "wasserstein", gradientPenalty: 10, pack,
  generator: smallMlpGenerator,
  discriminator: critic ?? smallMlpDiscriminator,
  optimizer: { generator: sgd, discriminator: sgd },
});
const images = randomImages().x;
const convGp: GanSpec = {
  latentDim: 3, dataShape: [6, 6, 1], batchSize: 8, loss: "wasserstein", gradientPenalty: true,
  generator: smallDcganGenerator,
  discriminator: smallDcganDiscriminator,
  optimizer: { generator: sgd, discriminator: sgd },
};
const stepCases: [string, GanSpec, Float32Array][] = [
  ["dense critic", smallGp(), data.x],
  ["dense critic, pack 2", smallGp(2), data.x],
  ["conv critic", convGp, images],
];
for (const [name, input, x] of stepCases) {
  test(`one WGAN-GP step (${name}): recovered critic gradient, penalty and statistics match tfjs-cpu`, async () => {
    const spec = validateSpec(input);
    const { pack, latentDim: Z, batchSize: B } = spec;
    const lambda = spec.gradientPenalty!;
    const X = spec.dataShape.reduce((a, b) => a * b, 1);
    const gan = await createGAN(spec, { seed: 5 });
    const w0 = gan.getWeights();
    const stats = await gan.train(x, { steps: 1 });
    const w1 = gan.getWeights();
    const { wasm: w, gan: h } = gan.raw;
    const read = (p: number, len: number) => new Float32Array(w.memory.buffer, p, len).slice();
    const z = tf.tensor2d(read(w.ganZ(h), B * Z), [B, Z]);
    const realArr = read(w.ganReal(h), B * X), eps = read(w.ganPenaltyEps(h), B), xhatArr = read(w.ganPenaltyInput(h), B * X);
    const real = tf.tensor2d(realArr, [B, X]);
    const dIn = pack > 1 ? [X * pack] : spec.dataShape;
    const D = (p: any, xx: any) => tfCritic(roleNet(spec, "discriminator").layers, dIn, p, tf.reshape(xx, [B / pack, X * pack]));
    const G = (p: any, zz: any) => tfForward(tf, roleNet(spec, "generator").layers, Z, p, zz);
    const fakeArr = G(tf.tensor1d(w0.generator), z).dataSync();
    assert.ok(eps.every((e) => e >= 0 && e < 1) && new Set(eps).size === B, "ε: B distinct draws in [0, 1)");
    const want = xhatArr.map((_, k) => { const e = eps[Math.floor(k / X)]; return e * realArr[k] + (1 - e) * fakeArr[k]; });
    expectClose("x̂ = ε·x + (1 − ε)·G(z)", xhatArr, want, 1e-6, 1e-5);
    const xhat = tf.tensor2d(xhatArr, [B / pack, X * pack]);
    const penalty = tfPenalty(roleNet(spec, "discriminator").layers, dIn, lambda, xhat);
    const wass = (pd: any) => tf.sub(tf.mean(D(pd, G(tf.tensor1d(w0.generator), z))), tf.mean(D(pd, real)));
    const dLossFn = (pd: any) => tf.add(wass(pd), penalty(pd));
    const p0 = tf.tensor1d(w0.discriminator);
    const dGrad = tf.grad(dLossFn)(p0).dataSync();
    const recovered = w0.discriminator.map((v, i) => (v - w1.discriminator[i]) / 0.25);
    expectClose("∇D (Wasserstein + penalty)", recovered, dGrad, 1e-5, 2e-3);
    const P = penalty(p0).dataSync()[0];
    assert.ok(P > 1e-3, `the penalty is active (${P})`);
    expectClose("penalty statistic", [stats.penalty], [P], 1e-5, 1e-5);
    expectClose("D loss (with the penalty)", [stats.dLoss], [dLossFn(p0).dataSync()[0]], 1e-5, 1e-5);
    expectClose("‖∇D‖", [stats.dGradNorm], [norm(dGrad)], 1e-5, 1e-3);
    // G's step is the plain Wasserstein generator step through θD1
    const gGrad = tf.grad((pg: any) => tf.neg(tf.mean(D(tf.tensor1d(w1.discriminator), G(pg, z)))))(tf.tensor1d(w0.generator)).dataSync();
    expectClose("∇G", w0.generator.map((v, i) => (v - w1.generator[i]) / 0.25), gGrad, 1e-5, 2e-3);
  });
}

test("WGAN-GP trains: finite statistics, the penalty reported; without it the slot is 0", async () => {
  const adam = { type: "adam" as const, lr: 1e-4, beta1: 0.5, beta2: 0.9 };
  const gan = await createGAN({ ...smallGp(), dSteps: 5, optimizer: { generator: adam, discriminator: adam } }, { seed: 2 });
  for (let k = 0; k < 3; k++) {
    const s = await gan.train(data, { steps: 10 });
    assert.ok([s.dLoss, s.gLoss, s.dGradNorm, s.gGradNorm, s.penalty].every(Number.isFinite));
    assert.ok(s.penalty > 0);
    assert.is(s.dLoss, Math.fround(Math.fround(s.dFake - s.dReal) + s.penalty), "dLoss = dFake − dReal + penalty");
  }
  const plain = await createGAN({ ...smallGp(), gradientPenalty: undefined }, { seed: 2 });
  assert.is((await plain.train(data, { steps: 2 })).penalty, 0);
});

test("WGAN-GP: same seed twice is bit-identical, and saveState/loadState resumes exactly", async () => {
  const { expectBitIdentical } = await import("../util/check.ts");
  const adam = { type: "adam" as const, lr: 1e-4, beta1: 0, beta2: 0.9 };
  const spec = { ...smallGp(), dSteps: 2, optimizer: { generator: adam, discriminator: adam } };
  const a = await createGAN(spec, { seed: 7 }), b = await createGAN(spec, { seed: 7 });
  await a.train(data, { steps: 3 });
  await b.train(data, { steps: 3 });
  const c = await createGAN(spec, { seed: 99 });
  c.loadState(a.saveState());
  await a.train(data, { steps: 2 });
  await c.train(data, { steps: 2 });
  await b.train(data, { steps: 2 });
  assert.ok(a.getWeights().discriminator.every(Number.isFinite));
  expectBitIdentical("D (resumed)", c.getWeights().discriminator, a.getWeights().discriminator);
  expectBitIdentical("G (resumed)", c.getWeights().generator, a.getWeights().generator);
  expectBitIdentical("D (same seed, 5 steps)", b.getWeights().discriminator, a.getWeights().discriminator);
  assert.is(c.stats().penalty, a.stats().penalty);
});

// ---- (4) refusals
test("spec: gradientPenalty defaults off, true means 10, and is refused where it does not apply", () => {
  assert.is(validateSpec({ ...smallGp(), gradientPenalty: undefined }).gradientPenalty, undefined);
  assert.ok(!("gradientPenalty" in validateSpec({ ...smallGp(), gradientPenalty: false })));
  assert.is(validateSpec({ ...smallGp(), gradientPenalty: true }).gradientPenalty, 10);
  assert.is(validateSpec({ ...smallGp(), gradientPenalty: 2.5 }).gradientPenalty, 2.5);
  for (const loss of ["minimax", "non-saturating", "hinge", "least-squares"] as const) {
    refuses({ ...smallGp(), loss }, "spec.gradientPenalty", /"wasserstein" loss only/);
  }
  refuses({ ...smallGp(), clip: 0.01 }, "spec.gradientPenalty", /not both/);
  refuses({ ...smallGp(), clip: true }, "spec.gradientPenalty", /weight clipping/);
  refuses({ ...smallGp(), discriminator: [{ type: "dense", units: 8 }, { type: "batch_norm" }, { type: "relu" }, { type: "dense", units: 1 }] },
    "spec.discriminator[1]", /batch_norm is not allowed in a critic with a gradient penalty.*drops batch norm/);
  refuses({ ...convGp, discriminator: [{ type: "conv2d", filters: 2, kernelSize: 3 }, { type: "batch_norm" }, { type: "flatten" }, { type: "dense", units: 1 }] },
    "spec.discriminator[1]", /batch_norm/);
  refuses({ ...smallGp(), numClasses: 8, latentDim: 3 }, "spec.gradientPenalty", /conditional/);
  for (const bad of [0, -1, Number.NaN, 1e5, "10"]) refuses({ ...smallGp(), gradientPenalty: bad }, "spec.gradientPenalty", /must be a number/);
  // batch norm in G is fine
  assert.is(validateSpec(convGp).gradientPenalty, 10);
});

test.run();
