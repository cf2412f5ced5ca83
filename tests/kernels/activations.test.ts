// Element-wise activation kernels (strict build): relu, leakyRelu (alpha 0.2 and 0.01), tanh,
// sigmoid, forward and backward, over lengths 1, 3, 4, 5, 17, 65, 1000 (every SIMD tail class).
// Every buffer has guard words either side (a body or tail that writes past `len` fails).
// Inputs x, dy and the starting dx0 are f32; the backward kernels ADD into dx, so dx0 is never 0.
//
// Tolerances (u = 2^-24, the f32 unit roundoff; "ref" is an f64 value):
//  - relu, leakyRelu forward and backward: bit-identical to the one correctly rounded f32 result
//    (max(x, 0); fl(α·x); fl(dx0 + dy); fl(dx0 + fl(α·dy)), with α = fl32(alpha) as the kernel
//    receives it). Against tfjs: relu equal; leakyRelu within 1 ulp (tfjs multiplies by the f64
//    alpha 0.2, the kernel by fl32(0.2): the products can round to neighbours).
//  - tanh, sigmoid forward: within 3 ulps of the f64 function (AS Mathf.tanh is musl's tanhf,
//    sigmoid is exp + add + divide: measured worst 2.06 and 2.11 ulps); against tfjs (f64 Math
//    functions rounded once, <= 0.5 ulp): 4 ulps.
//  - tanh, sigmoid backward: the kernel forms f'(x) from its f32 output y (1 − y², y(1 − y)), as
//    tfjs does, so f' carries an ABSOLUTE error of a few u (an error of one ulp in y near ±1 is
//    not small relative to 1 − y²): |dx − (dx0 + f'(x)·dy)| <= 4u·|dy| + 2u·|ref| (measured
//    worst 2.12u·|dy|). Against tfjs, whose y and f' carry the same kind of error: 8u·|dy| + 2u·|ref|.
//  - finite differences: the central difference of the f64 function with h = 1e-6·max(1, |x|)
//    (truncation h²/6·|f'''| <= 4e-13, rounding 2^-53·|f|/h <= 1.2e-10) is checked against the
//    kernel with the backward bound above plus 1e-9·|dy|; relu/leaky points with |x| < 1e-3 (the
//    kink at 0, where the kernel uses the subgradient 0 for relu and alpha for leaky, like tfjs)
//    and non-finite x are left to the exact checks.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { instantiate } from "../../src/engine/wasm_module.ts";
import { testRandom, randomArray, expectBitIdentical } from "../util/check.ts";
import { Guarded, U, expectUlps, expectWithin, expectAllFinite } from "../util/f32.ts";
import { tfCpu } from "../util/tfjs.ts";
import type { Tensor } from "@tensorflow/tfjs-core";

const wasm = await instantiate("strict");
const tf = await tfCpu();
const mem = new Guarded(wasm);

const LENGTHS = [1, 3, 4, 5, 17, 65, 1000];
// 19 values: 16 go through the SIMD body, 3 through the scalar tail (and the reverse order swaps them)
const EXTREMES = [0, -0, 1e-3, -1e-3, 50, -50, 100, -100, 1e4, -1e4, 88.8, -88.8, 3e38, -3e38,
  Infinity, -Infinity, 1e-30, -1e-30, 1e-40];

interface Act {
  name: string;
  forward(y: number, x: number, len: number): void;
  // the third pointer is x for relu/leaky and the forward output y for tanh/sigmoid
  backward(dx: number, dy: number, xy: number, len: number): void;
  usesOutput: boolean;
  exact: boolean; // relu/leaky: results are single correctly rounded f32 operations
  f64(x: number): number;
  d64(x: number): number;
  tf(x: Tensor): Tensor;
}

const sigmoid64 = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

function leaky(alpha: number): Act {
  const a32 = Math.fround(alpha);
  return {
    name: `leakyRelu(${alpha})`,
    forward: (y, x, len) => wasm.leakyReluForward(y, x, len, alpha),
    backward: (dx, dy, x, len) => wasm.leakyReluBackward(dx, dy, x, len, alpha),
    usesOutput: false, exact: true,
    f64: (x) => (x > 0 ? x : a32 * x),
    d64: (x) => (x > 0 ? 1 : a32),
    tf: (x) => tf.leakyRelu(x, alpha),
  };
}

