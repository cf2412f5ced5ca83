// A CycleGAN's generators exported (src/export/, options.direction; the CLI's --direction): a
// CycleGAN on 8×8 images, trained 3 steps, G the ResNet generator (src/model/cyclegan_nets.ts:
// reflection pads, instance norm, residual adds) and F a plain conv net (instance norm with
// affine, no reflection pad), saved as a CycleGAN checkpoint. Checked against the engine's
// translate() on the same images:
//   onnx (onnxruntime-node, input `source`): G (a2b) and F (b2a) within 1e-4, from the API and
//     from `wasm-gan export --direction` on the checkpoint file
//   tfjs (loadLayersModel): G and F within 1e-4
//   refused in one line: no direction for a CycleGAN, a direction for a GAN, safetensors, --weights ema
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { CycleGAN } from "../../src/engine/cycle_engine.ts";
import { createGAN } from "../../src/engine/wasm_engine.ts";
import { preset } from "../../src/model/presets.ts";
import { saveCycleCheckpoint, readCycleCheckpoint } from "../../src/io/cycle_checkpoint.ts";
import { saveCheckpoint } from "../../src/io/checkpoint.ts";
import { resnetGenerator, patchDiscriminator } from "../../src/model/cyclegan_nets.ts";
import { exportGenerator, ExportError } from "../../src/export/index.ts";
import { oneLineError } from "../util/cli_errors.ts";
import { testRandom } from "../util/check.ts";
import { tfCpu } from "../util/tfjs.ts";

const TOL = 1e-4;
const shape = [8, 8, 1], X = 64, N = 5;
const images = (seed: number, count: number) => { const r = testRandom(seed), x = new Float32Array(count * X); for (let i = 0; i < x.length; i++) x[i] = 2 * r() - 1; return x; };
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  assert.is(a.length, b.length, "lengths");
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};
const adam = { type: "adam", lr: 0.01 };
const F = [
  { type: "conv2d", filters: 3, kernelSize: 3 }, { type: "instance_norm", affine: true }, { type: "relu" },
  { type: "conv2d", filters: 1, kernelSize: 3 }, { type: "tanh" },
];
const spec = {
  dataShape: shape, batchSize: 3, poolSize: 4,
  nets: { G: resnetGenerator({ channels: 1, ngf: 2, blocks: 1 }), F, DA: patchDiscriminator({ ndf: 2, layers: 1 }), DB: patchDiscriminator({ ndf: 2, layers: 1 }) },
  objective: { type: "cyclegan", generator: "G", inverse: "F", discriminatorA: "DA", discriminatorB: "DB" },
  optimizer: { G: adam, F: adam, DA: adam, DB: adam },
};

const dir = mkdtempSync(join(tmpdir(), "wasm-gan-export-cycle-"));
const gan = await CycleGAN.create(spec, { seed: 2 });
gan.train(images(1, 12), images(2, 12), { steps: 3 });
await saveCycleCheckpoint(join(dir, "cycle.safetensors"), gan);
const ck = await readCycleCheckpoint(join(dir, "cycle.safetensors"));
const x = images(3, N);
const want = { a2b: gan.translate(x, { direction: "a2b" }), b2a: gan.translate(x, { direction: "b2a" }) };
const runOnnx = async (bytes: Uint8Array) => {
  const s = await ort.InferenceSession.create(bytes);
  assert.equal(s.inputNames, ["source"]);
  assert.equal(s.outputNames, ["image"]);
  const out = (await s.run({ source: new ort.Tensor("float32", x, [N, ...shape]) })).image;
  assert.equal(out.dims, [N, ...shape]);
  return out.data as Float32Array;
};

test(`onnx: G (a2b, the ResNet generator) and F (b2a) of a CycleGAN checkpoint match translate() within ${TOL}`, async () => {
  assert.ok(maxDiff(want.a2b, want.b2a) > 1e-2, "G and F translate differently (the test can tell them apart)");
  for (const d of ["a2b", "b2a"] as const) {
    const e = await exportGenerator(ck, "onnx", { direction: d });
    assert.is(e.net, d === "a2b" ? "G" : "F");
    assert.is(e.direction, d);
    assert.is(e.weights, "raw");
    const diff = maxDiff(await runOnnx(e.files[0].bytes), want[d]);
    assert.ok(diff <= TOL, `${d}: max |onnx − translate| = ${diff} ≤ ${TOL}`);
    console.log(`  onnx  cycle ${d}: max |Δ| ${diff.toExponential(2)}`);
  }
  // from the live CycleGAN too (saveState)
  const live = await exportGenerator(gan, "onnx", { direction: "b2a" });
  const d = maxDiff(await runOnnx(live.files[0].bytes), want.b2a);
  assert.ok(d <= TOL, `from the CycleGAN: max |onnx − translate| = ${d} ≤ ${TOL}`);
});

