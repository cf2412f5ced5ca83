// The in-wasm training step against tfjs-cpu, and its reproducibility.
// Parity: with SGD (lr η) the update is θ1 = θ0 − η·∇, so ∇ = (θ0 − θ1)/η is read back and
// compared with tf.grads of the same losses on the same z and real batch (the engine keeps the
// last step's z and real batch). D's gradient is taken at (θG0, θD0); G's through D at θD1,
// as the step does. Tolerance |a − b| <= 1e-5 + 2e-3·|b|: the recovery divides f32 rounding
// of θ (~6e-8·|θ|) by η = 0.25, and both sides sum in f32 in different orders.
// Every objective: minimax, non-saturating (BCE; dReal/dFake are mean σ(logit)), wasserstein,
// hinge, least-squares (dReal/dFake are mean raw logits). With weight clipping (wasserstein,
// clip c) θD1 = clip(θD0 − η·∇D, c), checked elementwise within η·(1e-5 + 2e-3·|∇D|) (clipping
// is 1-Lipschitz, so the bound carries over), and G's gradient is taken through the clipped θD1.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createWasmGAN as createGAN, ring8, validateSpec, roleNet, type GanSpec } from "../../src/index.ts";
import { expectClose, expectBitIdentical, testRandom } from "../util/check.ts";
import { tfCpu } from "../util/tfjs.ts";
import { tfForward } from "../util/tf_net.ts";
import { sgd, smallMlpGenerator, smallMlpDiscriminator, smallDcganGenerator, smallDcganDiscriminator, randomImages } from "../util/small_gans.ts";

const tf = await tfCpu();
const data = await ring8({ count: 4096, seed: 3 });

const small = (loss: GanSpec["loss"], labelSmoothing = 0, pack = 1, clip?: number): GanSpec => ({
  latentDim: 3, dataShape: [2], batchSize: 24, loss, labelSmoothing, pack, ...(clip ? { clip } : {}),
  generator: smallMlpGenerator,
  discriminator: smallMlpDiscriminator,
  optimizer: { generator: sgd, discriminator: sgd },
});

// pack > 1 (PacGAN): D sees [B/pack, pack·2], the same batch reshaped
// clip 0.2 clips some of D's initial U(±1/sqrt(fan_in)) weights after the step and leaves others
const mlpCases = ([["non-saturating", 0, 1], ["minimax", 0, 1], ["non-saturating", 0.1, 1], ["non-saturating", 0, 3], ["minimax", 0.1, 2],
  ["wasserstein", 0, 1], ["wasserstein", 0, 1, 0.2], ["wasserstein", 0, 2, 0.2], ["hinge", 0, 1], ["least-squares", 0, 1], ["hinge", 0, 3]] as const)
  .map(([loss, smoothing, pack, clip]: readonly [GanSpec["loss"], number, number, number?]) => ({
    name: `${loss}, label smoothing ${smoothing}, pack ${pack}${clip ? `, clip ${clip}` : ""}`, spec: small(loss, smoothing, pack, clip), data: data.x,
  }));

// a small DCGAN: batch norm in G (batch statistics of the fake batch), conv and transposed conv
const images = randomImages().x;
const smallDcgan = (loss: GanSpec["loss"], clip?: number): GanSpec => ({
  latentDim: 3, dataShape: [6, 6, 1], batchSize: 8, loss, ...(clip ? { clip } : {}),
  generator: smallDcganGenerator,
  discriminator: smallDcganDiscriminator,
  optimizer: { generator: sgd, discriminator: sgd },
});
const convCases = ([["non-saturating"], ["minimax"], ["wasserstein", 0.1], ["hinge"], ["least-squares"]] as const)
  .map(([loss, clip]: readonly [GanSpec["loss"], number?]) => ({ name: `small DCGAN, ${loss}${clip ? `, clip ${clip}` : ""}`, spec: smallDcgan(loss, clip), data: images }));

// the objectives as tfjs expressions of the logits (the same formulas as assembly/kernels/losses.ts)
const bce = (loss: GanSpec["loss"]) => loss === "minimax" || loss === "non-saturating";
function tfDLoss(loss: GanSpec["loss"], target: number, lr: any, lf: any) {
  switch (loss) {
    case "wasserstein": return tf.sub(tf.mean(lf), tf.mean(lr));
    case "hinge": return tf.add(tf.mean(tf.relu(tf.sub(1, lr))), tf.mean(tf.relu(tf.add(1, lf))));
    case "least-squares": return tf.add(tf.mul(0.5, tf.mean(tf.square(tf.sub(lr, 1)))), tf.mul(0.5, tf.mean(tf.square(lf))));
    default: {
      const realTerm = tf.add(tf.mul(target, tf.softplus(tf.neg(lr))), tf.mul(1 - target, tf.softplus(lr)));
      return tf.add(tf.mean(realTerm), tf.mean(tf.softplus(lf)));
    }
  }
}
function tfGLoss(loss: GanSpec["loss"], l: any) {
  switch (loss) {
    case "minimax": return tf.neg(tf.mean(tf.softplus(l)));
    case "non-saturating": return tf.mean(tf.softplus(tf.neg(l)));
    case "wasserstein": case "hinge": return tf.neg(tf.mean(l));
    case "least-squares": return tf.mul(0.5, tf.mean(tf.square(tf.sub(l, 1))));
  }
}

