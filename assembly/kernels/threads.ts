// Threads inside the kernels (threads builds only: ASC_FEATURE_THREADS, one shared memory).
//
// One instance leads: it runs the whole training step. T - 1 helper instances, one per worker
// thread, share its memory and wait in JS (Atomics.wait on a control array the host owns; a wasm
// loop around atomic.wait32 is miscompiled by Node 20's Liftoff, see docs/platform.md). A big kernel
// call on the leader writes a task (a kind and its arguments) into TASK, wakes the helpers
// (host import threadsRun), does part 0 itself and waits for the others (threadsJoin).
//
// Every split gives each thread disjoint outputs computed by the same serial code in the same
// order (whole images of a conv, row or column blocks of a GEMM aligned to its 4x8 tiles,
// 4-aligned ranges of an elementwise update), so T threads give the same bits as one thread.
// Reductions that would change their summation order (GEMM's k, a filter gradient's batch
// sum, gradient norms, batch-norm statistics) are never split.
import { gemm, MR, NR, GEMM_SCRATCH_BYTES, gemmUseScratch } from "./gemm";
import { im2col, conv2dForward, conv2dBackwardInput } from "./conv";
import { adamUpdate } from "./optim";
import { biasAddForward, biasAddBackwardStrided } from "./bias";
import {
  reluForward, reluBackward, leakyReluForward, leakyReluBackward,
  tanhForward, tanhBackward, sigmoidForward, sigmoidBackward,
} from "./activations";

// @ts-ignore: decorator
@external("env", "threadsRun")
declare function hostThreadsRun(task: usize): void; // publish TASK, wake the helpers; returns at once
// @ts-ignore: decorator
@external("env", "threadsJoin")
declare function hostThreadsJoin(): void; // returns when every helper finished its part (throws if one died)

const TASK_GEMM: i32 = 1;
const TASK_CONV_FORWARD: i32 = 2;
const TASK_CONV_BACKWARD_INPUT: i32 = 3;
const TASK_IM2COL: i32 = 4;
const TASK_ADAM: i32 = 5;
const TASK_USE_SCRATCH: i32 = 6;
const TASK_BIAS_FORWARD: i32 = 7;
const TASK_BIAS_BACKWARD: i32 = 8;
const TASK_ACTIVATION: i32 = 9;

// activation ops (TASK_ACTIVATION's first argument)
export const ACT_RELU: i32 = 1;
export const ACT_LEAKY_RELU: i32 = 2;
export const ACT_TANH: i32 = 3;
export const ACT_SIGMOID: i32 = 4;

// Below these sizes a kernel stays on one thread. Measured on mlp-ring8 (GEMMs of at most
// 256x128x128 = 4.2M multiply-adds, 32K-element activations): splitting them made a 2-thread
// step slower than one thread (0.75-0.8x), so they stay whole; every dcgan-mnist conv (12.8M
// to 411M multiply-adds) is split.
const MIN_PARALLEL_MACS: i64 = 1 << 23;
const MIN_PARALLEL_ELEMENTS: i32 = 1 << 16;

let threadCount: i32 = 1; // the leader's; helpers are told T with each task
const TASK: usize = heap.alloc(32 * 4); // [kind, args...] as i32 / f32 slots

// @ts-ignore: decorator
@inline function arg(i: i32): i32 { return load<i32>(TASK + (<usize>(i + 1) << 2)); }
// @ts-ignore: decorator
@inline function setArg(i: i32, v: i32): void { store<i32>(TASK + (<usize>(i + 1) << 2), v); }

// The leader's side: T threads from now on, each helper packing GEMM panels into its own block.
// Returns the scratch allocated (bytes) for the host's bookkeeping.
export function threadsSetup(count: i32): usize {
  threadCount = max(1, count);
  if (!ASC_FEATURE_THREADS || threadCount == 1) { threadCount = 1; return 0; }
  const base = heap.alloc(GEMM_SCRATCH_BYTES * <usize>(threadCount - 1));
  setArg(0, <i32>base);
  run(TASK_USE_SCRATCH);
  return GEMM_SCRATCH_BYTES * <usize>(threadCount - 1);
}

export function threadsCount(): i32 { return threadCount; }

// runs TASK's kind on T threads: the helpers' parts through the host, part 0 here
function run(kind: i32): void {
  store<i32>(TASK, kind);
  if (ASC_FEATURE_THREADS) {
    hostThreadsRun(TASK);
    work(TASK, 0, threadCount);
    hostThreadsJoin();
  }
}

// A helper's entry (called by its worker's JS loop with the task the leader published), and the
// leader's own part: part t of T.
export function threadsWork(task: usize, t: i32, T: i32): void {
  if (task != TASK) unreachable(); // every instance lays TASK out at the same address (same start code)
  work(task, t, T);
}

