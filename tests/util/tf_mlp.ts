// The same layer stack as the engine's, written in tfjs ops: the reference for parity tests.
// params: the engine's flat arena layout (per dense layer: W [in, out] row-major, then b [out]).
import type * as tfNs from "@tensorflow/tfjs";
import type { LayerSpec } from "../../src/spec/spec.ts";

export function tfForward(tf: typeof tfNs, layers: LayerSpec[], inSize: number, params: tfNs.Tensor1D, x: tfNs.Tensor2D): tfNs.Tensor2D {
  let h = x, off = 0, size = inSize;
  for (const l of layers) {
    switch (l.type) {
      case "dense": {
        const W = tf.reshape(tf.slice(params, off, size * l.units!), [size, l.units!]);
        off += size * l.units!;
        const b = tf.slice(params, off, l.units!);
        off += l.units!;
        h = tf.add(tf.matMul(h, W as tfNs.Tensor2D), b);
        size = l.units!;
        break;
      }
      case "relu": h = tf.relu(h); break;
      case "leaky_relu": h = tf.leakyRelu(h, l.alpha ?? 0.2); break;
      case "tanh": h = tf.tanh(h); break;
      case "sigmoid": h = tf.sigmoid(h); break;
    }
  }
  return h;
}
