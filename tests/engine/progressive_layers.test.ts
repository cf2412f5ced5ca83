// Progressive growing's layers (Karras et al. 2018, PGGAN) in the WASM engine: nearest-neighbour
// upsampling ×2 (assembly/nn/upsample.ts), 2×2 average pooling (avg_pool.ts), pixelwise feature
// normalisation (pixel_norm.ts, ε = 1e-8), equalised learning rate (equalized_lr.ts: an option of
// dense and conv layers) and 1×1 convs (toRGB / fromRGB), against references written apart from
// the engine: tests/util/f64_net.ts (naive f64 loops from the definitions), f64 central
// differences of it, tfjs's own ops (tests/util/tf_net.ts: a ones-kernel conv2dTranspose, avgPool;
// resizeNearestNeighbor for the forward)
// and the tfjs engine's ops (src/engine/tfjs/tfjs_resample.ts through TfNet), differentiated by
// tfjs on its CPU backend.
//  (1) each layer alone: forward within 1e-6 + 1e-5·|y| of f64 and of both tfjs forms; the input
//      gradient for a random dy within 1e-6 + 1e-4·|dx| of f64, of tfjs's tf.grad and of f64
//      central differences (h = 1e-6).
//  (2) nets with parameters (equalised-lr dense / conv / transposed conv, 1×1 convs, pixel norm
//      between): forward as (1); ∂<dy, y>/∂θ against tfjs's tf.grad (both forms) and f64 central
//      differences within 1e-5·max|∇| + 1e-3·|∇_k|.
//  (3) inside a penalised critic (the tangent rules, WGAN-GP and R1): the penalty's value within
//      1e-6 + 1e-5·|P| of f64 and tfjs, ∂/∂θ within 1e-5·max|∇| + 1e-3·|∇_k| of f64 central
//      differences and of tfjs's double backprop through TfNet.inputGradient.
//  (4) equalised learning rate's initialisation (N(0, 1) weights, zero biases, whatever the
//      scheme) and constant c = fround(gain / sqrt(fan_in)); spec refusals naming the field.
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { LayerSpec } from "../../src/model/spec.ts";
import { layerShapes } from "../../src/model/shapes.ts";
import { validateSpec } from "../../src/model/spec.ts";
import { equalizedScale } from "../../src/model/equalized_lr.ts";
import { instantiate } from "../../src/engine/wasm_module.ts";
import { LinearMemory } from "../../src/engine/memory.ts";
import { buildWasmNet } from "../../src/engine/net_builder.ts";
import { TfNet } from "../../src/engine/tfjs/tfjs_nets.ts";
import { expectClose, testRandom, randomArray, centralDifferences } from "../util/check.ts";
import { f64Forward, f64InputGrad, f64Penalty, f64R1 } from "../util/f64_net.ts";
import { tfCpu } from "../util/tfjs.ts";
import { tfForward } from "../util/tf_net.ts";
import { refuses } from "../util/spec_refusal.ts";

const tf = await tfCpu();
const wasm = await instantiate("strict");
const mem = new LinearMemory(wasm);
const prod = (s: number[]) => s.reduce((a, b) => a * b, 1);
const maxAbs = (a: ArrayLike<number>) => Array.from(a).reduce((m, v) => Math.max(m, Math.abs(v)), 0);

// a fresh engine net (seeded weights, scheme 0): forward, then backward of <dy, y>
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

