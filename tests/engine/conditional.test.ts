// Conditional GANs (spec.numClasses): one in-wasm training step against tfjs-cpu for a small
// conditional MLP GAN and a small conditional DCGAN, the spec's refusals, and sampling with labels.
// Parity as in gan_step.test.ts: SGD with lr η = 0.25, so ∇ = (θ0 − θ1)/η is read back and
// compared with tf.grads of the same losses on the engine's last batch. The engine keeps G's
// joined input [z, onehot] (ganZ), the real batch (ganReal) and both label batches
// (ganRealLabels, ganFakeLabels); the test rebuilds D's joined inputs itself with tf.oneHot and
// concat (flat: [x, onehot]; images: the one-hot tiled over every pixel as extra channels).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createWasmGAN as createGAN, ring8, validateSpec, preset, mnist, SpecError, type GanSpec, type Dataset, roleNet } from "../../src/index.ts";
import { expectClose, testRandom } from "../util/check.ts";
import { tfCpu } from "../util/tfjs.ts";
import { tfForward } from "../util/tf_net.ts";
import { sgd, smallMlpGenerator, smallMlpDiscriminator, smallDcganGenerator, smallDcganDiscriminator, randomImages } from "../util/small_gans.ts";

const tf = await tfCpu();
const ringData = await ring8({ count: 4096, seed: 3 });
async function rejects(f: () => Promise<unknown>, pattern: RegExp): Promise<void> {
  try { await f(); } catch (e) { assert.match((e as Error).message, pattern); return; }
  assert.unreachable(`expected an error matching ${pattern}`);
}

const smallMlp = (loss: GanSpec["loss"]): GanSpec => ({
  latentDim: 3, dataShape: [2], batchSize: 24, loss, numClasses: 8,
  generator: smallMlpGenerator,
  discriminator: smallMlpDiscriminator,
  optimizer: { generator: sgd, discriminator: sgd },
});

// 200 random 6x6x1 "images" with labels 0..2
const images: Dataset = { name: "random-images", ...randomImages(3), shape: [6, 6, 1], count: 200, numClasses: 3 };
const smallDcgan = (loss: GanSpec["loss"]): GanSpec => ({
  latentDim: 3, dataShape: [6, 6, 1], batchSize: 8, loss, numClasses: 3,
  generator: smallDcganGenerator,
  discriminator: smallDcganDiscriminator,
  optimizer: { generator: sgd, discriminator: sgd },
});

function tfDLoss(loss: GanSpec["loss"], lr: any, lf: any) {
  if (loss === "least-squares") return tf.add(tf.mul(0.5, tf.mean(tf.square(tf.sub(lr, 1)))), tf.mul(0.5, tf.mean(tf.square(lf))));
  return tf.add(tf.mean(tf.softplus(tf.neg(lr))), tf.mean(tf.softplus(lf))); // minimax, non-saturating
}
function tfGLoss(loss: GanSpec["loss"], l: any) {
  if (loss === "least-squares") return tf.mul(0.5, tf.mean(tf.square(tf.sub(l, 1))));
  if (loss === "minimax") return tf.neg(tf.mean(tf.softplus(l)));
  return tf.mean(tf.softplus(tf.neg(l)));
}

const cases = [
  { name: "conditional MLP, non-saturating", spec: smallMlp("non-saturating"), data: ringData as Dataset },
  { name: "conditional MLP, minimax", spec: smallMlp("minimax"), data: ringData as Dataset },
  { name: "conditional DCGAN, non-saturating", spec: smallDcgan("non-saturating"), data: images },
  { name: "conditional DCGAN, least-squares", spec: smallDcgan("least-squares"), data: images },
];