test(`tfjs: G (a2b, the ResNet generator) and F (b2a) match translate() within ${TOL}`, async () => {
  const tf = await tfCpu();
  for (const dir of ["a2b", "b2a"] as const) {
    const e = await exportGenerator(ck, "tfjs", { direction: dir });
    const json = JSON.parse(new TextDecoder().decode(e.files[0].bytes));
    assert.is(json.userDefinedMetadata.direction, dir);
    const model = await tf.loadLayersModel({
      load: async () => ({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: e.files[1].bytes.slice().buffer, format: json.format }),
    });
    const t = tf.tensor4d(x, [N, 8, 8, 1]);
    const out = model.predict(t) as import("@tensorflow/tfjs").Tensor;
    const d = maxDiff(out.dataSync(), want[dir]);
    assert.ok(d <= TOL, `${dir}: max |tfjs − translate| = ${d} ≤ ${TOL}`);
    console.log(`  tfjs  cycle ${dir}: max |Δ| ${d.toExponential(2)}`);
    tf.dispose([t, out]);
    model.dispose();
  }
});

test("refused in one line: no direction, a bad one, safetensors, weights ema; a direction for a GAN", async () => {
  const refuses = async (f: () => Promise<unknown>, message: string) => {
    try { await f(); } catch (e) { assert.instance(e, ExportError); assert.is((e as Error).message, message); return; }
    assert.unreachable(`no error, expected ${message}`);
  };
  await refuses(() => exportGenerator(ck, "onnx"), "direction: a CycleGAN has two generators: choose a2b (G: domain A -> B) or b2a (F: B -> A)");
  await refuses(() => exportGenerator(ck, "onnx", { direction: "up" as any }), `direction must be a2b or b2a (got "up")`);
  await refuses(() => exportGenerator(ck, "safetensors", { direction: "a2b" }), "safetensors export of a CycleGAN generator is not supported: export it to onnx or tfjs (its checkpoint holds G's tensors as G.<layer>.<name>)");
  await refuses(() => exportGenerator(ck, "onnx", { direction: "a2b", weights: "ema" }), "weights ema: a CycleGAN keeps no moving average of its generators; use raw");
  const plain = await createGAN(preset("mlp-ring8"), { seed: 1 });
  await refuses(() => exportGenerator(plain, "onnx", { direction: "a2b" }), "direction: only a CycleGAN has directions (this model is a GAN with one generator, generator); leave it out");
  await saveCheckpoint(join(dir, "gan.safetensors"), plain);
  plain.dispose();
});

test("wasm-gan export --direction on the CycleGAN checkpoint: the ONNX file matches; bad input in one line", async () => {
  const cli = new URL("../../dist/cli.js", import.meta.url).pathname;
  const run = (...args: string[]) => spawnSync(process.execPath, [cli, "export", ...args], { encoding: "utf8", cwd: dir, timeout: 60_000 });
  const r = run("--model", "cycle.safetensors", "--direction", "a2b", "--format", "onnx", "--out", "g.onnx");
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /^wrote the generator G \(a2b\) \(raw weights\) of cycle\.safetensors \(step 3\) as onnx: g\.onnx/);
  const d = maxDiff(await runOnnx(readFileSync(join(dir, "g.onnx"))), want.a2b);
  assert.ok(d <= TOL, `CLI a2b: max |onnx − translate| = ${d} ≤ ${TOL}`);
  oneLineError(run("--model", "cycle.safetensors", "--format", "onnx", "--out", "x.onnx"), 2, /cycle\.safetensors is a CycleGAN checkpoint, with two generators: add --direction a2b \(domain A -> B\) or b2a \(B -> A\)/, "no direction");
  oneLineError(run("--model", "cycle.safetensors", "--direction", "ab", "--format", "onnx", "--out", "x.onnx"), 2, /--direction must be a2b or b2a \(got "ab"\)/, "bad direction");
  oneLineError(run("--model", "gan.safetensors", "--direction", "a2b", "--format", "onnx", "--out", "x.onnx"), 2, /--direction is for a CycleGAN checkpoint; gan\.safetensors is not one/, "GAN with a direction");
  oneLineError(run("--model", "cycle.safetensors", "--direction", "b2a", "--format", "safetensors", "--out", "x.safetensors"), 2, /safetensors export of a CycleGAN generator is not supported/, "safetensors");
});

test.after(() => gan.dispose());
test.run();
