// Layer graphs in the engine (assembly/nn/net.ts, merge.ts; src/engine/net_builder.ts): residual
// blocks (dense with batch norm, conv), concat on channels and on flat rows (references through a
// reshape, the net's input read three times), a blend; forward, parameter and input gradients.
// Tolerances:
//  - tfjs-cpu parity |a − b| <= 1e-4·max|b| + 1e-4·|b| per tensor (as tests/engine/conv_net.test.ts:
//    f32 on both sides, different summation orders; batch norm's 1/std amplifies rounding);
//  - f64 central differences of an f64 reference forward (tests/util/f64_net.ts, its own loops),
//    coordinate by coordinate, h = 1e-6 (f64 rounding ~1e-16/h and the O(h²) truncation are far
//    below the f32 engine's error): every ∂L/∂θ_k and ∂L/∂x_k within 1e-5·max|∇| + 1e-3·|∂_k|
//    for L = Σ y·r;
//  - the tfjs engine's TfNet (src/engine/tfjs/tfjs_nets.ts) builds the same graph: its forward and
//    gradients within the tfjs parity tolerance of the engine's.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { instantiate } from "../../src/engine/wasm_module.ts";
import { LinearMemory } from "../../src/engine/memory.ts";
import { layerShapes } from "../../src/model/shapes.ts";
import type { LayerSpec } from "../../src/model/spec.ts";
import { TfNet } from "../../src/engine/tfjs/tfjs_nets.ts";
import { testRandom, randomArray, expectClose, centralDifferences } from "../util/check.ts";
import { tfCpu } from "../util/tfjs.ts";
import { tfForward } from "../util/tf_net.ts";
import { f64Forward } from "../util/f64_net.ts";
import { residualDense, residualConv, concatNet, testNet } from "../util/graph_nets.ts";

const wasm = await instantiate("strict");
const mem = new LinearMemory(wasm);
const tf = await tfCpu();

const nets: { name: string; input: number[]; layers: LayerSpec[] }[] = [
  { name: "residual dense (2 blocks, batch norm in the second)", input: [6], layers: residualDense },
  { name: "residual conv (2 blocks of conv 3x3, relu, conv 3x3)", input: [5, 5, 3], layers: residualConv(2) },
  { name: "concat (channels of two convs of a reshape, then flat rows with a dense of the input)", input: [32], layers: concatNet() },
];
const build = (layers: LayerSpec[], input: number[], maxBatch: number, seed: number) =>
  testNet(wasm, mem, layers, input, layerShapes(layers, input).at(-1)!, maxBatch, seed);

const close = (label: string, a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < b.length; i++) m = Math.max(m, Math.abs(b[i]));
  expectClose(label, a, b, 1e-4 * m, 1e-4);
};

for (const { name, input, layers } of nets) {
  test(`${name}: forward, dParams, dx match tfjs-cpu (batch 1*, 3, 8)`, () => {
    const rand = testRandom(name.length * 13);
    const h = build(layers, input, 8, 3);
    const hasBn = layers.some((l) => l.type === "batch_norm");
    for (const n of hasBn ? [3, 8] : [1, 3, 8]) {
      const p = h.params().map((v) => v + 0.1 * (rand() - 0.5));
      h.setParams(p);
      const x = randomArray(n * h.inSize, rand), r = randomArray(n * h.out, rand);
      const { y, dParams, dx } = h.run(x, r, n);
      const tp = tf.tensor1d(p), tx = tf.tensor2d(x, [n, h.inSize]), tr = tf.tensor2d(r, [n, h.out]);
      const ty = tfForward(tf, layers, input, tp, tx);
      close(`${name} n=${n}: y`, y, ty.dataSync());
      const [gp, gx] = tf.grads((pp: any, xx: any) => tf.sum(tf.mul(tfForward(tf, layers, input, pp, xx), tr)))([tp, tx]);
      close(`${name} n=${n}: dParams`, dParams, gp.dataSync());
      close(`${name} n=${n}: dx`, dx, gx.dataSync());
      tf.dispose([tp, tx, tr, ty, gp, gx]);
    }
  });

  test(`${name}: dParams and dx against f64 central differences, coordinate by coordinate`, () => {
    const rand = testRandom(name.length * 71);
    const n = 4, h = build(layers, input, n, 5);
    const p = h.params().map((v) => v + 0.1 * (rand() - 0.5));
    h.setParams(p);
    const x = randomArray(n * h.inSize, rand), r = randomArray(n * h.out, rand);
    const { dParams, dx } = h.run(x, r, n);
    const L = (th: ArrayLike<number>, xx: ArrayLike<number>) => {
      const y = f64Forward(layers, input, th, xx, n).out;
      let s = 0;
      for (let i = 0; i < y.length; i++) s += y[i] * r[i];
      return s;
    };
    const fd = centralDifferences;
    const fdP = fd(p, (w) => L(w, x)), fdX = fd(x, (w) => L(p, w));
    const within = (label: string, a: Float32Array, b: Float64Array) => {
      let m = 0;
      for (const v of b) m = Math.max(m, Math.abs(v));
      expectClose(label, a, b, 1e-5 * m, 1e-3);
    };
    within(`${name}: dParams vs f64 FD`, dParams, fdP);
    within(`${name}: dx vs f64 FD`, dx, fdX);
  });

  test(`${name}: the tfjs engine's TfNet builds the same graph (forward and gradients)`, () => {
    const rand = testRandom(name.length * 5);
    const n = 5, h = build(layers, input, n, 9);
    const p = h.params().map((v) => v + 0.1 * (rand() - 0.5));
    h.setParams(p);
    const stateLen = wasm.netStateCount(h.net);
    const tn = new TfNet(tf, layers, input, p, mem.read(wasm.netState(h.net), stateLen));
    assert.is(tn.paramCount, h.P, "parameter count");
    const x = randomArray(n * h.inSize, rand), r = randomArray(n * h.out, rand);
    const { y, dParams } = h.run(x, r, n);
    const tx = tf.tensor2d(x, [n, h.inSize]), tr = tf.tensor2d(r, [n, h.out]);
    const ty = tn.apply(tx, { training: true });
    close(`${name}: TfNet y`, y, ty.dataSync());
    const { grads } = tf.variableGrads(() => tf.sum(tf.mul(tn.apply(tx, { training: true }), tr)) as any, tn.params);
    const flat = new Float32Array(h.P);
    let o = 0;
    for (const v of tn.params) { flat.set(grads[v.name].dataSync() as Float32Array, o); o += v.size; }
    close(`${name}: TfNet dParams`, dParams, flat);
    tf.dispose([tx, tr, ty, ...Object.values(grads)]);
    tn.dispose();
  });
}