// y, dx and ∂<dy, y>/∂θ in tfjs: `engine` = the tfjs engine's TfNet, else tests/util/tf_net.ts
function tfjsRun(kind: "engine" | "ops", layers: LayerSpec[], input: number[], theta: Float32Array, x: Float32Array, n: number, dy: Float32Array) {
  const I = prod(input), O = dy.length / n;
  const xt = tf.tensor2d(x, [n, I]), dyt = tf.tensor2d(dy, [n, O]), th = tf.variable(tf.tensor1d(theta));
  const net = kind === "engine" ? new TfNet(tf, layers, input, theta, new Float32Array(0)) : undefined;
  const f = (xx: any, p?: any) => (net ? net.apply(xx, { training: true }) : tfForward(tf, layers, input, p ?? th, xx));
  const y = f(xt).dataSync() as Float32Array;
  const dx = tf.grad((xx: any) => tf.sum(tf.mul(f(xx), dyt)))(xt).dataSync() as Float32Array;
  let grads: Float32Array = new Float32Array(0);
  if (theta.length > 0) {
    if (net) {
      const g = tf.variableGrads(() => tf.sum(tf.mul(net.apply(xt, { training: true }), dyt)) as any, net.params).grads;
      grads = Float32Array.from(net.params.flatMap((v) => Array.from(g[v.name].dataSync())));
    } else grads = tf.grad((p: any) => tf.sum(tf.mul(f(xt, p), dyt)))(th).dataSync() as Float32Array;
  }
  net?.dispose();
  th.dispose();
  return { y, dx, grads };
}

const layerCases: [string, LayerSpec[], number[], number][] = [
  ["upsample ×2, [3, 2, 3]", [{ type: "upsample" }], [3, 2, 3], 3],
  ["avg_pool 2×2, [4, 6, 2]", [{ type: "avg_pool" }], [4, 6, 2], 3],
  ["pixel_norm, images [3, 2, 5]", [{ type: "pixel_norm" }], [3, 2, 5], 2],
  ["pixel_norm, flat [6] (the latent)", [{ type: "pixel_norm" }], [6], 4],
];
for (const [name, raw, input, n] of layerCases) {
  test(`the layer alone (${name}): forward and input gradient match f64, f64 central differences and tfjs`, () => {
    const layers = validateLayers(raw, input);
    const rand = testRandom(n * 13 + input.length);
    const I = prod(input), O = prod(layerShapes(layers, input).at(-1)!);
    const x = randomArray(n * I, rand, -2, 2), dy = randomArray(n * O, rand, -1, 1);
    const e = engineRun(layers, input, x, n, dy);
    expectClose("forward vs f64 (1e-6 + 1e-5·|y|)", e.y, f64Forward(layers, input, [], x, n).out, 1e-6, 1e-5);
    const dxRef = f64InputGrad(layers, input, [], x, n, dy);
    expectClose("dx vs f64 (1e-6 + 1e-4·|dx|)", e.dx, dxRef, 1e-6, 1e-4);
    const fd = centralDifferences(x, (w) => f64Forward(layers, input, [], w, n).out.reduce((s, v, k) => s + v * dy[k], 0));
    expectClose("f64 dx vs f64 central differences (1e-7 + 1e-6·|dx|)", dxRef, fd, 1e-7, 1e-6);
    expectClose("dx vs f64 central differences (1e-6 + 1e-4·|dx|)", e.dx, fd, 1e-6, 1e-4);
    for (const kind of ["ops", "engine"] as const) {
      const t = tfjsRun(kind, layers, input, new Float32Array(0), x, n, dy);
      expectClose(`forward vs tfjs ${kind === "ops" ? "image ops" : "engine ops"} (1e-6 + 1e-5·|y|)`, e.y, t.y, 1e-6, 1e-5);
      expectClose(`dx vs tfjs ${kind === "ops" ? "image ops" : "engine ops"} tf.grad (1e-6 + 1e-4·|dx|)`, e.dx, t.dx, 1e-6, 1e-4);
    }
  });
}

test("upsample's forward is tf.image.resizeNearestNeighbor's (exact; its tfjs-cpu gradient is wrong beyond batch 1 and channel 1, so the gradient references are others)", () => {
  const x = randomArray(3 * 3 * 2 * 3, testRandom(8), -1, 1);
  const e = engineRun(validateLayers([{ type: "upsample" }], [3, 2, 3]), [3, 2, 3], x, 3, new Float32Array(3 * 6 * 4 * 3));
  const t = tf.image.resizeNearestNeighbor(tf.tensor4d(x, [3, 3, 2, 3]), [6, 4]).dataSync();
  expectClose("upsample vs resizeNearestNeighbor (exact)", e.y, t, 0);
});

