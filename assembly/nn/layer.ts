// The layer interface. Every layer maps x: [n, inSize] -> y: [n, outSize] (per-sample sizes;
// images are NHWC and flattened per sample) and owns `paramCount` floats at `paramOffset` of
// its net's arena (params, grads and optimiser state share one layout). What one call produces
// lives on a tape (assembly/nn/tape.ts), not in the layer: x and y are the tape's buffers, and
// `saved` points at the tape's `savedFloats()` floats for this layer (batch norm's batch
// statistics of that call; 0 for layers that save nothing). Graph nodes with several inputs
// (add, concat, blend: assembly/nn/merge.ts) have arity > 1 and their own entry points; the net
// (assembly/nn/net.ts) resolves every layer's inputs and sums the gradients of a fanned-out output.
//
// backward() is the adjoint of forward(): it WRITES dx (when dx != 0; 0 means "not needed")
// and ADDS parameter gradients into the grads arena (when paramGrads), so two passes
// (D on real, then on fake) accumulate before one update.
// Double backprop (WGAN-GP's gradient penalty; see assembly/train/penalty.ts) adds two passes
// with their own buffers (Net.buildTangents), the arena layout unchanged. With D's input
// gradient g = ∂D/∂x at x̂ and a fixed direction v, the penalty's parameter gradient is the
// gradient of S(θ) = <v, g(θ)> = d/dt D(x̂ + t·v)|t=0, i.e. reverse mode over forward mode:
//   forwardTangent():  ẏ = J(x) ẋ   (the layer's Jacobian-vector product; biases drop out)
//   backwardTangent(): the reverse pass over the pair (y, ẏ) with adjoints (ȳ, ẏ̄). The
//     tangent adjoints ẏ̄ are exactly an ordinary backward pass seeded with 1 at the output
//     (ẋ̄ = J(x)ᵀ ẏ̄), so the net passes its dacts from that pass in; the method ADDS
//     ∂S/∂θ = (∂y/∂θ)ᵀ ȳ + (∂ẏ/∂θ)ᵀ ẏ̄ into grads and WRITES x̄ = J(x)ᵀ ȳ + (∂(J(x)ẋ)/∂x)ᵀ ẏ̄
//     into xbar. ybar == 0 means ȳ is identically zero (it is at the output: S depends on the
//     output only through its tangent); the method returns false when x̄ is identically zero
//     (then nothing is written and the layer below gets ybar == 0) or when xbar == 0 (not needed).
// Bilinear layers (dense, conv) and piecewise-linear activations (relu, leaky relu) keep ȳ = 0
// all the way down; tanh and sigmoid (f'' ≠ 0) make it nonzero. Batch norm has no tangent
// rules (the penalty would couple the batch; the spec refuses it in a penalised critic).
// Spectral normalisation (assembly/nn/spectral_norm.ts) is an option of dense and conv layers,
// not a layer: `sn` set, they multiply by W_SN = W/σ (σ fixed between the net's updates) and map
// their weight gradients, the tangent pass's included, through the SN Jacobian.
// Equalised learning rate (assembly/nn/equalized_lr.ts) is another option of dense and conv
// layers: `eq` set, they multiply by c·W (He's constant c = gain/sqrt(fan_in)) and scale their
// weight gradients by c, the tangent pass's included.
// Minibatch standard deviation couples the samples of a group too, but has exact tangent rules
// for the batch Jacobian (assembly/nn/minibatch_std.ts): the penalty's g is then the input
// gradient of Σ_rows D over the whole batch, as in the PGGAN code; its x̄ is nonzero even at ȳ = 0.

