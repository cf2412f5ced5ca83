// The CycleGAN step (assembly/train/cycle.ts through src/engine/cycle_engine.ts) on small nets
// (src/model/cyclegan_nets.ts at 8x8x1: every layer kind of the real ones):
//  (1) one step against a tfjs-cpu reference of the same step written from the paper's objective
//      (tests/util/tf_net.ts for the nets; same initial weights, the same minibatch, the pool
//      disabled, plain SGD so that (θ0 − θ1)/lr is the gradient): every net's gradient within
//      1e-4·max|∇| + 1e-3·|∇_k| (f32 on both sides, different summation orders through instance
//      norm's 1/σ), each loss statistic within 1e-5 + 1e-4·|x|.
//  (2) the same with λ = 0 (no cycle, no identity term) and with the identity term off.
//  (3) resume: 6 steps straight == 3 steps, a checkpoint's bytes (src/io/cycle_checkpoint.ts), a
//      fresh engine, loadState, 3 more, bit for bit (every net's weights and optimiser moments, both pools, the stream), with a pool of 3
//      so the pool's random swaps run after the first two steps; Adam with the schedule's decay.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { CycleGAN } from "../../src/engine/cycle_engine.ts";
import { encodeCycleCheckpoint, decodeCycleCheckpoint } from "../../src/io/cycle_checkpoint.ts";
import { resnetGenerator, patchDiscriminator } from "../../src/model/cyclegan_nets.ts";
import { expectBitIdentical, expectClose, testRandom } from "../util/check.ts";
import { tfCpu } from "../util/tfjs.ts";
import { tfForward } from "../util/tf_net.ts";

const tf = await tfCpu();
const shape = [8, 8, 1], X = 64;
const images = (seed: number, count: number) => { const r = testRandom(seed), x = new Float32Array(count * X); for (let i = 0; i < x.length; i++) x[i] = 2 * r() - 1; return x; };
const A = images(1, 40), Bimg = images(2, 40);
const lr = 0.25, sgd = { type: "sgd", lr };
const spec = (over: Record<string, unknown> = {}) => ({
  dataShape: shape, batchSize: 3, poolSize: 0,
  nets: { G: resnetGenerator({ channels: 1, ngf: 2, blocks: 1 }), F: resnetGenerator({ channels: 1, ngf: 2, blocks: 1 }), DA: patchDiscriminator({ ndf: 2, layers: 1 }), DB: patchDiscriminator({ ndf: 2, layers: 1 }) },
  objective: { type: "cyclegan", generator: "G", inverse: "F", discriminatorA: "DA", discriminatorB: "DB" },
  optimizer: { G: sgd, F: sgd, DA: sgd, DB: sgd }, ...over,
});
const maxAbs = (a: ArrayLike<number>) => Array.from(a).reduce((m, v) => Math.max(m, Math.abs(v)), 0);

// the step in tfjs: the generators' objective and the halved D losses, differentiated by tfjs
function reference(s: any, w0: Record<string, Float32Array>, a: Float32Array, b: Float32Array, lambda: number, identity: number) {
  const n = a.length / X, net = (name: string, p: any, x: any) => tfForward(tf, s.nets[name], shape, p, x);
  const ta = tf.tensor2d(a, [n, X]), tb = tf.tensor2d(b, [n, X]);
  const mse = (l: any, t: number) => tf.mean(tf.square(tf.sub(l, t)));
  const l1 = (x: any, y: any) => tf.mean(tf.abs(tf.sub(x, y)));
  const pDA = tf.tensor1d(w0.DA), pDB = tf.tensor1d(w0.DB);
  const parts = (pG: any, pF: any) => {
    const fakeB = net("G", pG, ta), fakeA = net("F", pF, tb);
    return {
      gAdv: mse(net("DB", pDB, fakeB), 1), fAdv: mse(net("DA", pDA, fakeA), 1),
      recA: l1(net("F", pF, fakeB), ta), recB: l1(net("G", pG, fakeA), tb),
      idtB: l1(net("G", pG, tb), tb), idtA: l1(net("F", pF, ta), ta),
    };
  };
  const gen = (pG: any, pF: any) => {
    const p = parts(pG, pF);
    let L = tf.add(tf.add(p.gAdv, p.fAdv), tf.mul(lambda, tf.add(p.recA, p.recB)));
    if (lambda * identity > 0) L = tf.add(L, tf.mul(lambda * identity, tf.add(p.idtA, p.idtB)));
    return L as any;
  };
  const [gG, gF] = tf.grads(gen)([tf.tensor1d(w0.G), tf.tensor1d(w0.F)]);
  const p = parts(tf.tensor1d(w0.G), tf.tensor1d(w0.F));
  const fakeB = net("G", tf.tensor1d(w0.G), ta), fakeA = net("F", tf.tensor1d(w0.F), tb);
  const dLoss = (name: string, real: any, fake: any) => (pp: any) => tf.mul(0.5, tf.add(mse(net(name, pp, real), 1), mse(net(name, pp, fake), 0))) as any;
  const gDB = tf.grad(dLoss("DB", tb, fakeB))(pDB), gDA = tf.grad(dLoss("DA", ta, fakeA))(pDA);
  const num = (t: any) => t.dataSync()[0] as number;
  return {
    grads: { G: gG.dataSync() as Float32Array, F: gF.dataSync() as Float32Array, DA: gDA.dataSync() as Float32Array, DB: gDB.dataSync() as Float32Array },
    stats: { gAdv: num(p.gAdv), fAdv: num(p.fAdv), recA: num(p.recA), recB: num(p.recB), dBLoss: num(dLoss("DB", tb, fakeB)(pDB)), dALoss: num(dLoss("DA", ta, fakeA)(pDA)),
      ...(lambda * identity > 0 ? { idtA: num(p.idtA), idtB: num(p.idtB) } : {}) },
  };
}

