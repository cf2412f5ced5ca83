// Engine selection (src/engine/select.ts) in Node, where no GPU backend can start, and the tfjs
// engine's API around training: it behaves as the WASM engine's does (same samples, same
// refusals), and the WASM-only path never loads tfjs.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { selectEngine, probeEngines, formatDecision, EngineSelectionError } from "../../src/engine/select.ts";
import { TfjsGAN } from "../../src/engine/tfjs/tfjs_engine.ts";
import { ring8, type GanSpec } from "../../src/index.ts";
import { WasmGAN } from "../../src/engine/wasm_engine.ts";
import { expectClose, expectBitIdentical } from "../util/check.ts";
import { sgd, smallMlpGenerator, smallMlpDiscriminator, smallDcganGenerator, smallDcganDiscriminator, randomImages } from "../util/small_gans.ts";

const mlp: GanSpec = { latentDim: 3, dataShape: [2], batchSize: 24, loss: "non-saturating", generator: smallMlpGenerator, discriminator: smallMlpDiscriminator, optimizer: { generator: sgd, discriminator: sgd } };
const dcgan: GanSpec = { latentDim: 3, dataShape: [6, 6, 1], batchSize: 8, loss: "non-saturating", numClasses: 3, generator: smallDcganGenerator, discriminator: smallDcganDiscriminator, optimizer: { generator: sgd, discriminator: sgd } };
const data = await ring8({ count: 2048, seed: 3 });
const img = randomImages(3);
const images = { name: "random images", x: img.x, shape: [6, 6, 1], count: 200, labels: img.labels, numClasses: 3 };

const rejects = async (f: () => Promise<unknown>, pattern: RegExp) => {
  try {
    await f();
  } catch (e) {
    assert.match((e as Error).message, pattern);
    return;
  }
  assert.unreachable(`expected a rejection matching ${pattern}`);
};

const throwsSelection = async (p: Promise<unknown>, pattern: RegExp) => {
  try {
    await p;
  } catch (e) {
    assert.instance(e, EngineSelectionError);
    assert.match((e as Error).message, pattern);
    return e as EngineSelectionError;
  }
  assert.unreachable(`expected an EngineSelectionError matching ${pattern}`);
};

test("engine 'wasm': nothing probed; a tfjs backend with it is refused", async () => {
  const d = await selectEngine({ engine: "wasm" });
  assert.equal([d.engine, d.attempts.length], ["wasm", 0]);
  await throwsSelection(selectEngine({ engine: "wasm", backend: "cpu" }), /applies to the tfjs engine/);
  await throwsSelection(selectEngine({ engine: "gpu" as never }), /unknown engine "gpu"/);
  await throwsSelection(selectEngine({ backend: "metal" as never }), /unknown tfjs backend "metal".*webgpu, webgl, tensorflow, wasm, cpu/);
});

test("engine 'auto' in Node without a GPU: the WASM engine, with a reason for each GPU backend", async () => {
  const d = await selectEngine({ engine: "auto", spec: mlp });
  assert.is(d.engine, "wasm");
  assert.equal(d.attempts.map((a) => [a.backend, a.ok]), [["webgpu", false], ["webgl", false], ["tensorflow", false]]);
  assert.match(d.reasons.join("\n"), /webgpu: no WebGPU in this runtime[\s\S]*webgl: no WebGL in this runtime[\s\S]*tensorflow: @tensorflow\/tfjs-node-gpu is not installed[\s\S]*the WASM engine/);
  assert.match(formatDecision(d).join("\n"), /^engine: wasm\n  - webgpu: /);
  // a backend that starts but is no GPU is not used by auto
  const cpu = await selectEngine({ engine: "auto", backend: "cpu", spec: mlp });
  assert.is(cpu.engine, "wasm");
  assert.match(cpu.reasons[0], /^cpu: tfjs-backend-cpu: .*not a GPU: not used$/);
});

test("engine 'tfjs' forced onto backends that cannot start: an error naming each and why", async () => {
  const e = await throwsSelection(selectEngine({ engine: "tfjs" }), /found no GPU backend that starts here\. Tried: webgpu: failed: no WebGPU.*webgl: failed: no WebGL.*tensorflow: failed: @tensorflow\/tfjs-node-gpu is not installed.*Ask for backend 'cpu' or 'wasm'/);
  assert.is(e!.attempts.length, 3);
  await throwsSelection(selectEngine({ engine: "tfjs", backend: "webgpu" }), /cannot start backend 'webgpu': no WebGPU in this runtime \(navigator\.gpu is undefined\)/);
  await throwsSelection(selectEngine({ engine: "tfjs", backend: "tensorflow" }), /cannot start backend 'tensorflow': @tensorflow\/tfjs-node-gpu is not installed/);
  const d = await selectEngine({ engine: "tfjs", backend: "cpu" });
  assert.equal([d.engine, d.backend, d.gpu], ["tfjs", "cpu", false]);
  assert.match(d.reasons[1], /cpu: tfjs-backend-cpu.*not a GPU \(used because the tfjs engine was asked for\)/);
});

test("the self-test: correct on tfjs-cpu, and slower than the WASM engine (so auto would not take it)", async () => {
  const p = await probeEngines(mlp, "cpu", 1, 3);
  assert.ok(p.correct, `first-step losses agree: ${p.dLoss} ${p.gLoss}`);
  assert.ok(!p.faster && p.tfjsMs > p.wasmMs, `tfjs-cpu ${p.tfjsMs} ms/step vs WASM ${p.wasmMs}`);
});

