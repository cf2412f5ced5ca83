// Minibatch standard deviation (assembly/nn/minibatch_std.ts; Karras et al. 2018, PGGAN) in the
// WASM engine, against three references written apart from it: an f64 reference of naive loops
// (tests/util/f64_net.ts), f64 central differences of that reference, and the tfjs engine's own
// ops (src/engine/tfjs/tfjs_mbstd.ts through TfNet, differentiated by tfjs on its CPU backend).
//  (1) the grouping itself on a hand-made batch: G = min(groupSize, n), sample i in group i mod (n/G)
//      (the official code's reshape [G, M, ...]), biased variance, ε = 1e-8 inside the sqrt.
//  (2) the layer alone, flat [n, 5] and images [n, 3, 2, 3], groups of 4, 2, the whole batch, and
//      an n that is not a multiple (the largest divisor rule): forward within 1e-6 + 1e-5·|y| of
//      f64 and of tfjs; the input gradient for a random dy within 1e-6 + 1e-4·|dx| of f64, of
//      tfjs's tf.grad, and of f64 central differences (h = 1e-6) of the f64 forward.
//  (3) parameter gradients of nets holding the layer (dense and conv critics): the engine's
//      backward against tfjs's tf.grad of the same TfNet and f64 central differences, within
//      1e-5·max|∇| + 1e-3·|∇_k|.
//  (4) inside a penalised critic (the tangent rules): WGAN-GP's P and R1's R, each ∂/∂θ against
//      f64 central differences of the f64 penalty (the gradient of Σ D over the whole batch, as the
//      PGGAN code takes it) and tfjs's double backprop through TfNet.inputGradient:
//      value within 1e-6 + 1e-5·|P|, ∂/∂θ within 1e-5·max|∇| + 1e-3·|∇_k|.
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { LayerSpec } from "../../src/model/spec.ts";
import { layerShapes } from "../../src/model/shapes.ts";
import { instantiate } from "../../src/engine/wasm_module.ts";
import { LinearMemory } from "../../src/engine/memory.ts";
import { buildWasmNet } from "../../src/engine/net_builder.ts";
import { TfNet } from "../../src/engine/tfjs/tfjs_nets.ts";
import { expectClose, testRandom, randomArray, centralDifferences } from "../util/check.ts";
import { f64Forward, f64InputGrad, f64Penalty, f64R1 } from "../util/f64_net.ts";
import { tfCpu } from "../util/tfjs.ts";

const tf = await tfCpu();
const wasm = await instantiate("strict");
const mem = new LinearMemory(wasm);
const prod = (s: number[]) => s.reduce((a, b) => a * b, 1);
const maxAbs = (a: ArrayLike<number>) => Array.from(a).reduce((m, v) => Math.max(m, Math.abs(v)), 0);

// a fresh engine net (seeded weights): forward, then backward of <dy, y>
function engineRun(layers: LayerSpec[], input: number[], x: Float32Array, n: number, dy: Float32Array, seed = 3) {
  const net = buildWasmNet(wasm, layers, input, n);
  wasm.netInit(net, wasm.rngNew(seed), 0);
  const P = wasm.netParamCount(net), O = prod(layerShapes(layers, input).at(-1)!);
  const y = mem.read(wasm.netForward(net, mem.put(x), n, 1), n * O);
  const dx = mem.zeros(x.length);
  wasm.netZeroGrads(net);
  wasm.netBackward(net, mem.put(dy), dx, n, 1);
  return { y, dx: mem.read(dx, x.length), grads: mem.read(wasm.netGrads(net), P), theta: mem.read(wasm.netParams(net), P) };
}

