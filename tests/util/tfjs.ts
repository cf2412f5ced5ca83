// tfjs on its CPU backend: the numerical reference for every kernel and layer.
// The union package `@tensorflow/tfjs` registers the gradient table (tfjs-core's Node bundle
// alone does not, so tf.grad would fail with "gradient function not found").
import * as tf from "@tensorflow/tfjs";

let ready: Promise<typeof tf> | undefined;
export function tfCpu(): Promise<typeof tf> {
  return (ready ??= (async () => {
    await tf.setBackend("cpu");
    await tf.ready();
    return tf;
  })());
}
