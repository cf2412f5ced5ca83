// createGAN: the engine in worker threads where the runtime has Worker and SharedArrayBuffer,
// else on the caller's thread; engineInfo() says which and why.
import { validateSpec } from "../model/spec.ts";
import { chooseFlavour } from "../engine/wasm_module.ts";
import { workersUnavailable } from "./spawn.ts";
import { WorkerGAN } from "./worker_gan.ts";
import { InProcessGAN } from "./in_process_gan.ts";
import { TfjsGanHandle } from "./tfjs_gan.ts";
import { selectEngine } from "../engine/select.ts";
import { resolveThreads } from "./helpers.ts";
import type { GAN, GanOptions, Threads } from "./gan_api.ts";

// how many threads (src/worker/helpers.ts, shared with the CycleGAN engine); exported from here as before
export { coreCount, resolveThreads } from "./helpers.ts";

export async function createGAN(specInput: unknown, options: GanOptions = {}): Promise<GAN> {
  const spec = validateSpec(specInput); // spec errors are thrown here, on the caller's thread
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RangeError(`seed must be an integer in [0, 2^32) (got ${seed})`);
  const mode = options.mode ?? "auto";
  if (!["auto", "worker", "in-process"].includes(mode)) throw new RangeError(`mode must be "auto", "worker" or "in-process" (got ${JSON.stringify(mode)})`);
  const threads = await resolveThreads(options.threads);
  const deterministic = options.deterministic ?? true;
  // which engine: cheap where no GPU API exists (a few ms in Node); a self-test where one starts
  const decision = await selectEngine({ engine: options.engine ?? "auto", backend: options.backend ?? "auto", spec, seed });
  if (decision.engine === "tfjs") return TfjsGanHandle.create(spec, seed, decision);
  const gan = await createWasm(spec, seed, threads, deterministic, mode, options.threads);
  gan.selection = decision.reasons;
  return gan;
}

async function createWasm(spec: ReturnType<typeof validateSpec>, seed: number, threads: number, deterministic: boolean,
  mode: string, asked: Threads | undefined): Promise<InProcessGAN | WorkerGAN> {
  if (mode === "in-process") {
    return InProcessGAN.create(spec, { seed, deterministic }, `in-process mode requested${threads > 1 ? ` (${threads} threads asked for; kernel threads need workers: 1 thread)` : ""}`);
  }
  const missing = await workersUnavailable();
  if (missing) {
    if (mode === "worker") throw new Error(`wasm-gan: worker mode requested, but ${missing}`);
    return InProcessGAN.create(spec, { seed, deterministic }, `no workers: ${missing}; training runs on this thread, 1 kernel thread`);
  }
  const flavour = chooseFlavour(deterministic);
  return WorkerGAN.create(spec, { seed, deterministic }, threads, flavour,
    `worker threads: the engine in a worker, ${threads} kernel thread${threads > 1 ? "s" : ""} (${asked === undefined || asked === "auto" ? "one per core" : "as asked"})`);
}
