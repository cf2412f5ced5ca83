// Builds a layer graph from the spec inside a wasm net: shape inference on the host, one engine
// layer per spec layer except reshape and flatten (activations are flat NHWC per sample, so they
// move no data). Graph references go through them: a layer that reads a reshape reads what the
// reshape read. A layer whose source is not the engine layer just before it gets netInput first;
// a sequential spec never does, so its net is the plain chain.
import type { Handle, WasmExports } from "./abi.ts";
import { LAYER_CODES, SHAPE_LAYERS } from "../model/ops.ts";
import { convGeometry, layerGraph } from "../model/shapes.ts";
import { isNode } from "../model/graph.ts";
import { equalizedGain, equalizedScale } from "../model/equalized_lr.ts";
import type { LayerSpec } from "../model/spec.ts";

const isShapeOnly = (l: LayerSpec) => (SHAPE_LAYERS as readonly string[]).includes(l.type);

// each spec layer's engine layer index (the index netSetBlendAlpha and tapeActivation take), or
// -1 for reshape and flatten
export function engineLayerIndices(layers: LayerSpec[]): number[] {
  let k = 0;
  return layers.map((l) => (isShapeOnly(l) ? -1 : k++));
}

// what building a net calls: the engine's exports, or the inference module's (src/infer/)
export type NetBuilderExports = Pick<WasmExports, "memory" | "alloc" | "netNew" | "netAdd" | "netAddConv" | "netAddBatchNorm" |
  "netAddMinibatchStd" | "netAddMerge" | "netInput" | "netSpectralNorm" | "netBuild" |
  "netAddUpsample" | "netAddAvgPool" | "netAddPixelNorm" | "netEqualizedLr" | "netAddInstanceNorm" | "netAddReflectionPad">;

// input: one sample's shape. Returns the net, built (arena laid out), not initialised (netInit,
// then netInitSpectral for spectral normalisation's vectors: initNets below).
export function buildWasmNet(wasm: NetBuilderExports, layers: LayerSpec[], input: number[], maxBatch: number): Handle {
  const net = wasm.netNew(input.reduce((a, b) => a * b, 1), maxBatch);
  const { inputs, inShapes } = layerGraph(layers, input);
  const source: number[] = []; // per spec layer: the engine source holding its output (-1: the net's input)
  let count = 0; // engine layers added
  layers.forEach((l, i) => {
    const srcs = inputs[i].map((j) => (j < 0 ? -1 : source[j]));
    const shape = inShapes[i][0];
    if (isShapeOnly(l)) {
      source[i] = srcs[0];
      return;
    }
    let rc = 0;
    if (isNode(l.type)) {
      const ptr = wasm.alloc(4 * srcs.length);
      new Int32Array(wasm.memory.buffer, ptr, srcs.length).set(srcs);
      const pixels = l.type === "concat" && shape.length === 3 ? shape[0] * shape[1] : 1;
      rc = wasm.netAddMerge(net, LAYER_CODES[l.type], ptr, srcs.length, pixels, l.type === "blend" ? l.alpha ?? 0 : 0);
    } else {
      if (srcs[0] !== count - 1) rc = wasm.netInput(net, srcs[0]);
      if (rc === 0) {
        switch (l.type) {
          case "conv2d": case "conv2d_transpose": {
            const g = convGeometry(l, shape);
            rc = wasm.netAddConv(net, LAYER_CODES[l.type], g.h, g.w, g.cin, g.outH, g.outW, g.cout, g.kh, g.kw, g.strideH, g.strideW, g.padTop, g.padLeft);
            break;
          }
          case "minibatch_std": rc = wasm.netAddMinibatchStd(net, shape.at(-1)!, l.groupSize ?? 4); break;
          case "upsample": rc = wasm.netAddUpsample(net, shape[0], shape[1], shape[2]); break;
          case "avg_pool": rc = wasm.netAddAvgPool(net, shape[0], shape[1], shape[2]); break;
          case "pixel_norm": rc = wasm.netAddPixelNorm(net, shape.at(-1)!, l.eps ?? 1e-8); break;
          case "instance_norm": rc = wasm.netAddInstanceNorm(net, shape.at(-1)!, l.eps ?? 1e-5, l.affine ? 1 : 0); break;
          case "reflection_pad": {
            const [ph, pw] = l.pad as [number, number];
            rc = wasm.netAddReflectionPad(net, shape[0], shape[1], shape[2], ph, pw);
            break;
          }
          case "batch_norm": rc = wasm.netAddBatchNorm(net, shape.at(-1)!, l.eps ?? 1e-5, l.momentum ?? 0.1); break;
          default: rc = wasm.netAdd(net, LAYER_CODES[l.type as keyof typeof LAYER_CODES], l.units ?? 0, l.alpha ?? 0.2);
        }
      }
    }
    if (rc === 0 && l.spectralNorm) rc = wasm.netSpectralNorm(net);
    if (rc === 0 && equalizedGain(l) > 0) rc = wasm.netEqualizedLr(net, equalizedScale(l, shape));
    if (rc !== 0) throw new Error(`the engine refused layer ${i} (${l.type}) on input [${shape.join(", ")}]`);
    source[i] = count++;
  });
  // the net's output is its last engine layer's (resolveInputs refuses unread layers, so the spec's output is that)
  if (layers.length > 0 && source[layers.length - 1] !== count - 1) throw new Error("the spec's output is not the engine net's last layer");
  wasm.netBuild(net);
  return net;
}

// The model's initial weights from one stream seeded with `seed`: every net's parameters in
// order (G then D), then every net's spectral-normalisation vectors in the same order, so a net's
// weights are the same bits with and without spectral normalisation. WasmGAN and the tfjs
// engine's initialParams both start here.
export function initNets(wasm: WasmExports, nets: Handle[], seed: number, scheme: number): void {
  const rng = wasm.rngNew(seed >>> 0);
  for (const net of nets) wasm.netInit(net, rng, scheme);
  for (const net of nets) wasm.netInitSpectral(net, rng);
}
