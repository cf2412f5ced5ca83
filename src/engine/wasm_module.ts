// Loads the engine's WebAssembly: the strict-SIMD build (bit-reproducible everywhere) or the
// relaxed-SIMD build (fused multiply-add; faster, not bit-reproducible), chosen by
// WebAssembly.validate. Each model gets its own instance (its own linear memory), compiled
// from one cached WebAssembly.Module per flavour.
import { strictWasm, relaxedWasm, strictThreadsWasm, relaxedThreadsWasm } from "../generated/wasm_bytes.ts";
import { decodeBase64 } from "../io/base64.ts";
import type { WasmExports } from "./abi.ts";

export type SimdFlavour = "strict" | "relaxed";
// a build: its SIMD flavour, and whether it imports one shared memory for threads
export type BuildName = SimdFlavour | "strict-threads" | "relaxed-threads";

const BASE64: Record<BuildName, string> = {
  strict: strictWasm, relaxed: relaxedWasm, "strict-threads": strictThreadsWasm, "relaxed-threads": relaxedThreadsWasm,
};

// the shared memory a threads build imports (asconfig.json: initialMemory 32, maximumMemory 32768 pages)
export function newSharedMemory(): WebAssembly.Memory {
  return new WebAssembly.Memory({ initial: 32, maximum: 32768, shared: true });
}

const bytes: Partial<Record<BuildName, Uint8Array>> = {};
function moduleBytes(build: BuildName): Uint8Array {
  return (bytes[build] ??= decodeBase64(BASE64[build]));
}

// Node 20 validates relaxed SIMD only with --experimental-wasm-relaxed-simd (docs/platform.md);
// Deno and current browsers accept it as is.
export function relaxedSimdSupported(): boolean {
  return WebAssembly.validate(moduleBytes("relaxed") as BufferSource);
}

export function simdSupported(): boolean {
  return WebAssembly.validate(moduleBytes("strict") as BufferSource);
}

// deterministic: true -> always strict. Otherwise relaxed where the runtime accepts it.
export function chooseFlavour(deterministic: boolean): { flavour: SimdFlavour; reason: string } {
  if (deterministic) return { flavour: "strict", reason: "determinism requested: strict SIMD (bit-reproducible)" };
  if (relaxedSimdSupported()) return { flavour: "relaxed", reason: "relaxed SIMD validated: fused multiply-add build" };
  return { flavour: "strict", reason: "relaxed SIMD not accepted by this runtime: strict SIMD build" };
}

const compiled = new Map<BuildName, Promise<WebAssembly.Module>>();
export function compile(build: BuildName): Promise<WebAssembly.Module> {
  let m = compiled.get(build);
  if (!m) {
    m = WebAssembly.compile(moduleBytes(build) as BufferSource);
    compiled.set(build, m);
  }
  return m;
}

// threads builds: the shared memory and the leader's imports (thread_control.ts); a helper
// passes imports that are never called
export interface ThreadImports {
  memory: WebAssembly.Memory;
  threadsRun(task: number): void;
  threadsJoin(): void;
}

export async function instantiate(flavour: SimdFlavour = "strict"): Promise<WasmExports> {
  if (!simdSupported()) {
    throw new Error("wasm-gan: this runtime's WebAssembly has no SIMD (needed by every build of the engine)");
  }
  return instantiateModule(await compile(flavour));
}

export async function instantiateModule(module: WebAssembly.Module, threads?: ThreadImports): Promise<WasmExports> {
  let memory: WebAssembly.Memory | undefined = threads?.memory;
  const instance = await WebAssembly.instantiate(module, {
    env: {
      ...threads,
      // AssemblyScript's abort(message, file, line, column): strings are UTF-16 with a length header
      abort(msg: number, file: number, line: number, col: number) {
        const read = (p: number) => {
          if (!p || !memory) return "";
          const len = new Uint32Array(memory.buffer, p - 4, 1)[0] >>> 1;
          return String.fromCharCode(...new Uint16Array(memory.buffer, p, len));
        };
        throw new Error(`wasm-gan engine abort: ${read(msg)} at ${read(file)}:${line}:${col}`);
      },
    },
  });
  const exports = instance.exports as unknown as WasmExports;
  memory = exports.memory ?? memory;
  return exports;
}
