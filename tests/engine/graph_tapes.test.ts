// Tapes (assembly/nn/tape.ts: one call's activations apart from the net's parameters), the blend
// node's α from the host, and WGAN-GP's tangent pass through graph critics.
//  (1) One net run twice in a step on two tapes, both backward passes ADDING into one gradient:
//      (a) y = N(N(x)) (CycleGAN's generator applied twice; N a residual net with batch norm):
//          ∂L/∂θ and ∂L/∂x for L = Σ r·y against f64 central differences of the f64 reference
//          (coordinate by coordinate, h = 1e-6: within 1e-5·max|∇| + 1e-3·|∂_k|) and against
//          tfjs-cpu's gradient of the same function (1e-4·max|b| + 1e-4·|b|);
//      (b) D on a real and a fake batch with both tapes alive (forward, forward, backward,
//          backward): against tfjs of Σ r1·D(x1) + Σ r2·D(x2) (same tolerance), and bit for bit
//          the gradients and running statistics of the one-tape sequence forward, backward,
//          forward, backward (the same operations in the same order).
//  (2) blend at α = 0, 0.5, 1 against tfjs-cpu (forward, dParams, dx; tolerance as (1)); α set by
//      netSetBlendAlpha gives the bits of a net built with that α; the branch weighted 0 gets a
//      gradient of exactly 0; α changed between 3 SGD steps from the host matches the tfjs
//      engine's TfNet with setBlendAlpha (weights within 1e-6 + 1e-5·|w|, as the one-step parity
//      of tests/tfjs_engine/parity.test.ts).
//  (3) WGAN-GP (assembly/train/penalty.ts) through residual, concat, blend and fan-out critics: P within
//      1e-6 + 1e-5·|P| of the f64 reference, ∇ₓD within 1e-5·max + 1e-4·|g_k|, ∂P/∂θ against f64
//      central differences of the f64 penalty (h = 1e-6) within 1e-5·max|∇P| + 1e-3·|∂P/∂θ_k|,
//      and against tfjs nested gradients through the tfjs engine's TfNet.inputGradient (the same).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { instantiate } from "../../src/engine/wasm_module.ts";
import { LinearMemory } from "../../src/engine/memory.ts";
import { layerShapes } from "../../src/model/shapes.ts";
import type { LayerSpec } from "../../src/model/spec.ts";
import { engineLayerIndices } from "../../src/engine/net_builder.ts";
import { TfNet } from "../../src/engine/tfjs/tfjs_nets.ts";
import { testRandom, randomArray, expectClose, expectBitIdentical, centralDifferences } from "../util/check.ts";
import { tfCpu } from "../util/tfjs.ts";
import { tfForward } from "../util/tf_net.ts";
import { f64Forward, f64InputGrad, f64Penalty } from "../util/f64_net.ts";
import { residualDense, residualDenseCritic, residualConv, concatNet, blendNet, fanOutCritic, dense, testNet } from "../util/graph_nets.ts";

const wasm = await instantiate("strict");
const mem = new LinearMemory(wasm);
const tf = await tfCpu();

const build = (layers: LayerSpec[], input: number[], maxBatch: number, seed: number) =>
  testNet(wasm, mem, layers, input, layerShapes(layers, input).at(-1)!, maxBatch, seed);
const maxAbs = (b: ArrayLike<number>) => { let m = 0; for (let i = 0; i < b.length; i++) m = Math.max(m, Math.abs(b[i])); return m; };
const close = (label: string, a: ArrayLike<number>, b: ArrayLike<number>) => expectClose(label, a, b, 1e-4 * maxAbs(b), 1e-4);
const withinFd = (label: string, a: ArrayLike<number>, b: ArrayLike<number>) => expectClose(label, a, b, 1e-5 * maxAbs(b), 1e-3);

const fd = centralDifferences;
const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => { let s = 0; for (let i = 0; i < a.length; i++) s += a[i] * b[i]; return s; };

