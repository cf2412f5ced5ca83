// The generator as a TensorFlow.js LayersModel: model.json (format "layers-model", a Keras
// functional model's topology) and one weight shard, weights.bin: the form tf.loadLayersModel
// reads (a file:// or http URL of model.json, or an IOHandler). Built with tfjs's own layers
// (the optional @tensorflow/tfjs peer dependency) and saved through tf.io.withSaveHandler, so the
// topology and the weights manifest are tfjs's:
//   inputs   latent  [N, latentDim]
//            label   [N, numClasses]  conditional models only: the ONE-HOT label (float32; tfjs
//                                     layers have no integer-to-one-hot layer), joined after the latent
//            source  [N, h, w, c]     instead of both: a CycleGAN's generator (direction a2b: G, b2a: F)
//   output   [N, ...dataShape] NHWC (a final Reshape)
// Layers: dense -> Dense, conv2d -> Conv2D, conv2d_transpose -> Conv2DTranspose (tfjs's
// "same"/"valid" rules are the engine's), batch_norm -> BatchNormalization (axis −1, the running
// statistics as moving mean / variance), relu -> ReLU, leaky_relu -> LeakyReLU, tanh / sigmoid ->
// Activation, reshape -> Reshape, flatten -> Flatten, add -> Add, concat -> Concatenate (axis −1).
// upsample -> UpSampling2D (nearest), avg_pool -> AveragePooling2D (2×2, stride 2, valid),
// instance_norm -> LayerNormalization over axes [1, 2] without center and scale (per sample and
// channel over the pixels: mean, biased variance, (x − μ)·rsqrt(σ² + ε), the engine's x̂), and
// when affine a 1×1 DepthwiseConv2D "<name>_affine" holding γ (kernel [1, 1, C, 1]) and β (bias).
// reflection_pad (tfjs layers have only ZeroPadding2D; tf.mirrorPad is an op, not a layer) is
// written out with standard layers that only copy: each mirrored row a Cropping2D of one row of
// the input, joined around it by a Concatenate on axis 1, then the same for the columns on axis 2
// ("<name>_rows", "<name>_cols"): the engine's values exactly.
// Refused, naming the layer (export them to ONNX): blend (no Keras layer computes α·a + (1 − α)·b
// with a fixed α), pixel_norm (x / sqrt(mean_c x² + ε): Keras's LayerNormalization subtracts the
// mean, and no layer takes a root or divides by a computed value).
// Layer names: "<net>_<layer>" (the spec's name or index, "." and "-" as "_"), so weights are
// "<net>_<layer>/kernel", "/bias", "/gamma", "/beta", "/moving_mean", "/moving_variance".
import { loadTfjs } from "../engine/tfjs/backends.ts";
import { refuse, type GeneratorNet } from "./generator.ts";
import { layerGraph } from "../model/shapes.ts";

export const TFJS_WEIGHTS_FILE = "weights.bin";
export const TFJS_MODEL_FILE = "model.json";
// the layers no tfjs layer computes exactly (the header says why)
const NO_KERAS_LAYER: readonly string[] = ["blend", "pixel_norm"];

