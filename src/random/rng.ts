// Host-side random streams (data sets, the engine probe's batches): the engine's own seeded
// xoshiro128** (assembly/kernels/rng.ts), so every random number in wasm-gan comes from one
// stream definition, identical in Node, Deno, browsers and edge runtimes. The kernels run in a
// small module of their own (assembly/random.ts -> build/wasm-gan.random.wasm, ~4 KB, no SIMD):
// drawing a data set never starts an engine. Draws go through one fixed scratch block in one
// shared instance.
import { randomWasm } from "../generated/wasm_bytes.ts";
import { decodeBase64 } from "../io/base64.ts";

type Ptr = number;

// the random module's exports (assembly/random.ts)
export interface RandomExports {
  memory: WebAssembly.Memory;
  alloc(bytes: number): Ptr;
  rngNew(seed: number): Ptr;
  rngSeed(state: Ptr, seed: number): void;
  rngUniformFill(state: Ptr, out: Ptr, len: number, lo: number, hi: number): void;
  rngNormalFill(state: Ptr, out: Ptr, len: number, mean: number, std: number): void;
}

const CHUNK = 1 << 16; // floats per round trip (even: Box–Muller pairs never straddle chunks)

export async function instantiateRandom(): Promise<RandomExports> {
  const { instance } = await WebAssembly.instantiate(decodeBase64(randomWasm) as BufferSource, {
    // built with noAssert: abort is imported but only reachable on a failed memory.grow
    env: { abort: () => { throw new Error("wasm-gan random module: abort (out of memory?)"); } },
  });
  return instance.exports as unknown as RandomExports;
}

let shared: Promise<{ wasm: RandomExports; scratch: Ptr }> | undefined;
function sharedInstance() {
  return (shared ??= instantiateRandom().then((wasm) => ({ wasm, scratch: wasm.alloc(CHUNK * 4) })));
}

export class HostRng {
  private constructor(private readonly wasm: RandomExports, private readonly scratch: Ptr, private readonly state: Ptr) {}

  static async create(seed: number): Promise<HostRng> {
    const { wasm, scratch } = await sharedInstance();
    return new HostRng(wasm, scratch, wasm.rngNew(seed >>> 0));
  }

  private fill(len: number, draw: (out: Ptr, n: number) => void): Float32Array {
    const out = new Float32Array(len);
    for (let i = 0; i < len; i += CHUNK) {
      const n = Math.min(CHUNK, len - i);
      draw(this.scratch, n);
      out.set(new Float32Array(this.wasm.memory.buffer, this.scratch, n), i);
    }
    return out;
  }

  normal(len: number, mean = 0, std = 1): Float32Array {
    return this.fill(len, (p, n) => this.wasm.rngNormalFill(this.state, p, n, mean, std));
  }

  uniform(len: number, lo = 0, hi = 1): Float32Array {
    return this.fill(len, (p, n) => this.wasm.rngUniformFill(this.state, p, n, lo, hi));
  }

  // integers in [0, k)
  below(len: number, k: number): Int32Array {
    const u = this.uniform(len);
    const out = new Int32Array(len);
    for (let i = 0; i < len; i++) out[i] = Math.min(k - 1, Math.floor(u[i] * k));
    return out;
  }
}
