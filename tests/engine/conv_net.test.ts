// Conv nets through the engine's layers (conv2d, conv2d_transpose, batch_norm, reshape, flatten
// with the activations and dense): forward in training and inference mode, parameter gradients
// and input gradients against the same stack in tfjs-cpu, plus finite differences.
// Tolerances:
//  - tfjs parity |a − b| <= 1e-4·max|b| + 1e-4·|b| per tensor: f32 on both sides with different
//    summation orders (im2col GEMM vs tfjs's direct loops; f64 vs f32 batch statistics), over
//    sums of up to a few hundred terms; batch norm's 1/std amplifies rounding by std⁻¹ ~ 1..10.
//  - finite differences in a random unit direction v of all parameters, L = Σ y·r, smooth nets
//    only (tanh, leaky away from its kink, batch norm): h = 1e-2, central differences in f64 of
//    the f32 forward; |FD − ∇L·v| <= 3e-3·(|∇L·v| + 1e-2) covers the O(h²) truncation and the
//    f32 rounding of L (~1e-6·Σ|y·r|/h).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { instantiate } from "../../src/engine/wasm_module.ts";
import { LinearMemory } from "../../src/engine/memory.ts";
import { buildWasmNet } from "../../src/engine/net_builder.ts";
import { layerShapes } from "../../src/model/shapes.ts";
import type { LayerSpec } from "../../src/model/spec.ts";
import { testRandom, randomArray, expectClose, maxAbsDiff } from "../util/check.ts";
import { tfCpu } from "../util/tfjs.ts";
import { tfForward } from "../util/tf_net.ts";

const wasm = await instantiate("strict");
const mem = new LinearMemory(wasm);
const tf = await tfCpu();
const prod = (s: number[]) => s.reduce((a, b) => a * b, 1);

const conv = (filters: number, k: number, s: number, padding: "same" | "valid"): LayerSpec =>
  ({ type: "conv2d", filters, kernelSize: [k, k], strides: [s, s], padding });
const convT = (filters: number, k: number, s: number, padding: "same" | "valid"): LayerSpec =>
  ({ type: "conv2d_transpose", filters, kernelSize: [k, k], strides: [s, s], padding });
const bn: LayerSpec = { type: "batch_norm", eps: 1e-5, momentum: 0.1 };

const nets: { name: string; input: number[]; layers: LayerSpec[]; smooth: boolean }[] = [
  { name: "D-like: conv s2 same -> leaky -> conv valid -> flatten -> dense", input: [7, 7, 2], smooth: true,
    layers: [conv(3, 3, 2, "same"), { type: "leaky_relu", alpha: 0.2 }, conv(4, 2, 1, "valid"), { type: "leaky_relu", alpha: 0.2 }, { type: "flatten" }, { type: "dense", units: 1 }] },
  { name: "G-like: dense -> bn -> relu -> reshape -> convT s2 same -> bn -> relu -> convT s2 valid -> tanh", input: [5], smooth: false,
    layers: [{ type: "dense", units: 36 }, bn, { type: "relu" }, { type: "reshape", targetShape: [3, 3, 4] }, convT(3, 4, 2, "same"), bn, { type: "relu" }, convT(1, 3, 2, "valid"), { type: "tanh" }] },
  { name: "smooth G: dense -> bn -> tanh -> reshape -> convT s2 same -> bn -> tanh -> convT odd", input: [4], smooth: true,
    layers: [{ type: "dense", units: 18 }, bn, { type: "tanh" }, { type: "reshape", targetShape: [3, 3, 2] }, convT(5, 3, 2, "same"), bn, { type: "tanh" }, convT(2, 2, 1, "valid")] },
  { name: "1x1 conv, 5x5 'valid', stride 2 'valid', sigmoid", input: [9, 9, 3], smooth: true,
    layers: [conv(4, 1, 1, "same"), { type: "tanh" }, conv(2, 5, 1, "valid"), { type: "sigmoid" }, conv(3, 3, 2, "valid")] },
];

