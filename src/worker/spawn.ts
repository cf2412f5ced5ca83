// One worker thread, the same way everywhere: Node's worker_threads, or a module Web Worker
// (Deno, browsers). The worker runs src/worker/worker_main.ts (dist/worker.js once bundled).
import type { Endpoint } from "comlink";

export interface SpawnedWorker {
  endpoint: Endpoint;                                   // for comlink (wrap)
  post(message: unknown): void;
  firstMessage(): Promise<any>;                         // the next message from the worker
  onDeath(listener: (error: Error) => void): void;      // an error it did not catch, or an exit not asked for
  terminate(): Promise<void>;
  kill(): void; // tests: end it the way a crash would (its death is reported)
}

// workers started and not yet ended, in this process (tests check that none is left behind)
let live = 0;
export function liveWorkers(): number {
  return live;
}

const isDeno = typeof (globalThis as any).Deno !== "undefined";
const isNode = !isDeno && typeof (globalThis as any).process?.versions?.node === "string";

// The worker script next to this module: the .ts source when running from src/ (tsx, Deno), the
// bundle's dist/worker.js when running from dist/ (every dist entry sits in the same folder).
export function workerScriptUrl(): URL {
  return import.meta.url.endsWith(".ts") ? new URL("./worker_main.ts", import.meta.url) : new URL("./worker.js", import.meta.url);
}

// Why workers cannot be used here, or undefined when they can.
export async function workersUnavailable(): Promise<string | undefined> {
  if (typeof SharedArrayBuffer === "undefined") {
    return (globalThis as any).crossOriginIsolated === false
      ? "SharedArrayBuffer is missing: the page is not cross-origin isolated (COOP/COEP headers)"
      : "SharedArrayBuffer is missing in this runtime";
  }
  if (typeof Atomics?.wait !== "function") return "Atomics.wait is missing in this runtime";
  if (isNode) {
    try {
      await import("node:worker_threads");
      return undefined;
    } catch (e) {
      return `node:worker_threads cannot be loaded (${(e as Error).message})`;
    }
  }
  if (typeof (globalThis as any).Worker !== "function") return "this runtime has no Worker (an edge function?)";
  return undefined;
}

export async function spawnWorker(): Promise<SpawnedWorker> {
  return isNode ? spawnNodeWorker() : spawnWebWorker();
}

async function spawnNodeWorker(): Promise<SpawnedWorker> {
  const { Worker } = await import("node:worker_threads");
  const { default: nodeEndpoint } = await import("comlink/dist/esm/node-adapter.mjs");
  const script = workerScriptUrl();
  const worker = script.pathname.endsWith(".ts")
    ? new Worker(new URL("./tsx_bootstrap.mjs", import.meta.url), { workerData: { entry: script.href } })
    : new Worker(script);
  let ending = false;
  live++;
  const exited = new Promise<void>((resolve) => worker.once("exit", () => { live--; resolve(); }));
  return {
    endpoint: nodeEndpoint(worker as any),
    post: (m) => worker.postMessage(m),
    firstMessage: () => new Promise((resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
    }),
    onDeath(listener) {
      let reported = false;
      const report = (e: Error) => { if (!reported && !ending) { reported = true; listener(e); } };
      worker.on("error", (e) => report(e instanceof Error ? e : new Error(String(e))));
      worker.on("exit", (code) => report(new Error(`the worker exited (code ${code})`)));
    },
    async terminate() {
      ending = true;
      await worker.terminate();
      await exited;
    },
    kill() {
      void worker.terminate();
    },
  };
}

async function spawnWebWorker(): Promise<SpawnedWorker> {
  const worker: Worker = new (globalThis as any).Worker(workerScriptUrl().href, { type: "module" });
  let ending = false, ended = false;
  live++;
  const end = () => { if (!ended) { ended = true; live--; worker.terminate(); } };
  const deaths: ((e: Error) => void)[] = [];
  const die = (e: Error) => { if (!ending) for (const d of deaths) d(e); };
  worker.addEventListener("error", (e: ErrorEvent) => {
    e.preventDefault(); // Deno: an unhandled worker error would end the whole process
    die(new Error(e.message || "the worker failed"));
    end(); // a web worker is not ended by its uncaught error: end it
  });
  return {
    endpoint: worker as any,
    post: (m) => worker.postMessage(m),
    firstMessage: () => new Promise((resolve) => worker.addEventListener("message", (e) => resolve((e as MessageEvent).data), { once: true })),
    onDeath: (listener) => { deaths.push(listener); },
    async terminate() {
      ending = true;
      end();
    },
    kill() {
      end(); // a web worker's end fires no event: report it as its death
      die(new Error("the worker was terminated"));
    },
  };
}