test("a sequential spec written with explicit inputs is the plain chain: same bits as without them", () => {
  const plain: LayerSpec[] = [{ type: "dense", units: 7 }, { type: "relu" }, { type: "dense", units: 3 }];
  const named: LayerSpec[] = [{ type: "dense", units: 7, name: "h" }, { type: "relu", inputs: ["h"], name: "r" }, { type: "dense", units: 3, inputs: ["r"] }];
  const rand = testRandom(4), n = 5;
  const a = build(plain, [4], n, 2), b = build(named, [4], n, 2);
  const x = randomArray(n * 4, rand), r = randomArray(n * 3, rand);
  const ra = a.run(x, r, n), rb = b.run(x, r, n);
  assert.equal(Array.from(rb.y), Array.from(ra.y), "y");
  assert.equal(Array.from(rb.dParams), Array.from(ra.dParams), "dParams");
  assert.equal(Array.from(rb.dx), Array.from(ra.dx), "dx");
});

test("netAddMerge and netInput refuse bad sources, counts and sizes; netSetBlendAlpha only takes a blend", () => {
  const net = wasm.netNew(4, 2);
  assert.is(wasm.netAdd(net, 1, 3, 0), 0, "dense 3");
  const srcs = (...v: number[]) => { const p = wasm.alloc(4 * v.length); new Int32Array(wasm.memory.buffer, p, v.length).set(v); return p; };
  assert.is(wasm.netAddMerge(net, 9, srcs(-1, 0), 2, 1, 0), -1, "add of sizes 4 and 3");
  assert.is(wasm.netAddMerge(net, 9, srcs(0), 1, 1, 0), -1, "add of one input");
  assert.is(wasm.netAddMerge(net, 9, srcs(0, 1), 2, 1, 0), -1, "a source that is not there yet");
  assert.is(wasm.netAddMerge(net, 10, srcs(0, -1, 0), 3, 1, 0), -1, "concat of three");
  assert.is(wasm.netAddMerge(net, 2, srcs(0, 0), 2, 1, 0), -1, "relu is not a node");
  assert.is(wasm.netInput(net, 5), -1, "netInput of a missing layer");
  assert.is(wasm.netAddMerge(net, 10, srcs(0, -1), 2, 1, 0), 0, "concat [3] and [4]");
  assert.is(wasm.netOutSize(net), 7, "concat's size");
  assert.is(wasm.netAddMerge(net, 11, srcs(1, 1), 2, 1, 0.5), 0, "blend");
  assert.is(wasm.netSetBlendAlpha(net, 1, 0.5), -1, "layer 1 is a concat");
  assert.is(wasm.netSetBlendAlpha(net, 2, 0.25), 0, "layer 2 is the blend");
  assert.is(wasm.netLayerCount(net), 3);
});

test.run();
