// Layer graphs the graph tests share (tests/engine/graph*.test.ts): residual blocks (dense and
// conv: x -> f -> relu -> f, added to x; two blocks), concat nets (NHWC channels and flat rows,
// with references through a reshape and fan-out of the net's input), a blend, and a wasm net
// helper that reads and writes its parameters and runs forward / backward.
import type { LayerSpec } from "../../src/model/spec.ts";
import type { Handle, WasmExports } from "../../src/engine/abi.ts";
import type { LinearMemory } from "../../src/engine/memory.ts";
import { buildWasmNet } from "../../src/engine/net_builder.ts";

export const conv = (filters: number, k: number, extra: Partial<LayerSpec> = {}): LayerSpec =>
  ({ type: "conv2d", filters, kernelSize: [k, k], strides: [1, 1], padding: "same", ...extra });
export const dense = (units: number, extra: Partial<LayerSpec> = {}): LayerSpec => ({ type: "dense", units, ...extra });
const relu: LayerSpec = { type: "relu" };
const bn: LayerSpec = { type: "batch_norm", eps: 1e-5, momentum: 0.1 };

// x [6] -> block(dense, relu, dense) + x -> block(dense, bn, relu, dense) + that -> dense 3
export const residualDense: LayerSpec[] = [
  dense(6), relu, dense(6, { name: "f1" }), { type: "add", name: "b1", inputs: ["input", "f1"] },
  dense(6), bn, relu, dense(6, { name: "f2" }), { type: "add", inputs: ["b1", "f2"] },
  dense(3),
];
// the same blocks without batch norm, tanh in the second (f'' ≠ 0: the tangent pass's ȳ path),
// ending in one logit: a critic for the gradient penalty
export const residualDenseCritic: LayerSpec[] = [
  dense(6), relu, dense(6, { name: "f1" }), { type: "add", name: "b1", inputs: ["input", "f1"] },
  dense(6), { type: "tanh" }, dense(6, { name: "f2" }), { type: "add", inputs: ["b1", "f2"] },
  dense(1),
];
// x [5, 5, 3] -> block(conv 3x3, relu, conv 3x3) + x, twice -> flatten -> dense
export const residualConv = (last: number, act: LayerSpec = relu): LayerSpec[] => [
  conv(3, 3), act, conv(3, 3, { name: "f1" }), { type: "add", name: "b1", inputs: ["input", "f1"] },
  conv(3, 3), act, conv(3, 3, { name: "f2" }), { type: "add", inputs: ["b1", "f2"] },
  { type: "flatten" }, dense(last),
];
// x [32] -> reshape [4, 4, 2] = img; concat(leaky(conv3x3(img)), conv1x1(img)) on channels
// [4, 4, 5] -> flatten -> dense 3; concat with dense 3 of x itself (flat rows) -> dense 2.
// The net's input feeds three layers (two through the reshape).
export const concatNet = (last = 2): LayerSpec[] => [
  { type: "reshape", targetShape: [4, 4, 2], name: "img" }, conv(3, 3, { name: "a" }), { type: "leaky_relu", alpha: 0.2, name: "la" },
  conv(2, 1, { name: "b", inputs: ["img"] }), { type: "concat", inputs: ["la", "b"] }, { type: "flatten" }, dense(3, { name: "d" }),
  dense(3, { name: "skip", inputs: ["input"] }), { type: "concat", inputs: ["d", "skip"] }, { type: "sigmoid" }, dense(last),
];
// x [6] -> new: tanh(dense 5 x), old: dense 5 x -> blend(new, old) -> dense `last`
// (parameters: newLin 35, old 35, the last dense 6·last; the blend is engine layer 3)
export const blendNet = (alpha: number, last = 2): LayerSpec[] => [
  dense(5, { name: "newLin" }), { type: "tanh", name: "new" }, dense(5, { name: "old", inputs: ["input"] }),
  { type: "blend", inputs: ["new", "old"], alpha }, dense(last),
];

// x [6] -> t = tanh(dense 6 x) read by two branches tanh(dense 4 t), added -> dense 1: a critic
// where two layers with a second-order term (tanh) below them both send x̄ back to t (the fan-out
// sum of the tangent pass)
export const fanOutCritic: LayerSpec[] = [
  dense(6), { type: "tanh", name: "t" }, dense(4), { type: "tanh", name: "ta" }, dense(4, { inputs: ["t"] }), { type: "tanh", name: "tb" },
  { type: "add", inputs: ["ta", "tb"] }, dense(1),
];

const prod = (s: number[]) => s.reduce((a, b) => a * b, 1);

export interface TestNet {
  net: Handle; P: number; inSize: number; out: number;
  params(): Float32Array; setParams(p: ArrayLike<number>): void; grads(): Float32Array;
  forward(x: Float32Array, n: number, training?: boolean): Float32Array;
  // L = Σ y·r on the default tape: y, ∂L/∂θ (grads zeroed first) and ∂L/∂x
  run(x: Float32Array, r: Float32Array, n: number): { y: Float32Array; dParams: Float32Array; dx: Float32Array };
}

export function testNet(wasm: WasmExports, mem: LinearMemory, layers: LayerSpec[], input: number[], outShape: number[], maxBatch: number, seed: number): TestNet {
  const net = buildWasmNet(wasm, layers, input, maxBatch);
  wasm.netInit(net, wasm.rngNew(seed), 0);
  const P = wasm.netParamCount(net), inSize = prod(input), out = prod(outShape);
  if (wasm.netOutSize(net) !== out) throw new Error(`engine output ${wasm.netOutSize(net)}, expected ${out}`);
  return {
    net, P, inSize, out,
    params: () => mem.read(wasm.netParams(net), P),
    setParams: (p) => mem.write(wasm.netParams(net), p),
    grads: () => mem.read(wasm.netGrads(net), P),
    forward: (x, n, training = true) => mem.read(wasm.netForward(net, mem.put(x), n, training ? 1 : 0), n * out),
    run: (x, r, n) => {
      const px = mem.put(x), pr = mem.put(r), pdx = mem.zeros(n * inSize);
      const y = mem.read(wasm.netForward(net, px, n, 1), n * out);
      wasm.netZeroGrads(net);
      wasm.netBackward(net, pr, pdx, n, 1);
      return { y, dParams: mem.read(wasm.netGrads(net), P), dx: mem.read(pdx, n * inSize) };
    },
  };
}