test("two tapes: y = N(N(x)), both backward passes add into one gradient (vs f64 FD and tfjs)", () => {
  const N: LayerSpec[] = [...residualDense.slice(0, -1), dense(6)]; // [6] -> [6]
  const n = 4, rand = testRandom(21), h = build(N, [6], n, 4);
  const p = h.params().map((v) => v + 0.1 * (rand() - 0.5));
  h.setParams(p);
  const x = randomArray(n * 6, rand), r = randomArray(n * 6, rand);
  const tA = wasm.netNewTape(h.net, n), tB = wasm.netNewTape(h.net, n);
  assert.ok(tA !== 0 && tB !== 0 && tA !== tB, "two tapes");
  const y1 = wasm.netForwardTape(h.net, tA, mem.put(x), n, 1);
  const y2 = wasm.netForwardTape(h.net, tB, y1, n, 1);
  assert.ok(y1 !== y2, "each tape has its own activations");
  const y = mem.read(y2, n * 6);
  wasm.netZeroGrads(h.net);
  const d1 = mem.zeros(n * 6), dx = mem.zeros(n * 6);
  wasm.netBackwardTape(h.net, tB, mem.put(r), d1, n, 1);
  wasm.netBackwardTape(h.net, tA, d1, dx, n, 1);
  const dParams = h.grads(), dX = mem.read(dx, n * 6);

  const L = (th: ArrayLike<number>, xx: ArrayLike<number>) => dot(f64Forward(N, [6], th, f64Forward(N, [6], th, xx, n).out, n).out, r);
  withinFd("N(N(x)): dParams vs f64 FD", dParams, fd(p, (w) => L(w, x)));
  withinFd("N(N(x)): dx vs f64 FD", dX, fd(x, (w) => L(p, w)));

  const tp = tf.tensor1d(p), tx = tf.tensor2d(x, [n, 6]), tr = tf.tensor2d(r, [n, 6]);
  const twice = (pp: any, xx: any) => tfForward(tf, N, [6], pp, tfForward(tf, N, [6], pp, xx));
  close("N(N(x)): y vs tfjs", y, twice(tp, tx).dataSync());
  const [gp, gx] = tf.grads((pp: any, xx: any) => tf.sum(tf.mul(twice(pp, xx), tr)))([tp, tx]);
  close("N(N(x)): dParams vs tfjs", dParams, gp.dataSync());
  close("N(N(x)): dx vs tfjs", dX, gx.dataSync());
  tf.dispose([tp, tx, tr, gp, gx]);
});

const critics: { name: string; input: number[]; layers: LayerSpec[] }[] = [
  { name: "residual dense critic with batch norm", input: [6], layers: [...residualDense.slice(0, -1), dense(1)] },
  { name: "residual conv critic", input: [5, 5, 3], layers: residualConv(1) },
];
for (const { name, input, layers } of critics) {
  test(`two tapes: ${name} on real and fake kept alive at once (vs tfjs; bit for bit the one-tape sequence)`, () => {
    const n = 5, rand = testRandom(name.length), I = input.reduce((a, b) => a * b, 1);
    const a = build(layers, input, n, 6), b = build(layers, input, n, 6);
    const p = a.params().map((v) => v + 0.1 * (rand() - 0.5));
    a.setParams(p);
    b.setParams(p);
    const x1 = randomArray(n * I, rand), x2 = randomArray(n * I, rand, -2, 2), r1 = randomArray(n, rand), r2 = randomArray(n, rand);
    // a: the one-tape sequence, as the GAN step runs D
    wasm.netZeroGrads(a.net);
    wasm.netForward(a.net, mem.put(x1), n, 1);
    wasm.netBackward(a.net, mem.put(r1), 0, n, 1);
    wasm.netForward(a.net, mem.put(x2), n, 1);
    wasm.netBackward(a.net, mem.put(r2), 0, n, 1);
    // b: both forwards first, on two tapes (the default one and a new one)
    const tReal = wasm.netTape(b.net), tFake = wasm.netNewTape(b.net, n);
    wasm.netZeroGrads(b.net);
    wasm.netForwardTape(b.net, tReal, mem.put(x1), n, 1);
    wasm.netForwardTape(b.net, tFake, mem.put(x2), n, 1);
    wasm.netBackwardTape(b.net, tReal, mem.put(r1), 0, n, 1);
    wasm.netBackwardTape(b.net, tFake, mem.put(r2), 0, n, 1);
    expectBitIdentical(`${name}: gradients, two tapes vs one`, b.grads(), a.grads());
    const S = wasm.netStateCount(a.net);
    expectBitIdentical(`${name}: running statistics, two tapes vs one`, mem.read(wasm.netState(b.net), S), mem.read(wasm.netState(a.net), S));
    const tp = tf.tensor1d(p), t1 = tf.tensor2d(x1, [n, I]), t2 = tf.tensor2d(x2, [n, I]), tr1 = tf.tensor2d(r1, [n, 1]), tr2 = tf.tensor2d(r2, [n, 1]);
    const g = tf.grad((pp: any) => tf.add(tf.sum(tf.mul(tfForward(tf, layers, input, pp, t1), tr1)), tf.sum(tf.mul(tfForward(tf, layers, input, pp, t2), tr2))))(tp);
    close(`${name}: summed gradient vs tfjs`, b.grads(), g.dataSync());
    tf.dispose([tp, t1, t2, tr1, tr2, g]);
  });
}