// [lo, hi) of `units` split into T near-equal parts
// @ts-ignore: decorator
@inline function partLo(units: i32, t: i32, T: i32): i32 { return <i32>((<i64>units * t) / T); }

function work(task: usize, t: i32, T: i32): void {
  const kind = load<i32>(task);
  if (kind == TASK_USE_SCRATCH) {
    if (t > 0) gemmUseScratch(<usize>arg(0) + GEMM_SCRATCH_BYTES * <usize>(t - 1));
  } else if (kind == TASK_GEMM) {
    gemmPart(t, T);
  } else if (kind == TASK_CONV_FORWARD || kind == TASK_CONV_BACKWARD_INPUT || kind == TASK_IM2COL) {
    convPart(kind, t, T);
  } else if (kind == TASK_BIAS_FORWARD) {
    // rows split: y [rows, c] += b
    const rows = arg(2), c = arg(3);
    const lo = partLo(rows, t, T), hi = partLo(rows, t + 1, T);
    if (hi > lo) biasAddForward(<usize>arg(0) + (<usize>lo * c << 2), <usize>arg(1), hi - lo, c);
  } else if (kind == TASK_BIAS_BACKWARD) {
    // channels split in 4s: db[c0..c1] += Σ_rows dy[:, c0..c1]
    const rows = arg(2), c = arg(3);
    const c0 = partLo((c + 3) >> 2, t, T) << 2, c1 = min(c, partLo((c + 3) >> 2, t + 1, T) << 2);
    if (c1 > c0) biasAddBackwardStrided(<usize>arg(0) + (<usize>c0 << 2), <usize>arg(1) + (<usize>c0 << 2), rows, c1 - c0, c);
  } else if (kind == TASK_ACTIVATION) {
    const len = arg(5);
    const lo = partLo(len >> 2, t, T) << 2, hi = t == T - 1 ? len : partLo(len >> 2, t + 1, T) << 2;
    if (hi > lo) activationPart(arg(0), arg(1) != 0, <usize>arg(2) + (<usize>lo << 2), <usize>arg(3) + (<usize>lo << 2), <usize>arg(4) + (<usize>lo << 2), hi - lo, reinterpret<f32>(arg(6)));
  } else if (kind == TASK_ADAM) {
    const len = arg(4);
    const lo = partLo(len >> 2, t, T) << 2, hi = t == T - 1 ? len : partLo(len >> 2, t + 1, T) << 2;
    if (hi > lo) {
      const o = <usize>lo << 2;
      adamUpdate(<usize>arg(0) + o, <usize>arg(1) + o, <usize>arg(2) + o, <usize>arg(3) + o, hi - lo,
        reinterpret<f32>(arg(5)), reinterpret<f32>(arg(6)), reinterpret<f32>(arg(7)), reinterpret<f32>(arg(8)), arg(9));
    }
  }
}

// ---- GEMM: C's rows split in 4-row tiles (or its columns in 8-column tiles when n > m)

export function gemmThreaded(
  transA: bool, transB: bool, m: i32, n: i32, k: i32,
  A: usize, lda: i32, B: usize, ldb: i32, C: usize, ldc: i32, accumulate: bool,
): void {
  if (threadCount == 1 || <i64>m * n * k < MIN_PARALLEL_MACS) {
    gemm(transA, transB, m, n, k, A, lda, B, ldb, C, ldc, accumulate);
    return;
  }
  setArg(0, transA ? 1 : 0); setArg(1, transB ? 1 : 0);
  setArg(2, m); setArg(3, n); setArg(4, k);
  setArg(5, <i32>A); setArg(6, lda); setArg(7, <i32>B); setArg(8, ldb);
  setArg(9, <i32>C); setArg(10, ldc); setArg(11, accumulate ? 1 : 0);
  run(TASK_GEMM);
}

function gemmPart(t: i32, T: i32): void {
  const transA = arg(0) != 0, transB = arg(1) != 0;
  const m = arg(2), n = arg(3), k = arg(4);
  let A = <usize>arg(5), B = <usize>arg(7), C = <usize>arg(9);
  const lda = arg(6), ldb = arg(8), ldc = arg(10), accumulate = arg(11) != 0;
  if (m >= n) {
    const tiles = (m + MR - 1) / MR;
    const lo = partLo(tiles, t, T) * MR, hi = min(m, partLo(tiles, t + 1, T) * MR);
    if (hi <= lo) return;
    A += transA ? <usize>lo << 2 : (<usize>lo * lda) << 2; // op(A)'s rows lo..hi
    C += (<usize>lo * ldc) << 2;
    gemm(transA, transB, hi - lo, n, k, A, lda, B, ldb, C, ldc, accumulate);
  } else {
    const tiles = (n + NR - 1) / NR;
    const lo = partLo(tiles, t, T) * NR, hi = min(n, partLo(tiles, t + 1, T) * NR);
    if (hi <= lo) return;
    B += transB ? (<usize>lo * ldb) << 2 : <usize>lo << 2; // op(B)'s columns lo..hi
    C += <usize>lo << 2;
    gemm(transA, transB, m, hi - lo, k, A, lda, B, ldb, C, ldc, accumulate);
  }
}