for (const { name, spec: input, data } of cases) {
  test(`one step (${name}): gradients and statistics match tfjs-cpu`, async () => {
    const spec = validateSpec(input);
    const { loss, latentDim: Z, dataShape } = spec;
    const K = spec.numClasses!, B = spec.batchSize, X = dataShape.reduce((a, b) => a * b, 1);
    const gan = await createGAN(spec, { seed: 5 });
    const w0 = gan.getWeights();
    const stats = await gan.train(data, { steps: 1 });
    const w1 = gan.getWeights();
    const { wasm, gan: h } = gan.raw;
    const buf = wasm.memory.buffer;
    const gIn = new Float32Array(buf, wasm.ganZ(h), B * (Z + K)).slice();
    const realX = new Float32Array(buf, wasm.ganReal(h), B * X).slice();
    const realLab = new Int32Array(buf, wasm.ganRealLabels(h), B).slice();
    const fakeLab = new Int32Array(buf, wasm.ganFakeLabels(h), B).slice();
    // G's input rows are [z, onehot(fake label)]; each real row is a data row with its own label
    for (let i = 0; i < B; i++) {
      assert.ok(fakeLab[i] >= 0 && fakeLab[i] < K, `fake label ${i} in range`);
      for (let k = 0; k < K; k++) assert.is(gIn[i * (Z + K) + Z + k], k === fakeLab[i] ? 1 : 0, `G input ${i}: one-hot`);
      let found = false;
      for (let j = 0; j < data.count && !found; j++) {
        if (data.labels![j] !== realLab[i]) continue;
        found = true;
        for (let e = 0; e < X; e++) if (data.x[j * X + e] !== realX[i * X + e]) { found = false; break; }
      }
      assert.ok(found, `real row ${i} is a data sample carrying label ${realLab[i]}`);
    }
    assert.ok(new Set(fakeLab).size > 1, "fake labels vary");
    const oneHot = (lab: Int32Array) => tf.oneHot(tf.tensor1d(lab, "int32"), K).toFloat();
    // D's input: the sample with the one-hot joined (per pixel for images)
    const joinD = (x: any, lab: Int32Array) => {
      if (dataShape.length === 1) return tf.concat([x, oneHot(lab)], 1);
      const [hh, ww, c] = dataShape;
      const planes = tf.tile(tf.reshape(oneHot(lab), [B, 1, 1, K]), [1, hh, ww, 1]);
      return tf.reshape(tf.concat([tf.reshape(x, [B, hh, ww, c]), planes], 3), [B, hh * ww * (c + K)]);
    };
    const dIn = dataShape.length === 1 ? [X + K] : [dataShape[0], dataShape[1], dataShape[2] + K];
    const zOnly = tf.slice(tf.tensor2d(gIn, [B, Z + K]), [0, 0], [B, Z]);
    const gInput = tf.concat([zOnly, oneHot(fakeLab)], 1) as any; // rebuilt from z and the labels
    const G = (p: any) => tfForward(tf, roleNet(spec, "generator").layers, Z + K, p, gInput);
    const D = (p: any, xx: any) => tfForward(tf, roleNet(spec, "discriminator").layers, dIn, p, xx);
    const real = joinD(tf.tensor2d(realX, [B, X]), realLab);
    const dLossFn = (pd: any) => tfDLoss(loss, D(pd, real), D(pd, joinD(G(tf.tensor1d(w0.generator)), fakeLab)));
    const gLossFn = (pg: any) => tfGLoss(loss, D(tf.tensor1d(w1.discriminator), joinD(G(pg), fakeLab)));
    const dGrad = tf.grad(dLossFn)(tf.tensor1d(w0.discriminator)).dataSync();
    const gGrad = tf.grad(gLossFn)(tf.tensor1d(w0.generator)).dataSync();
    const recovered = (a: Float32Array, b: Float32Array) => a.map((v, i) => (v - b[i]) / 0.25);
    expectClose("∇D", recovered(w0.discriminator, w1.discriminator), dGrad, 1e-5, 2e-3);
    expectClose("∇G", recovered(w0.generator, w1.generator), gGrad, 1e-5, 2e-3);
    expectClose("D loss", [stats.dLoss], [dLossFn(tf.tensor1d(w0.discriminator)).dataSync()[0]], 1e-5, 1e-5);
    expectClose("G loss", [stats.gLoss], [gLossFn(tf.tensor1d(w0.generator)).dataSync()[0]], 1e-5, 1e-5);
    const mean = (t: any) => tf.mean(loss === "least-squares" ? t : tf.sigmoid(t)).dataSync()[0];
    expectClose("mean D(x)", [stats.dReal], [mean(D(tf.tensor1d(w0.discriminator), real))], 1e-6, 1e-5);
    const norm = (g: ArrayLike<number>) => Math.sqrt(Array.from(g).reduce((s, v) => s + v * v, 0));
    expectClose("‖∇G‖", [stats.gGradNorm], [norm(gGrad)], 1e-5, 1e-3);
    // the first layers take the joined inputs
    const counts = gan.paramCounts();
    const gFirst = (Z + K) * 16 + 16;
    if (dataShape.length === 1) assert.is(counts.discriminator, (2 + K) * 17 + 17 + 17 * 5 + 5 + 5 + 1);
    else assert.is(counts.discriminator, 3 * 3 * (1 + K) * 3 + 3 + 27 + 1);
    if (dataShape.length === 1) assert.is(counts.generator, gFirst + 16 * 9 + 9 + 9 * 2 + 2);
  });
}