test("the WASM-only path never loads tfjs (importing the package, selecting 'wasm', creating and training a WasmGAN)", () => {
  const root = new URL("../../", import.meta.url).href;
  const dir = mkdtempSync(join(tmpdir(), "wasm-gan-notfjs-")), file = join(dir, "probe.mjs");
  writeFileSync(file, `const { preset, ring8 } = await import("${root}src/index.ts");
    const { WasmGAN } = await import("${root}src/engine/wasm_engine.ts");
    const { selectEngine } = await import("${root}src/engine/select.ts");
    await selectEngine({ engine: "wasm" });
    const g = await WasmGAN.create(preset("mlp-ring8"), { seed: 1 });
    await g.train(await ring8({ count: 1000 }), { steps: 2 });
    console.log(typeof globalThis._tfGlobals, typeof globalThis._tfengine);`);
  try {
    const r = spawnSync(process.execPath, ["--import", "tsx", file], { encoding: "utf8", timeout: 60_000 });
    assert.is(r.status, 0, r.stderr);
    assert.is(r.stdout.trim(), "undefined undefined", "no tfjs globals (tfjs sets both when loaded)");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("sampling, labels, batch statistics and the generator average as the WASM engine", async () => {
  const a = await TfjsGAN.create(dcgan, { seed: 2, backend: "cpu" }), b = await WasmGAN.create(dcgan, { seed: 2 });
  a.averageGenerator(0.9);
  b.averageGenerator(0.9);
  await a.train(images, { steps: 3 });
  await b.train(images, { steps: 3 });
  for (const o of [{}, { labels: 2 }, { labels: [0, 1, 2, 2, 1, 0, 0, 1, 2, 0, 1] }, { batchStats: true }, { average: true }]) {
    expectClose(`sample(11, ${JSON.stringify(o)})`, a.sample(11, { seed: 4, ...o }), b.sample(11, { seed: 4, ...o }), 1e-5, 1e-4);
  }
  expectBitIdentical("sampleAsync = sample", await a.sampleAsync(9, { seed: 5 }), a.sample(9, { seed: 5 }));
  expectBitIdentical("getWeightsAsync = getWeights", (await a.getWeightsAsync()).generator, a.getWeights().generator);
  const sa = await a.saveStateAsync(), ss = a.saveState();
  expectBitIdentical("saveStateAsync = saveState (G average)", sa.generator.average!, ss.generator.average!);
  assert.equal(Array.from(sa.rng), Array.from(ss.rng));
  assert.equal(await a.statsAsync(), a.stats());
  assert.throws(() => a.sample(2, { labels: 3 }), /must be a class from 0 to 2/);
  assert.throws(() => a.sample(2, { labels: [1] }), /1 given for 2 samples/);
  a.dispose();
  const u = await TfjsGAN.create(mlp, { seed: 2, backend: "cpu" });
  assert.throws(() => u.sample(2, { labels: 0 }), /unconditional/);
  assert.throws(() => u.sample(2, { average: true }), /averageGenerator/);
  u.dispose();
});

test("no tensors leak: training, sampling and saving keep tfjs's tensor count; dispose frees all", async () => {
  const tf = await import("@tensorflow/tfjs");
  const base = tf.memory().numTensors;
  const g = await TfjsGAN.create({ ...dcgan, loss: "hinge", dSteps: 2 }, { seed: 2, backend: "cpu" });
  g.averageGenerator(0.9);
  await g.train(images, { steps: 2, onStep: () => {} });
  const n = tf.memory().numTensors;
  await g.train(images, { steps: 3 });
  g.sample(20, { batchStats: true, average: true });
  g.saveState();
  await g.saveStateAsync();
  assert.is(tf.memory().numTensors, n, "tensor count after 3 more steps, sampling and saving");
  g.dispose();
  assert.is(tf.memory().numTensors, base, "after dispose");
});

test("refusals: bad data, bad state, bad weights, use after dispose", async () => {
  const g = await TfjsGAN.create(mlp, { seed: 2, backend: "cpu" });
  const info = g.engineInfo();
  assert.equal([info.engine, info.backend, info.gpu], ["tfjs", "cpu", false]);
  await rejects(() => g.train(images, { steps: 1 }), /samples of shape \[6, 6, 1\], the spec expects \[2\]/);
  await rejects(() => g.train(new Float32Array([1, Number.NaN]), { steps: 1 }), /NaN/);
  const c = await TfjsGAN.create(dcgan, { seed: 2, backend: "cpu" });
  await rejects(() => c.train(images.x, { steps: 1 }), /must carry labels/);
  c.dispose();
  const s = g.saveState();
  const before = g.getWeights().generator;
  assert.throws(() => g.loadState({ ...s, discriminator: { ...s.discriminator, opt2: new Float32Array(3) } }), /state discriminator\.opt2: expected \d+ floats, got 3/);
  assert.throws(() => g.loadState({ ...s, rng: new Uint32Array(4) }), /rng: expected 4 words, not all zero/);
  expectBitIdentical("nothing written by a refused loadState", g.getWeights().generator, before);
  assert.throws(() => g.setWeights({ generator: new Float32Array(5) }), /expected \d+ floats, got 5/);
  await rejects(() => TfjsGAN.create(mlp, { seed: -1, backend: "cpu" }), /seed must be an integer/);
  g.dispose();
  assert.throws(() => g.getWeights(), /disposed/);
});

test.run();
