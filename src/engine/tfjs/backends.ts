// Starting a TensorFlow.js backend for the tfjs engine, with the reason it did or did not start
// and whether it runs on a real GPU. tfjs and its optional backends are loaded by dynamic import
// only here, so the WASM-only path never loads them.
//   webgpu:     navigator.gpu (browsers, Deno) + @tensorflow/tfjs-backend-webgpu
//   webgl:      browsers (a DOM or OffscreenCanvas), in @tensorflow/tfjs
//   tensorflow: Node, @tensorflow/tfjs-node-gpu when the user installed it (an optional peer)
//   wasm, cpu:  never GPUs; only when asked for by name (cpu is the engine's numerical reference)
// A software adapter is not a GPU: WebGPU's isFallbackAdapter, or a renderer / adapter named like
// a software rasteriser (Mesa llvmpipe / lavapipe / softpipe, SwiftShader, Microsoft Basic Render):
// Deno 2.5 reported llvmpipe with isFallbackAdapter false, so the name is checked too.
import type { TF } from "./tfjs_nets.ts";

export type TfjsBackendName = "webgpu" | "webgl" | "tensorflow" | "wasm" | "cpu";
export const TFJS_BACKENDS: readonly TfjsBackendName[] = ["webgpu", "webgl", "tensorflow", "wasm", "cpu"];
// the GPU backends in order of preference
export const GPU_BACKENDS: readonly TfjsBackendName[] = ["webgpu", "webgl", "tensorflow"];

export interface BackendAttempt {
  backend: TfjsBackendName;
  ok: boolean;        // the backend initialised
  gpu: boolean;       // ... on what looks like real GPU hardware (not a software adapter, not cpu/wasm)
  adapter?: string;   // the adapter / renderer as the runtime names it
  reason: string;     // why it did or did not start, or why it is not a GPU
  ms: number;         // time taken to try
}

export const SOFTWARE_ADAPTER = /llvmpipe|lavapipe|softpipe|swiftshader|software|basic render/i;

const g = globalThis as any;
const isNode = () => typeof g.process?.versions?.node === "string" && typeof g.Deno === "undefined" && typeof g.Bun === "undefined";

// A package that may be missing: the name goes through a variable so bundlers and tsc leave
// the import alone (these are optional peers, never dependencies).
async function optionalImport(name: string): Promise<any> {
  return import(/* @vite-ignore */ name);
}

let tfjs: Promise<TF> | undefined;
export function loadTfjs(): Promise<TF> {
  return (tfjs ??= import("@tensorflow/tfjs").then((m: any) => (typeof m.matMul === "function" ? m : m.default) as TF, (e) => {
    tfjs = undefined;
    throw new Error(`the tfjs engine needs @tensorflow/tfjs (npm install @tensorflow/tfjs): ${(e as Error).message}`);
  }));
}

let nodeGpu: Promise<TF> | undefined;