// the same net in the tfjs engine's ops on the engine's weights: y, dx and ∂<dy, y>/∂θ
function tfjsRun(layers: LayerSpec[], input: number[], theta: Float32Array, x: Float32Array, n: number, dy: Float32Array) {
  const net = new TfNet(tf, layers, input, theta, new Float32Array(0));
  const I = prod(input), O = dy.length / n;
  const xt = tf.tensor2d(x, [n, I]), dyt = tf.tensor2d(dy, [n, O]);
  const y = net.apply(xt, { training: true }).dataSync() as Float32Array;
  const dx = tf.grad((xx: any) => tf.sum(tf.mul(net.apply(xx, { training: true }), dyt)))(xt).dataSync() as Float32Array;
  let grads = new Float32Array(0);
  if (net.params.length > 0) {
    const g = tf.variableGrads(() => tf.sum(tf.mul(net.apply(xt, { training: true }), dyt)) as any, net.params).grads;
    grads = Float32Array.from(net.params.flatMap((v) => Array.from(g[v.name].dataSync())));
  }
  net.dispose();
  return { y, dx, grads };
}

test("grouping: sample i is in group i mod (n / G), G = min(groupSize, n); biased std, 1e-8 inside the sqrt", () => {
  // n = 8, groupSize 4: M = 2 groups, {0, 2, 4, 6} and {1, 3, 5, 7}; 2 features
  const x = new Float32Array([0, 1, 5, 5, 2, 3, 5, 5, 4, 5, 5, 5, 6, 7, 5, 5]);
  const layers: LayerSpec[] = [{ type: "minibatch_std", groupSize: 4 }];
  const { y } = engineRun(layers, [2], x, 8, new Float32Array(24));
  // group 0: feature values {0, 2, 4, 6} and {1, 3, 5, 7}: biased variance 5 each, std sqrt(5 + 1e-8)
  const s0 = Math.sqrt(5 + 1e-8), s1 = Math.sqrt(1e-8);
  for (let i = 0; i < 8; i++) {
    expectClose(`sample ${i}: its own features pass through`, y.subarray(3 * i, 3 * i + 2), x.subarray(2 * i, 2 * i + 2), 0);
    expectClose(`sample ${i}: its group's mean std (group ${i % 2}), within 1e-7·s`, [y[3 * i + 2]], [i % 2 === 0 ? s0 : s1], 1e-7 * s0);
  }
  // groupSize above n: one group of all n
  const whole = engineRun([{ type: "minibatch_std", groupSize: 16 }], [2], x, 8, new Float32Array(24)).y;
  const f64 = f64Forward([{ type: "minibatch_std", groupSize: 8 }], [2], [], x, 8).out;
  expectClose("groupSize 16 > n = 8: one group (f64, groupSize 8)", whole, f64, 1e-6, 1e-6);
});

const layerCases: [string, number[], number, number][] = [
  ["flat [5], groups of 4, n 12", [5], 4, 12],
  ["flat [5], groups of 2, n 6", [5], 2, 6],
  ["images [3, 2, 3], groups of 4, n 8", [3, 2, 3], 4, 8],
  ["images [3, 2, 3], group = the batch (groupSize 8 > n 5)", [3, 2, 3], 8, 5],
  ["flat [4], n 6 not a multiple of 4: groups of 3", [4], 4, 6],
];
for (const [name, input, groupSize, n] of layerCases) {
  test(`the layer alone (${name}): forward and input gradient match f64, f64 central differences and tfjs`, () => {
    const layers: LayerSpec[] = [{ type: "minibatch_std", groupSize }];
    const rand = testRandom(n * 31 + groupSize);
    const I = prod(input), O = prod(layerShapes(layers, input).at(-1)!);
    const x = randomArray(n * I, rand, -2, 2), dy = randomArray(n * O, rand, -1, 1);
    const e = engineRun(layers, input, x, n, dy);
    const ref = f64Forward(layers, input, [], x, n).out;
    expectClose("forward vs f64 (1e-6 + 1e-5·|y|)", e.y, ref, 1e-6, 1e-5);
    const dxRef = f64InputGrad(layers, input, [], x, n, dy);
    expectClose("dx vs f64 (1e-6 + 1e-4·|dx|)", e.dx, dxRef, 1e-6, 1e-4);
    const fd = centralDifferences(x, (w) => f64Forward(layers, input, [], w, n).out.reduce((s, v, k) => s + v * dy[k], 0));
    expectClose("f64 dx vs f64 central differences (1e-7)", dxRef, fd, 1e-7, 1e-6);
    expectClose("dx vs f64 central differences (1e-6 + 1e-4·|dx|)", e.dx, fd, 1e-6, 1e-4);
    assert.ok(maxAbs(e.dx.map((v, k) => v - dy[Math.floor(k / I) * O + (k % I) + Math.floor((k % I) / input.at(-1)!)])) > 1e-3, "the group term of dx is not trivially small");
    const t = tfjsRun(layers, input, new Float32Array(0), x, n, dy);
    expectClose("forward vs tfjs (1e-6 + 1e-5·|y|)", e.y, t.y, 1e-6, 1e-5);
    expectClose("dx vs tfjs tf.grad (1e-6 + 1e-4·|dx|)", e.dx, t.dx, 1e-6, 1e-4);
  });
}

