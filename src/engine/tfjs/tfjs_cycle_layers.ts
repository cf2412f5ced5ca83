// CycleGAN's layers in tfjs ops, as the WASM engine computes them:
//   instance normalisation (assembly/nn/instance_norm.ts; Ulyanov et al. 2016): per sample and
//     channel over the pixels, biased variance, y = (x − μ)/sqrt(σ² + eps) (·γ + β when affine)
//   reflection padding (assembly/nn/reflection_pad.ts; PyTorch's ReflectionPad2d):
//     x [n, h, w, c] -> [n, h + 2ph, w + 2pw, c]
// Reflection padding is written as two products with constant 0/1 mirror matrices, not with
// tf.mirrorPad: tfjs 4.22's MirrorPad gradient slices the centre out of dy and drops what the
// mirrored border rows contribute (tfjs-core src/gradients/MirrorPad_grad.ts), so it is wrong for
// every pixel within pad of an edge. Products have exact gradients, and the adjoint (the
// penalty's input gradient) is the same products with the matrices transposed.
import type * as tfNs from "@tensorflow/tfjs";

type TF = typeof tfNs;
type Tensor = tfNs.Tensor;

// M [m + 2p, m]: row r reads input row refl(r − p) (mirrored at 0 and m − 1, the edge not repeated)
function mirrorMatrix(tf: TF, m: number, p: number): tfNs.Tensor2D {
  const M = new Float32Array((m + 2 * p) * m);
  for (let r = 0; r < m + 2 * p; r++) {
    let i = r - p;
    if (i < 0) i = -i;
    if (i >= m) i = 2 * (m - 1) - i;
    M[r * m + i] = 1;
  }
  return tf.tensor2d(M, [m + 2 * p, m]);
}

// x [n, a, b, c] -> along axis 1 multiplied by M [A, a] (or Mᵀ when adjoint: [a, A] read as M's rows)
function alongRows(tf: TF, x: Tensor, M: tfNs.Tensor2D, adjoint: boolean): Tensor {
  const [n, a, b, c] = x.shape;
  const t = tf.reshape(tf.transpose(x, [0, 2, 3, 1]), [n * b * c, a]) as tfNs.Tensor2D;
  const y = adjoint ? tf.matMul(t, M) : tf.matMul(t, M, false, true);
  const A = y.shape[1]!;
  return tf.transpose(tf.reshape(y, [n, b, c, A]), [0, 3, 1, 2]);
}

// reflection padding of x [n, h, w, c] by [ph, pw]; adjoint: padᵀ of g [n, h + 2ph, w + 2pw, c]
// back to [n, h, w, c] (h, w: the unpadded sides)
export function reflectionPad(tf: TF, x: Tensor, h: number, w: number, ph: number, pw: number, adjoint = false): Tensor {
  const Mh = mirrorMatrix(tf, h, ph), Mw = mirrorMatrix(tf, w, pw);
  const rows = alongRows(tf, x, Mh, adjoint);
  const cols = tf.transpose(alongRows(tf, tf.transpose(rows, [0, 2, 1, 3]), Mw, adjoint), [0, 2, 1, 3]);
  return cols;
}

// instance normalisation of x [n, h, w, c]; gamma, beta [c] when affine
export function instanceNorm(tf: TF, x: Tensor, eps: number, gamma?: Tensor, beta?: Tensor): Tensor {
  const { mean, variance } = tf.moments(x, [1, 2], true);
  const y = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps)));
  return gamma && beta ? tf.add(tf.mul(y, gamma), beta) : y;
}
