// The worker script. Its first message gives its role:
//   { role: "helper", module, memory, control, index, count }: instantiate the threads build on
//     the shared memory, answer { ready: true }, then run kernel parts until told to quit
//     (thread_control.ts). It never takes another message: it blocks in Atomics.wait.
//   { role: "engine" }: serve the engine (engine_api.ts) through comlink.
import * as Comlink from "comlink";
import { instantiateModule } from "../engine/wasm_module.ts";
import { helperLoop, CTL } from "../engine/thread_control.ts";
import { EngineApi } from "./engine_api.ts";

interface Port {
  endpoint: Comlink.Endpoint;
  post(m: unknown): void;
  onFirstMessage(f: (data: any) => void): void;
  close(): void;
}

async function port(): Promise<Port> {
  if (typeof (globalThis as any).WorkerGlobalScope !== "undefined") {
    const scope = globalThis as any;
    return {
      endpoint: scope,
      post: (m) => scope.postMessage(m),
      onFirstMessage: (f) => scope.addEventListener("message", (e: MessageEvent) => f(e.data), { once: true }),
      close: () => scope.close(),
    };
  }
  const { parentPort } = await import("node:worker_threads");
  const { default: nodeEndpoint } = await import("comlink/dist/esm/node-adapter.mjs");
  if (!parentPort) throw new Error("wasm-gan worker script: not started as a worker");
  return {
    endpoint: nodeEndpoint(parentPort as any),
    post: (m) => parentPort.postMessage(m),
    onFirstMessage: (f) => parentPort.once("message", f),
    close: () => parentPort.close(),
  };
}

const p = await port();
p.onFirstMessage(async (msg) => {
  if (msg?.role === "helper") {
    const { module, memory, control, index, count } = msg;
    const never = () => { throw new Error("a helper thread never leads"); };
    let wasm;
    try {
      wasm = await instantiateModule(module, { memory, threadsRun: never, threadsJoin: never });
    } catch (e) {
      p.post({ ready: false, error: String((e as Error)?.message ?? e) });
      return;
    }
    const gen = Atomics.load(control as Int32Array, CTL.GEN); // before the leader can start (helperLoop)
    p.post({ ready: true });
    const error = helperLoop(control, index, count, wasm, gen);
    if (error) p.post({ failed: String((error as Error)?.message ?? error) });
    p.close();
  } else if (msg?.role === "engine") {
    Comlink.expose(new EngineApi(), p.endpoint);
    p.post({ ready: true });
  }
});