const denseCritic: LayerSpec[] = [
  { type: "dense", units: 6 }, { type: "leaky_relu", alpha: 0.2 }, { type: "minibatch_std", groupSize: 4 },
  { type: "dense", units: 5 }, { type: "leaky_relu", alpha: 0.1 }, { type: "dense", units: 1 },
];
const convCritic: LayerSpec[] = [
  { type: "conv2d", filters: 3, kernelSize: [3, 3], strides: [2, 2], padding: "same" }, { type: "leaky_relu", alpha: 0.2 },
  { type: "minibatch_std", groupSize: 2 }, { type: "conv2d", filters: 2, kernelSize: [2, 2], strides: [1, 1], padding: "valid" },
  { type: "leaky_relu", alpha: 0.2 }, { type: "flatten" }, { type: "dense", units: 1 },
];
const smoothCritic: LayerSpec[] = [
  { type: "dense", units: 6 }, { type: "tanh" }, { type: "minibatch_std", groupSize: 4 }, { type: "dense", units: 4 }, { type: "sigmoid" }, { type: "dense", units: 1 },
];
const netCases: [string, LayerSpec[], number[], number][] = [
  ["dense critic", denseCritic, [3], 8], ["conv critic, groups of 2", convCritic, [6, 5, 2], 4], ["tanh / sigmoid critic", smoothCritic, [3], 8],
];
for (const [name, layers, input, n] of netCases) {
  test(`parameter gradients through minibatch std (${name}) match tfjs tf.grad and f64 central differences`, () => {
    const rand = testRandom(77 + n);
    const x = randomArray(n * prod(input), rand, -1.5, 1.5), dy = randomArray(n, rand, -1, 1);
    const e = engineRun(layers, input, x, n, dy, 9);
    const t = tfjsRun(layers, input, e.theta, x, n, dy);
    const scale = maxAbs(t.grads);
    assert.ok(scale > 1e-3, `a nontrivial gradient (${scale})`);
    expectClose("forward vs tfjs (1e-6 + 1e-5·|y|)", e.y, t.y, 1e-6, 1e-5);
    expectClose("∂<dy, D>/∂θ vs tfjs (1e-5·max + 1e-3·|g|)", e.grads, t.grads, 1e-5 * scale, 1e-3);
    expectClose("dx vs tfjs (1e-6 + 1e-4·|dx|)", e.dx, t.dx, 1e-6, 1e-4);
    const fd = centralDifferences(e.theta, (w) => f64Forward(layers, input, w, x, n).out.reduce((s, v, k) => s + v * dy[k], 0));
    expectClose("∂<dy, D>/∂θ vs f64 central differences (1e-5·max + 1e-3·|g|)", e.grads, fd, 1e-5 * scale, 1e-3);
  });
}

