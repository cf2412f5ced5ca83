// wasm-gan/infer (src/infer/, assembly/infer.ts) as shipped: the built bundle dist/infer.js and
// dist/infer.wasm, against the full training engine on the same trained models:
//   - generate({n, seed, labels}) equals WasmGAN.sample(n, {seed, labels, average}) bit for bit
//     (strict build), from the checkpoint (EMA weights by default when kept; weights: "raw" the
//     live ones) and from the generator export (SN folded), across chunk boundaries (n > batchSize)
//   - png() decodes (fast-png) to the grid's size and pixels; 2-D points give a 512x512 scatter
//   - the bundle imports nothing (no node:*, tfjs, comlink), its JS + wasm are ≤ 60 KB gzip
//   - bad model bytes, n, seed, labels, weights and wasm: one-line InferErrors naming the problem
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { decode } from "fast-png";
import { loadGenerator, warmUpRequests, InferError, MAX_SAMPLES, type Generator } from "wasm-gan/infer";
import { imageGridPixels } from "../../src/io/grid_pixels.ts";
import { trainedModel, MODEL_CASES } from "./models.ts";

const wasm = readFileSync("dist/infer.wasm");
const bits = (a: Float32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);
function sameBits(got: Float32Array, want: Float32Array, label: string) {
  assert.is(got.length, want.length, `${label}: length`);
  const g = bits(got), w = bits(want);
  let diff = 0;
  for (let i = 0; i < g.length; i++) if (g[i] !== w[i]) diff++;
  assert.is(diff, 0, `${label}: ${diff} of ${g.length} floats differ from the engine (bit for bit)`);
}
async function throwsInfer(f: () => unknown, re: RegExp) {
  try { await f(); } catch (e) {
    assert.instance(e, InferError, `${re}: an InferError (got ${(e as Error).message})`);
    assert.match((e as Error).message, re);
    assert.not.match((e as Error).message, /\n/, "one line");
    return;
  }
  assert.unreachable(`no error, expected ${re}`);
}