test("netNewTape refuses a batch above the net's or below 1", () => {
  const h = build(blendNet(0.5), [6], 4, 1);
  assert.is(wasm.netNewTape(h.net, 5), 0, "5 > maxBatch 4");
  assert.is(wasm.netNewTape(h.net, 0), 0, "0 rows");
  assert.ok(wasm.netNewTape(h.net, 2) !== 0, "2 rows");
});

test("blend at α = 0, 0.5, 1: forward and gradients vs tfjs; netSetBlendAlpha; the branch weighted 0 gets no gradient", () => {
  const blendAt = engineLayerIndices(blendNet(0))[3];
  assert.is(blendAt, 3, "the blend's engine layer");
  const n = 6;
  for (const alpha of [0, 0.5, 1]) {
    const rand = testRandom(3 + alpha * 10);
    const layers = blendNet(alpha);
    const h = build(layers, [6], n, 2), other = build(blendNet(0.3), [6], n, 2);
    assert.is(wasm.netSetBlendAlpha(other.net, blendAt, alpha), 0, "netSetBlendAlpha");
    const x = randomArray(n * 6, rand), r = randomArray(n * 2, rand);
    const run = h.run(x, r, n), run2 = other.run(x, r, n);
    expectBitIdentical(`α ${alpha}: y, α set by the host vs built with it`, run2.y, run.y);
    expectBitIdentical(`α ${alpha}: dParams, α set by the host vs built with it`, run2.dParams, run.dParams);
    const tp = tf.tensor1d(h.params()), tx = tf.tensor2d(x, [n, 6]), tr = tf.tensor2d(r, [n, 2]);
    close(`α ${alpha}: y vs tfjs`, run.y, tfForward(tf, layers, [6], tp, tx).dataSync());
    const [gp, gx] = tf.grads((pp: any, xx: any) => tf.sum(tf.mul(tfForward(tf, layers, [6], pp, xx), tr)))([tp, tx]);
    close(`α ${alpha}: dParams vs tfjs`, run.dParams, gp.dataSync());
    close(`α ${alpha}: dx vs tfjs`, run.dx, gx.dataSync());
    tf.dispose([tp, tx, tr, gp, gx]);
    const newBranch = run.dParams.subarray(0, 35), oldBranch = run.dParams.subarray(35, 70);
    if (alpha === 0) assert.ok(newBranch.every((v) => v === 0), "α 0: the new branch's gradient is 0");
    if (alpha === 1) assert.ok(oldBranch.every((v) => v === 0), "α 1: the old branch's gradient is 0");
    if (alpha === 0.5) assert.ok(maxAbs(newBranch) > 1e-3 && maxAbs(oldBranch) > 1e-3, "α 0.5: both branches learn");
  }
});