test("upsample is nearest neighbour and avg_pool its scaled adjoint, on a hand-made image", () => {
  // [2, 2, 1] image 1 2 / 3 4
  const up = engineRun(validateLayers([{ type: "upsample" }], [2, 2, 1]), [2, 2, 1], new Float32Array([1, 2, 3, 4]), 1, new Float32Array(16).fill(1));
  expectClose("upsample: each pixel a 2×2 block (exact)", up.y, [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4], 0);
  expectClose("upsample's dx of ones: 4 per pixel (exact)", up.dx, [4, 4, 4, 4], 0);
  const pool = engineRun(validateLayers([{ type: "avg_pool" }], [2, 4, 1]), [2, 4, 1], new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]), 1, new Float32Array([1, 2]));
  expectClose("avg_pool: 2×2 means (exact)", pool.y, [3.5, 5.5], 0);
  expectClose("avg_pool's dx: dy/4 over each window (exact)", pool.dx, [0.25, 0.25, 0.5, 0.5, 0.25, 0.25, 0.5, 0.5], 0);
});

// PGGAN-shaped nets: G's tail (dense from the latent, pixel norm, upsample, 3×3 conv, 1×1 toRGB),
// D's head (1×1 fromRGB, conv, avg_pool, dense) and a transposed conv, all with equalised lr
const gTail: LayerSpec[] = [
  { type: "pixel_norm" }, { type: "dense", units: 2 * 2 * 3, equalizedLr: Math.SQRT2 / 4 }, { type: "reshape", targetShape: [2, 2, 3] },
  { type: "leaky_relu", alpha: 0.2 }, { type: "pixel_norm" }, { type: "upsample" },
  { type: "conv2d", filters: 4, kernelSize: 3, equalizedLr: true }, { type: "leaky_relu", alpha: 0.2 }, { type: "pixel_norm" },
  { type: "conv2d", filters: 1, kernelSize: 1, equalizedLr: 1 },
];
const dHead: LayerSpec[] = [
  { type: "conv2d", filters: 3, kernelSize: 1, equalizedLr: true }, { type: "leaky_relu", alpha: 0.2 },
  { type: "conv2d", filters: 4, kernelSize: 3, equalizedLr: true }, { type: "leaky_relu", alpha: 0.2 }, { type: "avg_pool" },
  { type: "flatten" }, { type: "dense", units: 1, equalizedLr: 1 },
];
const transposed: LayerSpec[] = [
  { type: "conv2d_transpose", filters: 3, kernelSize: 3, strides: 2, equalizedLr: true }, { type: "tanh" },
  { type: "conv2d", filters: 2, kernelSize: 1 },
];
const netCases: [string, LayerSpec[], number[], number][] = [
  ["G's tail: pixel norm, equalised dense, upsample, conv, 1×1 toRGB", gTail, [5], 3],
  ["D's head: 1×1 fromRGB, conv, avg_pool, dense, all equalised", dHead, [4, 4, 2], 3],
  ["an equalised transposed conv and a plain 1×1 conv", transposed, [2, 2, 2], 2],
];
for (const [name, raw, input, n] of netCases) {
  test(`parameter gradients (${name}) match tfjs tf.grad and f64 central differences`, () => {
    const layers = validateLayers(raw, input);
    const rand = testRandom(41 + n + input.length);
    const O = prod(layerShapes(layers, input).at(-1)!);
    const x = randomArray(n * prod(input), rand, -1.5, 1.5), dy = randomArray(n * O, rand, -1, 1);
    const e = engineRun(layers, input, x, n, dy, 9);
    const fd = centralDifferences(e.theta, (w) => f64Forward(layers, input, w, x, n).out.reduce((s, v, k) => s + v * dy[k], 0));
    const scale = maxAbs(fd);
    assert.ok(scale > 1e-3, `a nontrivial gradient (${scale})`);
    expectClose("forward vs f64 (1e-6 + 1e-5·|y|)", e.y, f64Forward(layers, input, e.theta, x, n).out, 1e-6, 1e-5);
    expectClose("∂<dy, y>/∂θ vs f64 central differences (1e-5·max + 1e-3·|g|)", e.grads, fd, 1e-5 * scale, 1e-3);
    expectClose("dx vs f64 (1e-6 + 1e-4·|dx|)", e.dx, f64InputGrad(layers, input, e.theta, x, n, dy), 1e-6, 1e-4);
    for (const kind of ["engine", "ops"] as const) {
      const t = tfjsRun(kind, layers, input, e.theta, x, n, dy);
      expectClose(`forward vs tfjs ${kind} (1e-6 + 1e-5·|y|)`, e.y, t.y, 1e-6, 1e-5);
      expectClose(`∂<dy, y>/∂θ vs tfjs ${kind} (1e-5·max + 1e-3·|g|)`, e.grads, t.grads, 1e-5 * scale, 1e-3);
      expectClose(`dx vs tfjs ${kind} (1e-6 + 1e-4·|dx|)`, e.dx, t.dx, 1e-6, 1e-4);
    }
  });
}

