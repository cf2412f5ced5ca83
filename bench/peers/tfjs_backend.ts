// tfjs-core on its CPU or WASM backend under Node, offline, switchable within one process.
// Both backends are registered at import; tf.setBackend only initialises one on first use and
// afterwards just switches, so a bench can interleave systems in rounds (A, B, C, A, B, C, ...).
// Tensors stay on the backend that made them: create a peer after switching to its backend and
// switch back before stepping it (tfjs_mlp_gan.ts checks this).
// The @tensorflow/tfjs union package: tfjs-core plus its gradient table (tfjs-core's Node
// bundle alone registers no gradients, so minimize() would fail) and the CPU backend.
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);

// The .wasm binaries ship next to the package's main file (dist/). Resolving it through Node
// finds the installed copy wherever node_modules sits; the path is read with fs, no fetch.
const wasmDist = join(dirname(require.resolve("@tensorflow/tfjs-backend-wasm")), "/");
// Must happen before the wasm backend initialises. Threads are hard-disabled in Node (no
// worker path); SIMD is detected (WebAssembly.validate) and used: tfjs-backend-wasm-simd.wasm.
setWasmPaths(wasmDist);

export async function useTfjsBackend(name: "wasm" | "cpu"): Promise<typeof tf> {
  if (tf.getBackend() !== name) {
    const ok = await tf.setBackend(name);
    if (!ok || tf.getBackend() !== name) throw new Error(`tfjs backend '${name}' failed to initialise`);
  }
  await tf.ready();
  return tf;
}

// What the wasm backend actually loaded: for a bench's header line.
// (Both flags are async-evaluated in tfjs; getAsync returns the cached result once probed.)
export async function tfjsWasmFlags(): Promise<{ simd: boolean; threads: boolean; wasmDist: string }> {
  return {
    simd: Boolean(await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT")),
    threads: Boolean(await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT")),
    wasmDist,
  };
}
