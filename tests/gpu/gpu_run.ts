// The GPU code-path check shared by the Deno script (deno_webgpu.ts) and the Chromium page
// (webgl_page.ts): what engine "auto" picks for mlp-ring8, then `steps` steps of mlp-ring8 from
// seed 1 on the tfjs engine forced onto `backend`, on tfjs's CPU backend and on the WASM engine
// (per-step losses and gradient norms, ms per step, final weights). Returns plain JSON.
import { selectEngine } from "../../src/engine/select.ts";
import { TfjsGAN } from "../../src/engine/tfjs/tfjs_engine.ts";
import type { TfjsBackendName } from "../../src/engine/tfjs/backends.ts";
import { WasmGAN } from "../../src/engine/wasm_engine.ts";
import { preset } from "../../src/model/presets.ts";
import { ring8 } from "../../src/data/mixtures.ts";

export interface RunResult { rows: number[][]; msPerStep: number; generator: number[]; discriminator: number[] }

export async function gpuRun(backend: TfjsBackendName, steps: number): Promise<Record<string, unknown>> {
  const spec = preset("mlp-ring8");
  const out: Record<string, unknown> = { userAgent: (globalThis as any).navigator?.userAgent };
  out.auto = await selectEngine({ engine: "auto", spec, probeSteps: 2 });
  try {
    await selectEngine({ engine: "tfjs", backend: "tensorflow" });
  } catch (e) {
    out.forcedError = (e as Error).message; // forcing a backend that cannot start here
  }
  const data = await ring8({ count: 20_000, seed: 1 });
  const run = async (gan: TfjsGAN | WasmGAN): Promise<RunResult> => {
    const rows: number[][] = [];
    const t0 = performance.now();
    await gan.train(data, { steps, onStep: (s) => rows.push([s.dLoss, s.gLoss, s.dGradNorm, s.gGradNorm]) });
    const ms = (performance.now() - t0) / steps;
    const w = gan instanceof TfjsGAN ? await gan.getWeightsAsync() : gan.getWeights(); // tfjs-webgpu under Deno cannot read synchronously
    return { rows, msPerStep: ms, generator: Array.from(w.generator), discriminator: Array.from(w.discriminator) };
  };
  try {
    const gan = await TfjsGAN.create(spec, { seed: 1, backend });
    out.info = gan.engineInfo();
    out.gpu = await run(gan);
    out.samples = Array.from(await gan.sampleAsync(8, { seed: 3 }));
    gan.dispose();
  } catch (e) {
    out.gpuError = (e as Error).message;
  }
  const cpu = await TfjsGAN.create(spec, { seed: 1, backend: "cpu" });
  out.cpu = await run(cpu);
  out.cpuSamples = Array.from(cpu.sample(8, { seed: 3 }));
  cpu.dispose();
  out.wasm = await run(await WasmGAN.create(spec, { seed: 1 }));
  return out;
}
