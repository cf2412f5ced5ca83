// The in-wasm training step against tfjs-cpu, and its reproducibility.
// Parity: with SGD (lr η) the update is θ1 = θ0 − η·∇, so ∇ = (θ0 − θ1)/η is read back and
// compared with tf.grads of the same losses on the same z and real batch (the engine keeps the
// last step's z and real batch). D's gradient is taken at (θG0, θD0); G's through D at θD1,
// as the step does. Tolerance |a − b| <= 1e-5 + 2e-3·|b|: the recovery divides f32 rounding
// of θ (~6e-8·|θ|) by η = 0.25, and both sides sum in f32 in different orders.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createGAN, ring8, validateSpec, type GanSpec } from "../../src/index.ts";
import { expectClose, expectBitIdentical, testRandom } from "../util/check.ts";
import { tfCpu } from "../util/tfjs.ts";
import { tfForward } from "../util/tf_net.ts";

const tf = await tfCpu();
const data = await ring8({ count: 4096, seed: 3 });

const small = (loss: GanSpec["loss"], labelSmoothing = 0, pack = 1): GanSpec => ({
  latentDim: 3, dataShape: [2], batchSize: 24, loss, labelSmoothing, pack,
  generator: [{ type: "dense", units: 16 }, { type: "leaky_relu", alpha: 0.2 }, { type: "dense", units: 9 }, { type: "tanh" }, { type: "dense", units: 2 }],
  discriminator: [{ type: "dense", units: 17 }, { type: "relu" }, { type: "dense", units: 5 }, { type: "leaky_relu", alpha: 0.1 }, { type: "dense", units: 1 }],
  optimizer: { generator: { type: "sgd", lr: 0.25 }, discriminator: { type: "sgd", lr: 0.25 } },
});

// pack > 1 (PacGAN): D sees [B/pack, pack·2], the same batch reshaped
const mlpCases = ([["non-saturating", 0, 1], ["minimax", 0, 1], ["non-saturating", 0.1, 1], ["non-saturating", 0, 3], ["minimax", 0.1, 2]] as const)
  .map(([loss, smoothing, pack]) => ({ name: `${loss}, label smoothing ${smoothing}, pack ${pack}`, spec: small(loss, smoothing, pack), data: data.x }));

// a small DCGAN: batch norm in G (batch statistics of the fake batch), conv and transposed conv
const images = (() => {
  const rand = testRandom(8), x = new Float32Array(200 * 36);
  for (let i = 0; i < x.length; i++) x[i] = 2 * rand() - 1;
  return x;
})();
const smallDcgan = (loss: GanSpec["loss"]): GanSpec => ({
  latentDim: 3, dataShape: [6, 6, 1], batchSize: 8, loss,
  generator: [
    { type: "dense", units: 18 }, { type: "batch_norm" }, { type: "relu" }, { type: "reshape", targetShape: [3, 3, 2] },
    { type: "conv2d_transpose", filters: 1, kernelSize: 4, strides: 2, padding: "same" }, { type: "tanh" },
  ],
  discriminator: [
    { type: "conv2d", filters: 3, kernelSize: 3, strides: 2, padding: "same" }, { type: "leaky_relu", alpha: 0.2 },
    { type: "flatten" }, { type: "dense", units: 1 },
  ],
  optimizer: { generator: { type: "sgd", lr: 0.25 }, discriminator: { type: "sgd", lr: 0.25 } },
});
const convCases = (["non-saturating", "minimax"] as const).map((loss) => ({ name: `small DCGAN, ${loss}`, spec: smallDcgan(loss), data: images }));