test("blend: α changed between 3 SGD steps from the host matches the tfjs engine's TfNet.setBlendAlpha", () => {
  const n = 8, lr = 0.1, rand = testRandom(17), layers = blendNet(0);
  const h = build(layers, [6], n, 8);
  const tn = new TfNet(tf, layers, [6], h.params(), new Float32Array(0));
  const x = randomArray(n * 6, rand), r = randomArray(n * 2, rand);
  const tx = tf.tensor2d(x, [n, 6]), tr = tf.tensor2d(r, [n, 2]);
  for (const alpha of [0.2, 0.6, 1]) {
    assert.is(wasm.netSetBlendAlpha(h.net, 3, alpha), 0);
    tn.setBlendAlpha(3, alpha);
    const { y, dParams } = h.run(x, r, n);
    close(`α ${alpha}: y vs TfNet`, y, tf.tidy(() => tn.apply(tx, { training: true })).dataSync());
    h.setParams(h.params().map((v, i) => v - lr * dParams[i]));
    const { grads } = tf.variableGrads(() => tf.sum(tf.mul(tn.apply(tx, { training: true }), tr)) as any, tn.params);
    tf.tidy(() => tn.params.forEach((v) => v.assign(tf.sub(v, tf.mul(grads[v.name], lr)))));
    tf.dispose(Object.values(grads));
  }
  expectClose("weights after 3 steps vs TfNet", h.params(), tn.readParams(), 1e-6, 1e-5);
  assert.throws(() => tn.setBlendAlpha(2, 0.5), /layer 2 is not a blend/);
  tf.dispose([tx, tr]);
  tn.dispose();
});

const gpCritics: { name: string; input: number[]; layers: LayerSpec[] }[] = [
  { name: "residual dense critic (relu, tanh)", input: [6], layers: residualDenseCritic },
  { name: "residual conv critic (leaky relu)", input: [5, 5, 3], layers: residualConv(1, { type: "leaky_relu", alpha: 0.2 }) },
  { name: "concat critic (sigmoid; the input read three times)", input: [32], layers: concatNet(1) },
  { name: "blend critic (α 0.4)", input: [6], layers: blendNet(0.4, 1) },
  { name: "fan-out critic (a tanh read by two tanh branches)", input: [6], layers: fanOutCritic },
];
for (const { name, input, layers } of gpCritics) {
  test(`WGAN-GP tangent pass through the ${name}: P, ∇ₓD, ∂P/∂θ vs f64 and tfjs nested gradients`, () => {
    const n = 3, lambda = 10, rand = testRandom(name.length * 3), I = input.reduce((a, b) => a * b, 1);
    const h = build(layers, input, n, 12);
    const p = h.params().map((v) => v + 0.1 * (rand() - 0.5));
    h.setParams(p);
    const x = randomArray(n * I, rand);
    const pen = wasm.penaltyNew(h.net, lambda);
    wasm.netZeroGrads(h.net);
    const value = wasm.penaltyRun(pen, mem.put(x), n);
    const grad = h.grads(), g = mem.read(wasm.penaltyInputGrad(pen), n * I);
    const P = f64Penalty(layers, input, p, x, n, lambda);
    expectClose(`${name}: P`, [value], [P], 1e-6, 1e-5);
    assert.ok(P > 1e-2, `the penalty is not trivial (${P})`);
    const g64 = f64InputGrad(layers, input, p, x, n, new Float64Array(n).fill(1));
    expectClose(`${name}: ∇ₓD`, g, g64, 1e-5 * maxAbs(g64), 1e-4);
    withinFd(`${name}: ∂P/∂θ vs f64 FD`, grad, fd(p, (w) => f64Penalty(layers, input, w, x, n, lambda)));
    const tn = new TfNet(tf, layers, input, p, new Float32Array(0));
    const tx = tf.tensor2d(x, [n, I]);
    const { grads } = tf.variableGrads(() => tf.tidy(() => {
      const norms = tf.sqrt(tf.sum(tf.square(tn.inputGradient(tx)), 1));
      return tf.mul(tf.mean(tf.square(tf.sub(norms, 1))), lambda) as any;
    }), tn.params);
    const flat = new Float32Array(h.P);
    let o = 0;
    for (const v of tn.params) { flat.set(grads[v.name].dataSync() as Float32Array, o); o += v.size; }
    withinFd(`${name}: ∂P/∂θ vs tfjs nested gradients through TfNet.inputGradient`, grad, flat);
    tf.dispose([tx, ...Object.values(grads)]);
    tn.dispose();
  });
}

test.run();
