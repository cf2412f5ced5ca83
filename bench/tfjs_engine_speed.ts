// dcgan-mnist training speed: the tfjs engine on a GPU backend against the WASM engine, side by
// side in one process, interleaved in rounds (docs/platform.md: speed drifts between minutes, so each
// round times both and the ratio is taken per round; the median is reported).
//   node --import tsx bench/tfjs_engine_speed.ts [--force BACKEND] [--rounds R] [--steps N] [--batch B]
//   deno run -A bench/tfjs_engine_speed.ts ...     (WebGPU: Deno's navigator.gpu)
// Without --force it looks for a GPU backend (webgpu, webgl, tensorflow, as the engine selection
// does) and, where none starts on real hardware, prints why and times nothing: a software adapter's
// figure is no GPU figure. --force BACKEND times that backend whatever it runs on, labelled with
// the adapter. Writes bench/tfjs_engine_speed.json (Node) or prints the JSON (Deno).
import { WasmGAN } from "../src/engine/wasm_engine.ts";
import { TfjsGAN } from "../src/engine/tfjs/tfjs_engine.ts";
import { GPU_BACKENDS, startBackend, type BackendAttempt, type TfjsBackendName } from "../src/engine/tfjs/backends.ts";
import { preset } from "../src/model/presets.ts";
import { HostRng } from "../src/random/rng.ts";
import type { GanSpec } from "../src/model/spec.ts";

const g = globalThis as any;
const args: string[] = g.Deno ? g.Deno.args : g.process.argv.slice(2);
const opt = (name: string, fallback?: string) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : fallback; };
const force = opt("force") as TfjsBackendName | undefined;
const rounds = Number(opt("rounds", "5")), steps = Number(opt("steps", "10"));
const spec: GanSpec = { ...preset("dcgan-mnist"), ...(opt("batch") ? { batchSize: Number(opt("batch")) } : {}) };

// the bundled digits where the runtime can load them; else uniform noise of the same shape
// (a step's cost does not depend on the pixel values)
async function digits(): Promise<{ x: Float32Array; what: string }> {
  try {
    const { mnist } = await import("../src/data/mnist.ts");
    return { x: (await mnist()).x, what: "the bundled MNIST digits" };
  } catch (e) {
    return { x: (await HostRng.create(1)).uniform(10_000 * 784, -1, 1), what: `uniform noise [10000, 28, 28, 1] (mnist() failed here: ${(e as Error).message.split("\n")[0]})` };
  }
}

const attempts: BackendAttempt[] = [];
let chosen: TfjsBackendName | undefined;
for (const name of force ? [force] : GPU_BACKENDS) {
  const { attempt } = await startBackend(name);
  attempts.push(attempt);
  if (attempt.ok && (attempt.gpu || force)) { chosen = name; break; }
}
const report: Record<string, unknown> = { spec: spec.name, batch: spec.batchSize, attempts };
if (!chosen) {
  report.result = `no GPU here: no GPU backend started on real hardware (${attempts.map((a) => `${a.backend}: ${a.reason}`).join("; ")}); dcgan-mnist steps/s on the tfjs GPU engine vs the WASM engine needs a machine with one`;
  console.log(report.result);
} else {
  const data = await digits();
  const tfjs = await TfjsGAN.create(spec, { seed: 1, backend: chosen });
  const wasm = await WasmGAN.create(spec, { seed: 1 });
  const info = tfjs.engineInfo();
  console.log(`tfjs engine on ${chosen} (${info.adapter ?? "no adapter name"}; ${info.gpu ? "a GPU" : "NOT a GPU: " + info.reason}) vs the WASM engine (${wasm.engineInfo().simd} SIMD, 1 thread); data: ${data.what}`);
  await tfjs.train(data.x, { steps: 2 }); // warm-up: shader compilation, first allocations
  await wasm.train(data.x, { steps: 2 });
  const rows: { tfjs: number; wasm: number; ratio: number }[] = [];
  for (let r = 0; r < rounds; r++) {
    const time = async (gan: TfjsGAN | WasmGAN) => { const t0 = performance.now(); await gan.train(data.x, { steps }); return (steps * 1000) / (performance.now() - t0); };
    const a = await time(tfjs), b = await time(wasm);
    rows.push({ tfjs: a, wasm: b, ratio: a / b });
    console.log(`round ${r + 1}: tfjs ${a.toFixed(2)} steps/s, WASM ${b.toFixed(2)} steps/s, ratio ${(a / b).toFixed(2)}`);
  }
  const med = (v: number[]) => [...v].sort((p, q) => p - q)[Math.floor(v.length / 2)];
  Object.assign(report, { backend: chosen, adapter: info.adapter, gpu: info.gpu, data: data.what, steps, rounds: rows, medianRatio: med(rows.map((r) => r.ratio)), medianTfjs: med(rows.map((r) => r.tfjs)), medianWasm: med(rows.map((r) => r.wasm)) });
  console.log(`median: tfjs ${(report.medianTfjs as number).toFixed(2)} steps/s, WASM ${(report.medianWasm as number).toFixed(2)} steps/s, ratio ${(report.medianRatio as number).toFixed(2)}${info.gpu ? "" : " (software adapter: not a GPU figure)"}`);
  tfjs.dispose();
}
if (g.Deno) console.log(JSON.stringify(report));
else {
  const { writeFileSync } = await import("node:fs");
  writeFileSync(new URL("./tfjs_engine_speed.json", import.meta.url), JSON.stringify({ date: new Date().toISOString(), ...report }, null, 1));
}
