// The random streams on their own: a small module (build/wasm-gan.random.wasm) for the host's
// draws (data sets, probe batches) that have no engine to ask. Its kernels are the engine's own
// (assembly/kernels/rng.ts), compiled from the same source, so its streams are the engine's bit
// for bit (tests/random/rng.test.ts). Scalar code only: the target enables no SIMD, so it loads
// in any WebAssembly runtime.
import { rngSeed } from "./kernels/rng";

export { rngSeed, rngUniformFill, rngNormalFill } from "./kernels/rng";

// bump allocation, as in the engine: a state (16 bytes) per stream and one scratch block
export function alloc(bytes: usize): usize {
  return heap.alloc(bytes);
}

export function rngNew(seed: u32): usize {
  const s = heap.alloc(16);
  rngSeed(s, seed);
  return s;
}
