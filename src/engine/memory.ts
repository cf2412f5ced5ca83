// Reading and writing f32 arrays in a module's linear memory. Views are made fresh on every
// call: a memory.grow() detaches the old ArrayBuffer. Reads return copies, never views, so a
// caller can keep them (and post them between threads) safely.
import type { Ptr, WasmExports } from "./abi.ts";

export class LinearMemory {
  constructor(private readonly wasm: WasmExports) {}

  f32(ptr: Ptr, len: number): Float32Array {
    return new Float32Array(this.wasm.memory.buffer, ptr, len);
  }

  // allocate and fill; the allocation lives as long as the instance (bump allocator)
  put(values: ArrayLike<number>): Ptr {
    const ptr = this.wasm.alloc(values.length * 4);
    this.f32(ptr, values.length).set(values);
    return ptr;
  }

  zeros(len: number): Ptr {
    const ptr = this.wasm.alloc(len * 4);
    this.f32(ptr, len).fill(0);
    return ptr;
  }

  write(ptr: Ptr, values: ArrayLike<number>): void {
    this.f32(ptr, values.length).set(values);
  }

  read(ptr: Ptr, len: number): Float32Array {
    return this.f32(ptr, len).slice();
  }
}