// (4) the penalties through the layer: the engine's penaltyRun (WGAN-GP) and R1 on a fresh net
function enginePenalty(kind: "gp" | "r1", layers: LayerSpec[], input: number[], x: Float32Array, n: number, weight: number, seed: number) {
  const net = buildWasmNet(wasm, layers, input, n);
  wasm.netInit(net, wasm.rngNew(seed), 0);
  const P = wasm.netParamCount(net);
  const pen = kind === "gp" ? wasm.penaltyNew(net, weight) : wasm.r1New(net, weight);
  wasm.netZeroGrads(net);
  const value = wasm.penaltyRun(pen, mem.put(x), n);
  return { theta: mem.read(wasm.netParams(net), P), grad: mem.read(wasm.netGrads(net), P), value, g: mem.read(wasm.penaltyInputGrad(pen), x.length) };
}

// the tfjs engine's penalties: TfNet.inputGradient (written in twice-differentiable ops), then tfjs's gradient over θ
function tfjsPenalty(kind: "gp" | "r1", layers: LayerSpec[], input: number[], theta: Float32Array, x: Float32Array, n: number, weight: number) {
  const net = new TfNet(tf, layers, input, theta, new Float32Array(0));
  const xt = tf.tensor2d(x, [n, prod(input)]);
  const f = () => {
    const g = net.inputGradient(xt);
    const ss = tf.sum(tf.square(g), 1);
    return (kind === "gp" ? tf.mul(weight, tf.mean(tf.square(tf.sub(tf.sqrt(ss), 1)))) : tf.mul(0.5 * weight, tf.mean(ss))) as any;
  };
  const { value, grads } = tf.variableGrads(f, net.params);
  const out = { value: value.dataSync()[0], grad: Float32Array.from(net.params.flatMap((v) => Array.from(grads[v.name].dataSync()))) };
  net.dispose();
  return out;
}

const penaltyCases: [string, "gp" | "r1", LayerSpec[], number[], number, number][] = [
  ["WGAN-GP, dense critic", "gp", denseCritic, [3], 8, 10], ["R1, dense critic", "r1", denseCritic, [3], 8, 10],
  ["WGAN-GP, conv critic", "gp", convCritic, [6, 5, 2], 4, 10], ["R1, conv critic, γ = 3", "r1", convCritic, [6, 5, 2], 4, 3],
  ["WGAN-GP, tanh / sigmoid critic (ȳ ≠ 0 below the layer)", "gp", smoothCritic, [3], 8, 10], ["R1, tanh / sigmoid critic", "r1", smoothCritic, [3], 8, 10],
];
for (const [name, kind, layers, input, n, weight] of penaltyCases) {
  test(`${name} with minibatch std: the penalty's ∂/∂θ matches f64 central differences and tfjs double backprop`, () => {
    const rand = testRandom(101 + n + weight);
    const x = randomArray(n * prod(input), rand, -1.5, 1.5);
    const e = enginePenalty(kind, layers, input, x, n, weight, 17);
    const theta = Float64Array.from(e.theta);
    const ref = (w: Float64Array) => (kind === "gp" ? f64Penalty : f64R1)(layers, input, w, x, n, weight);
    expectClose("value vs f64 (1e-6 + 1e-5·|P|)", [e.value], [ref(theta)], 1e-6, 1e-5);
    const gRef = f64InputGrad(layers, input, theta, x, n, new Float64Array(n).fill(1));
    expectClose("g = ∂(Σ D)/∂x vs f64 (1e-6 + 1e-4·|g|)", e.g, gRef, 1e-6, 1e-4);
    const fd = centralDifferences(theta, ref);
    const scale = maxAbs(fd);
    assert.ok(scale > 1e-3, `a nontrivial gradient (${scale})`);
    expectClose("∂/∂θ vs f64 central differences (1e-5·max + 1e-3·|g|)", e.grad, fd, 1e-5 * scale, 1e-3);
    const t = tfjsPenalty(kind, layers, input, e.theta, x, n, weight);
    expectClose("value vs tfjs (1e-6 + 1e-5·|P|)", [e.value], [t.value], 1e-6, 1e-5);
    expectClose("∂/∂θ vs tfjs double backprop (1e-5·max + 1e-3·|g|)", e.grad, t.grad, 1e-5 * scale, 1e-3);
  });
}

test.run();