function build(layers: LayerSpec[], input: number[], maxBatch: number, seed: number) {
  const net = buildWasmNet(wasm, layers, input, maxBatch);
  wasm.netInit(net, wasm.rngNew(seed), 0);
  const P = wasm.netParamCount(net), inSize = prod(input), out = wasm.netOutSize(net);
  assert.is(out, prod(layerShapes(layers, input).at(-1)!), "output size");
  const forward = (x: Float32Array, n: number, training = true) => mem.read(wasm.netForward(net, mem.put(x), n, training ? 1 : 0), n * out);
  const run = (x: Float32Array, r: Float32Array, n: number) => {
    const px = mem.put(x), pr = mem.put(r), pdx = mem.zeros(n * inSize);
    const y = mem.read(wasm.netForward(net, px, n, 1), n * out);
    wasm.netZeroGrads(net);
    wasm.netBackward(net, pr, pdx, n, 1);
    return { y, dParams: mem.read(wasm.netGrads(net), P), dx: mem.read(pdx, n * inSize) };
  };
  return { net, P, inSize, out, forward, run, params: () => mem.read(wasm.netParams(net), P), setParams: (p: Float32Array) => mem.write(wasm.netParams(net), p) };
}

const close = (label: string, a: Float32Array, b: Float32Array) => {
  let m = 0;
  for (const v of b) m = Math.max(m, Math.abs(v));
  expectClose(label, a, b, 1e-4 * m, 1e-4);
};

for (const { name, input, layers } of nets) {
  test(`${name}: forward, dParams, dx match tfjs-cpu (batch 1*, 3, 8)`, () => {
    const rand = testRandom(name.length * 31);
    const h = build(layers, input, 8, 3);
    const hasBn = layers.some((l) => l.type === "batch_norm");
    for (const n of hasBn ? [3, 8] : [1, 3, 8]) {
      // perturb the parameters away from the init so batch-norm scales and biases are not trivial
      const p = h.params().map((v) => v + 0.1 * (rand() - 0.5));
      h.setParams(p);
      const x = randomArray(n * h.inSize, rand), r = randomArray(n * h.out, rand);
      const { y, dParams, dx } = h.run(x, r, n);
      const tp = tf.tensor1d(p), tx = tf.tensor2d(x, [n, h.inSize]), tr = tf.tensor2d(r, [n, h.out]);
      const ty = tfForward(tf, layers, input, tp, tx);
      close(`${name} n=${n}: y`, y, ty.dataSync() as Float32Array);
      const [gp, gx] = tf.grads((pp: any, xx: any) => tf.sum(tf.mul(tfForward(tf, layers, input, pp, xx), tr)))([tp, tx]);
      close(`${name} n=${n}: dParams`, dParams, gp.dataSync() as Float32Array);
      close(`${name} n=${n}: dx`, dx, gx.dataSync() as Float32Array);
      tf.dispose([tp, tx, tr, ty, gp, gx]);
    }
  });
}

for (const { name, input, layers } of nets.filter((n) => n.smooth)) {
  test(`${name}: finite differences of parameters and input`, () => {
    const rand = testRandom(name.length * 97);
    const h = build(layers, input, 4, 5);
    const n = 4;
    const p0 = h.params().map((v) => v + 0.1 * (rand() - 0.5));
    const x0 = randomArray(n * h.inSize, rand), r = randomArray(n * h.out, rand);
    h.setParams(p0);
    const { dParams, dx } = h.run(x0, r, n);
    const L = (p: Float32Array, x: Float32Array) => {
      h.setParams(p);
      const y = h.forward(x, n);
      let s = 0;
      for (let i = 0; i < y.length; i++) s += y[i] * r[i];
      return s;
    };
    const unit = (len: number) => {
      const v = randomArray(len, rand);
      const norm = Math.hypot(...v);
      return v.map((e) => e / norm);
    };
    const step = 1e-2;
    const vp = unit(h.P), vx = unit(x0.length);
    const fdP = (L(p0.map((v, i) => v + step * vp[i]), x0) - L(p0.map((v, i) => v - step * vp[i]), x0)) / (2 * step);
    const fdX = (L(p0, x0.map((v, i) => v + step * vx[i])) - L(p0, x0.map((v, i) => v - step * vx[i]))) / (2 * step);
    const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => { let s = 0; for (let i = 0; i < a.length; i++) s += a[i] * b[i]; return s; };
    const gP = dot(dParams, vp), gX = dot(dx, vx);
    assert.ok(Math.abs(fdP - gP) <= 3e-3 * (Math.abs(gP) + 1e-2), `params: FD ${fdP} vs ∇L·v ${gP}`);
    assert.ok(Math.abs(fdX - gX) <= 3e-3 * (Math.abs(gX) + 1e-2), `input: FD ${fdX} vs ∇L·v ${gX}`);
  });
}

