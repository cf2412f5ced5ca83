// Names shared by the spec, the host and the wasm module. The numeric codes mirror
// assembly/nn/layer.ts, assembly/kernels/losses.ts and assembly/train/optimizer.ts;
// tests/engine/abi_sync.test.ts reads those files and keeps the two sides equal.

export const LAYER_CODES = {
  dense: 1,
  relu: 2,
  leaky_relu: 3,
  tanh: 4,
  sigmoid: 5,
  conv2d: 6,
  conv2d_transpose: 7,
  batch_norm: 8,
  // graph nodes (src/model/graph.ts, assembly/nn/merge.ts)
  add: 9,
  concat: 10,
  blend: 11,
  // minibatch standard deviation (PGGAN; assembly/nn/minibatch_std.ts): no parameters
  minibatch_std: 12,
  // progressive growing (Karras et al. 2018; kinds 20-29): no parameters
  upsample: 20,   // nearest neighbour ×2 (assembly/nn/upsample.ts)
  avg_pool: 21,   // 2×2 average, stride 2 (assembly/nn/avg_pool.ts)
  pixel_norm: 22, // pixelwise feature normalisation (assembly/nn/pixel_norm.ts)
  // CycleGAN (Zhu et al. 2017): instance normalisation (assembly/nn/instance_norm.ts; affine
  // optional, off by default) and reflection padding (assembly/nn/reflection_pad.ts)
  instance_norm: 13,
  reflection_pad: 14,
} as const;
export type EngineLayerType = keyof typeof LAYER_CODES;

// Shape-only layers: activations are stored flat per sample (NHWC), so reshaping and flattening
// move no data and have no engine layer.
export const SHAPE_LAYERS = ["reshape", "flatten"] as const;
export type LayerType = EngineLayerType | (typeof SHAPE_LAYERS)[number];
export const LAYER_TYPES: readonly LayerType[] = [...(Object.keys(LAYER_CODES) as EngineLayerType[]), ...SHAPE_LAYERS];

export const LOSS_CODES = {
  "minimax": 0,         // the original (saturating) objective
  "non-saturating": 1,
  "wasserstein": 2,     // WGAN critic: the logit is the critic value (optionally with weight clipping)
  "hinge": 3,
  "least-squares": 4,   // LSGAN, a = 0, b = 1, c = 1
} as const;
export type LossName = keyof typeof LOSS_CODES;
// the BCE losses: D(x) = σ(logit); the only ones that take one-sided label smoothing
export const PROBABILISTIC_LOSSES: readonly LossName[] = ["minimax", "non-saturating"];

export const OPTIMIZER_CODES = {
  adam: 0,
  sgd: 1,
  rmsprop: 2,
} as const;
export type OptimizerType = keyof typeof OPTIMIZER_CODES;

// weight initialisation schemes: mirror assembly/nn/layer.ts
export const INIT_CODES = {
  pytorch: 0, // PyTorch's layer defaults: U(±1/sqrt(fan_in))
  dcgan: 1,   // Radford et al.: weights N(0, 0.02), biases 0, batch-norm scale N(1, 0.02)
} as const;
export type InitName = keyof typeof INIT_CODES;