test("the bundle: dist/infer.js imports nothing (no node:*, tfjs, comlink, protobufjs); JS + wasm ≤ 60 KB gzip", () => {
  const js = readFileSync("dist/infer.js", "utf8");
  assert.not.match(js, /\bimport\s*[\w{*]|\bimport\s*\(|\bfrom\s*["']|\brequire\s*\(/, "no static or dynamic import, no require");
  assert.not.match(js, /node:|@tensorflow|comlink|new Worker/, "nothing of Node, tfjs, comlink or workers");
  const size = gzipSync(js, { level: 9 }).length + gzipSync(wasm, { level: 9 }).length;
  assert.ok(size <= 60 * 1024, `JS ${gzipSync(js, { level: 9 }).length} + wasm ${gzipSync(wasm, { level: 9 }).length} = ${size} bytes gzip ≤ 61,440`);
});

for (const c of MODEL_CASES) {
  test(`generate() equals the engine's sample bit for bit (checkpoint and generator export): ${c.name}`, async () => {
    const m = await trainedModel(c.name);
    const K = m.gan.spec.numClasses ?? 0, B = m.gan.spec.batchSize;
    const fromCheckpoint = await loadGenerator({ wasm, model: m.checkpointBytes });
    const fromExport = await loadGenerator({ wasm: await WebAssembly.compile(wasm), model: m.generatorBytes });
    const unwarmed = await loadGenerator({ wasm, model: m.generatorBytes, warmUp: false }); // the warm-up sample leaves no trace
    assert.is(fromCheckpoint.info.weights, m.ema ? "ema" : "raw");
    assert.is(fromExport.info.format, "wasm-gan-generator");
    for (const [n, seed] of [[1, 0], [B + 5, 42]]) {
      const labels = K ? Array.from({ length: n }, (_, i) => (7 * i + 3) % K) : undefined;
      const want = m.gan.sample(n, { seed, average: m.ema, ...(labels ? { labels } : {}) });
      for (const [g, from] of [[unwarmed, "export, no warm-up"], [fromCheckpoint, "checkpoint"], [fromExport, "export"]] as [Generator, string][]) {
        const got = g.generate({ n, seed, ...(labels ? { labels } : {}) });
        assert.equal(got.shape, [n, ...m.gan.spec.dataShape]);
        sameBits(got.data, want, `${from}, n ${n}, seed ${seed}`);
      }
    }
    if (K) sameBits(fromCheckpoint.generate({ n: 3, seed: 5, labels: 4 }).data, m.gan.sample(3, { seed: 5, labels: 4 }), "one label for all");
    if (m.ema) {
      const raw = await loadGenerator({ wasm, model: m.checkpointBytes, weights: "raw" });
      sameBits(raw.generate({ n: 4, seed: 9 }).data, m.gan.sample(4, { seed: 9 }), "weights raw: the live weights");
      assert.ok(bits(raw.generate({ n: 4, seed: 9 }).data).some((x, i) => x !== bits(m.gan.sample(4, { seed: 9, average: true }))[i]), "ema and raw differ (the test can tell them apart)");
    }
  });
}

test("png(): an image grid decodes to the grid's size and pixels; 2-D points give a 512x512 scatter plot", async () => {
  const m = await trainedModel("dcgan-mnist");
  const g = await loadGenerator({ wasm, model: m.generatorBytes });
  const png = decode(await g.png({ n: 10, seed: 3, columns: 4 }));
  const { data, layout } = imageGridPixels(g.generate({ n: 10, seed: 3 }).data, 10, 28, 28, 1, { cols: 4 });
  assert.equal([png.width, png.height, png.channels, png.depth], [layout.width, layout.height, 1, 8], "4 x 3 tiles of 28x28, 2 px apart, grey");
  assert.ok(Buffer.from(png.data as Uint8Array).equals(Buffer.from(data)), "the pixels of the grid");
  const sq = decode(await g.png({ n: 16, seed: 3 }));
  assert.equal([sq.width, sq.height], [4 * 30 + 2, 4 * 30 + 2], "default columns ceil(sqrt(16)) = 4");
  const pts = await loadGenerator({ wasm, model: (await trainedModel("blend α 0.3 (points)")).generatorBytes });
  const scatter = decode(await pts.png({ n: 100, seed: 1 }));
  assert.equal([scatter.width, scatter.height, scatter.channels], [512, 512, 4]);
});

test("warmUpRequests(): the handlers' start-up requests resolve and leave no trace in later samples", async () => {
  const m = await trainedModel("dcgan-mnist");
  const g = await loadGenerator({ wasm, model: m.generatorBytes, warmUp: false });
  const before = g.generate({ n: 3, seed: 8 }).data;
  await warmUpRequests(g);
  sameBits(g.generate({ n: 3, seed: 8 }).data, before, "after the warm-up requests");
  const pts = await loadGenerator({ wasm, model: (await trainedModel("blend α 0.3 (points)")).generatorBytes });
  await warmUpRequests(pts); // points: a scatter plot; no model's PNG refusal (a 400) stops a server's start
});

test("bad input: one-line InferErrors naming the model bytes, n, seed, labels, weights, wasm", async () => {
  const dc = await trainedModel("dcgan-mnist"), cg = await trainedModel("cgan-mnist");
  const g = await loadGenerator({ wasm, model: dc.generatorBytes });
  const c = await loadGenerator({ wasm, model: cg.checkpointBytes });
  await throwsInfer(() => loadGenerator({ wasm, model: new Uint8Array(100) }), /^model: not a safetensors checkpoint: the header does not start with "{" \(wrong magic\)/);
  await throwsInfer(() => loadGenerator({ wasm, model: new TextEncoder().encode("hello") }), /^model: not a checkpoint: 5 bytes/);
  const other = dc.generatorBytes.slice();
  other.set(new TextEncoder().encode("wasm-gan-generatoX"), new TextDecoder().decode(other.subarray(0, 4000)).indexOf("wasm-gan-generator"));
  await throwsInfer(() => loadGenerator({ wasm, model: other }), /^model: not a wasm-gan model: __metadata__\.format is "wasm-gan-generatoX", expected "wasm-gan-generator"/);
  const flipped = dc.generatorBytes.slice();
  flipped[flipped.length - 3] ^= 1;
  await throwsInfer(() => loadGenerator({ wasm, model: flipped }), /^model: corrupted: the tensor data's CRC-32/);
  await throwsInfer(() => loadGenerator({ wasm, model: dc.checkpointBytes.subarray(0, 5000) }), /^model: .*truncated/);
  await throwsInfer(() => loadGenerator({ wasm, model: cg.checkpointBytes, weights: "ema" }), /weights ema: this model keeps no moving average/);
  await throwsInfer(() => loadGenerator({ wasm, model: dc.generatorBytes, weights: "raw" }), /^model: weights raw: this generator file holds the ema weights only/);
  await throwsInfer(() => loadGenerator({ wasm: readFileSync("build/wasm-gan.random.wasm"), model: dc.generatorBytes }), /^wasm: not the inference module/);
  await throwsInfer(() => loadGenerator({ wasm: new Uint8Array(8), model: dc.generatorBytes }), /^wasm: not the inference module/);
  await throwsInfer(() => loadGenerator({ wasm, model: dc.generatorBytes, warmUp: "yes" as unknown as boolean }), /^loadGenerator: warmUp must be true or false \(got yes\)/);
  await throwsInfer(() => loadGenerator({ wasm, model: 42 as never }), /^model: expected bytes/);
  for (const n of [0, MAX_SAMPLES + 1, 1.5, NaN]) await throwsInfer(() => g.generate({ n }), new RegExp(`^n must be an integer from 1 to ${MAX_SAMPLES} \\(got ${n}\\)`));
  for (const seed of [-1, 1.5, 2 ** 32]) await throwsInfer(() => g.generate({ n: 1, seed }), /^seed must be an integer from 0 to 4294967295/);
  await throwsInfer(() => g.generate({ n: 2, labels: 1 }), /^labels given, but this model is unconditional/);
  await throwsInfer(() => c.generate({ n: 2, labels: 10 }), /^labels: must be a class from 0 to 9/);
  await throwsInfer(() => c.generate({ n: 2, labels: [1] }), /^labels: 1 given for 2 samples/);
  await throwsInfer(() => g.png({ n: 2, columns: 0 }), /^columns must be an integer from 1/);
});

test.run();
