// f32 GEMM, row-major:  C[m, n] (+)= op(A)[m, k] · op(B)[k, n]
//   op(A) = A ([m, k], lda) or Aᵀ (A stored [k, m]);  op(B) = B ([k, n], ldb) or Bᵀ (B stored [n, k]).
// BLIS-style: op(B) is packed into KC x 8 column panels and op(A) into 4 x KC row panels
// (transposition is absorbed by the packing, so the three forms training needs share one
// micro-kernel); the 4x8 micro-kernel keeps 8 f32x4 accumulators in registers.
// Tails (m % 4, n % 8) are zero-padded in the panels and clipped when C is written.
// Summation order is fixed by the blocking, so results are identical run to run.
import { madd } from "./simd";

export const MR: i32 = 4;
export const NR: i32 = 8;
const KC: i32 = 256; // a 4 x KC A-panel and a KC x 8 B-panel stay in L1
const MC: i32 = 128; // a packed MC x KC A-block (128 KiB) stays in L2
const NC: i32 = 512; // a packed KC x NC B-block (512 KiB) stays in L2/L3

// Scratch for packing, laid out once: kernels never allocate during a training step.
// Each instance (each thread, see threads.ts) packs into its own block: a helper thread's
// instance is pointed at a block the leader allocated for it (gemmUseScratch).
export const GEMM_SCRATCH_BYTES: usize = <usize>(MC * KC + KC * NC + MR * NR) * 4;
let packA: usize = heap.alloc(GEMM_SCRATCH_BYTES);
let packB: usize = packA + <usize>(MC * KC * 4);
let tile: usize = packB + <usize>(KC * NC * 4); // the clipped edge tile of C

export function gemmUseScratch(block: usize): void {
  packA = block;
  packB = block + <usize>(MC * KC * 4);
  tile = packB + <usize>(KC * NC * 4);
}

// Pack op(A)[i0 .. i0+mc, p0 .. p0+kc] into panels of 4 rows: panel r holds, for each p, 4 values.
function packPanelsA(transA: bool, A: usize, lda: i32, i0: i32, p0: i32, mc: i32, kc: i32): void {
  for (let r = 0; r < mc; r += MR) {
    const rows = min(MR, mc - r);
    const dst = packA + <usize>(r * kc) * 4;
    if (transA) {
      // A stored [k, m]: the 4 values of a panel column are contiguous
      for (let p = 0; p < kc; p++) {
        const src = A + (<usize>(p0 + p) * lda + <usize>(i0 + r)) * 4;
        const d = dst + <usize>(p * MR) * 4;
        if (rows == MR) {
          v128.store(d, v128.load(src));
        } else {
          for (let ii = 0; ii < MR; ii++) store<f32>(d + (<usize>ii << 2), ii < rows ? load<f32>(src + (<usize>ii << 2)) : 0);
        }
      }
    } else {
      for (let ii = 0; ii < MR; ii++) {
        if (ii < rows) {
          const src = A + <usize>(i0 + r + ii) * lda * 4 + (<usize>p0 << 2);
          for (let p = 0; p < kc; p++) store<f32>(dst + (<usize>(p * MR + ii) << 2), load<f32>(src + (<usize>p << 2)));
        } else {
          for (let p = 0; p < kc; p++) store<f32>(dst + (<usize>(p * MR + ii) << 2), 0);
        }
      }
    }
  }
}

// Pack op(B)[p0 .. p0+kc, j0 .. j0+nc] into panels of 8 columns: panel c holds, for each p, 8 values.
function packPanelsB(transB: bool, B: usize, ldb: i32, p0: i32, j0: i32, kc: i32, nc: i32): void {
  for (let c = 0; c < nc; c += NR) {
    const cols = min(NR, nc - c);
    const dst = packB + <usize>(c * kc) * 4;
    if (!transB) {
      for (let p = 0; p < kc; p++) {
        const src = B + (<usize>(p0 + p) * ldb + <usize>(j0 + c)) * 4;
        const d = dst + <usize>(p * NR) * 4;
        if (cols == NR) {
          v128.store(d, v128.load(src));
          v128.store(d, v128.load(src, 16), 16);
        } else {
          for (let jj = 0; jj < NR; jj++) store<f32>(d + (<usize>jj << 2), jj < cols ? load<f32>(src + (<usize>jj << 2)) : 0);
        }
      }
    } else {
      // B stored [n, k]: walk each of the 8 source rows contiguously
      for (let jj = 0; jj < NR; jj++) {
        if (jj < cols) {
          const src = B + <usize>(j0 + c + jj) * ldb * 4 + (<usize>p0 << 2);
          for (let p = 0; p < kc; p++) store<f32>(dst + (<usize>(p * NR + jj) << 2), load<f32>(src + (<usize>p << 2)));
        } else {
          for (let p = 0; p < kc; p++) store<f32>(dst + (<usize>(p * NR + jj) << 2), 0);
        }
      }
    }
  }
}

