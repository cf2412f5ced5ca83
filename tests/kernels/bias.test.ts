// Bias over the rows of a [n, c] matrix (strict build), every n, c in {1, 3, 4, 5, 17, 65}
// (c covers every SIMD tail class). Both kernels accumulate, so y0 and db0 are never zero, and
// every buffer has guard words either side.
//
// Tolerances (u = 2^-24):
//  - biasAddForward: y[i, j] = fl(y0[i, j] + b[j]) is one f32 addition: bit-identical to the
//    correctly rounded sum, and so to tfjs-cpu tf.add (broadcast; f64 add rounded once to f32).
//  - biasAddBackward: db[j] = db0[j] + Σ_i dy[i, j] is n f32 additions, bounded by the standard
//    recursive-summation bound |db − ref| <= γ_n · (|db0| + Σ_i |dy[i, j]|), γ_n = n·u/(1 − n·u)
//    (ref in f64). tfjs-cpu tf.sum(axis 0) sums in f64 and rounds once, so db against
//    fl(db0 + tfjs) gets the same bound plus one rounding, u·|ref|.
import { test } from "uvu";
import { instantiate } from "../../src/engine/wasm_module.ts";
import { testRandom, randomArray, expectBitIdentical } from "../util/check.ts";
import { Guarded, U, expectWithin } from "../util/f32.ts";
import { tfCpu } from "../util/tfjs.ts";

const wasm = await instantiate("strict");
const tf = await tfCpu();
const mem = new Guarded(wasm);

const SIZES = [1, 3, 4, 5, 17, 65];
const shapes = SIZES.flatMap((n) => SIZES.map((c) => [n, c] as const));

test("biasAddForward: y += b on every row, bit-identical to the f32 sum and to tfjs tf.add", () => {
  let seed = 1;
  for (const [n, c] of shapes) {
    const rand = testRandom(seed++);
    const y0 = randomArray(n * c, rand, -4, 4), b = randomArray(c, rand, -4, 4);
    const py = mem.put(y0), pb = mem.put(b);
    wasm.biasAddForward(py, pb, n, c);
    const y = mem.read(py);
    mem.checkGuards(`forward ${n}x${c}`);
    expectBitIdentical(`forward ${n}x${c}: b unchanged`, mem.read(pb), b);
    const ref = new Float32Array(n * c);
    for (let i = 0; i < n; i++) for (let j = 0; j < c; j++) ref[i * c + j] = y0[i * c + j] + b[j];
    expectBitIdentical(`forward ${n}x${c} vs hand`, y, ref);
    const ty = tf.tensor2d(y0, [n, c]), tb = tf.tensor1d(b), ts = tf.add(ty, tb);
    expectBitIdentical(`forward ${n}x${c} vs tfjs`, y, ts.dataSync() as Float32Array);
    tf.dispose([ty, tb, ts]);
  }
});

test("biasAddForward: the same bias added twice accumulates (y0 + b + b)", () => {
  const n = 5, c = 17, rand = testRandom(99);
  const y0 = randomArray(n * c, rand), b = randomArray(c, rand);
  const py = mem.put(y0), pb = mem.put(b);
  wasm.biasAddForward(py, pb, n, c);
  wasm.biasAddForward(py, pb, n, c);
  const ref = Float32Array.from(y0, (v, k) => Math.fround(Math.fround(v + b[k % c]) + b[k % c]));
  expectBitIdentical("forward twice", mem.read(py), ref);
});

test("biasAddBackward: db += column sums of dy, against f64 and tfjs tf.sum(axis 0)", () => {
  let seed = 100;
  for (const [n, c] of shapes) {
    const rand = testRandom(seed++);
    const dy = randomArray(n * c, rand), db0 = randomArray(c, rand, -2, 2);
    const pdy = mem.put(dy), pdb = mem.put(db0);
    wasm.biasAddBackward(pdb, pdy, n, c);
    const db = mem.read(pdb);
    mem.checkGuards(`backward ${n}x${c}`);
    expectBitIdentical(`backward ${n}x${c}: dy unchanged`, mem.read(pdy), dy);
    const ref = new Float64Array(c), abs = new Float64Array(c);
    for (let j = 0; j < c; j++) {
      ref[j] = db0[j]; abs[j] = Math.abs(db0[j]);
      for (let i = 0; i < n; i++) { ref[j] += dy[i * c + j]; abs[j] += Math.abs(dy[i * c + j]); }
    }
    const gamma = (n * U) / (1 - n * U);
    expectWithin(`backward ${n}x${c} vs f64`, db, ref, (j) => gamma * abs[j]);
    const tdy = tf.tensor2d(dy, [n, c]), ts = tf.sum(tdy, 0);
    const colSums = ts.dataSync() as Float32Array;
    tf.dispose([tdy, ts]);
    const viaTf = Array.from(colSums, (s, j) => db0[j] + s);
    expectWithin(`backward ${n}x${c} vs db0 + tfjs`, db, viaTf, (j) => gamma * abs[j] + 2 * U * abs[j]);
  }
});

test("biasAddBackward: exact on exactly representable sums, and accumulates across calls", () => {
  // small integers: every partial sum is exact in f32, so any lost or doubled row shows
  const n = 17, c = 65, rand = testRandom(7);
  const dy = Float32Array.from({ length: n * c }, () => Math.floor(rand() * 21) - 10);
  const db0 = Float32Array.from({ length: c }, (_, j) => j - 30);
  const pdy = mem.put(dy), pdb = mem.put(db0);
  wasm.biasAddBackward(pdb, pdy, n, c);
  wasm.biasAddBackward(pdb, pdy, n, c);
  const ref = Float32Array.from(db0);
  for (let i = 0; i < n; i++) for (let j = 0; j < c; j++) ref[j] += 2 * dy[i * c + j];
  expectBitIdentical("backward twice, integer data", mem.read(pdb), ref);
  // one row: db gains exactly that row
  const row = randomArray(c, rand), pdb1 = mem.put(db0), prow = mem.put(row);
  wasm.biasAddBackward(pdb1, prow, 1, c);
  expectBitIdentical("backward n = 1", mem.read(pdb1), Float32Array.from(db0, (v, j) => v + row[j]));
});

test.run();