const ACTS: Act[] = [
  {
    name: "relu",
    forward: (y, x, len) => wasm.reluForward(y, x, len),
    backward: (dx, dy, x, len) => wasm.reluBackward(dx, dy, x, len),
    usesOutput: false, exact: true,
    f64: (x) => (x > 0 ? x : 0),
    d64: (x) => (x > 0 ? 1 : 0),
    tf: (x) => tf.relu(x),
  },
  leaky(0.2),
  leaky(0.01),
  {
    name: "tanh",
    forward: (y, x, len) => wasm.tanhForward(y, x, len),
    backward: (dx, dy, y, len) => wasm.tanhBackward(dx, dy, y, len),
    usesOutput: true, exact: false,
    f64: Math.tanh,
    d64: (x) => 1 - Math.tanh(x) ** 2,
    tf: (x) => tf.tanh(x),
  },
  {
    name: "sigmoid",
    forward: (y, x, len) => wasm.sigmoidForward(y, x, len),
    backward: (dx, dy, y, len) => wasm.sigmoidBackward(dx, dy, y, len),
    usesOutput: true, exact: false,
    f64: sigmoid64,
    d64: (x) => sigmoid64(x) * (1 - sigmoid64(x)),
    tf: (x) => tf.sigmoid(x),
  },
];

// random x in [-6, 6]; from length 65 on, the extremes are spread through the body and the tail
function inputs(len: number, seed: number): Float32Array {
  const x = randomArray(len, testRandom(seed), -6, 6);
  if (len >= 65) EXTREMES.forEach((v, k) => { x[(k * 53 + 7) % len] = v; });
  if (len >= 65) x[len - 1] = -50; // the very last element is a tail element
  return x;
}

const cases: { len: number; x: Float32Array }[] = [
  ...LENGTHS.map((len, k) => ({ len, x: inputs(len, 100 + k) })),
  { len: EXTREMES.length, x: Float32Array.from(EXTREMES) },
  { len: EXTREMES.length, x: Float32Array.from(EXTREMES).reverse() },
];

// runs forward then backward (dx starting at dx0 != 0); checks the guards and that inputs are untouched
function run(act: Act, x: Float32Array, dy: Float32Array, dx0: Float32Array) {
  const len = x.length;
  const px = mem.put(x), py = mem.put(new Float32Array(len).fill(12345));
  act.forward(py, px, len);
  const y = mem.read(py);
  const pdy = mem.put(dy), pdx = mem.put(dx0);
  act.backward(pdx, pdy, act.usesOutput ? py : px, len);
  const dx = mem.read(pdx);
  mem.checkGuards(`${act.name} len ${len}`);
  expectBitIdentical(`${act.name}: x unchanged`, mem.read(px), x);
  expectBitIdentical(`${act.name}: dy unchanged`, mem.read(pdy), dy);
  expectBitIdentical(`${act.name}: y unchanged by backward`, mem.read(py), y);
  return { y, dx };
}

const f32 = (a: ArrayLike<number>) => Float32Array.from(a);

test("forward: relu/leaky bit-exact, tanh/sigmoid within 3 ulps of f64, every length", () => {
  for (const act of ACTS) for (const { len, x } of cases) {
    const { y } = run(act, x, new Float32Array(len), new Float32Array(len).fill(1));
    const ref = Array.from(x, act.f64);
    const label = `${act.name} forward len ${len}`;
    if (act.exact) expectBitIdentical(label, y, f32(ref));
    else expectUlps(label, y, ref, 3);
  }
});

test("forward: matches tfjs-cpu (relu, leakyRelu, tanh, sigmoid)", () => {
  for (const act of ACTS) for (const { len, x } of cases) {
    const { y } = run(act, x, new Float32Array(len), new Float32Array(len).fill(1));
    const tx = tf.tensor1d(x), ty = act.tf(tx);
    const want = ty.dataSync() as Float32Array;
    tf.dispose([tx, ty]);
    const label = `${act.name} vs tfjs len ${len}`;
    if (act.name === "relu") expectWithin(label, y, want, 0);
    else expectUlps(label, y, want, act.exact ? 1 : 4);
  }
});

test("backward ADDS into dx: exact for relu/leaky, f'(x)·dy within 4u·|dy| for tanh/sigmoid", () => {
  let seed = 200;
  for (const act of ACTS) for (const { len, x } of cases) {
    const rand = testRandom(seed++);
    const dy = randomArray(len, rand), dx0 = randomArray(len, rand, -2, 2);
    const { dx } = run(act, x, dy, dx0);
    const label = `${act.name} backward len ${len}`;
    if (act.exact) {
      const a32 = act.d64(-1); // 0 for relu, fl32(alpha) for leaky
      const ref = f32(Array.from(x, (xi, i) => (xi > 0 ? dx0[i] + dy[i] : dx0[i] + Math.fround(a32 * dy[i]))));
      expectBitIdentical(label, dx, ref);
    } else {
      const ref = Array.from(x, (xi, i) => dx0[i] + act.d64(xi) * dy[i]);
      expectWithin(label, dx, ref, (i) => 4 * U * Math.abs(dy[i]) + 2 * U * Math.abs(ref[i]));
    }
    // the accumulation is real: with dy = 0 the kernel must leave dx0 exactly as it was
    const { dx: same } = run(act, x, new Float32Array(len), dx0);
    expectBitIdentical(`${label}, dy = 0`, same, dx0);
  }
});

