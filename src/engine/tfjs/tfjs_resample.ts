// Progressive growing's parameterless layers in tfjs ops (Karras et al. 2018), as
// assembly/nn/upsample.ts, avg_pool.ts and pixel_norm.ts compute them, each with its adjoint
// (the input gradient for a given dy) written in ops tfjs differentiates again, so a penalty's
// double backprop through them (TfNet.inputGradient) is tfjs's own:
//   upsample   x [n, h, w, c] -> [n, 2h, 2w, c], nearest neighbour; adjoint: 2×2 sums
//   avg_pool   x [n, h, w, c] -> [n, h/2, w/2, c], 2×2 means; adjoint: upsample(dy)/4
//   pixel_norm x [..., C] -> x·r, r = 1/sqrt(mean_C x² + ε); adjoint: r·dy − (r³/C)·x·Σ_C x·dy
import type * as tfNs from "@tensorflow/tfjs";
import type { TF } from "./tfjs_nets.ts";

type Tensor = tfNs.Tensor;

// (by concats, whose gradient tfjs has at every rank: its tile gradient stops at rank 4)
export function upsample(tf: TF, x: Tensor): Tensor {
  const [n, h, w, c] = x.shape;
  const cols = tf.reshape(x, [n, h, w, 1, c]);
  const wide = tf.reshape(tf.concat([cols, cols], 3), [n, h, 1, 2 * w, c]);
  return tf.reshape(tf.concat([wide, wide], 2), [n, 2 * h, 2 * w, c]);
}

// dy [n, 2h, 2w, c] -> dx [n, h, w, c]
export function upsampleInputGrad(tf: TF, dy: Tensor): Tensor {
  const [n, H, W, c] = dy.shape;
  return tf.sum(tf.reshape(dy, [n, H / 2, 2, W / 2, 2, c]), [2, 4]);
}

export function avgPool(tf: TF, x: Tensor): Tensor {
  const [n, h, w, c] = x.shape;
  return tf.mean(tf.reshape(x, [n, h / 2, 2, w / 2, 2, c]), [2, 4]);
}

// dy [n, h/2, w/2, c] -> dx [n, h, w, c]
export function avgPoolInputGrad(tf: TF, dy: Tensor): Tensor {
  return tf.mul(upsample(tf, dy), 0.25);
}

function rOf(tf: TF, x: Tensor, eps: number): Tensor {
  return tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), eps));
}

export function pixelNorm(tf: TF, x: Tensor, eps: number): Tensor {
  return tf.mul(x, rOf(tf, x, eps));
}

export function pixelNormInputGrad(tf: TF, x: Tensor, dy: Tensor, eps: number): Tensor {
  const C = x.shape.at(-1)!, r = rOf(tf, x, eps);
  const k = tf.mul(tf.div(tf.pow(r, 3), C), tf.sum(tf.mul(x, dy), -1, true));
  return tf.sub(tf.mul(r, dy), tf.mul(k, x));
}