// ---- convolutions: whole images per thread (im2col, the GEMM rows and col2im of image b
// touch only image b's rows of the scratch and of x / y)

function setConvArgs(y: usize, x: usize, filter: usize, scratch: usize,
  n: i32, h: i32, w: i32, cin: i32, kh: i32, kw: i32, cout: i32,
  strideH: i32, strideW: i32, padTop: i32, padLeft: i32, outH: i32, outW: i32): void {
  setArg(0, <i32>y); setArg(1, <i32>x); setArg(2, <i32>filter); setArg(3, <i32>scratch);
  setArg(4, n); setArg(5, h); setArg(6, w); setArg(7, cin); setArg(8, kh); setArg(9, kw); setArg(10, cout);
  setArg(11, strideH); setArg(12, strideW); setArg(13, padTop); setArg(14, padLeft); setArg(15, outH); setArg(16, outW);
}

function convPart(kind: i32, t: i32, T: i32): void {
  const n = arg(4), h = arg(5), w = arg(6), cin = arg(7), kh = arg(8), kw = arg(9), cout = arg(10);
  const sH = arg(11), sW = arg(12), pT = arg(13), pL = arg(14), outH = arg(15), outW = arg(16);
  const b0 = partLo(n, t, T), b1 = partLo(n, t + 1, T);
  if (b1 <= b0) return;
  const nb = b1 - b0;
  const big = <usize>b0 * h * w * cin * 4;            // offset of image b0 in the conv's input space
  const small = <usize>b0 * outH * outW * cout * 4;   // ... in its output space
  const col = <usize>arg(3) + <usize>b0 * outH * outW * kh * kw * cin * 4;
  if (kind == TASK_CONV_FORWARD) {
    conv2dForward(<usize>arg(0) + small, <usize>arg(1) + big, <usize>arg(2), col, nb, h, w, cin, kh, kw, cout, sH, sW, pT, pL, outH, outW);
  } else if (kind == TASK_CONV_BACKWARD_INPUT) {
    // y = dx (input space), x = dy (output space)
    conv2dBackwardInput(<usize>arg(0) + big, <usize>arg(1) + small, <usize>arg(2), col, nb, h, w, cin, kh, kw, cout, sH, sW, pT, pL, outH, outW);
  } else {
    im2col(col, <usize>arg(1) + big, nb, h, w, cin, kh, kw, sH, sW, pT, pL, outH, outW);
  }
}

// @ts-ignore: decorator
@inline function convWorthSplitting(n: i32, outH: i32, outW: i32, K: i32, cout: i32): bool {
  return threadCount > 1 && n > 1 && <i64>n * outH * outW * K * cout >= MIN_PARALLEL_MACS;
}

// as conv2dForward (kernels/conv.ts)
export function conv2dForwardThreaded(y: usize, x: usize, filter: usize, scratch: usize,
  n: i32, h: i32, w: i32, cin: i32, kh: i32, kw: i32, cout: i32,
  strideH: i32, strideW: i32, padTop: i32, padLeft: i32, outH: i32, outW: i32): void {
  if (!convWorthSplitting(n, outH, outW, kh * kw * cin, cout)) {
    conv2dForward(y, x, filter, scratch, n, h, w, cin, kh, kw, cout, strideH, strideW, padTop, padLeft, outH, outW);
    return;
  }
  setConvArgs(y, x, filter, scratch, n, h, w, cin, kh, kw, cout, strideH, strideW, padTop, padLeft, outH, outW);
  run(TASK_CONV_FORWARD);
}

// as conv2dBackwardInput (kernels/conv.ts)
export function conv2dBackwardInputThreaded(dx: usize, dy: usize, filter: usize, scratch: usize,
  n: i32, h: i32, w: i32, cin: i32, kh: i32, kw: i32, cout: i32,
  strideH: i32, strideW: i32, padTop: i32, padLeft: i32, outH: i32, outW: i32): void {
  if (!convWorthSplitting(n, outH, outW, kh * kw * cin, cout)) {
    conv2dBackwardInput(dx, dy, filter, scratch, n, h, w, cin, kh, kw, cout, strideH, strideW, padTop, padLeft, outH, outW);
    return;
  }
  setConvArgs(dx, dy, filter, scratch, n, h, w, cin, kh, kw, cout, strideH, strideW, padTop, padLeft, outH, outW);
  run(TASK_CONV_BACKWARD_INPUT);
}

