// tfjs on its CPU backend: the numerical reference for every kernel and layer.
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";

let ready: Promise<typeof tf> | undefined;
export function tfCpu(): Promise<typeof tf> {
  return (ready ??= (async () => {
    await tf.setBackend("cpu");
    await tf.ready();
    return tf;
  })());
}
