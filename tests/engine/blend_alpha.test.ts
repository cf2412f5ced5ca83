// A blend's α set from the host between steps (Engine.setBlendAlpha; progressive growing's
// fade-in): the same schedule gives the same weights on the WASM engine in-process, in a worker
// with 2 kernel threads (bit for bit) and on the tfjs engine (tfjs-cpu, within 1e-6 + 1e-5·|w|);
// naming the layer or giving its index is the same call; α changes the training (a schedule of
// 0 throughout differs); bad calls are refused in one line naming the argument, in every mode.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createGAN, ring8, type GAN } from "../../src/index.ts";
import { WasmGAN } from "../../src/engine/wasm_engine.ts";
import { TfjsGAN } from "../../src/engine/tfjs/tfjs_engine.ts";
import { expectBitIdentical, expectClose } from "../util/check.ts";

const sgd = { type: "sgd", lr: 0.05 };
// G: z -> h (dense 16) -> relu -> a (dense 2);  h -> b (dense 2);  fade = α·a + (1 − α)·b
const spec = {
  name: "fade", latentDim: 2, dataShape: [2], batchSize: 32, loss: "non-saturating",
  generator: [
    { type: "dense", units: 16, name: "h" }, { type: "relu" }, { type: "dense", units: 2, name: "a" },
    { type: "dense", units: 2, inputs: ["h"], name: "b" }, { type: "blend", inputs: ["a", "b"], name: "fade" },
  ],
  discriminator: [{ type: "dense", units: 16 }, { type: "relu" }, { type: "dense", units: 1 }],
  optimizer: { generator: sgd, discriminator: sgd },
};
const data = await ring8({ count: 2000, seed: 2 });

interface Trains { train(d: typeof data, o: { steps: number }): Promise<unknown>; setBlendAlpha(net: string, layer: string | number, alpha: number): unknown }
// 3 steps at the spec's α (0), then 0.25 by name, 3 steps, then 1 by index, 2 steps
async function schedule(gan: Trains, by: "name" | "index" = "name", alphas = [0.25, 1]): Promise<void> {
  await gan.train(data, { steps: 3 });
  await gan.setBlendAlpha("generator", by === "name" ? "fade" : 4, alphas[0]);
  await gan.train(data, { steps: 3 });
  await gan.setBlendAlpha("generator", 4, alphas[1]);
  await gan.train(data, { steps: 2 });
}

test("in-process WASM, a worker with 2 threads and the tfjs engine follow the same α schedule", async () => {
  const wasm = await WasmGAN.create(spec, { seed: 3 });
  await schedule(wasm);
  const w = wasm.getWeights();
  const byIndex = await WasmGAN.create(spec, { seed: 3 });
  await schedule(byIndex, "index");
  expectBitIdentical("G: the layer by index = by name", byIndex.getWeights().generator, w.generator);
  const worker: GAN = await createGAN(spec, { seed: 3, threads: 2, mode: "worker", engine: "wasm" });
  try {
    await schedule(worker);
    const ww = await worker.getWeights();
    expectBitIdentical("G: worker, 2 threads = in-process", ww.generator, w.generator);
    expectBitIdentical("D: worker, 2 threads = in-process", ww.discriminator, w.discriminator);
  } finally {
    await worker.dispose();
  }
  const tf = await TfjsGAN.create(spec, { seed: 3, backend: "cpu" });
  try {
    await schedule(tf);
    const t = tf.getWeights();
    expectClose("G: tfjs-cpu vs WASM after the schedule", t.generator, w.generator, 1e-6, 1e-5);
    expectClose("D: tfjs-cpu vs WASM after the schedule", t.discriminator, w.discriminator, 1e-6, 1e-5);
  } finally {
    tf.dispose();
  }
  const flat = await WasmGAN.create(spec, { seed: 3 });
  await schedule(flat, "name", [0, 0]);
  const moved = flat.getWeights().generator.some((v, i) => v !== w.generator[i]);
  assert.ok(moved, "α took effect: a schedule of 0 throughout ends with other weights");
  // the branch weighted 0 gets no gradient: with α = 0 throughout, "a" (layer 2) never moves
  const fresh = (await WasmGAN.create(spec, { seed: 3 })).getWeights().generator;
  const aStart = 2 * 16 + 16, aEnd = aStart + 16 * 2 + 2; // h: kernel [2, 16] + bias [16]; a: kernel [16, 2] + bias [2]
  expectBitIdentical("α = 0: branch a is untouched", flat.getWeights().generator.subarray(aStart, aEnd), fresh.subarray(aStart, aEnd));
});

test("bad calls are refused in one line naming the argument, in-process and in a worker", async () => {
  const wasm = await WasmGAN.create(spec, { seed: 1 });
  const worker = await createGAN(spec, { seed: 1, threads: 1, mode: "worker", engine: "wasm" });
  try {
    for (const [args, re] of [
      [["G", "fade", 0.5], /setBlendAlpha: no net "G" in this model \(nets: generator, discriminator\)/],
      [["generator", "nope", 0.5], /setBlendAlpha: net generator has no layer "nope" \(its blend layers: "fade" \(4\)\)/],
      [["generator", 9, 0.5], /net generator has no layer 9/],
      [["generator", "a", 0.5], /layer "a" of net generator is a dense, not a blend/],
      [["discriminator", 0, 0.5], /layer 0 of net discriminator is a dense, not a blend/],
      [["generator", "fade", 1.5], /alpha must be a number in \[0, 1\] \(got 1.5\)/],
      [["generator", "fade", NaN], /alpha must be a number in \[0, 1\] \(got NaN\)/],
    ] as const) {
      const a = args as unknown as [string, string | number, number];
      assert.throws(() => wasm.setBlendAlpha(...a), (e: Error) => e instanceof RangeError && re.test(e.message), `in-process ${JSON.stringify(args)}`);
      const e = await worker.setBlendAlpha(...a).then(() => undefined, (x: Error) => x);
      assert.ok(e && re.test(e.message) && !e.message.includes("\n"), `worker ${JSON.stringify(args)}: ${e?.message}`);
    }
  } finally {
    await worker.dispose();
  }
});

test.run();
