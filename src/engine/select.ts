// Which engine trains a model: the WASM engine everywhere, the tfjs engine where a real GPU is.
//   engine "wasm":  the WASM engine, nothing probed.
//   engine "tfjs":  the tfjs engine on `backend` (default "auto": the first GPU backend on real
//                   hardware, else one that started on a software adapter); throws
//                   EngineSelectionError listing every backend tried and why each failed.
//   engine "auto":  (default) the tfjs engine only when a GPU backend (webgpu, webgl, tensorflow,
//                   in that order; or `backend` alone when one is named) starts on real hardware
//                   and passes a self-test on the model: one step from the same seed and batches
//                   on both engines agrees (losses within 1e-3 + 1e-2·|loss|), and its steps are
//                   faster than the WASM engine's (median of `probeSteps` timed steps each, after a
//                   warm-up step). Otherwise the WASM engine, with the reason for each backend.
// The decision lists its reasons in order, for engineInfo() and `wasm-gan info`.
import { WasmGAN } from "./wasm_engine.ts";
import { TfjsGAN } from "./tfjs/tfjs_engine.ts";
import { GPU_BACKENDS, TFJS_BACKENDS, startBackend, startTfjs, TfjsBackendError, type BackendAttempt, type TfjsBackendName } from "./tfjs/backends.ts";
import { validateSpec, type NormalisedSpec } from "../model/spec.ts";
import { preset } from "../model/presets.ts";
import { sampleSize } from "../data/dataset.ts";
import { HostRng } from "../random/rng.ts";

export type EngineName = "wasm" | "tfjs";

export interface SelectOptions {
  engine?: "auto" | EngineName;        // default "auto"
  backend?: TfjsBackendName | "auto";  // the tfjs backend; default "auto"
  spec?: unknown;                      // the model the probe trains (default: the dcgan-mnist preset)
  seed?: number;                       // the probe's seed (default 0)
  probeSteps?: number;                 // timed steps per engine in the probe (default 3)
}

export interface ProbeResult {
  backend: TfjsBackendName;
  correct: boolean;       // the first step's losses agreed
  dLoss: [number, number]; // [wasm, tfjs] after one step
  gLoss: [number, number];
  wasmMs: number;         // median ms per step
  tfjsMs: number;
  faster: boolean;        // tfjsMs < wasmMs
}

export interface EngineDecision {
  engine: EngineName;
  backend?: TfjsBackendName; // the tfjs engine's backend (active in tfjs when this returns)
  gpu?: boolean;
  reasons: string[];
  attempts: BackendAttempt[]; // every tfjs backend tried
  probes: ProbeResult[];
}

export class EngineSelectionError extends Error {
  constructor(message: string, readonly attempts: BackendAttempt[]) {
    super(message);
    this.name = "EngineSelectionError";
  }
}

