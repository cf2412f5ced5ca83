// One system's timings in a fresh process, for bench/infer_speed.ts (runs under Node with tsx
// and under Deno as is): `run_one.ts SYSTEM MODEL_DIR` prints one JSON line
//   { import_ms, cold_ms, first_ms, warm1_ms[], batch64_ms[] }
// cold_ms: compile + load weights (+ the module import, import_ms, counted in it): ours = import
// dist/infer.js, WebAssembly.compile(dist/infer.wasm's bytes) + loadGenerator(generator export),
// which draws its one warm-up sample (ours-no-warm-up: warmUp false, the first call left cold);
// tfjs = import @tensorflow/tfjs-core + backend-cpu + tfjs-layers, setBackend("cpu"),
// loadLayersModel(model.json + weights.bin bytes); onnx = import onnxruntime-node,
// InferenceSession.create(generator.onnx bytes). The files are read before the clock starts.
// first_ms: the first batch-1 call after loading; warm1_ms: WARM more batch-1 calls; batch64_ms:
// one untimed batch-64 call, then BATCH64 timed ones. Each call produces the images as a
// Float32Array (ours: latents drawn inside; peers: latents given, drawn before the clock).
import { readFileSync } from "node:fs";
import { join } from "node:path";

const [system, dir] = (globalThis as any).Deno ? (globalThis as any).Deno.args : process.argv.slice(2);
const WARM = 30, BATCH64 = 5;
const now = () => performance.now();
const latents = (n: number) => Float32Array.from({ length: n * 100 }, (_, i) => Math.sin(i * 12.9898) * 1.3);

type Gen = (n: number, i: number) => Promise<Float32Array> | Float32Array;
async function load(): Promise<{ importMs: number; gen: Gen }> {
  if (system === "ours" || system === "ours-no-warm-up") {
    const wasm = readFileSync("dist/infer.wasm"), model = readFileSync(join(dir, "generator.safetensors"));
    const t0 = now();
    const { loadGenerator } = await import("../../dist/infer.js" as string);
    const importMs = now() - t0;
    const g = await loadGenerator({ wasm: await WebAssembly.compile(wasm), model, warmUp: system === "ours" });
    return { importMs, gen: (n, i) => g.generate({ n, seed: i }).data };
  }
  if (system === "tfjs") {
    const json = JSON.parse(readFileSync(join(dir, "tfjs", "model.json"), "utf8")), bin = readFileSync(join(dir, "tfjs", "weights.bin"));
    const t0 = now();
    const tf: any = await import("@tensorflow/tfjs-core");
    await import("@tensorflow/tfjs-backend-cpu");
    const tfl: any = await import("@tensorflow/tfjs-layers");
    const importMs = now() - t0;
    await tf.setBackend("cpu");
    const m = await tfl.loadLayersModel({ load: async () => ({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength), format: json.format }) });
    const z = { 1: latents(1), 64: latents(64) } as Record<number, Float32Array>;
    return { importMs, gen: async (n) => { const x = tf.tensor2d(z[n], [n, 100]); const y = m.predict(x); const d = await y.data(); tf.dispose([x, y]); return d; } };
  }
  if (system === "onnx") {
    const bytes = readFileSync(join(dir, "generator.onnx"));
    const t0 = now();
    const ort: any = await import("onnxruntime-node");
    const importMs = now() - t0;
    const s = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    const z = { 1: new ort.Tensor("float32", latents(1), [1, 100]), 64: new ort.Tensor("float32", latents(64), [64, 100]) } as Record<number, unknown>;
    return { importMs, gen: async (n) => (await s.run({ latent: z[n] })).image.data as Float32Array };
  }
  throw new Error(`unknown system ${system}`);
}

const t0 = now();
const { importMs, gen } = await load();
const coldMs = now() - t0;
let t = now();
await gen(1, 0);
const firstMs = now() - t;
const warm1: number[] = [], batch64: number[] = [];
for (let i = 1; i <= WARM; i++) { t = now(); await gen(1, i); warm1.push(now() - t); }
await gen(64, 0);
for (let i = 1; i <= BATCH64; i++) { t = now(); await gen(64, i); batch64.push(now() - t); }
console.log(JSON.stringify({ import_ms: importMs, cold_ms: coldMs, first_ms: firstMs, warm1_ms: warm1, batch64_ms: batch64 }));