test("spec: numClasses is validated, shapes use the joined inputs, pack is refused", () => {
  const base = smallMlp("non-saturating");
  for (const bad of [1, 0, 1025, 2.5, "3", null]) {
    assert.throws(() => validateSpec({ ...base, numClasses: bad }), (e: unknown) => e instanceof SpecError && e.field === "spec.numClasses", `numClasses ${String(bad)}`);
  }
  assert.throws(() => validateSpec({ ...base, pack: 2 }), (e: unknown) => e instanceof SpecError && e.field === "spec.pack" && /conditional/.test(e.message));
  assert.is(validateSpec(base).numClasses, 8);
  assert.is(validateSpec({ ...base, numClasses: undefined }).numClasses, undefined);
  assert.not.ok("numClasses" in validateSpec({ ...base, numClasses: undefined }), "unconditional: no numClasses field");
  // a generator whose reshape counts on latentDim alone is refused at that layer (its input is Z + K)
  const reshaped: GanSpec = { ...base, latentDim: 4, numClasses: 2, generator: [{ type: "reshape", targetShape: [2, 2, 1] }, { type: "flatten" }, { type: "dense", units: 2 }] };
  assert.throws(() => validateSpec(reshaped), (e: unknown) => e instanceof SpecError && e.field === "spec.generator[0]" && /\[6\]/.test(e.message));
  // the presets: cgan-mnist's D sees 28x28x11, cond-ring8's [10]
  const c = validateSpec(preset("cgan-mnist"));
  assert.is(c.numClasses, 10);
  assert.is(c.latentDim, 100);
  assert.is(validateSpec(preset("cond-ring8")).numClasses, 8);
  assert.is(validateSpec(preset("cond-ring8")).pack, 1);
});

test("data: a conditional model needs labels in range; an unconditional one ignores them", async () => {
  const gan = await createGAN(smallMlp("non-saturating"), { seed: 1 });
  await rejects(() => gan.train(ringData.x, { steps: 1 }), /numClasses 8.*labels/);
  await rejects(() => gan.train({ ...ringData, labels: undefined }, { steps: 1 }), /ring8 has none/);
  const wrong = ringData.labels!.slice();
  wrong[17] = 8;
  await rejects(() => gan.train({ ...ringData, labels: wrong }, { steps: 1 }), /label 17 is 8/);
  await rejects(() => gan.train({ ...ringData, labels: wrong.subarray(0, 10) }, { steps: 1 }), /10 labels for 4096 samples/);
  await gan.train(ringData, { steps: 2 });
  assert.is(gan.step, 2);
  const plain = await createGAN({ ...smallMlp("non-saturating"), numClasses: undefined }, { seed: 1 });
  await plain.train(ringData, { steps: 1 });
  assert.throws(() => plain.sample(4, { labels: 1 }), /unconditional/);
  assert.throws(() => plain.generate(new Float32Array(6), { labels: [0, 1] }), /unconditional/);
});

test("sample / generate with labels: one class, an array, the default cycle; refusals", async () => {
  const gan = await createGAN(smallMlp("non-saturating"), { seed: 2 });
  await gan.train(ringData, { steps: 3 });
  const n = 50;
  const all3 = gan.sample(n, { seed: 4, labels: 3 });
  const arr3 = gan.sample(n, { seed: 4, labels: new Int32Array(n).fill(3) });
  assert.equal(Array.from(all3), Array.from(arr3), "one number = that class for every sample");
  const cycle = gan.sample(n, { seed: 4, labels: Array.from({ length: n }, (_, i) => i % 8) });
  assert.equal(Array.from(gan.sample(n, { seed: 4 })), Array.from(cycle), "default: sample i gets class i mod K");
  assert.not.equal(Array.from(all3), Array.from(gan.sample(n, { seed: 4, labels: 5 })), "the label changes the output");
  // generate(z) with labels is G([z, onehot]) in inference mode, across chunks of batchSize
  const z = gan.latent(n, 4);
  assert.equal(Array.from(gan.generate(z, { labels: 3 })), Array.from(all3));
  const { wasm, G } = gan.raw;
  const row = new Float32Array(3 + 8);
  row.set(z.subarray(3 * 30, 3 * 31));
  row[3 + 3] = 1;
  const p = wasm.alloc(row.length * 4);
  new Float32Array(wasm.memory.buffer, p, row.length).set(row);
  const y = new Float32Array(wasm.memory.buffer, wasm.netForward(G, p, 1, 0), 2).slice();
  assert.equal(Array.from(y), Array.from(all3.subarray(60, 62)), "sample 30 of class 3 = G([z30, e3])");
  assert.throws(() => gan.sample(n, { labels: 8 }), /labels: must be a class from 0 to 7/);
  assert.throws(() => gan.sample(3, { labels: [0, 1, -1] }), /labels\[2\]/);
  assert.throws(() => gan.sample(3, { labels: [0, 1] }), /2 given for 3 samples/);
  assert.throws(() => gan.sample(2, { labels: [0, 1.5] }), /labels\[1\]/);
});

test("cgan-mnist: one training step on the bundled digits, class-conditioned samples", async () => {
  const digits = await mnist({ count: 256 });
  const gan = await createGAN(preset("cgan-mnist"), { seed: 1 });
  const s = await gan.train(digits, { steps: 1 });
  assert.ok([s.dLoss, s.gLoss, s.dGradNorm, s.gGradNorm].every(Number.isFinite));
  const x = gan.sample(20, { seed: 3, labels: 7 });
  assert.is(x.length, 20 * 784);
  assert.ok(x.every((v) => v >= -1 && v <= 1));
});

test.run();
