// The small nets and data the one-step parity tests share (tests/engine/*): an MLP pair on 2-D
// points and a DCGAN pair on 6x6x1 images (batch norm in G, conv and transposed conv).
import type { LayerSpec } from "../../src/model/spec.ts";
import { testRandom } from "./check.ts";

// plain SGD: a step's gradient is read back as (θ0 − θ1) / lr
export const SGD_LR = 0.25;
export const sgd = { type: "sgd" as const, lr: SGD_LR };

export const smallMlpGenerator: LayerSpec[] = [
  { type: "dense", units: 16 }, { type: "leaky_relu", alpha: 0.2 }, { type: "dense", units: 9 }, { type: "tanh" }, { type: "dense", units: 2 },
];
export const smallMlpDiscriminator: LayerSpec[] = [
  { type: "dense", units: 17 }, { type: "relu" }, { type: "dense", units: 5 }, { type: "leaky_relu", alpha: 0.1 }, { type: "dense", units: 1 },
];

// z(3) -> Dense 18 -> BN -> ReLU -> 3x3x2 -> ConvT 1, 4x4, s2 -> tanh: 6x6x1
export const smallDcganGenerator: LayerSpec[] = [
  { type: "dense", units: 18 }, { type: "batch_norm" }, { type: "relu" }, { type: "reshape", targetShape: [3, 3, 2] },
  { type: "conv2d_transpose", filters: 1, kernelSize: 4, strides: 2, padding: "same" }, { type: "tanh" },
];
export const smallDcganDiscriminator: LayerSpec[] = [
  { type: "conv2d", filters: 3, kernelSize: 3, strides: 2, padding: "same" }, { type: "leaky_relu", alpha: 0.2 },
  { type: "flatten" }, { type: "dense", units: 1 },
];

// 200 random 6x6x1 "images" in [-1, 1); with `classes`, a label per image drawn after them
export function randomImages(classes?: number): { x: Float32Array; labels?: Int32Array } {
  const rand = testRandom(8), x = new Float32Array(200 * 36);
  for (let i = 0; i < x.length; i++) x[i] = 2 * rand() - 1;
  if (!classes) return { x };
  const labels = new Int32Array(200);
  for (let i = 0; i < 200; i++) labels[i] = Math.floor(classes * rand());
  return { x, labels };
}