// (3) the penalties through the layers (their tangent rules)
function enginePenalty(kind: "gp" | "r1", layers: LayerSpec[], input: number[], x: Float32Array, n: number, weight: number, seed: number) {
  const net = buildWasmNet(wasm, layers, input, n);
  wasm.netInit(net, wasm.rngNew(seed), 0);
  const P = wasm.netParamCount(net);
  const pen = kind === "gp" ? wasm.penaltyNew(net, weight) : wasm.r1New(net, weight);
  wasm.netZeroGrads(net);
  const value = wasm.penaltyRun(pen, mem.put(x), n);
  return { theta: mem.read(wasm.netParams(net), P), grad: mem.read(wasm.netGrads(net), P), value };
}

function tfjsPenalty(kind: "gp" | "r1", layers: LayerSpec[], input: number[], theta: Float32Array, x: Float32Array, n: number, weight: number) {
  const net = new TfNet(tf, layers, input, theta, new Float32Array(0));
  const xt = tf.tensor2d(x, [n, prod(input)]);
  const f = () => {
    const ss = tf.sum(tf.square(net.inputGradient(xt)), 1);
    return (kind === "gp" ? tf.mul(weight, tf.mean(tf.square(tf.sub(tf.sqrt(ss), 1)))) : tf.mul(0.5 * weight, tf.mean(ss))) as any;
  };
  const { value, grads } = tf.variableGrads(f, net.params);
  const out = { value: value.dataSync()[0], grad: Float32Array.from(net.params.flatMap((v) => Array.from(grads[v.name].dataSync()))) };
  net.dispose();
  return out;
}

