// Layers and sequential nets (Dense + every activation), forward and backward:
//  (1) against tfjs-cpu on the same weights and inputs: outputs, dW/db, dx.
//      Tolerance |a - b| <= 2e-5 + 1e-4·|b| (f32 on both sides, different summation orders).
//  (2) finite differences in the direction of a random unit vector v, on L = Σ y·r:
//      (L(θ + hv) − L(θ − hv)) / 2h  vs  ∇L·v, h = 1e-2 on smooth nets (tanh, sigmoid, leaky
//      away from its kink); |diff| <= 2e-3·(|∇L·v| + 1e-2). The f32 forward's rounding (~1e-6·|L|/h)
//      and the O(h²) truncation both sit well below that.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { instantiate } from "../../src/engine/wasm_module.ts";
import { LinearMemory } from "../../src/engine/memory.ts";
import { LAYER_CODES, type EngineLayerType } from "../../src/model/ops.ts";
import type { LayerSpec } from "../../src/model/spec.ts";
import { testRandom, randomArray, expectClose } from "../util/check.ts";
import { tfCpu } from "../util/tfjs.ts";
import { tfForward } from "../util/tf_net.ts";

const wasm = await instantiate("strict");
const mem = new LinearMemory(wasm);
const tf = await tfCpu();

function build(layers: LayerSpec[], inSize: number, maxBatch: number, seed: number) {
  const net = wasm.netNew(inSize, maxBatch);
  for (const l of layers) assert.is(wasm.netAdd(net, LAYER_CODES[l.type as EngineLayerType], l.units ?? 0, l.alpha ?? 0.2), 0);
  wasm.netBuild(net);
  wasm.netInit(net, wasm.rngNew(seed), 0);
  const P = wasm.netParamCount(net), out = wasm.netOutSize(net);
  // forward + backward of L = Σ y·r; returns y, dθ, dx
  const run = (x: Float32Array, r: Float32Array, n: number) => {
    const px = mem.put(x), pr = mem.put(r), pdx = mem.zeros(n * inSize);
    const py = wasm.netForward(net, px, n, 1);
    const y = mem.read(py, n * out);
    wasm.netZeroGrads(net);
    wasm.netBackward(net, pr, pdx, n, 1);
    return { y, dParams: mem.read(wasm.netGrads(net), P), dx: mem.read(pdx, n * inSize) };
  };
  const loss = (x: Float32Array, r: Float32Array, n: number) => {
    const y = mem.read(wasm.netForward(net, mem.put(x), n, 1), n * out);
    let s = 0;
    for (let i = 0; i < y.length; i++) s += y[i] * r[i];
    return s;
  };
  return { net, P, out, run, loss, params: () => mem.read(wasm.netParams(net), P), setParams: (p: Float32Array) => mem.write(wasm.netParams(net), p) };
}

const nets: { name: string; inSize: number; layers: LayerSpec[] }[] = [
  { name: "dense 1->1", inSize: 1, layers: [{ type: "dense", units: 1 }] },
  { name: "dense 3->17 relu", inSize: 3, layers: [{ type: "dense", units: 17 }, { type: "relu" }] },
  { name: "dense 17->65 leaky -> 3", inSize: 17, layers: [{ type: "dense", units: 65 }, { type: "leaky_relu", alpha: 0.2 }, { type: "dense", units: 3 }] },
  { name: "tanh/sigmoid stack", inSize: 5, layers: [{ type: "dense", units: 9 }, { type: "tanh" }, { type: "dense", units: 4 }, { type: "sigmoid" }, { type: "dense", units: 1 }] },
  { name: "mlp-ring8 D", inSize: 2, layers: [{ type: "dense", units: 128 }, { type: "relu" }, { type: "dense", units: 128 }, { type: "relu" }, { type: "dense", units: 128 }, { type: "relu" }, { type: "dense", units: 1 }] },
];

for (const { name, inSize, layers } of nets) {
  test(`${name}: forward and backward match tfjs-cpu (batch 1, 3, 17, 65)`, () => {
    const rand = testRandom(name.length * 7919);
    const h = build(layers, inSize, 65, 11);
    for (const n of [1, 3, 17, 65]) {
      const x = randomArray(n * inSize, rand), r = randomArray(n * h.out, rand);
      const { y, dParams, dx } = h.run(x, r, n);
      const params = tf.tensor1d(h.params());
      const tx = tf.tensor2d(x, [n, inSize]), tr = tf.tensor2d(r, [n, h.out]);
      const f = (p: any, xx: any) => tf.sum(tf.mul(tfForward(tf, layers, inSize, p, xx), tr));
      const [gp, gx] = tf.grads(f)([params, tx]);
      expectClose(`${name} n=${n} y`, y, tfForward(tf, layers, inSize, params, tx).dataSync(), 2e-5, 1e-4);
      expectClose(`${name} n=${n} dParams`, dParams, gp.dataSync(), 2e-5, 1e-4);
      expectClose(`${name} n=${n} dx`, dx, gx.dataSync(), 2e-5, 1e-4);
      tf.dispose([params, tx, tr, gp, gx]);
    }
  });
}

