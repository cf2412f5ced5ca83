// The engine's layer stack written in tfjs ops: the reference for parity tests.
// params: the engine's flat arena layout, layer by layer:
//   dense W [in, out], b [out];  conv2d filter [kh, kw, cin, cout], bias [cout];
//   conv2d_transpose filter [kh, kw, filters, inC], bias [filters];  batch_norm gamma [c], beta [c];
//   instance_norm (affine) gamma [c], beta [c].
// x: [n, prod(input)] flat; returns [n, prod(output)]. Batch norm uses the batch statistics
// (training mode) unless `running` gives the running ones per batch-norm layer.
// The layer graph (src/model/graph.ts): each layer reads its `inputs` (default the previous
// layer); add sums them in order, concat joins the last axis, blend is α·a + (1 − α)·b with the
// layer's `alpha` (default 0).
// Spectral normalisation: with `state` (the net's state block; sn_u / sn_v located by
// src/model/layout.ts) a normalised kernel K is used as K / (vᵀ K u), u and v constants.
// Equalised learning rate: the kernel times its f32 constant c. Progressive growing's layers in
// tfjs's own ops: upsample = a stride-2 'valid' conv2dTranspose of a 2×2 kernel of ones per
// channel (tf.image.resizeNearestNeighbor computes the same forward, but tfjs-cpu 4.22's gradient
// of it is wrong for batches or channels above 1), avg_pool = tf.avgPool 2×2 stride 2 'valid',
// pixel_norm = x·rsqrt(mean(x², last axis) + ε).
import type * as tfNs from "@tensorflow/tfjs";
import type { LayerSpec } from "../../src/model/spec.ts";
import { layerGraph } from "../../src/model/shapes.ts";
import { netLayout } from "../../src/model/layout.ts";
import { equalizedScale } from "../../src/model/equalized_lr.ts";

const prod = (s: number[]) => s.reduce((a, b) => a * b, 1);

