// The generator's moving average (averageGenerator) and the sampling modes of generate().
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createWasmGAN as createGAN, ring8, type GanSpec } from "../../src/index.ts";
import { validateSpec } from "../../src/model/spec.ts";
import { expectBitIdentical } from "../util/check.ts";

const data = await ring8({ count: 2048, seed: 2 });
const spec: GanSpec = {
  latentDim: 3, dataShape: [2], batchSize: 16, loss: "non-saturating",
  generator: [{ type: "dense", units: 12 }, { type: "batch_norm" }, { type: "relu" }, { type: "dense", units: 2 }],
  discriminator: [{ type: "dense", units: 8 }, { type: "leaky_relu" }, { type: "dense", units: 1 }],
  optimizer: { generator: { type: "adam", lr: 1e-2 }, discriminator: { type: "adam", lr: 1e-2 } },
};

test("averageGenerator: avg = d·avg + (1 − d)·p after every G update, in f32, from the weights at the call", async () => {
  const gan = await createGAN(spec, { seed: 3 });
  await gan.train(data, { steps: 2 });
  const d = Math.fround(0.9), e = Math.fround(1 - d);
  gan.averageGenerator(0.9);
  let avg = gan.getWeights().generator;
  for (let s = 0; s < 5; s++) {
    await gan.train(data, { steps: 1 });
    const p = gan.getWeights().generator;
    avg = avg.map((a, i) => Math.fround(Math.fround(d * a) + Math.fround(e * p[i])));
  }
  // generate({average}) runs G on exactly those weights: compare with a twin holding them as its own
  const twin = await createGAN(spec, { seed: 3 });
  twin.setWeights({ generator: avg });
  const z = gan.latent(40, 5);
  const live = gan.getWeights().generator;
  // batch statistics: the twin's running statistics differ (it never trained), the batch's do not
  expectBitIdentical("average vs twin", gan.generate(z, { average: true, batchStats: true }), twin.generate(z, { batchStats: true }));
  assert.not.equal(Array.from(gan.generate(z, { average: true, batchStats: true })), Array.from(gan.generate(z, { batchStats: true })), "average differs from live");
  expectBitIdentical("live weights restored after sampling from the average", gan.getWeights().generator, live);
  assert.not.equal(Array.from(live), Array.from(avg));
});

test("generate: batchStats leaves the running statistics alone; running-statistics mode differs from it", async () => {
  const gan = await createGAN(spec, { seed: 4 });
  await gan.train(data, { steps: 20 });
  const { wasm, G } = gan.raw;
  const state = () => new Float32Array(wasm.memory.buffer, wasm.netState(G), wasm.netStateCount(G)).slice();
  const before = state(), w = gan.getWeights().generator;
  const z = gan.latent(32, 9);
  const a = gan.generate(z, { batchStats: true }), b = gan.generate(z);
  expectBitIdentical("running statistics unchanged", state(), before);
  expectBitIdentical("weights unchanged", gan.getWeights().generator, w);
  assert.not.equal(Array.from(a), Array.from(b));
  expectBitIdentical("sampling twice gives the same", gan.generate(z, { batchStats: true }), a);
  // training is unaffected by sampling in between: same weights as an undisturbed twin
  const twin = await createGAN(spec, { seed: 4 });
  await twin.train(data, { steps: 20 });
  await gan.train(data, { steps: 5 });
  await twin.train(data, { steps: 5 });
  expectBitIdentical("training after sampling", gan.getWeights().generator, twin.getWeights().generator);
});

test("average without averageGenerator, or a bad decay: clear errors", async () => {
  const gan = await createGAN(spec, { seed: 1 });
  assert.throws(() => gan.sample(4, { average: true }), /call averageGenerator\(decay\) before training/);
  assert.throws(() => gan.averageGenerator(1), /decay must be in \(0, 1\)/);
});

test("spec.average: kept from creation, the default sampler, checkpointed and resumed bit for bit", async () => {
  const withAvg: GanSpec = { ...spec, average: 0.9 };
  const a = await createGAN(withAvg, { seed: 3 });
  const b = await createGAN(spec, { seed: 3 });
  b.averageGenerator(0.9);                       // the same average, asked for by hand
  await a.train(data, { steps: 12 });
  await b.train(data, { steps: 12 });
  expectBitIdentical("training unchanged by the average", a.getWeights().generator, b.getWeights().generator);
  const z = a.latent(40, 5);
  expectBitIdentical("default sampler = the average", a.generate(z), b.generate(z, { average: true }));
  expectBitIdentical("{average: false} = the live weights", a.generate(z, { average: false }), b.generate(z));
  assert.not.equal(Array.from(a.generate(z)), Array.from(a.generate(z, { average: false })), "average differs from live");
  // a checkpoint's state carries the average; a GAN made from the same spec resumes it exactly
  const c = await createGAN(withAvg, { seed: 99 });
  c.loadState(a.saveState());
  await a.train(data, { steps: 6 });
  await c.train(data, { steps: 6 });
  expectBitIdentical("resumed average", c.generate(z), a.generate(z));
  assert.equal(a.spec.average, 0.9);
  assert.equal((await createGAN({ ...spec, average: true }, { seed: 1 })).spec.average, 0.999, "true means 0.999");
  assert.equal("average" in (await createGAN(spec, { seed: 1 })).spec, false, "absent when off");
  for (const bad of [1, 0, -0.5, "0.9", Number.NaN]) {
    assert.throws(() => validateSpec({ ...spec, average: bad }), /spec\.average: must be a decay in \(0, 1\)/, `refuses ${String(bad)}`);
  }
});

test.run();