test("batch norm: running statistics move in training mode only, and inference uses them (vs tfjs)", () => {
  const layers: LayerSpec[] = [{ type: "dense", units: 6 }, bn, { type: "reshape", targetShape: [1, 2, 3] }, convT(2, 2, 2, "same"), bn];
  const h = build(layers, [3], 8, 9);
  const rand = testRandom(5);
  const stateLen = wasm.netStateCount(h.net);
  assert.is(stateLen, 2 * 6 + 2 * 2);
  const state = () => mem.read(wasm.netState(h.net), stateLen);
  assert.equal(Array.from(state()), [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1], "initial running mean 0, variance 1");
  const n = 8, x = randomArray(n * 3, rand, -2, 2);
  h.forward(x, n, false);
  assert.equal(Array.from(state()), [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1], "inference leaves the state alone");
  for (let k = 0; k < 3; k++) h.forward(x, n, true);
  const s = state();
  const running = [
    { mean: tf.tensor1d(s.slice(0, 6)), variance: tf.tensor1d(s.slice(6, 12)) },
    { mean: tf.tensor1d(s.slice(12, 14)), variance: tf.tensor1d(s.slice(14, 16)) },
  ];
  // after 3 identical batches: running = (1 − 0.9³)·batch statistic (+ 0.9³ for the variance)
  const first = tfForward(tf, layers.slice(0, 1), [3], tf.tensor1d(h.params().slice(0, 24)), tf.tensor2d(x, [n, 3]));
  const { mean, variance } = tf.moments(first, 0);
  const unbiased = variance.mul(n / (n - 1));
  const f = 1 - 0.9 ** 3;
  expectClose("running mean, layer 1", s.slice(0, 6), mean.mul(f).dataSync(), 1e-6, 1e-5);
  expectClose("running variance, layer 1", s.slice(6, 12), unbiased.mul(f).add(0.9 ** 3).dataSync(), 1e-6, 1e-5);
  const y = h.forward(x, n, false);
  close("inference forward vs tfjs with the running statistics", y, tfForward(tf, layers, [3], tf.tensor1d(h.params()), tf.tensor2d(x, [n, 3]), running).dataSync() as Float32Array);
  assert.ok(maxAbsDiff(y, h.forward(x, n, true)) > 1e-3, "training and inference outputs differ");
});

test("DCGAN init: weights N(0, 0.02), biases 0, batch-norm scale N(1, 0.02)", () => {
  const layers: LayerSpec[] = [{ type: "dense", units: 7 * 7 * 32 }, bn, { type: "reshape", targetShape: [7, 7, 32] }, convT(16, 4, 2, "same")];
  const net = buildWasmNet(wasm, layers, [100], 2);
  wasm.netInit(net, wasm.rngNew(1), 1);
  const p = mem.read(wasm.netParams(net), wasm.netParamCount(net));
  const stats = (a: Float32Array) => { const m = a.reduce((s, v) => s + v, 0) / a.length; return { m, sd: Math.sqrt(a.reduce((s, v) => s + (v - m) ** 2, 0) / a.length) }; };
  const W = p.subarray(0, 100 * 1568), b = p.subarray(100 * 1568, 100 * 1568 + 1568);
  const gamma = p.subarray(101 * 1568, 102 * 1568), beta = p.subarray(102 * 1568, 103 * 1568);
  const f = p.subarray(103 * 1568, 103 * 1568 + 16 * 16 * 32), fb = p.subarray(103 * 1568 + 16 * 16 * 32);
  assert.is(fb.length, 16);
  const sw = stats(W), sg = stats(gamma), sf = stats(f);
  assert.ok(Math.abs(sw.m) < 1e-3 && Math.abs(sw.sd - 0.02) < 1e-3, `dense W: mean ${sw.m}, sd ${sw.sd}`);
  assert.ok(Math.abs(sf.m) < 2e-3 && Math.abs(sf.sd - 0.02) < 1e-3, `convT filter: mean ${sf.m}, sd ${sf.sd}`);
  assert.ok(Math.abs(sg.m - 1) < 3e-3 && Math.abs(sg.sd - 0.02) < 3e-3, `gamma: mean ${sg.m}, sd ${sg.sd}`);
  assert.ok(b.every((v) => v === 0) && beta.every((v) => v === 0) && fb.every((v) => v === 0), "biases and beta are 0");
});

test.run();
