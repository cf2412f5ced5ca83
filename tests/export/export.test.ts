// The exports of a trained generator (src/export/), each checked by its own runtime against the
// WASM engine's generate() on the same latents (and labels):
//   ONNX       onnxruntime-node runs the file: |Δ| ≤ 1e-4
//   tfjs       tf.loadLayersModel reads model.json + weights.bin through an IOHandler that hands
//              it the files' bytes as a file loader would: |Δ| ≤ 1e-4
//   safetensors python3 + numpy (a few lines, no safetensors package) read the file: every tensor
//              equal, bit for bit, to the generator's exported weights (the checkpoint's for a net
//              without SN; W/σ for one with it), and __metadata__ names the spec and latent size
// Models: dcgan-mnist (batch norm, conv transposes; with a moving average: the "ema" default),
// cgan-mnist (the label input), mlp-ring8, graph nets (residual add + batch norm; concat of conv
// branches and flat rows; a blend, ONNX only: tfjs refuses it), and a net with spectralNorm in
// G (dense and conv transposes, "valid" and k < stride "same" transposes, a strided conv),
// each trained a few steps so batch norm's running statistics are not their initial values.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { createGAN, type WasmGAN } from "../../src/engine/wasm_engine.ts";
import { preset } from "../../src/model/presets.ts";
import { mnist } from "../../src/data/mnist.ts";
import { ring8 } from "../../src/data/mixtures.ts";
import { validateSpec, type LayerSpec, type GanSpec } from "../../src/model/spec.ts";
import { modelLayout, tensorKey, tensorView } from "../../src/model/layout.ts";
import { exportGenerator, ExportError } from "../../src/export/index.ts";
import { generatorNet } from "../../src/export/generator.ts";
import { residualDense, concatNet, blendNet, dense } from "../util/graph_nets.ts";
import { randomImages } from "../util/small_gans.ts";
import { tfCpu } from "../util/tfjs.ts";

const TOL = 1e-4;
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  assert.is(a.length, b.length, "lengths");
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

const adam = { type: "adam" as const, lr: 0.01 };
const pointsD: LayerSpec[] = [dense(16), { type: "leaky_relu", alpha: 0.2 }, dense(1)];
const imageD: LayerSpec[] = [{ type: "conv2d", filters: 3, kernelSize: 3, strides: 2, padding: "same" }, { type: "leaky_relu", alpha: 0.2 }, { type: "flatten" }, dense(1)];
const points = (latentDim: number, generator: LayerSpec[]): GanSpec => ({
  latentDim, dataShape: [2], batchSize: 32, loss: "non-saturating", generator, discriminator: pointsD, optimizer: { generator: adam, discriminator: adam },
} as GanSpec);
// z(3) -> dense 8 (SN) -> BN -> [2, 2, 2] -> convT 2, k1 s2 same (SN; k < stride: output_padding)
// -> [4, 4, 2] -> convT 3, k3 s2 valid (SN) -> [9, 9, 3] -> relu -> conv 2, k3 s2 same -> [5, 5, 2]
// -> BN -> convT 1, k2 s1 valid (SN) -> [6, 6, 1] -> tanh
const snG: LayerSpec[] = [
  dense(8, { spectralNorm: true }), { type: "batch_norm" }, { type: "reshape", targetShape: [2, 2, 2] },
  { type: "conv2d_transpose", filters: 2, kernelSize: 1, strides: 2, padding: "same", spectralNorm: true },
  { type: "conv2d_transpose", filters: 3, kernelSize: 3, strides: 2, padding: "valid", spectralNorm: true }, { type: "relu" },
  { type: "conv2d", filters: 2, kernelSize: 3, strides: 2, padding: "same" }, { type: "batch_norm" },
  { type: "conv2d_transpose", filters: 1, kernelSize: 2, strides: 1, padding: "valid", spectralNorm: true }, { type: "tanh" },
];
const snSpec: GanSpec = { latentDim: 3, dataShape: [6, 6, 1], batchSize: 16, loss: "non-saturating", generator: snG, discriminator: imageD, optimizer: { generator: adam, discriminator: adam } } as GanSpec;

interface Case { name: string; spec: unknown; data: () => Promise<any>; steps: number; ema?: boolean; tfjs: boolean }
const ringData = () => ring8({ count: 2048, seed: 1 });
const CASES: Case[] = [
  { name: "dcgan-mnist", spec: preset("dcgan-mnist"), data: () => mnist(), steps: 3, ema: true, tfjs: true },
  { name: "cgan-mnist", spec: preset("cgan-mnist"), data: () => mnist(), steps: 3, tfjs: true },
  { name: "mlp-ring8", spec: preset("mlp-ring8"), data: ringData, steps: 20, tfjs: true },
  { name: "residual add + batch norm", spec: points(6, [...residualDense.slice(0, -1), dense(2)]), data: ringData, steps: 20, tfjs: true },
  { name: "concat (conv branches, flat rows)", spec: points(32, concatNet(2)), data: ringData, steps: 20, tfjs: true },
  { name: "blend α 0.3", spec: points(6, blendNet(0.3, 2)), data: ringData, steps: 20, tfjs: false },
  { name: "spectralNorm in G", spec: snSpec, data: async () => randomImages().x, steps: 5, tfjs: true },
];

