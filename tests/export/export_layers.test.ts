// The exports of generators built from progressive growing's and CycleGAN's layers (upsample,
// avg_pool, pixel_norm, instance_norm with and without affine, reflection_pad; equalizedLr folded),
// each trained a few steps, checked by its runtime against the WASM engine's generate() on the
// same latents, as tests/export/export.test.ts does for the older layers:
//   ONNX   onnxruntime-node runs the file: |Δ| ≤ 1e-4 for every net
//   tfjs   tf.loadLayersModel (IOHandler over the files' bytes): |Δ| ≤ 1e-4 where tfjs layers hold
//          the net (upsample, avg_pool, instance_norm, reflection_pad as crops and concatenations);
//          a net with pixel_norm is refused in one line naming the layer and pointing to onnx
//   safetensors  read back by decodeGeneratorFile (checked against the layout): the same bits
// Nets: small ones built here, the real pggan-mnist32 generator of its final phase (32×32, stable)
// and of its last fade (the blend of the 16×16 path upsampled), and the ResNet generator of
// src/model/cyclegan_nets.ts (the cyclegan-digits preset's G: ngf 8, 3 blocks, 28×28) behind a
// dense layer from the latent, as a plain GAN's generator.
import { test } from "uvu";
import * as assert from "uvu/assert";
import * as ort from "onnxruntime-node";
import { createGAN, type WasmGAN } from "../../src/engine/wasm_engine.ts";
import type { LayerSpec, GanSpec } from "../../src/model/spec.ts";
import { pgganMnist32, phases, phaseSpec } from "../../src/model/progressive.ts";
import { resnetGenerator } from "../../src/model/cyclegan_nets.ts";
import { exportGenerator, ExportError } from "../../src/export/index.ts";
import { generatorNet } from "../../src/export/generator.ts";
import { decodeGeneratorFile } from "../../src/export/generator_file.ts";
import { dense } from "../util/graph_nets.ts";
import { testRandom } from "../util/check.ts";
import { tfCpu } from "../util/tfjs.ts";

const TOL = 1e-4;
const N = 5;
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  assert.is(a.length, b.length, "lengths");
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};
// `count` random images of `shape` in [-1, 1)
const noise = (count: number, shape: number[], seed: number) => {
  const r = testRandom(seed), x = new Float32Array(count * shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < x.length; i++) x[i] = 2 * r() - 1;
  return x;
};

const adam = { type: "adam" as const, lr: 0.01 };
const lrelu: LayerSpec = { type: "leaky_relu", alpha: 0.2 };
const critic: LayerSpec[] = [{ type: "conv2d", filters: 3, kernelSize: 3, strides: 2, padding: "same" }, lrelu, { type: "flatten" }, dense(1)];
const imageGan = (latentDim: number, dataShape: number[], generator: LayerSpec[], batchSize = 16): GanSpec =>
  ({ latentDim, dataShape, batchSize, loss: "non-saturating", generator, discriminator: critic, optimizer: { generator: adam, discriminator: adam } } as GanSpec);

// z(4) -> dense 36 (eLR) -> [3, 3, 4] -> BN -> upsample [6, 6, 4] -> conv 4 (eLR) -> upsample
// [12, 12, 4] -> avg_pool [6, 6, 4] -> conv 1 (1×1) -> tanh
const upPoolG: LayerSpec[] = [
  dense(36, { equalizedLr: true }), { type: "reshape", targetShape: [3, 3, 4] }, { type: "batch_norm" }, lrelu, { type: "upsample" },
  { type: "conv2d", filters: 4, kernelSize: 3, equalizedLr: true }, lrelu, { type: "upsample" }, { type: "avg_pool" },
  { type: "conv2d", filters: 1, kernelSize: 1 }, { type: "tanh" },
];
// pixel_norm on the latent (flat rows) and per pixel, with a non-default ε on one
const pixelNormG: LayerSpec[] = [
  { type: "pixel_norm" }, dense(36, { equalizedLr: true }), { type: "reshape", targetShape: [3, 3, 4] }, lrelu, { type: "pixel_norm", eps: 1e-4 },
  { type: "upsample" }, { type: "conv2d", filters: 3, kernelSize: 3, equalizedLr: true }, lrelu, { type: "pixel_norm" },
  { type: "conv2d", filters: 1, kernelSize: 1, equalizedLr: 1 }, { type: "tanh" },
];
// instance_norm affine (γ, β trained away from 1, 0) and not, with a non-default ε
const instanceNormG: LayerSpec[] = [
  dense(108), { type: "reshape", targetShape: [6, 6, 3] }, { type: "instance_norm", affine: true }, { type: "relu" },
  { type: "conv2d", filters: 3, kernelSize: 3 }, { type: "instance_norm", eps: 1e-3 }, lrelu, { type: "conv2d", filters: 1, kernelSize: 3 }, { type: "tanh" },
];
// reflection_pad, unequal sides ([2, 1] on 4×4: rows 2 and 1 mirrored at both edges; [1, 0]: no
// columns), each before a valid conv; instance norm after the first
const reflectG: LayerSpec[] = [
  dense(48), { type: "reshape", targetShape: [4, 4, 3] }, { type: "reflection_pad", pad: [2, 1] }, // [8, 6, 3]
  { type: "conv2d", filters: 3, kernelSize: [3, 1], padding: "valid" }, { type: "instance_norm", affine: true }, { type: "relu" }, // [6, 6, 3]
  { type: "reflection_pad", pad: [1, 0] }, { type: "conv2d", filters: 1, kernelSize: [3, 1], padding: "valid" }, { type: "tanh" }, // [8, 6, 3] -> [6, 6, 1]
];

