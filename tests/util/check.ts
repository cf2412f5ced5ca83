// Comparison helpers: every check names what it compares and states its tolerance.
import * as assert from "uvu/assert";

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.is(a.length, b.length, "length");
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= m)) m = d; // NaN propagates as a failure
  }
  return m;
}

// |a - b| <= atol + rtol * |b| elementwise
export function expectClose(label: string, actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number, rtol = 0): void {
  assert.is(actual.length, expected.length, `${label}: length`);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i], e = expected[i];
    const tol = atol + rtol * Math.abs(e);
    if (!(Math.abs(a - e) <= tol)) {
      assert.unreachable(`${label}: element ${i} is ${a}, expected ${e} (|diff| ${Math.abs(a - e)} > tol ${tol}); max |diff| ${maxAbsDiff(actual, expected)}`);
    }
  }
}

export function expectBitIdentical(label: string, a: Float32Array, b: Float32Array): void {
  assert.is(a.length, b.length, `${label}: length`);
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < ua.length; i++) {
    if (ua[i] !== ub[i]) assert.unreachable(`${label}: element ${i} differs: ${a[i]} vs ${b[i]}`);
  }
}

// A deterministic test-data generator (mulberry32), separate from the engine's RNG on purpose:
// test inputs must not depend on the code under test.
export function testRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomArray(len: number, rand: () => number, lo = -1, hi = 1): Float32Array {
  const a = new Float32Array(len);
  for (let i = 0; i < len; i++) a[i] = lo + (hi - lo) * rand();
  return a;
}

// central differences of f at v in f64, coordinate by coordinate (step h: f64 rounding ~1e-16/h
// and the O(h²) truncation stay far below an f32 engine's error)
export function centralDifferences(v: ArrayLike<number>, f: (w: Float64Array) => number, step = 1e-6): Float64Array {
  const w = Float64Array.from(v), out = new Float64Array(v.length);
  for (let k = 0; k < v.length; k++) {
    w[k] = v[k] + step; const up = f(w);
    w[k] = v[k] - step; const down = f(w);
    w[k] = v[k];
    out[k] = (up - down) / (2 * step);
  }
  return out;
}