// C[4, 8] (+)= Apanel[kc, 4]ᵀ · Bpanel[kc, 8]; writes only rows < rows and cols < cols.
// @ts-ignore: decorator
@inline
function micro4x8(kc: i32, a: usize, b: usize, C: usize, ldc: i32, rows: i32, cols: i32, accumulate: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(b);
    const b1 = v128.load(b, 16);
    let a0 = v128.load32_splat(a);
    c00 = madd(a0, b0, c00); c01 = madd(a0, b1, c01);
    a0 = v128.load32_splat(a, 4);
    c10 = madd(a0, b0, c10); c11 = madd(a0, b1, c11);
    a0 = v128.load32_splat(a, 8);
    c20 = madd(a0, b0, c20); c21 = madd(a0, b1, c21);
    a0 = v128.load32_splat(a, 12);
    c30 = madd(a0, b0, c30); c31 = madd(a0, b1, c31);
    a += 16; b += 32;
  }
  const ldcb = <usize>ldc << 2;
  if (rows == MR && cols == NR) {
    let r0 = C, r1 = C + ldcb, r2 = C + 2 * ldcb, r3 = C + 3 * ldcb;
    if (accumulate) {
      c00 = f32x4.add(c00, v128.load(r0)); c01 = f32x4.add(c01, v128.load(r0, 16));
      c10 = f32x4.add(c10, v128.load(r1)); c11 = f32x4.add(c11, v128.load(r1, 16));
      c20 = f32x4.add(c20, v128.load(r2)); c21 = f32x4.add(c21, v128.load(r2, 16));
      c30 = f32x4.add(c30, v128.load(r3)); c31 = f32x4.add(c31, v128.load(r3, 16));
    }
    v128.store(r0, c00); v128.store(r0, c01, 16);
    v128.store(r1, c10); v128.store(r1, c11, 16);
    v128.store(r2, c20); v128.store(r2, c21, 16);
    v128.store(r3, c30); v128.store(r3, c31, 16);
    return;
  }
  v128.store(tile, c00); v128.store(tile, c01, 16);
  v128.store(tile, c10, 32); v128.store(tile, c11, 48);
  v128.store(tile, c20, 64); v128.store(tile, c21, 80);
  v128.store(tile, c30, 96); v128.store(tile, c31, 112);
  for (let i = 0; i < rows; i++) {
    const row = C + <usize>i * ldcb;
    for (let j = 0; j < cols; j++) {
      const v = load<f32>(tile + (<usize>(i * NR + j) << 2));
      const dst = row + (<usize>j << 2);
      store<f32>(dst, accumulate ? load<f32>(dst) + v : v);
    }
  }
}

export function gemm(
  transA: bool, transB: bool, m: i32, n: i32, k: i32,
  A: usize, lda: i32, B: usize, ldb: i32, C: usize, ldc: i32, accumulate: bool,
): void {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    if (!accumulate) for (let i = 0; i < m; i++) memory.fill(C + <usize>i * ldc * 4, 0, <usize>n * 4);
    return;
  }
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      packPanelsB(transB, B, ldb, pc, jc, kc, nc);
      const acc = accumulate || pc > 0;
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        packPanelsA(transA, A, lda, ic, pc, mc, kc);
        for (let jr = 0; jr < nc; jr += NR) {
          const bp = packB + <usize>(jr * kc) * 4;
          const cols = min(NR, nc - jr);
          for (let ir = 0; ir < mc; ir += MR) {
            const ap = packA + <usize>(ir * kc) * 4;
            const Cp = C + (<usize>(ic + ir) * ldc + <usize>(jc + jr)) * 4;
            micro4x8(kc, ap, bp, Cp, ldc, min(MR, mc - ir), cols, acc);
          }
        }
      }
    }
  }
}

// The naive triple loop, in f32 like the fast path: the reference every test compares against.
export function gemmReference(
  transA: bool, transB: bool, m: i32, n: i32, k: i32,
  A: usize, lda: i32, B: usize, ldb: i32, C: usize, ldc: i32, accumulate: bool,
): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s: f32 = 0;
      for (let p = 0; p < k; p++) {
        const a = transA ? load<f32>(A + (<usize>p * lda + i) * 4) : load<f32>(A + (<usize>i * lda + p) * 4);
        const b = transB ? load<f32>(B + (<usize>j * ldb + p) * 4) : load<f32>(B + (<usize>p * ldb + j) * 4);
        s += a * b;
      }
      const dst = C + (<usize>i * ldc + j) * 4;
      store<f32>(dst, accumulate ? load<f32>(dst) + s : s);
    }
  }
}