test("finite differences: directional derivative of parameters and inputs (smooth nets)", () => {
  const rand = testRandom(5);
  const smooth: [string, number, LayerSpec[]][] = [
    ["tanh/sigmoid", 5, nets[3].layers],
    ["leaky", 4, [{ type: "dense", units: 7 }, { type: "leaky_relu", alpha: 0.1 }, { type: "dense", units: 2 }, { type: "tanh" }]],
  ];
  for (const [label, inSize, layers] of smooth) {
    const h = build(layers, inSize, 8, 3);
    const n = 6;
    const x = randomArray(n * inSize, rand), r = randomArray(n * h.out, rand);
    const { dParams, dx } = h.run(x, r, n);
    const theta = h.params();
    const hStep = 1e-2;
    for (let trial = 0; trial < 3; trial++) {
      // parameters
      const v = randomArray(h.P, rand);
      const norm = Math.hypot(...v);
      let analytic = 0;
      for (let i = 0; i < h.P; i++) { v[i] /= norm; analytic += dParams[i] * v[i]; }
      const plus = theta.map((t, i) => t + hStep * v[i]), minus = theta.map((t, i) => t - hStep * v[i]);
      h.setParams(plus); const lp = h.loss(x, r, n);
      h.setParams(minus); const lm = h.loss(x, r, n);
      h.setParams(theta);
      const numeric = (lp - lm) / (2 * hStep);
      assert.ok(Math.abs(numeric - analytic) <= 2e-3 * (Math.abs(analytic) + 1e-2), `${label} dθ·v: numeric ${numeric} vs analytic ${analytic}`);
      // inputs
      const u = randomArray(x.length, rand);
      const un = Math.hypot(...u);
      let ax = 0;
      for (let i = 0; i < u.length; i++) { u[i] /= un; ax += dx[i] * u[i]; }
      const nx = (h.loss(x.map((t, i) => t + hStep * u[i]), r, n) - h.loss(x.map((t, i) => t - hStep * u[i]), r, n)) / (2 * hStep);
      assert.ok(Math.abs(nx - ax) <= 2e-3 * (Math.abs(ax) + 1e-2), `${label} dx·u: numeric ${nx} vs analytic ${ax}`);
    }
  }
});

test("backward accumulates parameter gradients across passes (D on real, then on fake)", () => {
  const rand = testRandom(9);
  const h = build(nets[2].layers, 17, 8, 1);
  const x1 = randomArray(8 * 17, rand), x2 = randomArray(8 * 17, rand), r = randomArray(8 * 3, rand);
  const g1 = h.run(x1, r, 8).dParams, g2 = h.run(x2, r, 8).dParams;
  const pr = mem.put(r);
  wasm.netZeroGrads(h.net);
  wasm.netForward(h.net, mem.put(x1), 8, 1); wasm.netBackward(h.net, pr, 0, 8, 1);
  wasm.netForward(h.net, mem.put(x2), 8, 1); wasm.netBackward(h.net, pr, 0, 8, 1);
  expectClose("accumulated grads", mem.read(wasm.netGrads(h.net), h.P), g1.map((g, i) => g + g2[i]), 1e-6, 1e-6);
});

test("initialisation: U(-1/sqrt(in), 1/sqrt(in)) per dense layer, seeded", () => {
  const a = build(nets[4].layers, 2, 4, 42).params(), b = build(nets[4].layers, 2, 4, 42).params(), c = build(nets[4].layers, 2, 4, 43).params();
  assert.equal(Array.from(a), Array.from(b), "same seed, same weights");
  assert.not.equal(Array.from(a), Array.from(c), "another seed, other weights");
  // layer 2 (128 -> 128): bound 1/sqrt(128)
  const start = 2 * 128 + 128, w = a.subarray(start, start + 128 * 128);
  const bound = 1 / Math.sqrt(128);
  assert.ok(w.every((v) => Math.abs(v) <= bound), "within the bound");
  const mean = w.reduce((s, v) => s + v, 0) / w.length;
  assert.ok(Math.abs(mean) < 6 * bound / Math.sqrt(3 * w.length), `mean ${mean} near 0`);
});

test.run();