const pg = pgganMnist32(), pgPhases = phases(pg);
const pgStable = phaseSpec(pg, pgPhases.at(-1)!), pgFade = phaseSpec(pg, pgPhases.at(-2)!);
const resnet: LayerSpec[] = [dense(784), { type: "reshape", targetShape: [28, 28, 1] }, ...resnetGenerator({ channels: 1, ngf: 8, blocks: 3 })];

// tfjs: true, or the refusal's message
interface Case { name: string; spec: unknown; steps: number; ema?: boolean; tfjs: true | RegExp }
const noKeras = (i: number, type: string, name = "") => new RegExp(`^tfjs export: spec\\.nets\\.generator\\[${i}\\]${name && ` \\(${name}\\)`} is a ${type} layer, which has no faithful Keras layer \\(export to onnx instead\\)$`);
const CASES: Case[] = [
  { name: "upsample + avg_pool (equalizedLr, batch norm)", spec: imageGan(4, [6, 6, 1], upPoolG), steps: 5, tfjs: true },
  { name: "pixel_norm (flat and per pixel, ε 1e-4)", spec: imageGan(4, [6, 6, 1], pixelNormG), steps: 5, tfjs: noKeras(0, "pixel_norm") },
  { name: "instance_norm (affine; off with ε 1e-3)", spec: imageGan(4, [6, 6, 1], instanceNormG), steps: 5, tfjs: true },
  { name: "reflection_pad ([2, 1] and [1, 0]) + instance_norm", spec: imageGan(4, [6, 6, 1], reflectG), steps: 5, tfjs: true },
  { name: "pggan-mnist32 generator, final phase (32×32, EMA)", spec: { ...pgStable, batchSize: 4 }, steps: 2, ema: true, tfjs: noKeras(0, "pixel_norm", "z_norm") },
  { name: "pggan-mnist32 generator, last fade (blend α 0.4)", spec: { ...pgFade, batchSize: 4, generator: pgFade.generator.map((l) => (l.type === "blend" ? { ...l, alpha: 0.4 } : l)) }, steps: 1, tfjs: noKeras(0, "pixel_norm", "z_norm") },
  { name: "ResNet generator (cyclegan-digits' G) from a dense layer", spec: imageGan(8, [28, 28, 1], resnet, 4), steps: 2, tfjs: true },
];

const trained = new Map<string, WasmGAN>();
async function gan(c: Case): Promise<WasmGAN> {
  let g = trained.get(c.name);
  if (!g) {
    g = await createGAN(c.spec, { seed: 1 });
    if (c.ema) g.averageGenerator(0.9);
    await g.train(noise(4 * g.spec.batchSize, g.spec.dataShape, 5), { steps: c.steps });
    trained.set(c.name, g);
  }
  return g;
}

for (const c of CASES) {
  test(`onnx (onnxruntime-node) matches the engine's generate within ${TOL}: ${c.name}`, async () => {
    const g = await gan(c);
    const z = g.latent(N, 11), want = g.generate(z, { average: !!c.ema });
    const e = await exportGenerator(g, "onnx");
    assert.is(e.weights, c.ema ? "ema" : "raw");
    const s = await ort.InferenceSession.create(e.files[0].bytes);
    const out = (await s.run({ latent: new ort.Tensor("float32", z, [N, g.spec.latentDim]) })).image;
    assert.equal(out.dims, [N, ...g.spec.dataShape], "image [N, ...dataShape] (NHWC)");
    const d = maxDiff(out.data as Float32Array, want);
    assert.ok(d <= TOL, `max |onnx − engine| = ${d} ≤ ${TOL}`);
    console.log(`  onnx  ${c.name}: max |Δ| ${d.toExponential(2)}`);
  });

  test(`tfjs LayersModel: ${c.tfjs === true ? `matches the engine within ${TOL}` : "refused in one line naming the layer"}: ${c.name}`, async () => {
    const g = await gan(c);
    if (c.tfjs !== true) {
      try { await exportGenerator(g, "tfjs"); } catch (e) {
        assert.instance(e, ExportError);
        assert.match((e as Error).message, c.tfjs);
        return;
      }
      assert.unreachable("no refusal");
    }
    const tf = await tfCpu();
    const z = g.latent(N, 12), want = g.generate(z, { average: !!c.ema });
    const e = await exportGenerator(g, "tfjs");
    const json = JSON.parse(new TextDecoder().decode(e.files[0].bytes));
    const model = await tf.loadLayersModel({
      load: async () => ({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: e.files[1].bytes.slice().buffer, format: json.format }),
    });
    const x = tf.tensor2d(z, [N, g.spec.latentDim]);
    const out = model.predict(x) as import("@tensorflow/tfjs").Tensor;
    assert.equal(out.shape, [N, ...g.spec.dataShape]);
    const d = maxDiff(out.dataSync(), want);
    assert.ok(d <= TOL, `max |tfjs − engine| = ${d} ≤ ${TOL}`);
    console.log(`  tfjs  ${c.name}: max |Δ| ${d.toExponential(2)}`);
    tf.dispose([x, out]);
    model.dispose();
  });
}

test("safetensors: each net's export reads back (decodeGeneratorFile checks it against the layout) with the exported tensors bit for bit", async () => {
  for (const c of CASES) {
    const g = await gan(c);
    const file = decodeGeneratorFile((await exportGenerator(g, "safetensors")).files[0].bytes, c.name);
    const want = (await generatorNet(g)).tensors;
    assert.equal(file.tensors.map((t) => t.key), want.map((t) => t.key), `${c.name}: the tensors`);
    file.tensors.forEach((t, k) => assert.ok(Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).equals(Buffer.from(want[k].data.buffer, want[k].data.byteOffset, want[k].data.byteLength)), `${c.name}: ${t.key} bit for bit`));
  }
});

test.after(() => { for (const g of trained.values()) g.dispose(); });
test.run();
