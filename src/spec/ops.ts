// Names shared by the spec, the host and the wasm module. The numeric codes mirror
// assembly/nn/layer.ts, assembly/kernels/losses.ts and assembly/train/optimizer.ts;
// tests/engine/abi_sync.test.ts reads those files and keeps the two sides equal.

export const LAYER_CODES = {
  dense: 1,
  relu: 2,
  leaky_relu: 3,
  tanh: 4,
  sigmoid: 5,
} as const;
export type LayerType = keyof typeof LAYER_CODES;

export const LOSS_CODES = {
  "minimax": 0,         // the original (saturating) objective
  "non-saturating": 1,
} as const;
export type LossName = keyof typeof LOSS_CODES;

export const OPTIMIZER_CODES = {
  adam: 0,
  sgd: 1,
  rmsprop: 2,
} as const;
export type OptimizerType = keyof typeof OPTIMIZER_CODES;