// a critic holding every new layer: pixel norm's second-order term is exercised with ȳ = 0
// (above the dense layers) and ȳ ≠ 0 (below a tanh)
const smoothCritic: LayerSpec[] = [
  { type: "conv2d", filters: 3, kernelSize: 1, equalizedLr: true }, { type: "tanh" }, { type: "pixel_norm" },
  { type: "upsample" }, { type: "conv2d", filters: 2, kernelSize: 3, strides: 2, equalizedLr: true }, { type: "leaky_relu", alpha: 0.2 },
  { type: "pixel_norm" }, { type: "avg_pool" }, { type: "minibatch_std", groupSize: 2 }, { type: "flatten" }, { type: "dense", units: 1, equalizedLr: 1 },
];
const penaltyCases: [string, "gp" | "r1", LayerSpec[], number[], number, number][] = [
  ["WGAN-GP, a PGGAN critic (fromRGB, conv, avg_pool, all equalised)", "gp", dHead, [4, 4, 2], 4, 10],
  ["WGAN-GP, every new layer (pixel norm below a tanh, upsample, minibatch std)", "gp", smoothCritic, [2, 2, 2], 4, 10],
  ["R1, every new layer, γ = 3", "r1", smoothCritic, [2, 2, 2], 4, 3],
];
for (const [name, kind, raw, input, n, weight] of penaltyCases) {
  test(`${name}: the penalty's ∂/∂θ matches f64 central differences and tfjs double backprop`, () => {
    const layers = validateLayers(raw, input);
    const rand = testRandom(203 + n + weight);
    const x = randomArray(n * prod(input), rand, -1.5, 1.5);
    const e = enginePenalty(kind, layers, input, x, n, weight, 17);
    const theta = Float64Array.from(e.theta);
    const ref = (w: Float64Array) => (kind === "gp" ? f64Penalty : f64R1)(layers, input, w, x, n, weight);
    expectClose("value vs f64 (1e-6 + 1e-5·|P|)", [e.value], [ref(theta)], 1e-6, 1e-5);
    const fd = centralDifferences(theta, ref);
    const scale = maxAbs(fd);
    assert.ok(scale > 1e-3, `a nontrivial gradient (${scale})`);
    expectClose("∂/∂θ vs f64 central differences (1e-5·max + 1e-3·|g|)", e.grad, fd, 1e-5 * scale, 1e-3);
    const t = tfjsPenalty(kind, layers, input, e.theta, x, n, weight);
    expectClose("value vs tfjs (1e-6 + 1e-5·|P|)", [e.value], [t.value], 1e-6, 1e-5);
    expectClose("∂/∂θ vs tfjs double backprop (1e-5·max + 1e-3·|g|)", e.grad, t.grad, 1e-5 * scale, 1e-3);
  });
}

test("equalised learning rate: weights N(0, 1) and zero biases whatever the scheme; c = fround(gain / sqrt(fan_in))", () => {
  const layers = validateLayers([{ type: "conv2d", filters: 16, kernelSize: 3, equalizedLr: true }, { type: "flatten" }, { type: "dense", units: 64, equalizedLr: 1 }], [4, 4, 8]);
  for (const scheme of [0, 1]) {
    const net = buildWasmNet(wasm, layers, [4, 4, 8], 2);
    wasm.netInit(net, wasm.rngNew(5), scheme);
    const p = mem.read(wasm.netParams(net), wasm.netParamCount(net));
    const conv = p.subarray(0, 3 * 3 * 8 * 16), convBias = p.subarray(1152, 1168), dense = p.subarray(1168, 1168 + 256 * 64), denseBias = p.subarray(1168 + 256 * 64);
    for (const [label, w] of [["conv", conv], ["dense", dense]] as const) {
      const mean = w.reduce((s, v) => s + v, 0) / w.length, sd = Math.sqrt(w.reduce((s, v) => s + (v - mean) ** 2, 0) / w.length);
      assert.ok(Math.abs(mean) < 0.1 && Math.abs(sd - 1) < 0.1, `scheme ${scheme}, ${label}: mean ${mean}, std ${sd} (N(0, 1) within 0.1 on ${w.length} draws)`);
    }
    assert.ok(convBias.every((v) => v === 0) && denseBias.every((v) => v === 0) && denseBias.length === 64, `scheme ${scheme}: biases 0`);
  }
  assert.is(equalizedScale(layers[0], [4, 4, 8]), Math.fround(Math.SQRT2 / Math.sqrt(72)), "conv: gain √2 over sqrt(3·3·8)");
  assert.is(equalizedScale(layers[2], [256]), Math.fround(1 / 16), "dense: gain 1 over sqrt(256)");
  assert.is(equalizedScale({ type: "dense", units: 3 }, [256]), 1, "off: 1");
});