const trained = new Map<string, WasmGAN>();
async function gan(c: Case): Promise<WasmGAN> {
  let g = trained.get(c.name);
  if (!g) {
    g = await createGAN(c.spec, { seed: 1 });
    if (c.ema) g.averageGenerator(0.9);
    await g.train(await c.data(), { steps: c.steps });
    trained.set(c.name, g);
  }
  return g;
}
const N = 6;
async function rejects(f: () => Promise<unknown>, re: RegExp) {
  try { await f(); } catch (e) { assert.instance(e, ExportError); assert.match((e as Error).message, re); return; }
  assert.unreachable(`no error, expected ${re}`);
}
function inputs(g: WasmGAN) {
  const z = g.latent(N, 11), K = g.spec.numClasses ?? 0;
  const labels = Array.from({ length: N }, (_, i) => (3 * i + 1) % Math.max(K, 1));
  return { z, K, labels, want: (average: boolean) => g.generate(z, { ...(K ? { labels } : {}), average }) };
}

for (const c of CASES) {
  test(`onnx (onnxruntime-node) matches the engine's generate within ${TOL}: ${c.name}`, async () => {
    const g = await gan(c);
    const { z, K, labels, want } = inputs(g);
    const e = await exportGenerator(g, "onnx");
    assert.is(e.weights, c.ema ? "ema" : "raw");
    const s = await ort.InferenceSession.create(e.files[0].bytes);
    assert.equal(s.inputNames, K ? ["latent", "label"] : ["latent"]);
    assert.equal(s.outputNames, ["image"]);
    const feeds: Record<string, ort.Tensor> = { latent: new ort.Tensor("float32", z, [N, g.spec.latentDim]) };
    if (K) feeds.label = new ort.Tensor("int64", BigInt64Array.from(labels.map(BigInt)), [N]);
    const out = (await s.run(feeds)).image;
    assert.equal(out.dims, [N, ...g.spec.dataShape], "image [N, ...dataShape] (NHWC)");
    const d = maxDiff(out.data as Float32Array, want(!!c.ema));
    assert.ok(d <= TOL, `max |onnx − engine| = ${d} ≤ ${TOL}`);
    if (c.ema) {
      const raw = await exportGenerator(g, "onnx", { weights: "raw" });
      const r = (await (await ort.InferenceSession.create(raw.files[0].bytes)).run(feeds)).image.data as Float32Array;
      const dr = maxDiff(r, want(false));
      assert.ok(dr <= TOL, `--weights raw: max |onnx − engine (live weights)| = ${dr} ≤ ${TOL}`);
      assert.ok(maxDiff(r, want(true)) > 1e-3, "ema and raw differ (the test can tell them apart)");
    }
  });

  test(`tfjs LayersModel (loadLayersModel) matches the engine within ${TOL}: ${c.name}`, async () => {
    const g = await gan(c);
    if (!c.tfjs) {
      try { await exportGenerator(g, "tfjs"); assert.unreachable("refused"); } catch (e) {
        assert.instance(e, ExportError);
        assert.match((e as Error).message, /^tfjs export: spec\.nets\.generator\[3\] is a blend layer, which has no faithful Keras layer/);
      }
      return;
    }
    const tf = await tfCpu();
    const { z, K, labels, want } = inputs(g);
    const e = await exportGenerator(g, "tfjs");
    assert.equal(e.files.map((f) => f.name), ["model.json", "weights.bin"]);
    const json = JSON.parse(new TextDecoder().decode(e.files[0].bytes));
    assert.equal(json.weightsManifest[0].paths, ["weights.bin"]);
    const bin = e.files[1].bytes;
    const model = await tf.loadLayersModel({
      load: async () => ({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: bin.slice().buffer, format: json.format }),
    });
    const ins: import("@tensorflow/tfjs").Tensor[] = [tf.tensor2d(z, [N, g.spec.latentDim])];
    if (K) ins.push(tf.oneHot(tf.tensor1d(labels, "int32"), K).toFloat());
    const out = model.predict(ins.length === 1 ? ins[0] : ins) as import("@tensorflow/tfjs").Tensor;
    assert.equal(out.shape, [N, ...g.spec.dataShape]);
    const d = maxDiff(out.dataSync(), want(!!c.ema));
    assert.ok(d <= TOL, `max |tfjs − engine| = ${d} ≤ ${TOL}`);
    tf.dispose([...ins, out]);
    model.dispose();
  });

  test(`safetensors read by python3 + numpy: G's weights exactly, spec and latent size in __metadata__: ${c.name}`, async () => {
    const g = await gan(c);
    const e = await exportGenerator(g, "safetensors");
    const dir = mkdtempSync(join(tmpdir(), "wasm-gan-export-"));
    const file = join(dir, "g.safetensors");
    writeFileSync(file, e.files[0].bytes);
    // the reader: the header, then each tensor as float32 from its data offsets; printed as hex of the bytes
    const py = `
import json, struct, sys, hashlib
import numpy as np
b = open(sys.argv[1], "rb").read()
n = struct.unpack("<Q", b[:8])[0]
h = json.loads(b[8:8 + n])
md = h.pop("__metadata__")
out = {"meta": md, "tensors": {}}
for k, v in h.items():
    s, t = v["data_offsets"]
    a = np.frombuffer(b[8 + n + s:8 + n + t], dtype="<f4").reshape(v["shape"])
    out["tensors"][k] = {"shape": list(a.shape), "sha": hashlib.sha256(a.tobytes()).hexdigest()}
print(json.dumps(out))`;
    const r = spawnSync("python3", ["-c", py, file], { encoding: "utf8" });
    assert.is(r.status, 0, r.stderr);
    const got = JSON.parse(r.stdout);
    assert.is(got.meta.format, "wasm-gan-generator");
    assert.is(got.meta.latent_dim, String(g.spec.latentDim));
    assert.equal(JSON.parse(got.meta.spec), g.spec);
    assert.is(got.meta.weights, c.ema ? "ema" : "raw");
    // the expected tensors: the layout's, from the engine's own state (SN folded for those layers)
    const spec = validateSpec(c.spec);
    const state = g.saveState().generator;
    const params = c.ema ? state.average! : state.params;
    const layout = modelLayout(spec)[spec.objective.generator];
    const folded = await generatorNet(g);
    const { createHash } = await import("node:crypto");
    const sha = (a: Float32Array) => createHash("sha256").update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).digest("hex");
    const names: string[] = [];
    for (const t of [...layout.params, ...layout.state]) {
      if (t.name === "sn_u" || t.name === "sn_v") continue;
      const key = tensorKey(spec.objective.generator, t);
      names.push(key);
      const sn = t.name === "kernel" && spec.nets[spec.objective.generator][t.layer].spectralNorm;
      const want = sn ? folded.tensor(t.layer, "kernel") : tensorView(t.block === "params" ? params : state.state, t);
      assert.equal(got.tensors[key]?.shape, t.shape, `${key} shape`);
      assert.is(got.tensors[key].sha, sha(want), `${key}: the same bytes`);
    }
    assert.equal(Object.keys(got.tensors).sort(), names.sort(), "exactly G's tensors");
  });
}