test("backward: matches the tfjs-cpu gradient of sum(f(x)·dy)", () => {
  let seed = 300;
  for (const act of ACTS) for (const { len, x } of cases) {
    const rand = testRandom(seed++);
    const dy = randomArray(len, rand);
    const { dx } = run(act, x, dy, new Float32Array(len));
    const tx = tf.tensor1d(x), tdy = tf.tensor1d(dy);
    const tg = tf.grad((v: Tensor) => tf.sum(tf.mul(act.tf(v), tdy)))(tx);
    const want = tg.dataSync() as Float32Array;
    tf.dispose([tx, tdy, tg]);
    const label = `${act.name} backward vs tfjs len ${len}`;
    if (act.name === "relu") expectWithin(label, dx, want, 0);
    else if (act.exact) expectUlps(label, dx, want, 1);
    else expectWithin(label, dx, want, (i) => 8 * U * Math.abs(dy[i]) + 2 * U * Math.abs(want[i]));
  }
});

test("backward: central finite differences of the f64 function (away from the kinks)", () => {
  let seed = 400, checked = 0;
  for (const act of ACTS) for (const { len, x } of cases) {
    const rand = testRandom(seed++);
    const dy = randomArray(len, rand), dx0 = randomArray(len, rand);
    const { dx } = run(act, x, dy, dx0);
    // F(x) = Σ f(x_i)·dy_i is separable, so F(x + h e_i) − F(x − h e_i) = (f(x_i + h) − f(x_i − h))·dy_i
    for (let i = 0; i < len; i++) {
      const xi = x[i];
      if (!Number.isFinite(xi) || (act.exact && Math.abs(xi) < 1e-3)) continue;
      const h = 1e-6 * Math.max(1, Math.abs(xi));
      const fd = (act.f64(xi + h) - act.f64(xi - h)) / (2 * h);
      const ref = dx0[i] + fd * dy[i];
      const tol = (4 * U + 1e-9) * Math.abs(dy[i]) + 2 * U * Math.abs(ref);
      if (!(Math.abs(dx[i] - ref) <= tol)) {
        assert.unreachable(`${act.name} len ${len} x[${i}] = ${xi}: dx ${dx[i]}, dx0 + FD·dy = ${ref} (tol ${tol})`);
      }
      checked++;
    }
  }
  assert.ok(checked > 5000, `checked ${checked} points`);
});

test("tanh/sigmoid at large |x| (±50, ±100, ±1e4, ±3e38, ±Infinity): no NaN, exact saturation", () => {
  const x = Float32Array.from([50, -50, 100, -100, 1e4, -1e4, 3e38, -3e38, Infinity, -Infinity, 88.8, -88.8, -104]);
  const len = x.length;
  const dy = new Float32Array(len).fill(1), dx0 = new Float32Array(len).fill(0.5);
  const th = run(ACTS[3], x, dy, dx0), sg = run(ACTS[4], x, dy, dx0);
  expectAllFinite("tanh forward", th.y);
  expectAllFinite("tanh backward", th.dx);
  expectAllFinite("sigmoid forward", sg.y);
  expectAllFinite("sigmoid backward", sg.dx);
  // tanh(|x| >= 50) is ±1 exactly in f32; so its backward adds exactly 0
  assert.equal(Array.from(th.y.subarray(0, 12)), Array.from(x.subarray(0, 12), Math.sign));
  expectBitIdentical("tanh backward saturated", th.dx.subarray(0, 12), dx0.subarray(0, 12));
  // sigmoid: 1 exactly for x >= 50; e^x for x <= -50 (subnormal at -100, 0 below -103.3)
  for (let i = 0; i < len; i++) {
    const s = sg.y[i];
    assert.ok(s >= 0 && s <= 1, `sigmoid(${x[i]}) = ${s} outside [0, 1]`);
    if (x[i] > 0) assert.is(s, 1, `sigmoid(${x[i]})`);
  }
  expectUlps("sigmoid(-50), sigmoid(-100) (subnormal), sigmoid(-88.8)", [sg.y[1], sg.y[3], sg.y[11]], [x[1], x[3], x[11]].map(sigmoid64), 3);
  assert.equal([sg.y[5], sg.y[7], sg.y[9]], [0, 0, 0], "sigmoid(-1e4), sigmoid(-3e38), sigmoid(-Infinity)");
  assert.ok(sg.y[12] <= 2 ** -149, `sigmoid(-104) = ${sg.y[12]}`);
});

test.run();