export function tfForward(tf: typeof tfNs, layers: LayerSpec[], input: number | number[], params: tfNs.Tensor1D, x: tfNs.Tensor2D,
  running?: { mean: tfNs.Tensor1D; variance: tfNs.Tensor1D }[], state?: Float32Array): tfNs.Tensor2D {
  const inShape = typeof input === "number" ? [input] : input;
  const { inputs, inShapes, shapes } = layerGraph(layers, inShape);
  const layout = state ? netLayout(layers, inShape) : undefined;
  // layer i's kernel K [..., C], or K / (vᵀ K u) when it is spectrally normalised
  const kernelOf = (i: number, K: tfNs.Tensor) => {
    if (layers[i].equalizedLr) return tf.mul(K, equalizedScale(layers[i], inShapes[i][0]));
    if (!layers[i].spectralNorm || !layout) return K;
    const t = layout.layers[i].tensors, u = t.find((s) => s.name === "sn_u")!, v = t.find((s) => s.name === "sn_v")!;
    const ut = tf.tensor2d(state!.subarray(u.offset, u.offset + u.size), [u.size, 1]), vt = tf.tensor2d(state!.subarray(v.offset, v.offset + v.size), [v.size, 1]);
    return tf.div(K, tf.sum(tf.mul(vt, tf.matMul(tf.reshape(K, [v.size, u.size]) as tfNs.Tensor2D, ut))));
  };
  const n = x.shape[0];
  const x0: tfNs.Tensor = tf.reshape(x, [n, ...inShape]);
  const outs: tfNs.Tensor[] = [];
  let h: tfNs.Tensor = x0;
  let off = 0, bn = 0;
  const take = (count: number, shape: number[]) => {
    const t = tf.reshape(tf.slice(params, off, count), shape);
    off += count;
    return t;
  };
  layers.forEach((l, i) => {
    const before = inShapes[i][0];
    const ins = inputs[i].map((j) => (j < 0 ? x0 : outs[j]));
    h = ins[0];
    switch (l.type) {
      case "dense": {
        const W = kernelOf(i, take(before[0] * l.units!, [before[0], l.units!]));
        h = tf.add(tf.matMul(h as tfNs.Tensor2D, W as tfNs.Tensor2D), take(l.units!, [l.units!]));
        break;
      }
      case "conv2d": {
        const [kh, kw] = l.kernelSize as number[], c = before[2];
        const f = kernelOf(i, take(kh * kw * c * l.filters!, [kh, kw, c, l.filters!]));
        h = tf.add(tf.conv2d(h as tfNs.Tensor4D, f as tfNs.Tensor4D, l.strides as [number, number], l.padding!), take(l.filters!, [l.filters!]));
        break;
      }
      case "conv2d_transpose": {
        const [kh, kw] = l.kernelSize as number[], c = before[2], out = shapes[i];
        const f = kernelOf(i, take(kh * kw * l.filters! * c, [kh, kw, l.filters!, c]));
        h = tf.add(tf.conv2dTranspose(h as tfNs.Tensor4D, f as tfNs.Tensor4D, [n, out[0], out[1], out[2]], l.strides as [number, number], l.padding!), take(l.filters!, [l.filters!]));
        break;
      }
      case "batch_norm": {
        const c = before.at(-1)!;
        const gamma = take(c, [c]), beta = take(c, [c]);
        const axes = Array.from({ length: before.length }, (_, k) => k); // every axis but the channels
        const stats = running ? running[bn] : tf.moments(h, axes);
        h = tf.batchNorm(h, stats.mean, stats.variance, beta, gamma, l.eps ?? 1e-5);
        bn++;
        break;
      }
      case "instance_norm": {
        const c = before[2];
        const { mean, variance } = tf.moments(h, [1, 2], true);
        h = tf.div(tf.sub(h, mean), tf.sqrt(tf.add(variance, l.eps ?? 1e-5)));
        if (l.affine) h = tf.add(tf.mul(h, take(c, [c])), take(c, [c]));
        break;
      }
      case "reflection_pad": {
        // gathers along the two axes (tf.gather's gradient is exact; tf.mirrorPad's is not in tfjs 4.22)
        const [ph, pw] = l.pad as [number, number];
        const refl = (m: number, p: number) => Array.from({ length: m + 2 * p }, (_, r) => { const k = Math.abs(r - p); return k >= m ? 2 * (m - 1) - k : k; });
        h = tf.gather(tf.gather(h, tf.tensor1d(refl(before[0], ph), "int32"), 1), tf.tensor1d(refl(before[1], pw), "int32"), 2);
        break;
      }
      case "reshape": case "flatten": h = tf.reshape(h, [n, ...shapes[i]]); break;
      case "relu": h = tf.relu(h); break;
      case "leaky_relu": h = tf.leakyRelu(h, l.alpha ?? 0.2); break;
      case "tanh": h = tf.tanh(h); break;
      case "sigmoid": h = tf.sigmoid(h); break;
      case "upsample": { // a stride-2 transposed conv of a 2×2 kernel of ones, channel by channel
        const c = before[2], eye = tf.reshape(tf.tile(tf.reshape(tf.eye(c), [1, c * c]), [4, 1]), [2, 2, c, c]);
        h = tf.conv2dTranspose(h as tfNs.Tensor4D, eye as tfNs.Tensor4D, [n, 2 * before[0], 2 * before[1], c], 2, "valid");
        break;
      }
      case "avg_pool": h = tf.avgPool(h as tfNs.Tensor4D, 2, 2, "valid"); break;
      case "pixel_norm": h = tf.mul(h, tf.rsqrt(tf.add(tf.mean(tf.square(h), -1, true), l.eps ?? 1e-8))); break;
      case "add": h = ins.slice(1).reduce((a, b) => tf.add(a, b), ins[0]); break;
      case "concat": h = tf.concat(ins, -1); break;
      case "blend": h = tf.add(tf.mul(ins[0], l.alpha ?? 0), tf.mul(ins[1], 1 - (l.alpha ?? 0))); break;
    }
    outs.push(h);
  });
  return tf.reshape(h, [n, prod(shapes.at(-1)!)]);
}