export async function generatorTfjs(g: GeneratorNet): Promise<{ modelJson: string; weights: Uint8Array }> {
  g.layers.forEach((l, i) => {
    if (NO_KERAS_LAYER.includes(l.type)) refuse(g, i, "tfjs", "has no faithful Keras layer (export to onnx instead)");
    if (l.type === "minibatch_std") refuse(g, i, "tfjs");
  });
  const tf: any = await loadTfjs();
  const layers = tf.layers;
  const latent = g.source ? tf.input({ shape: g.source, name: "source" }) : tf.input({ shape: [g.latentDim], name: "latent" });
  const inputs = [latent];
  let x0 = latent;
  if (g.numClasses > 0) {
    const label = tf.input({ shape: [g.numClasses], name: "label" });
    inputs.push(label);
    x0 = layers.concatenate({ axis: -1, name: `${g.net}_input` }).apply([latent, label]);
  }
  const graph = layerGraph(g.layers, g.layout.input);
  const outs: any[] = [];
  const withWeights: [any, Float32Array[]][] = [];
  g.layers.forEach((l, i) => {
    const ins = graph.inputs[i].map((j) => (j < 0 ? x0 : outs[j]));
    const name = `${g.net}_${String(l.name ?? i).replace(/[.-]/g, "_")}`;
    let layer: any;
    switch (l.type) {
      case "dense": layer = layers.dense({ units: l.units, name }); withWeights.push([layer, [g.tensor(i, "kernel"), g.tensor(i, "bias")]]); break;
      case "conv2d":
      case "conv2d_transpose": {
        const make = l.type === "conv2d" ? layers.conv2d : layers.conv2dTranspose;
        layer = make({ filters: l.filters, kernelSize: l.kernelSize, strides: l.strides, padding: l.padding ?? "same", name });
        withWeights.push([layer, [g.tensor(i, "kernel"), g.tensor(i, "bias")]]);
        break;
      }
      case "batch_norm":
        layer = layers.batchNormalization({ axis: -1, epsilon: l.eps ?? 1e-5, name });
        withWeights.push([layer, [g.tensor(i, "gamma"), g.tensor(i, "beta"), g.tensor(i, "running_mean"), g.tensor(i, "running_var")]]);
        break;
      case "upsample": layer = layers.upSampling2d({ size: [2, 2], interpolation: "nearest", name }); break;
      case "avg_pool": layer = layers.averagePooling2d({ poolSize: [2, 2], strides: [2, 2], padding: "valid", name }); break;
      case "instance_norm": {
        // x̂ over the spatial axes of [N, H, W, C] (no γ, β: LayerNormalization's would be [H, W])
        const norm = layers.layerNormalization({ axis: [1, 2], epsilon: l.eps ?? 1e-5, center: false, scale: false, name });
        if (!l.affine) { layer = norm; break; }
        // γ_c·x̂ + β_c: a 1×1 depthwise conv, one multiply and one add per value
        layer = layers.depthwiseConv2d({ kernelSize: 1, depthMultiplier: 1, useBias: true, name: `${name}_affine` });
        withWeights.push([layer, [g.tensor(i, "gamma"), g.tensor(i, "beta")]]);
        outs.push(layer.apply(norm.apply(ins[0])));
        return;
      }
      case "reflection_pad": {
        const [h, w] = g.layout.layers[i].input, [ph, pw] = l.pad as [number, number];
        outs.push(reflectionPad(layers, ins[0], h, w, ph, pw, name));
        return;
      }
      case "relu": layer = layers.reLU({ name }); break;
      case "leaky_relu": layer = layers.leakyReLU({ alpha: l.alpha ?? 0.2, name }); break;
      case "tanh": case "sigmoid": layer = layers.activation({ activation: l.type, name }); break;
      case "reshape": layer = layers.reshape({ targetShape: l.targetShape, name }); break;
      case "flatten": layer = layers.flatten({ name }); break;
      case "add": layer = layers.add({ name }); break;
      case "concat": layer = layers.concatenate({ axis: -1, name }); break;
      default: refuse(g, i, "tfjs");
    }
    outs.push(layer.apply(ins.length === 1 ? ins[0] : ins));
  });
  const image = layers.reshape({ targetShape: g.outputShape, name: "image" }).apply(outs.at(-1) ?? x0);
  const model = tf.model({ inputs, outputs: image, name: g.net });
  for (const [layer, values] of withWeights) {
    const ws = layer.getWeights();
    layer.setWeights(values.map((v, k) => tf.tensor(v, ws[k].shape)));
  }
  let saved: any;
  await model.save(tf.io.withSaveHandler(async (artifacts: any) => { saved = artifacts; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } }; }));
  model.dispose();
  const data: ArrayBuffer = Array.isArray(saved.weightData) ? tf.io.concatenateArrayBuffers(saved.weightData) : saved.weightData;
  const modelJson = JSON.stringify({
    format: "layers-model", generatedBy: saved.generatedBy, convertedBy: "wasm-gan",
    modelTopology: saved.modelTopology,
    weightsManifest: [{ paths: [TFJS_WEIGHTS_FILE], weights: saved.weightSpecs }],
    userDefinedMetadata: { net: g.net, weights: g.weights, latentDim: g.latentDim, numClasses: g.numClasses, ...(g.direction ? { direction: g.direction } : {}) },
  });
  return { modelJson, weights: new Uint8Array(data) };
}

// x [N, h, w, c] -> [N, h + 2·ph, w + 2·pw, c], y[r, q] = x[refl(r − ph), refl(q − pw)] with
// refl mirroring at the edges without repeating them (assembly/nn/reflection_pad.ts): rows
// ph..1 above, h−2..h−1−ph below, then the columns of that likewise
function reflectionPad(layers: any, x: any, h: number, w: number, ph: number, pw: number, name: string): any {
  const side = (x: any, size: number, p: number, axis: 1 | 2, tag: string) => {
    if (p === 0) return x;
    const picked = new Map<number, any>(); // row / column j, one Cropping2D each
    const pick = (j: number) => {
      if (!picked.has(j)) picked.set(j, layers.cropping2D({ cropping: axis === 1 ? [[j, size - 1 - j], [0, 0]] : [[0, 0], [j, size - 1 - j]], name: `${name}_${tag}${j}` }).apply(x));
      return picked.get(j);
    };
    const before = Array.from({ length: p }, (_, k) => pick(p - k));          // rows p, p−1, ..., 1
    const after = Array.from({ length: p }, (_, k) => pick(size - 2 - k));    // rows size−2, ..., size−1−p
    return layers.concatenate({ axis, name: `${name}_${tag}s` }).apply([...before, x, ...after]);
  };
  const y = side(side(x, h, ph, 1, "row"), w, pw, 2, "col");
  return y === x ? layers.reshape({ targetShape: [h, w, x.shape[3]], name }).apply(x) : y;
}
