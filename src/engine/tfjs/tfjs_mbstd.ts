// Minibatch standard deviation (Karras et al. 2018, PGGAN) in tfjs ops, as assembly/nn/minibatch_std.ts
// computes it: groups of G = min(groupSize, n) samples (down to the largest divisor of n), sample i
// in group i mod (n / G) (x reshaped to [G, M, F], as the official code's reshape), per group
// s = mean_f sqrt(mean_k (x_kf − μ_f)² + 1e-8), appended to every sample of the group as one more
// channel (images [n, h, w, c] -> [n, h, w, c + 1]) or feature ([n, d] -> [n, d + 1]).
// inputGradient() writes the adjoint out in ops tfjs differentiates again (sqrt, mean, products),
// so a penalty's double backprop through it is tfjs's own.
import type * as tfNs from "@tensorflow/tfjs";
import type { TF } from "./tfjs_nets.ts";

type Tensor = tfNs.Tensor;
const EPS = 1e-8;

export function groupFor(groupSize: number, n: number): number {
  let g = Math.min(groupSize, n);
  while (g > 1 && n % g !== 0) g--;
  return Math.max(g, 1);
}

// x: [n, ...shape] -> the per-group moments over [G, M, F]: deviations d [G, M, F], σ [M, F]
function moments(tf: TF, x: Tensor, groupSize: number) {
  const n = x.shape[0], F = x.size / n, G = groupFor(groupSize, n), M = n / G;
  const y = tf.reshape(x, [G, M, F]);
  const d = tf.sub(y, tf.mean(y, 0, true));
  const sigma = tf.sqrt(tf.add(tf.mean(tf.square(d), 0), EPS));
  return { G, M, F, d, sigma };
}

// x: [n, ...shape] -> [n, ...shape with the last axis + 1]
export function minibatchStd(tf: TF, x: Tensor, groupSize: number): Tensor {
  const n = x.shape[0], shape = x.shape.slice(1), C = shape.at(-1)!, P = x.size / n / C;
  const { G, M, sigma } = moments(tf, x, groupSize);
  const s = tf.reshape(tf.tile(tf.reshape(tf.mean(sigma, 1), [1, M]), [G, 1]), [n, 1, 1]); // sample i = g·M + m
  const out = tf.concat([tf.reshape(x, [n, P, C]), tf.tile(s, [1, P, 1])], -1);
  return tf.reshape(out, [n, ...shape.slice(0, -1), C + 1]);
}

// dx for dy: [n, ...output shape] at x: [n, ...shape]: dx_if = dy[i, p, c] + T_m·d_if / (F·G·σ_f),
// T_m the sum of the extra channel's dy over group m's members and pixels
export function minibatchStdInputGrad(tf: TF, x: Tensor, dy: Tensor, groupSize: number): Tensor {
  const n = x.shape[0], C = x.shape.at(-1)!, P = x.size / n / C;
  const { G, M, F, d, sigma } = moments(tf, x, groupSize);
  const [pass, extra] = tf.split(tf.reshape(dy, [n, P, C + 1]), [C, 1], -1);
  const T = tf.sum(tf.reshape(tf.sum(extra, [1, 2]), [G, M]), 0); // [M]
  const coef = tf.div(tf.reshape(T, [1, M, 1]), tf.mul(sigma, F * G)); // [1, M, F] / [M, F]
  const dx = tf.add(tf.reshape(pass, [G, M, F]), tf.mul(coef, d));
  return tf.reshape(dx, x.shape);
}