// Layer kinds: mirrored by src/model/ops.ts (a test keeps them in sync).
export const LAYER_DENSE: i32 = 1;
export const LAYER_RELU: i32 = 2;
export const LAYER_LEAKY_RELU: i32 = 3;
export const LAYER_TANH: i32 = 4;
export const LAYER_SIGMOID: i32 = 5;
export const LAYER_CONV2D: i32 = 6;
export const LAYER_CONV2D_TRANSPOSE: i32 = 7;
export const LAYER_BATCH_NORM: i32 = 8;
// graph nodes (no parameters; assembly/nn/merge.ts)
export const LAYER_ADD: i32 = 9;
export const LAYER_CONCAT: i32 = 10;
export const LAYER_BLEND: i32 = 11;
// minibatch standard deviation (no parameters; assembly/nn/minibatch_std.ts)
export const LAYER_MINIBATCH_STD: i32 = 12;
// progressive growing (Karras et al. 2018; kinds 20-29): nearest-neighbour upsampling ×2
// (assembly/nn/upsample.ts), 2×2 average pooling (assembly/nn/avg_pool.ts), pixelwise feature
// normalisation (assembly/nn/pixel_norm.ts); no parameters
export const LAYER_UPSAMPLE: i32 = 20;
export const LAYER_AVG_POOL: i32 = 21;
export const LAYER_PIXEL_NORM: i32 = 22;
// CycleGAN's layers (kinds 13-19; no parameters unless affine): instance normalisation
// (assembly/nn/instance_norm.ts: no tangent rules, refused in a penalised critic like batch
// norm) and reflection padding (assembly/nn/reflection_pad.ts: linear, exact tangent rules)
export const LAYER_INSTANCE_NORM: i32 = 13;
export const LAYER_REFLECTION_PAD: i32 = 14;

// Weight initialisation schemes (a net-wide choice; mirrored by src/model/ops.ts):
//   PYTORCH: PyTorch's layer defaults, U(±1/sqrt(fan_in)) for weights and biases
//   DCGAN:   Radford et al. 2016: weights N(0, 0.02), biases 0, batch-norm scale N(1, 0.02)
export const INIT_PYTORCH: i32 = 0;
export const INIT_DCGAN: i32 = 1;

import { SpectralNorm } from "./spectral_norm";
import { EqualizedLr } from "./equalized_lr";

export class Layer {
  paramOffset: i32 = 0;
  paramCount: i32 = 0;
  // non-trained state (batch norm's running statistics): `stateCount` floats at `state`,
  // in the net's state block, laid out by Net.build()
  stateCount: i32 = 0;
  state: usize = 0;
  // floats of the net's shared scratch this layer needs for a batch of n (im2col panels);
  // nothing in the scratch survives a forward() or backward() call
  scratch: usize = 0;
  // inputs read: 1 for every layer but the graph nodes (assembly/nn/merge.ts)
  arity: i32 = 1;
  // spectral normalisation of the weight (dense, conv2d, conv2d_transpose only; Net.spectralNorm)
  sn: SpectralNorm | null = null;
  // equalised learning rate (dense, conv2d, conv2d_transpose only; Net.equalizedLr)
  eq: EqualizedLr | null = null;
  constructor(public kind: i32, public inSize: i32, public outSize: i32) {}

  scratchFloats(maxBatch: i32): i32 { return 0; }
  // floats one call saves for its backward (on the tape, whatever the batch)
  savedFloats(): i32 { return 0; }

  // params: the net's parameter arena base; this layer's floats start at params + 4 * paramOffset
  initParams(params: usize, rng: usize, scheme: i32): void {}
  initState(): void {}
  forward(params: usize, x: usize, y: usize, n: i32, training: bool, saved: usize): void {}
  backward(params: usize, grads: usize, x: usize, y: usize, dy: usize, dx: usize, n: i32, paramGrads: bool, saved: usize): void {}
  // x, y: the forward pass's input and output; xdot -> ydot: [n, inSize] -> [n, outSize]
  forwardTangent(params: usize, x: usize, y: usize, xdot: usize, ydot: usize, n: i32): void {
    abort("this layer has no tangent rule (double backprop)");
  }
  backwardTangent(params: usize, grads: usize, x: usize, y: usize, xdot: usize, ybar: usize, ydotbar: usize, xbar: usize, n: i32): bool {
    abort("this layer has no tangent rule (double backprop)");
    return false;
  }
}