// Tries one backend; never throws. On success the backend is tfjs's active one and `tf` is the
// module to use with it (for 'tensorflow': tfjs-node-gpu's own, which re-exports tfjs).
export async function startBackend(name: TfjsBackendName): Promise<{ tf?: TF; attempt: BackendAttempt }> {
  const t0 = Date.now();
  const done = (ok: boolean, gpu: boolean, reason: string, adapter?: string, tf?: TF) =>
    ({ tf: ok ? tf : undefined, attempt: { backend: name, ok, gpu, reason, ms: Date.now() - t0, ...(adapter ? { adapter } : {}) } });
  try {
    if (name === "tensorflow") {
      if (!isNode()) return done(false, false, "tfjs-node-gpu runs in Node only");
      let tf: TF;
      try {
        tf = await (nodeGpu ??= optionalImport("@tensorflow/tfjs-node-gpu").then((m) => (typeof m.matMul === "function" ? m : m.default) as TF));
      } catch (e) {
        nodeGpu = undefined;
        return done(false, false, `@tensorflow/tfjs-node-gpu is not installed (an optional peer: npm install @tensorflow/tfjs-node-gpu): ${firstLine(e)}`);
      }
      if (!(await tf.setBackend("tensorflow"))) return done(false, false, "tfjs-node-gpu loaded but its 'tensorflow' backend did not initialise");
      return done(true, true, "tfjs-node-gpu (TensorFlow's C library with CUDA); whether it beats the WASM engine is the probe's call", undefined, tf);
    }
    // availability first, so that a runtime without WebGPU / WebGL never loads tfjs to find out
    if (name === "cpu") {
      const tf = await loadTfjs();
      if (!(await tf.setBackend("cpu"))) return done(false, false, "tfjs-backend-cpu did not initialise");
      return done(true, false, "tfjs-backend-cpu: plain JavaScript, the engine's numerical reference, not a GPU", undefined, tf);
    }
    if (name === "wasm") {
      const tf = await loadTfjs();
      try {
        await optionalImport("@tensorflow/tfjs-backend-wasm");
      } catch (e) {
        return done(false, false, `@tensorflow/tfjs-backend-wasm is not installed: ${firstLine(e)}`);
      }
      if (!(await tf.setBackend("wasm"))) return done(false, false, "tfjs-backend-wasm did not initialise");
      return done(true, false, "tfjs-backend-wasm: WebAssembly on the CPU, not a GPU", undefined, tf);
    }
    if (name === "webgpu") {
      const gpu = g.navigator?.gpu;
      if (!gpu) return done(false, false, "no WebGPU in this runtime (navigator.gpu is undefined)");
      const adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
      if (!adapter) return done(false, false, "navigator.gpu.requestAdapter() found no adapter");
      const info = adapter.info ?? (typeof adapter.requestAdapterInfo === "function" ? await adapter.requestAdapterInfo() : {});
      const label = [info.description, info.vendor, info.architecture, info.device].filter((s: unknown) => typeof s === "string" && s !== "" && s !== "0").join(" / ") || "unnamed adapter";
      const fallback = adapter.isFallbackAdapter === true || info.isFallbackAdapter === true;
      const software = fallback || SOFTWARE_ADAPTER.test(label);
      const tf = await loadTfjs();
      try {
        await optionalImport("@tensorflow/tfjs-backend-webgpu");
      } catch (e) {
        const what = software ? ` (a software rasteriser${fallback ? ", isFallbackAdapter" : ""}, not a GPU)` : "";
        return done(false, false, `WebGPU adapter ${label}${what}, but @tensorflow/tfjs-backend-webgpu is not installed (npm install @tensorflow/tfjs-backend-webgpu): ${firstLine(e)}`, label);
      }
      if (!(await tf.setBackend("webgpu"))) return done(false, false, `tfjs-backend-webgpu did not initialise on adapter ${label}`, label);
      return done(true, !software, software
        ? `WebGPU adapter ${label} is a software rasteriser${fallback ? " (isFallbackAdapter)" : ""}, not a GPU`
        : `WebGPU adapter ${label}`, label, tf);
    }
    // webgl
    if (typeof g.document === "undefined" && typeof g.OffscreenCanvas === "undefined") return done(false, false, "no WebGL in this runtime (no DOM or OffscreenCanvas)");
    const tf = await loadTfjs();
    if (!tf.findBackendFactory("webgl")) return done(false, false, "this runtime's tfjs build has no 'webgl' backend (tfjs's Node build, which Deno loads, leaves it out)");
    if (!(await tf.setBackend("webgl"))) return done(false, false, "tfjs-backend-webgl did not initialise (no WebGL2 / WebGL context)");
    const renderer = webglRenderer(tf);
    const float32 = tf.env().getBool("WEBGL_RENDER_FLOAT32_ENABLED");
    if (!float32) return done(true, false, `WebGL renderer ${renderer} cannot render to float32 textures: too imprecise to train`, renderer, tf);
    const software = SOFTWARE_ADAPTER.test(renderer);
    return done(true, !software, software ? `WebGL renderer ${renderer} is a software rasteriser, not a GPU` : `WebGL renderer ${renderer}`, renderer, tf);
  } catch (e) {
    return done(false, false, `${name} failed: ${firstLine(e)}`);
  }
}

// the unmasked renderer string of tfjs-webgl's context ("ANGLE (Google, Vulkan 1.3.0 (SwiftShader ...")
function webglRenderer(tf: TF): string {
  try {
    const gl = (tf.backend() as any).gpgpu?.gl;
    if (!gl) return "unknown";
    const ext = gl.getExtension("WEBGL_debug_renderer_info");
    return String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  } catch {
    return "unknown";
  }
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split("\n")[0];
}

// Names a backend for error messages and reports: "webgpu: <reason>"
export function describeAttempts(attempts: BackendAttempt[]): string {
  return attempts.map((a) => `${a.backend}: ${a.ok ? (a.gpu ? "started" : "started, not a GPU") : "failed"}: ${a.reason}`).join("; ");
}

export class TfjsBackendError extends Error {
  constructor(message: string, readonly attempts: BackendAttempt[]) {
    super(message);
    this.name = "TfjsBackendError";
  }
}

// The backend for a tfjs engine that was asked for: the named one, or with "auto" the first GPU
// backend on real hardware, else the first that started on a software adapter (it was asked
// for). Throws TfjsBackendError naming every backend tried and why each failed.
export async function startTfjs(backend: TfjsBackendName | "auto" = "auto"): Promise<{ tf: TF; attempt: BackendAttempt; attempts: BackendAttempt[] }> {
  const attempts: BackendAttempt[] = [];
  if (backend !== "auto") {
    if (!TFJS_BACKENDS.includes(backend)) throw new TfjsBackendError(`unknown tfjs backend ${JSON.stringify(backend)} (known: ${TFJS_BACKENDS.join(", ")}, auto)`, attempts);
    const { tf, attempt } = await startBackend(backend);
    attempts.push(attempt);
    if (tf) return { tf, attempt, attempts };
    throw new TfjsBackendError(`the tfjs engine cannot start backend '${backend}': ${attempt.reason}`, attempts);
  }
  let software: { tf: TF; attempt: BackendAttempt } | undefined;
  for (const name of GPU_BACKENDS) {
    const r = await startBackend(name);
    attempts.push(r.attempt);
    if (r.tf && r.attempt.gpu) return { tf: r.tf, attempt: r.attempt, attempts };
    if (r.tf && !software) software = { tf: r.tf, attempt: r.attempt };
  }
  if (software) {
    await software.tf.setBackend(software.attempt.backend);
    return { ...software, attempts };
  }
  throw new TfjsBackendError(`the tfjs engine found no GPU backend that starts here. Tried: ${describeAttempts(attempts)}. `
    + `Ask for backend 'cpu' or 'wasm' to run the tfjs engine without a GPU, or use the WASM engine`, attempts);
}
