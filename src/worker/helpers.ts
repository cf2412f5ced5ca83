// Kernel helper threads (assembly/kernels/threads.ts): how many to use, and starting them.
// A leader (the GAN's engine worker, or the caller's own thread for the CycleGAN engine) runs the
// threads build on the shared memory these helpers join; each helper runs its part of every
// split kernel (thread_control.ts's handshake). Used by WorkerGAN and CycleGAN alike.
import { spawnWorker, type SpawnedWorker } from "./spawn.ts";
import { compile, newSharedMemory, type BuildName, type SimdFlavour } from "../engine/wasm_module.ts";
import { newControl, stopHelpers } from "../engine/thread_control.ts";
import type { Threads } from "./gan_api.ts";

// the cores this process may use
export async function coreCount(): Promise<number> {
  const nav = (globalThis as any).navigator;
  if (typeof nav?.hardwareConcurrency === "number" && nav.hardwareConcurrency > 0) return nav.hardwareConcurrency;
  try {
    const os = await import("node:os");
    return typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
  } catch {
    return 1;
  }
}

export async function resolveThreads(threads: Threads | undefined): Promise<number> {
  if (threads === undefined || threads === "auto") return Math.max(1, await coreCount());
  if (!Number.isInteger(threads) || threads < 1 || threads > 256) {
    throw new RangeError(`threads must be "auto" or an integer from 1 to 256 (got ${JSON.stringify(threads)})`);
  }
  return threads;
}

export interface Helpers {
  module: WebAssembly.Module;   // the compiled threads build (the leader instantiates it too)
  memory: WebAssembly.Memory;   // the shared memory
  control: Int32Array;          // the handshake (thread_control.ts)
  count: number;                // threads in all, the leader included
  workers: SpawnedWorker[];     // helper i + 1 is workers[i]
}

// Starts count - 1 helpers on a fresh shared memory, each instantiated and ready; on a failure
// the ones started are ended and the error thrown.
export async function startHelpers(flavour: SimdFlavour, count: number, control: Int32Array = newControl()): Promise<Helpers> {
  const module = await compile(`${flavour}-threads` as BuildName);
  const memory = newSharedMemory();
  const workers: SpawnedWorker[] = [];
  try {
    // helpers first: each instantiation rewrites the module's static data in the shared
    // memory, which must happen before the leader starts using it
    for (let i = 1; i < count; i++) {
      const h = await spawnWorker();
      workers.push(h);
      h.post({ role: "helper", module, memory, control, index: i, count });
      const answer = await h.firstMessage();
      if (!answer?.ready) throw new Error(`wasm-gan: helper thread ${i} could not start: ${answer?.error ?? "no answer"}`);
    }
  } catch (e) {
    await endHelpers(control, workers);
    throw e;
  }
  return { module, memory, control, count, workers };
}

// tells the helpers to leave their loop, and ends their workers
export async function endHelpers(control: Int32Array, workers: SpawnedWorker[]): Promise<void> {
  stopHelpers(control);
  await Promise.all(workers.map((w) => w.terminate().catch(() => {})));
}