// as conv2dBackwardFilter (kernels/conv.ts): im2col split by images, then dfilter's rows split
// (its sum over the batch stays whole, in one order)
export function conv2dBackwardFilterThreaded(dfilter: usize, x: usize, dy: usize, scratch: usize,
  n: i32, h: i32, w: i32, cin: i32, kh: i32, kw: i32, cout: i32,
  strideH: i32, strideW: i32, padTop: i32, padLeft: i32, outH: i32, outW: i32): void {
  const M = n * outH * outW, K = kh * kw * cin;
  const pointwise = kh == 1 && kw == 1 && strideH == 1 && strideW == 1 && padTop == 0 && padLeft == 0 && outH == h && outW == w;
  let col = scratch;
  if (pointwise) col = x;
  else if (convWorthSplitting(n, outH, outW, K, cout)) {
    setConvArgs(0, x, 0, scratch, n, h, w, cin, kh, kw, cout, strideH, strideW, padTop, padLeft, outH, outW);
    run(TASK_IM2COL);
  } else im2col(scratch, x, n, h, w, cin, kh, kw, strideH, strideW, padTop, padLeft, outH, outW);
  gemmThreaded(true, false, K, cout, M, col, K, dy, cout, dfilter, cout, true);
}

// as adamUpdate (kernels/optim.ts), elementwise: 4-aligned ranges per thread
export function adamUpdateThreaded(p: usize, g: usize, m: usize, v: usize, len: i32,
  lr: f32, beta1: f32, beta2: f32, eps: f32, t: i32): void {
  if (threadCount == 1 || len < MIN_PARALLEL_ELEMENTS) {
    adamUpdate(p, g, m, v, len, lr, beta1, beta2, eps, t);
    return;
  }
  setArg(0, <i32>p); setArg(1, <i32>g); setArg(2, <i32>m); setArg(3, <i32>v); setArg(4, len);
  setArg(5, reinterpret<i32>(lr)); setArg(6, reinterpret<i32>(beta1)); setArg(7, reinterpret<i32>(beta2));
  setArg(8, reinterpret<i32>(eps)); setArg(9, t);
  run(TASK_ADAM);
}

// ---- element-wise work: bias and activations (rows / 4-aligned ranges / 4-column blocks)

// y [rows, c] += b [c], as biasAddForward
export function biasAddForwardThreaded(y: usize, b: usize, rows: i32, c: i32): void {
  if (threadCount == 1 || rows * c < MIN_PARALLEL_ELEMENTS) { biasAddForward(y, b, rows, c); return; }
  setArg(0, <i32>y); setArg(1, <i32>b); setArg(2, rows); setArg(3, c);
  run(TASK_BIAS_FORWARD);
}

// db [c] += Σ_rows dy [rows, c], as biasAddBackward
export function biasAddBackwardThreaded(db: usize, dy: usize, rows: i32, c: i32): void {
  if (threadCount == 1 || c < 8 || rows * c < MIN_PARALLEL_ELEMENTS) { biasAddBackwardStrided(db, dy, rows, c, c); return; }
  setArg(0, <i32>db); setArg(1, <i32>dy); setArg(2, rows); setArg(3, c);
  run(TASK_BIAS_BACKWARD);
}

// forward: out = f(a);  backward: out = 0, then out += f'(·)·a, with b = x (relu, leaky relu) or y (tanh, sigmoid)
function activationPart(op: i32, backward: bool, out: usize, a: usize, b: usize, len: i32, alpha: f32): void {
  if (!backward) {
    if (op == ACT_RELU) reluForward(out, a, len);
    else if (op == ACT_LEAKY_RELU) leakyReluForward(out, a, len, alpha);
    else if (op == ACT_TANH) tanhForward(out, a, len);
    else sigmoidForward(out, a, len);
    return;
  }
  memory.fill(out, 0, <usize>len << 2); // the backward kernels accumulate
  if (op == ACT_RELU) reluBackward(out, a, b, len);
  else if (op == ACT_LEAKY_RELU) leakyReluBackward(out, a, b, len, alpha);
  else if (op == ACT_TANH) tanhBackward(out, a, b, len);
  else sigmoidBackward(out, a, b, len);
}

// an activation's forward (y = f(x): out y, a x) or backward (dx = f'·dy: out dx, a dy, b x or y)
export function activationThreaded(op: i32, backward: bool, out: usize, a: usize, b: usize, len: i32, alpha: f32): void {
  if (threadCount == 1 || len < MIN_PARALLEL_ELEMENTS) { activationPart(op, backward, out, a, b, len, alpha); return; }
  setArg(0, op); setArg(1, backward ? 1 : 0); setArg(2, <i32>out); setArg(3, <i32>a); setArg(4, <i32>b); setArg(5, len);
  setArg(6, reinterpret<i32>(alpha));
  run(TASK_ACTIVATION);
}
