// What the tfjs engine feeds its nets, as assembly/train/gan.ts forms it: G's input (latents with
// the one-hot class joined), D's input (samples with the one-hot joined at every pixel, or packed
// rows), one-hot tensors of classes.
import type * as tfNs from "@tensorflow/tfjs";
import type { NormalisedSpec } from "../../model/spec.ts";
import { sampleSize } from "../../data/dataset.ts";
import type { TF } from "./tfjs_nets.ts";

type Tensor = tfNs.Tensor;

export class GanInputs {
  // dInSize: D's input per row (pack·X, or the joined sample)
  constructor(private readonly tf: TF, private readonly spec: NormalisedSpec, private readonly dInSize: number) {}

  // [n, Z] latents (+ classes) -> G's input [n, Z + K]: each row z then onehot(class)
  generator(z: Float32Array, n: number, classes?: ArrayLike<number>): Tensor {
    const Z = this.spec.latentDim, K = this.spec.numClasses ?? 0;
    if (!K) return this.tf.tensor2d(z.subarray(0, n * Z), [n, Z]);
    const row = Z + K, out = new Float32Array(n * row);
    for (let i = 0; i < n; i++) {
      out.set(z.subarray(i * Z, (i + 1) * Z), i * row);
      out[i * row + Z + classes![i]] = 1;
    }
    return this.tf.tensor2d(out, [n, row]);
  }

  // D's input for samples x [n, X]: the one-hot of each class joined at every pixel (conditional:
  // [n, P·(C + K)], P = pixels, C = channels, as assembly/train/gan.ts join), packed rows [n/pack, pack·X]
  discriminator(x: Tensor, hot: Tensor | undefined): Tensor {
    const tf = this.tf, n = x.shape[0], shape = this.spec.dataShape;
    if (hot) {
      const K = hot.shape[1]!, C = shape.length > 1 ? shape.at(-1)! : sampleSize(shape), P = sampleSize(shape) / C;
      const planes = tf.tile(tf.reshape(hot, [n, 1, K]), [1, P, 1]);
      return tf.reshape(tf.concat([tf.reshape(x, [n, P, C]), planes], 2), [n, P * (C + K)]);
    }
    return tf.reshape(x, [n / this.spec.pack, this.dInSize]);
  }

  // classes [n] -> [n, K] float32
  oneHot(classes: Int32Array): Tensor {
    return this.tf.cast(this.tf.oneHot(this.tf.tensor1d(classes, "int32"), this.spec.numClasses!), "float32");
  }
}
