// Host-side draws (data sets, fixed latent batches) from the engine's own generator, so that
// every random number in wasm-gan comes from one seeded xoshiro128** stream, identical in
// Node, Deno and browsers. Draws go through a fixed scratch block in a shared instance.
import { instantiate } from "./wasm_module.ts";
import type { Ptr, WasmExports } from "./abi.ts";

const CHUNK = 1 << 16; // floats per round trip (even: Box–Muller pairs never straddle chunks)

let shared: Promise<{ wasm: WasmExports; scratch: Ptr }> | undefined;
function sharedInstance() {
  return (shared ??= instantiate("strict").then((wasm) => ({ wasm, scratch: wasm.alloc(CHUNK * 4) })));
}

export class HostRng {
  private constructor(private readonly wasm: WasmExports, private readonly scratch: Ptr, private readonly state: Ptr) {}

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