for (const { name, spec: input, data: x } of [...mlpCases, ...convCases]) {
  test(`one step (${name}): gradients and statistics match tfjs-cpu`, async () => {
    const spec = validateSpec(input);
    const { loss, labelSmoothing: smoothing, pack, latentDim: Z } = spec;
    const X = spec.dataShape.reduce((a, b) => a * b, 1);
    const gan = await createGAN(spec, { seed: 5 });
    const w0 = gan.getWeights();
    const stats = await gan.train(x, { steps: 1 });
    const w1 = gan.getWeights();
    const { wasm, gan: h } = gan.raw;
    const B = spec.batchSize;
    const z = tf.tensor2d(new Float32Array(wasm.memory.buffer, wasm.ganZ(h), B * Z).slice(), [B, Z]);
    const real = tf.tensor2d(new Float32Array(wasm.memory.buffer, wasm.ganReal(h), B * X).slice(), [B, X]);
    const G = (p: any, zz: any) => tfForward(tf, spec.generator, Z, p, zz);
    const D = (p: any, xx: any) => tfForward(tf, spec.discriminator, pack > 1 ? [X * pack] : spec.dataShape, p, tf.reshape(xx, [B / pack, X * pack]));
    const target = 1 - smoothing;
    const dLossFn = (pd: any) => {
      const lr = D(pd, real), lf = D(pd, G(tf.tensor1d(w0.generator), z));
      const realTerm = tf.add(tf.mul(target, tf.softplus(tf.neg(lr))), tf.mul(1 - target, tf.softplus(lr)));
      return tf.add(tf.mean(realTerm), tf.mean(tf.softplus(lf)));
    };
    const gLossFn = (pg: any) => {
      const l = D(tf.tensor1d(w1.discriminator), G(pg, z));
      return loss === "minimax" ? tf.neg(tf.mean(tf.softplus(l))) : tf.mean(tf.softplus(tf.neg(l)));
    };
    const dGrad = tf.grad(dLossFn)(tf.tensor1d(w0.discriminator)).dataSync();
    const gGrad = tf.grad(gLossFn)(tf.tensor1d(w0.generator)).dataSync();
    const recovered = (a: Float32Array, b: Float32Array) => a.map((v, i) => (v - b[i]) / 0.25);
    expectClose("∇D", recovered(w0.discriminator, w1.discriminator), dGrad, 1e-5, 2e-3);
    expectClose("∇G", recovered(w0.generator, w1.generator), gGrad, 1e-5, 2e-3);
    expectClose("D loss", [stats.dLoss], [dLossFn(tf.tensor1d(w0.discriminator)).dataSync()[0]], 1e-5, 1e-5);
    expectClose("G loss", [stats.gLoss], [gLossFn(tf.tensor1d(w0.generator)).dataSync()[0]], 1e-5, 1e-5);
    const sig = (t: any) => tf.mean(tf.sigmoid(t)).dataSync()[0];
    expectClose("mean D(x)", [stats.dReal], [sig(D(tf.tensor1d(w0.discriminator), real))], 1e-6, 1e-5);
    expectClose("mean D(G(z))", [stats.dFake], [sig(D(tf.tensor1d(w0.discriminator), G(tf.tensor1d(w0.generator), z)))], 1e-6, 1e-5);
    const norm = (g: ArrayLike<number>) => Math.sqrt(Array.from(g).reduce((s, v) => s + v * v, 0));
    expectClose("‖∇D‖", [stats.dGradNorm], [norm(dGrad)], 1e-5, 1e-3);
    expectClose("‖∇G‖", [stats.gGradNorm], [norm(gGrad)], 1e-5, 1e-3);
  });
}

test("linear learning-rate schedule: full rate on the first step, zero after `steps` steps", async () => {
  const sgd = { type: "sgd" as const, lr: 0.25 };
  const spec = (schedule: GanSpec["lrSchedule"], dSteps = 1): GanSpec => ({ ...small("non-saturating"), dSteps, lrSchedule: schedule, optimizer: { generator: sgd, discriminator: sgd } });
  const constant = await createGAN(spec({ type: "constant" }), { seed: 4 });
  const decayed = await createGAN(spec({ type: "linear", steps: 3 }), { seed: 4 });
  await constant.train(data, { steps: 1 });
  await decayed.train(data, { steps: 1 });
  expectBitIdentical("G after one step", decayed.getWeights().generator, constant.getWeights().generator);
  expectBitIdentical("D after one step", decayed.getWeights().discriminator, constant.getWeights().discriminator);
  await constant.train(data, { steps: 1 });
  await decayed.train(data, { steps: 1 });
  assert.not.equal(Array.from(decayed.getWeights().generator), Array.from(constant.getWeights().generator), "second step at 2/3 rate");
  // with 2 D updates a step, D's schedule spans 2·steps updates: both nets freeze after step 3
  const twoD = await createGAN(spec({ type: "linear", steps: 3 }, 2), { seed: 4 });
  await twoD.train(data, { steps: 3 });
  const w3 = twoD.getWeights();
  await twoD.train(data, { steps: 2 });
  const w5 = twoD.getWeights();
  expectBitIdentical("G frozen after the schedule ends", w5.generator, w3.generator);
  expectBitIdentical("D frozen after the schedule ends", w5.discriminator, w3.discriminator);
});

test("same seed twice: bit-identical weights after 200 steps (strict build); another seed differs", async () => {
  const run = async (seed: number) => {
    const gan = await createGAN({ ...small("non-saturating"), optimizer: { generator: { type: "adam", lr: 2e-4 }, discriminator: { type: "adam", lr: 2e-4 } } }, { seed, deterministic: true });
    assert.is(gan.engineInfo().simd, "strict");
    await gan.train(data, { steps: 200 });
    return gan.getWeights();
  };
  const a = await run(9), b = await run(9), c = await run(10);
  expectBitIdentical("G weights", a.generator, b.generator);
  expectBitIdentical("D weights", a.discriminator, b.discriminator);
  assert.not.equal(Array.from(a.generator), Array.from(c.generator));
});

test("the ring8 preset: 200 steps of the exact reference nets are bit-reproducible", async () => {
  const { preset } = await import("../../src/index.ts");
  const big = await ring8({ count: 20000, seed: 1 });
  const w = [];
  for (let i = 0; i < 2; i++) {
    const gan = await createGAN(preset("ring8"), { seed: 1 });
    await gan.train(big, { steps: 200 });
    w.push(gan.getWeights());
  }
  expectBitIdentical("ring8 G", w[0].generator, w[1].generator);
  expectBitIdentical("ring8 D", w[0].discriminator, w[1].discriminator);
});

test.run();
