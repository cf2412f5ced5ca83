// The shared checks (src/engine/checks.ts): both engines refuse the same bad input with the same
// one-line message, and the message is the one each engine gave before the checks were shared
// (the expected texts below are those messages, verbatim). tfjs on its CPU backend.
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { GanSpec, GanState } from "../../src/index.ts";
import { WasmGAN } from "../../src/engine/wasm_engine.ts";
import { TfjsGAN } from "../../src/engine/tfjs/tfjs_engine.ts";
import type { Engine } from "../../src/engine/engine.ts";
import { smallDcganGenerator, smallDcganDiscriminator, randomImages } from "../util/small_gans.ts";

const adam = { type: "adam" as const, lr: 2e-4 };
const spec: GanSpec = {
  latentDim: 3, dataShape: [6, 6, 1], batchSize: 4, loss: "non-saturating", numClasses: 3,
  generator: smallDcganGenerator, discriminator: smallDcganDiscriminator, optimizer: { generator: adam, discriminator: adam },
};
const { x, labels } = randomImages(3);
const data = { name: "imgs", x, shape: [6, 6, 1], count: 200, labels: labels! };

const engines: [string, Engine][] = [["wasm", await WasmGAN.create(spec, { seed: 2 })], ["tfjs", await TfjsGAN.create(spec, { seed: 2, backend: "cpu" })]];
const P = engines[0][1].paramCounts();

async function message(f: () => unknown): Promise<string> {
  try {
    await f();
  } catch (e) {
    return (e as Error).message;
  }
  return "(accepted)";
}

const good = (): GanState => engines[0][1].saveState();
const cases: [string, (g: Engine) => unknown, string][] = [
  ["data of another shape", (g) => g.setData({ ...data, shape: [36] }), "data set imgs has samples of shape [36], the spec expects [6, 6, 1]"],
  ["no labels", (g) => g.setData(x), "this model is conditional (spec.numClasses 3): its data set must carry labels (Dataset.labels, one class per sample), not a bare Float32Array of samples"],
  ["too few labels", (g) => g.setData({ ...data, labels: labels!.subarray(0, 9) }), "data set imgs: 9 labels for 200 samples"],
  ["a label out of range", (g) => g.setData({ ...data, labels: Int32Array.from(labels!, (y, i) => (i === 7 ? 3 : y)) }), "data set imgs: label 7 is 3, outside the model's classes 0..2 (spec.numClasses 3)"],
  ["NaN in the data", (g) => g.setData({ ...data, x: Float32Array.from(x, (v, i) => (i === 40 ? NaN : v)), labels: Int32Array.from(labels!) }), "data: sample 1 holds NaN at index 4: NaN or infinite values cannot be trained on"],
  ["negative steps", (g) => g.train(data, { steps: -1 }), "steps must be a non-negative integer (got -1)"],
  ["every 0", (g) => g.train(data, { steps: 1, every: 0 }), "every must be a positive integer (got 0)"],
  ["ragged latents", (g) => g.generate(new Float32Array(7)), "latent batch length 7 is not a multiple of latentDim 3"],
  ["a negative sample count", (g) => g.sample(-2), "sample count must be a non-negative integer (got -2)"],
  ["decay 1", (g) => g.averageGenerator(1), "average decay must be in (0, 1) (got 1)"],
  ["short weights", (g) => g.setWeights({ discriminator: new Float32Array(5) }), `discriminator weights: expected ${P.discriminator} floats, got 5`],
  ["NaN weights", (g) => g.setWeights({ generator: new Float32Array(P.generator).fill(Infinity) }), "generator weights: value 0 is Infinity"],
  ["a state without its generator", (g) => g.loadState({ ...good(), generator: undefined as any }), "state generator: missing"],
  ["a short opt2", (g) => { const s = good(); s.discriminator.opt2 = new Float32Array(3); g.loadState(s); }, `state discriminator.opt2: expected ${P.discriminator} floats, got 3`],
  ["NaN in the running statistics", (g) => { const s = good(); s.generator.state[2] = NaN; g.loadState(s); }, "state generator.state: value 2 is NaN"],
  ["negative updates", (g) => { const s = good(); s.generator.updates = -1; g.loadState(s); }, "state generator.updates: must be an integer from 0 to 2^31 - 1 (got -1)"],
  ["a fractional step", (g) => g.loadState({ ...good(), step: 1.5 }), "state step: must be an integer from 0 to 2^31 - 1 (got 1.5)"],
  ["a zero rng", (g) => g.loadState({ ...good(), rng: new Uint32Array(4) }), "state rng: expected 4 words, not all zero"],
  ["a short statistics block", (g) => g.loadState({ ...good(), stats: new Float32Array(7) }), "state stats: expected 8 floats"],
];

for (const [what, f, expected] of cases) {
  test(`both engines refuse ${what}: "${expected}"`, async () => {
    for (const [name, g] of engines) assert.is(await message(() => f(g)), expected, `${name} engine`);
  });
}

test("both engines refuse a bad seed alike", async () => {
  assert.is(await message(() => WasmGAN.create(spec, { seed: -1 })), "seed must be an integer in [0, 2^32) (got -1)");
  assert.is(await message(() => TfjsGAN.create(spec, { seed: -1, backend: "cpu" })), "seed must be an integer in [0, 2^32) (got -1)");
});

test("nothing refused was written: both engines still hold their first state and train on", async () => {
  for (const [name, g] of engines) {
    assert.is(g.step, 0, `${name}: step`);
    await g.train(data, { steps: 1 });
    assert.is(g.step, 1, `${name}: trains after the refusals`);
  }
  (engines[1][1] as TfjsGAN).dispose();
});

// spec.average on the tfjs engine, as on the WASM one (tests/engine/average.test.ts): the average is
// kept from creation and is the default sampler; {average: false} gives the live weights
test("spec.average: the tfjs engine keeps the average from creation and samples from it by default", async () => {
  const a = await TfjsGAN.create({ ...spec, average: 0.9 }, { seed: 2, backend: "cpu" });
  const b = await TfjsGAN.create(spec, { seed: 2, backend: "cpu" });
  b.averageGenerator(0.9);
  await a.train(data, { steps: 4 });
  await b.train(data, { steps: 4 });
  const z = a.latent(8, 3);
  assert.equal(Array.from(a.generate(z)), Array.from(b.generate(z, { average: true })), "default = the average");
  assert.equal(Array.from(a.generate(z, { average: false })), Array.from(b.generate(z)), "{average: false} = live");
  assert.not.equal(Array.from(a.generate(z)), Array.from(a.generate(z, { average: false })));
  a.dispose(); b.dispose();
});

test.run();
