// f32 rounding helpers for kernel tests: ulps, per-element tolerances that handle ±Infinity,
// and guarded buffers in a module's linear memory (a SIMD body or tail that writes one
// float too many is caught by the guard words either side of the data).
import * as assert from "uvu/assert";
import type { Ptr, WasmExports } from "../../src/engine/abi.ts";

export const U = 2 ** -24; // unit roundoff of f32 (half an ulp of 1)

// the spacing of f32 numbers at |x| (x is first rounded to f32); 2^-149 in the subnormal range
export function f32Ulp(x: number): number {
  const f = new Float32Array([Math.abs(x)]);
  const e = new Uint32Array(f.buffer)[0] >>> 23;
  return e === 0 ? 2 ** -149 : 2 ** (e - 150);
}

// |actual - expected| measured in ulps of expected (0 when both are the same infinity)
export function ulpError(actual: number, expected: number): number {
  if (actual === expected) return 0;
  return Math.abs(actual - expected) / f32Ulp(expected);
}

// every element within maxUlps ulps of the (f64) expected value; NaN always fails
export function expectUlps(label: string, actual: ArrayLike<number>, expected: ArrayLike<number>, maxUlps: number): void {
  assert.is(actual.length, expected.length, `${label}: length`);
  for (let i = 0; i < actual.length; i++) {
    const e = ulpError(actual[i], expected[i]);
    if (!(e <= maxUlps)) {
      assert.unreachable(`${label}: element ${i} is ${actual[i]}, expected ${expected[i]} (${e} ulps > ${maxUlps})`);
    }
  }
}

// |actual_i - expected_i| <= tol_i (one tolerance, or one per element); equal infinities pass, NaN fails
export function expectWithin(label: string, actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number | ArrayLike<number> | ((i: number) => number)): void {
  assert.is(actual.length, expected.length, `${label}: length`);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i], e = expected[i];
    const t = typeof tol === "number" ? tol : typeof tol === "function" ? tol(i) : tol[i];
    if (a === e) continue;
    if (!(Math.abs(a - e) <= t)) {
      assert.unreachable(`${label}: element ${i} is ${a}, expected ${e} (|diff| ${Math.abs(a - e)} > tol ${t})`);
    }
  }
}

export function expectAllFinite(label: string, a: ArrayLike<number>): void {
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) assert.unreachable(`${label}: element ${i} is ${a[i]}`);
  }
}

const GUARD = 8; // floats each side
const SENTINEL = 0x7fc0dead; // a quiet NaN with a payload no kernel produces

// Buffers with guard words either side, in one module instance.
export class Guarded {
  private readonly lens = new Map<Ptr, number>();
  constructor(private readonly wasm: WasmExports) {}

  private u32(ptr: Ptr, len: number) { return new Uint32Array(this.wasm.memory.buffer, ptr, len); }
  private f32(ptr: Ptr, len: number) { return new Float32Array(this.wasm.memory.buffer, ptr, len); }

  put(values: ArrayLike<number>): Ptr {
    const len = values.length;
    const base = this.wasm.alloc((len + 2 * GUARD) * 4);
    const ptr = base + GUARD * 4; // still 16-byte aligned
    this.u32(base, GUARD).fill(SENTINEL);
    this.u32(ptr + len * 4, GUARD).fill(SENTINEL);
    this.f32(ptr, len).set(values);
    this.lens.set(ptr, len);
    return ptr;
  }
  zeros(len: number): Ptr { return this.put(new Float32Array(len)); }
  write(ptr: Ptr, values: ArrayLike<number>): void { this.f32(ptr, values.length).set(values); }
  read(ptr: Ptr, len = this.lens.get(ptr)!): Float32Array { return this.f32(ptr, len).slice(); }

  // the guard words of every buffer put so far are untouched
  checkGuards(label: string): void {
    for (const [ptr, len] of this.lens) {
      const before = this.u32(ptr - GUARD * 4, GUARD), after = this.u32(ptr + len * 4, GUARD);
      for (let i = 0; i < GUARD; i++) {
        if (before[i] !== SENTINEL) assert.unreachable(`${label}: wrote ${GUARD - i} floats before a buffer of ${len}`);
        if (after[i] !== SENTINEL) assert.unreachable(`${label}: wrote float ${len + i} past a buffer of ${len}`);
      }
    }
  }
}