for (const { name, spec: input, data: x } of [...mlpCases, ...convCases]) {
  test(`one step (${name}): gradients and statistics match tfjs-cpu`, async () => {
    const spec = validateSpec(input);
    const { loss, labelSmoothing: smoothing, pack, latentDim: Z, clip } = spec;
    const X = spec.dataShape.reduce((a, b) => a * b, 1);
    const gan = await createGAN(spec, { seed: 5 });
    const w0 = gan.getWeights();
    const stats = await gan.train(x, { steps: 1 });
    const w1 = gan.getWeights();
    const { wasm, gan: h } = gan.raw;
    const B = spec.batchSize;
    const z = tf.tensor2d(new Float32Array(wasm.memory.buffer, wasm.ganZ(h), B * Z).slice(), [B, Z]);
    const real = tf.tensor2d(new Float32Array(wasm.memory.buffer, wasm.ganReal(h), B * X).slice(), [B, X]);
    const G = (p: any, zz: any) => tfForward(tf, roleNet(spec, "generator").layers, Z, p, zz);
    const D = (p: any, xx: any) => tfForward(tf, roleNet(spec, "discriminator").layers, pack > 1 ? [X * pack] : spec.dataShape, p, tf.reshape(xx, [B / pack, X * pack]));
    const target = 1 - smoothing;
    const dLossFn = (pd: any) => tfDLoss(loss, target, D(pd, real), D(pd, G(tf.tensor1d(w0.generator), z)));
    // through θD1: with clipping, the clipped critic
    const gLossFn = (pg: any) => tfGLoss(loss, D(tf.tensor1d(w1.discriminator), G(pg, z)))!;
    const dGrad = tf.grad(dLossFn)(tf.tensor1d(w0.discriminator)).dataSync();
    const gGrad = tf.grad(gLossFn)(tf.tensor1d(w0.generator)).dataSync();
    const recovered = (a: Float32Array, b: Float32Array) => a.map((v, i) => (v - b[i]) / 0.25);
    if (clip === undefined) expectClose("∇D", recovered(w0.discriminator, w1.discriminator), dGrad, 1e-5, 2e-3);
    else {
      const c = Math.fround(clip);
      let clipped = 0;
      for (let i = 0; i < dGrad.length; i++) {
        const sgd = w0.discriminator[i] - 0.25 * dGrad[i], want = Math.min(Math.max(sgd, -c), c);
        const tol = 0.25 * (1e-5 + 2e-3 * Math.abs(dGrad[i]));
        if (!(Math.abs(w1.discriminator[i] - want) <= tol)) assert.unreachable(`θD1[${i}] = ${w1.discriminator[i]}, clip(θD0 − η∇D) = ${want} (tol ${tol})`);
        if (!(Math.abs(w1.discriminator[i]) <= c)) assert.unreachable(`θD1[${i}] = ${w1.discriminator[i]} outside [−${c}, ${c}]`);
        if (Math.abs(sgd) > c) clipped++;
      }
      assert.ok(clipped > 0 && clipped < dGrad.length, `clipped ${clipped} of ${dGrad.length}: the case exercises both sides`);
    }
    expectClose("∇G", recovered(w0.generator, w1.generator), gGrad, 1e-5, 2e-3);
    expectClose("D loss", [stats.dLoss], [dLossFn(tf.tensor1d(w0.discriminator)).dataSync()[0]], 1e-5, 1e-5);
    expectClose("G loss", [stats.gLoss], [gLossFn(tf.tensor1d(w0.generator)).dataSync()[0]], 1e-5, 1e-5);
    const sig = (t: any) => tf.mean(bce(loss) ? tf.sigmoid(t) : t).dataSync()[0]; // raw critic values otherwise
    expectClose("mean D(x)", [stats.dReal], [sig(D(tf.tensor1d(w0.discriminator), real))], 1e-6, 1e-5);
    expectClose("mean D(G(z))", [stats.dFake], [sig(D(tf.tensor1d(w0.discriminator), G(tf.tensor1d(w0.generator), z)))], 1e-6, 1e-5);
    const norm = (g: ArrayLike<number>) => Math.sqrt(Array.from(g).reduce((s, v) => s + v * v, 0));
    expectClose("‖∇D‖", [stats.dGradNorm], [norm(dGrad)], 1e-5, 1e-3);
    expectClose("‖∇G‖", [stats.gGradNorm], [norm(gGrad)], 1e-5, 1e-3);
  });
}

test("WGAN settings (5 critic steps, RMSProp 5e-5, clip 0.01): the critic stays in the box, statistics are raw", async () => {
  const rms = { type: "rmsprop" as const, lr: 5e-5 };
  const spec: GanSpec = { ...small("wasserstein"), dSteps: 5, clip: true, optimizer: { generator: rms, discriminator: rms } };
  const gan = await createGAN(spec, { seed: 6 });
  assert.is(gan.spec.clip, 0.01);
  const c = Math.fround(0.01);
  for (let k = 0; k < 4; k++) {
    const s = await gan.train(data, { steps: 5 });
    const d = gan.getWeights().discriminator;
    assert.ok(d.every((v) => Math.abs(v) <= c), "every critic parameter within [−c, c]");
    assert.ok(d.some((v) => Math.abs(v) === c) && d.some((v) => Math.abs(v) < c), "some at the bound, some inside");
    // L_D = mean D(G(z)) − mean D(x) with D the raw critic value: the statistics are its two halves
    assert.is(s.dLoss, Math.fround(s.dFake - s.dReal), `step ${s.step}: dLoss = dFake − dReal`);
    assert.ok([s.dLoss, s.gLoss, s.dGradNorm, s.gGradNorm].every(Number.isFinite));
  }
  assert.is(gan.step, 20);
});

test("linear learning-rate schedule: full rate on the first step, zero after `steps` steps", async () => {
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