test("spec refusals name the field", () => {
  const base = { latentDim: 4, dataShape: [4, 4, 1], batchSize: 4, loss: "wasserstein", optimizer: { generator: { type: "adam", lr: 1e-3 }, discriminator: { type: "adam", lr: 1e-3 } } };
  const G = [{ type: "dense", units: 16 }, { type: "reshape", targetShape: [2, 2, 4] }, { type: "upsample" }, { type: "conv2d", filters: 1, kernelSize: 1 }];
  const D = [{ type: "avg_pool" }, { type: "flatten" }, { type: "dense", units: 1 }];
  validateSpec({ ...base, generator: G, discriminator: D }); // the base is valid
  const bad = (gen: unknown[], dis: unknown[], field: string, re: RegExp) => refuses({ ...base, generator: gen, discriminator: dis }, field, re);
  bad([{ type: "upsample" }, ...G], D, "spec.generator[0]", /upsample needs an image input \[h, w, c\]/);
  bad(G, [{ type: "conv2d", filters: 2, kernelSize: 3, strides: 2 }, { type: "conv2d", filters: 2, kernelSize: 2, padding: "valid" }, { type: "avg_pool" }, { type: "flatten" }, { type: "dense", units: 1 }], "spec.discriminator[2]", /avg_pool halves .* \[1, 1, 2\] must have an even height and width/);
  bad(G, [{ type: "flatten" }, { type: "avg_pool" }, { type: "dense", units: 1 }], "spec.discriminator[1]", /avg_pool needs an image input/);
  bad([{ ...G[0], equalizedLr: 0 }, ...G.slice(1)], D, "spec.generator[0].equalizedLr", /must be true \(gain √2\), false, or the gain/);
  bad([{ ...G[0], equalizedLr: "yes" }, ...G.slice(1)], D, "spec.generator[0].equalizedLr", /must be true/);
  bad([...G.slice(0, 2), { type: "upsample", equalizedLr: true }, G[3]], D, "spec.generator[2].equalizedLr", /equalised learning rate applies to dense, conv2d, conv2d_transpose layers only, not upsample/);
  bad([{ ...G[0], equalizedLr: true, spectralNorm: true }, ...G.slice(1)], D, "spec.generator[0].equalizedLr", /use either equalised learning rate or spectral normalisation/);
  bad([{ type: "pixel_norm", eps: 0 }, ...G], D, "spec.generator[0].eps", /must be a number in \(0, 1\]/);
  bad([{ type: "pixel_norm", groupSize: 2 }, ...G], D, "spec.generator[0].groupSize", /unknown field/);
});

// the layers as validateSpec normalises them (defaults filled: pixel_norm's ε, equalizedLr's
// gain, conv pairs): as the head of a discriminator on inputs of that shape
function validateLayers(raw: LayerSpec[], input: number[]): LayerSpec[] {
  const out = layerShapes(raw.map((l) => ({ ...l, ...(l.kernelSize !== undefined ? { kernelSize: [l.kernelSize, l.kernelSize].flat().slice(0, 2) as [number, number], strides: [l.strides ?? 1, l.strides ?? 1].flat().slice(0, 2) as [number, number] } : {}) })), input).at(-1)!;
  const spec = validateSpec({
    latentDim: 1, dataShape: input, batchSize: 4, loss: "wasserstein",
    generator: [{ type: "dense", units: prod(input) }, ...(input.length > 1 ? [{ type: "reshape", targetShape: input }] : [])],
    discriminator: [...raw, ...(out.length > 1 ? [{ type: "flatten" }] : []), { type: "dense", units: 1 }],
    optimizer: { generator: { type: "sgd", lr: 0.1 }, discriminator: { type: "sgd", lr: 0.1 } },
  });
  return spec.nets.discriminator.slice(0, raw.length);
}

test.run();