test("spectral norm folding is W/σ with the stored u, v: the SN net's exported dense kernel has σ = vᵀ(W/σ)u = 1 within 1e-6", async () => {
  const g = await gan(CASES.at(-1)!);
  const net = await generatorNet(g);
  const state = g.saveState().generator.state;
  const L = modelLayout(g.spec).generator.layers[0];
  const u = tensorView(state, L.tensors.find((t) => t.name === "sn_u")!), v = tensorView(state, L.tensors.find((t) => t.name === "sn_v")!);
  const K = net.tensor(0, "kernel"), C = u.length;
  let s = 0;
  for (let r = 0; r < v.length; r++) for (let c = 0; c < C; c++) s += v[r] * K[r * C + c] * u[c];
  assert.ok(Math.abs(s - 1) <= 1e-6, `σ(W_SN) = ${s}`);
});

test(`a blend's α set after the spec (setBlendAlpha 0.8) exports with options.alphas: onnx within ${TOL} of the engine; the spec's α 0.3 does not match`, async () => {
  const c = CASES.find((x) => x.name.startsWith("blend"))!;
  const g = await createGAN(c.spec, { seed: 4 });
  await g.train(await c.data(), { steps: 5 });
  g.setBlendAlpha("generator", 3, 0.8);
  const z = g.latent(N, 2), want = g.generate(z);
  const feeds = { latent: new ort.Tensor("float32", z, [N, 6]) };
  const run = async (o: object) => (await (await ort.InferenceSession.create((await exportGenerator(g, "onnx", o)).files[0].bytes)).run(feeds)).image.data as Float32Array;
  const d = maxDiff(await run({ alphas: { 3: 0.8 } }), want);
  assert.ok(d <= TOL, `α 0.8: max |onnx − engine| = ${d} ≤ ${TOL}`);
  assert.ok(maxDiff(await run({}), want) > 1e-3, "the spec's α 0.3 gives other samples");
  await rejects(() => exportGenerator(g, "onnx", { alphas: { 2: 0.5 } }), /^alphas\.2: the generator generator has no blend layer named or numbered 2$/);
  await rejects(() => exportGenerator(g, "onnx", { alphas: { 3: 2 } }), /^alphas\.3: α must be a number from 0 to 1 \(got 2\)$/);
  g.dispose();
});

test("bad input: an unknown format, --weights ema without a moving average", async () => {
  const g = await gan(CASES[2]);
  await rejects(() => exportGenerator(g, "pt" as any), /unknown export format "pt" \(formats: safetensors, onnx, tfjs\)/);
  await rejects(() => exportGenerator(g, "onnx", { weights: "ema" }), /weights ema: this model keeps no moving average of its generator \(generator\.average\); use raw/);
});

test.after(() => { for (const g of trained.values()) g.dispose(); });
test.run();
