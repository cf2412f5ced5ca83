// The tfjs engine's random numbers: the WASM engine's own xoshiro128** stream, so that the same
// seed gives the same initial weights, latent draws and minibatches on both engines, and a
// GanState's `rng` words carry over between them. The 4 state words live in a small wasm
// instance of the engine module; normal and uniform fills run there (rngNormalFill,
// rngUniformFill: the exact f32 Box–Muller of assembly/kernels/rng.ts); rngBelow, which the
// module does not export, is run here on the same words (integer-only, so bit-exact in JS).
import { instantiate } from "../wasm_module.ts";
import { buildWasmNet, initNets } from "../net_builder.ts";
import type { Ptr, WasmExports } from "../abi.ts";
import type { LayerSpec } from "../../model/spec.ts";

const rotl = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0;

export class TrainStream {
  private constructor(private readonly wasm: WasmExports, readonly state: Ptr, private scratch: Ptr, private capacity: number, private readonly sampleState: Ptr) {}

  // seed: the GAN's creation seed; the training stream is seeded as ganNew does (seed ^ 0x9e3779b9)
  static async create(seed: number): Promise<TrainStream> {
    const wasm = await instantiate("strict");
    const capacity = 1 << 14;
    return new TrainStream(wasm, wasm.rngNew((seed ^ 0x9e3779b9) >>> 0), wasm.alloc(capacity * 4), capacity, wasm.rngNew(0));
  }

  private words(): Uint32Array {
    return new Uint32Array(this.wasm.memory.buffer, this.state, 4);
  }

  get rng(): Uint32Array { return this.words().slice(); }
  set rng(w: Uint32Array) { this.words().set(w); }

  private room(len: number): Ptr {
    if (len > this.capacity) {
      this.capacity = len;
      this.scratch = this.wasm.alloc(len * 4);
    }
    return this.scratch;
  }

  // len values ~ N(0, 1), one rngNormalFill call (an odd len drops the last pair's second value)
  normal(len: number, state: Ptr = this.state): Float32Array {
    const p = this.room(len);
    this.wasm.rngNormalFill(state, p, len, 0, 1);
    return new Float32Array(this.wasm.memory.buffer, p, len).slice();
  }

  // len values ~ U[0, 1), one rngUniformFill call
  uniform(len: number): Float32Array {
    const p = this.room(len);
    this.wasm.rngUniformFill(this.state, p, len, 0, 1);
    return new Float32Array(this.wasm.memory.buffer, p, len).slice();
  }

  // rngBelow: (next u32 · n) >> 32 (Lemire), n < 2^31; the 64-bit product split in 16-bit halves
  below(n: number): number {
    const s = this.words();
    let s0 = s[0], s1 = s[1], s2 = s[2], s3 = s[3];
    const result = Math.imul(rotl(Math.imul(s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (s1 << 9) >>> 0;
    s2 = (s2 ^ s0) >>> 0; s3 = (s3 ^ s1) >>> 0; s1 = (s1 ^ s2) >>> 0; s0 = (s0 ^ s3) >>> 0; s2 = (s2 ^ t) >>> 0;
    s3 = rotl(s3, 11);
    s[0] = s0; s[1] = s1; s[2] = s2; s[3] = s3;
    const hi = (result >>> 16) * n, lo = (result & 0xffff) * n;
    return Math.floor((hi + Math.floor(lo / 65536)) / 65536);
  }

  belowMany(count: number, n: number): Int32Array {
    const out = new Int32Array(count);
    for (let i = 0; i < count; i++) out[i] = this.below(n);
    return out;
  }

  // WasmGAN.latent(): a stream of its own seeded per call, drawn in chunks of `chunk` floats
  latent(len: number, seed: number, chunk: number): Float32Array {
    this.wasm.rngSeed(this.sampleState, seed >>> 0);
    const out = new Float32Array(len);
    for (let i = 0; i < len; i += chunk) {
      const m = Math.min(chunk, len - i);
      out.set(this.normal(m, this.sampleState), i);
    }
    return out;
  }
}

// The WASM engine's initial parameters and state (batch norm's, spectral normalisation's) for both nets: built in a throwaway
// instance (at batch 1) and initialised by netInit from one stream seeded with `seed`, G then
// D, exactly as WasmGAN's constructor does, so both engines start from the same bits.
export async function initialParams(gLayers: LayerSpec[], gInput: number[], dLayers: LayerSpec[], dInput: number[], seed: number, scheme: number):
  Promise<{ generator: { params: Float32Array; state: Float32Array }; discriminator: { params: Float32Array; state: Float32Array } }> {
  const wasm = await instantiate("strict");
  const G = buildWasmNet(wasm, gLayers, gInput, 1), D = buildWasmNet(wasm, dLayers, dInput, 1);
  initNets(wasm, [G, D], seed, scheme);
  const read = (net: number) => ({
    params: new Float32Array(wasm.memory.buffer, wasm.netParams(net), wasm.netParamCount(net)).slice(),
    state: new Float32Array(wasm.memory.buffer, wasm.netState(net), wasm.netStateCount(net)).slice(),
  });
  return { generator: read(G), discriminator: read(D) };
}