for (const [name, lambda, identity] of [["λ = 10, identity 0.5 (the official defaults)", 10, 0.5], ["λ = 0 (no cycle, no identity)", 0, 0.5], ["λ = 10, identity off", 10, 0]] as const) {
  test(`one step, ${name}: every net's gradient and the losses match a tfjs reference of the step`, async () => {
    const s = spec({ lambda, identity });
    const gan = await CycleGAN.create(s, { seed: 3 });
    const w0 = gan.getWeights();
    const st = gan.train(A, Bimg, { steps: 1 });
    const { a, b } = gan.lastBatch();
    const w1 = gan.getWeights();
    const ref = reference(s, w0, a, b, lambda, identity);
    for (const net of ["G", "F", "DA", "DB"] as const) {
      const g = w0[net].map((v, i) => (v - w1[net][i]) / lr);
      const scale = maxAbs(ref.grads[net]);
      assert.ok(scale > 1e-4, `${net}: a nontrivial gradient (${scale})`);
      expectClose(`${net}: ∇ vs tfjs (1e-4·max|∇| + 1e-3·|∇_k|)`, g, ref.grads[net], 1e-4 * scale, 1e-3);
    }
    for (const [k, v] of Object.entries(ref.stats)) expectClose(`${k} (1e-5 + 1e-4·|x|)`, [st[k as keyof typeof st]], [v], 1e-5, 1e-4);
    if (lambda * identity === 0) assert.is(st.idtA + st.idtB, 0, "identity off: its statistics are 0");
  });
}

test("resume: 6 steps straight == 3 + saveState / loadState into a fresh engine + 3, bit for bit (pool 3, Adam, decay)", async () => {
  const adam = { type: "adam", lr: 2e-4, beta1: 0.5, beta2: 0.999 };
  const s = spec({ poolSize: 3, batchSize: 2, optimizer: { G: adam, F: adam, DA: adam, DB: adam }, lrSchedule: { type: "linear", steps: 6 } });
  const straight = await CycleGAN.create(s, { seed: 9 });
  straight.train(A, Bimg, { steps: 6 });
  const first = await CycleGAN.create(s, { seed: 9 });
  first.train(A, Bimg, { steps: 3 });
  // through a checkpoint's bytes (src/io/cycle_checkpoint.ts)
  const bytes = encodeCycleCheckpoint(first.spec, first.seed, first.saveState());
  const ck = decodeCycleCheckpoint(bytes);
  assert.is(ck.state.poolA.count, 3, "the pool is full after 3 steps of 2");
  assert.is(ck.step, 3);
  const flipped = bytes.slice();
  flipped[flipped.length - 5] ^= 1;
  assert.throws(() => decodeCycleCheckpoint(flipped, "x.safetensors"), /x\.safetensors: corrupted: the tensor data's CRC-32/, "a flipped byte is refused");
  const resumed = await CycleGAN.create(ck.spec, { seed: 123 }); // another seed: everything must come from the state
  resumed.loadState(ck.state);
  resumed.train(A, Bimg, { steps: 6 });
  const x = straight.saveState(), y = resumed.saveState();
  assert.is(y.step, 6);
  for (const net of Object.keys(x.nets)) {
    for (const k of ["params", "opt1", "opt2"] as const) expectBitIdentical(`${net}.${k}`, y.nets[net][k], x.nets[net][k]);
    assert.is(y.nets[net].t, x.nets[net].t, `${net}: updates taken`);
  }
  expectBitIdentical("pool A", y.poolA.images, x.poolA.images);
  expectBitIdentical("pool B", y.poolB.images, x.poolB.images);
  assert.equal(Array.from(y.rng), Array.from(x.rng), "the stream");
});

test.run();