export async function selectEngine(options: SelectOptions = {}): Promise<EngineDecision> {
  const engine = options.engine ?? "auto", backend = options.backend ?? "auto";
  if (!["auto", "wasm", "tfjs"].includes(engine)) throw new EngineSelectionError(`unknown engine ${JSON.stringify(engine)} (known: auto, wasm, tfjs)`, []);
  if (backend !== "auto" && !TFJS_BACKENDS.includes(backend)) {
    throw new EngineSelectionError(`unknown tfjs backend ${JSON.stringify(backend)} (known: ${TFJS_BACKENDS.join(", ")}, auto)`, []);
  }
  if (engine === "wasm") {
    if (backend !== "auto") throw new EngineSelectionError(`backend '${backend}' applies to the tfjs engine; the WASM engine has none (use engine 'tfjs' or 'auto')`, []);
    return { engine: "wasm", reasons: ["engine 'wasm' asked for"], attempts: [], probes: [] };
  }
  if (engine === "tfjs") {
    try {
      const { attempt, attempts } = await startTfjs(backend);
      return {
        engine: "tfjs", backend: attempt.backend, gpu: attempt.gpu, attempts, probes: [],
        reasons: ["engine 'tfjs' asked for", `${attempt.backend}: ${attempt.reason}${attempt.gpu ? "" : " (used because the tfjs engine was asked for)"}`],
      };
    } catch (e) {
      if (e instanceof TfjsBackendError) throw new EngineSelectionError(e.message, e.attempts);
      throw e;
    }
  }
  // auto
  const spec = validateSpec(options.spec ?? preset("dcgan-mnist"));
  const reasons: string[] = [], attempts: BackendAttempt[] = [], probes: ProbeResult[] = [];
  if (options.spec === undefined) reasons.push("no model given: the probe uses the dcgan-mnist preset");
  for (const name of backend === "auto" ? GPU_BACKENDS : [backend]) {
    const { tf, attempt } = await startBackend(name);
    attempts.push(attempt);
    if (!tf) { reasons.push(`${name}: ${attempt.reason}`); continue; }
    if (!attempt.gpu) { reasons.push(`${name}: ${attempt.reason}: not used`); continue; }
    let probe: ProbeResult;
    try {
      probe = await probeEngines(spec, name, options.seed ?? 0, options.probeSteps ?? 3);
    } catch (e) {
      reasons.push(`${name}: ${attempt.reason}, but the self-test failed: ${(e as Error).message.split("\n")[0]}`);
      continue;
    }
    probes.push(probe);
    const timing = `${probe.tfjsMs.toFixed(1)} ms/step vs the WASM engine's ${probe.wasmMs.toFixed(1)}`;
    if (!probe.correct) {
      reasons.push(`${name}: ${attempt.reason}, but its first step disagrees with the WASM engine's (D loss ${probe.dLoss[1]} vs ${probe.dLoss[0]}, G loss ${probe.gLoss[1]} vs ${probe.gLoss[0]})`);
    } else if (!probe.faster) {
      reasons.push(`${name}: ${attempt.reason}; correct, but slower on this model: ${timing}`);
    } else {
      await tf.setBackend(name);
      reasons.push(`${name}: ${attempt.reason}; correct and faster on this model: ${timing}`);
      return { engine: "tfjs", backend: name, gpu: true, reasons, attempts, probes };
    }
  }
  reasons.push("no GPU backend started on real hardware and passed the self-test: the WASM engine");
  return { engine: "wasm", reasons, attempts, probes };
}

// The self-test: both engines from one seed on the same synthetic batches (uniform in [-1, 1),
// labels cycling through the classes); one step each (also the warm-up: shader compilation),
// losses compared, then `steps` timed steps each, waiting for the device after each.
export async function probeEngines(specInput: unknown, backend: TfjsBackendName, seed = 0, steps = 3): Promise<ProbeResult> {
  const spec: NormalisedSpec = validateSpec(specInput);
  const count = 2 * spec.batchSize;
  const x = (await HostRng.create(seed)).uniform(count * sampleSize(spec.dataShape), -1, 1);
  const K = spec.numClasses;
  const data = { name: "probe", x, shape: spec.dataShape, count, ...(K ? { labels: Int32Array.from({ length: count }, (_, i) => i % K), numClasses: K } : {}) };
  const wasm = await WasmGAN.create(spec, { seed });
  const tfjs = await TfjsGAN.create(spec, { seed, backend });
  try {
    const a = await wasm.train(data, { steps: 1 }), b = await tfjs.train(data, { steps: 1 });
    const close = (u: number, v: number) => Math.abs(u - v) <= 1e-3 + 1e-2 * Math.abs(u);
    const correct = close(a.dLoss, b.dLoss) && close(a.gLoss, b.gLoss);
    const time = async (gan: WasmGAN | TfjsGAN) => {
      const ms: number[] = [];
      for (let i = 0; i < steps; i++) {
        const t0 = performance.now();
        await gan.train(data, { steps: 1 }); // train() reads the statistics back: the device has finished
        ms.push(performance.now() - t0);
      }
      return ms.sort((p, q) => p - q)[Math.floor(ms.length / 2)];
    };
    const wasmMs = await time(wasm), tfjsMs = await time(tfjs);
    return { backend, correct, dLoss: [a.dLoss, b.dLoss], gLoss: [a.gLoss, b.gLoss], wasmMs, tfjsMs, faster: tfjsMs < wasmMs };
  } finally {
    wasm.dispose();
    tfjs.dispose();
  }
}

// The decision as lines for `wasm-gan info`
export function formatDecision(d: EngineDecision): string[] {
  return [`engine: ${d.engine}${d.backend ? ` (tfjs backend ${d.backend}${d.gpu ? ", GPU" : ", not a GPU"})` : ""}`, ...d.reasons.map((r) => `  - ${r}`)];
}
