// Shape inference for a layer graph (src/model/graph.ts: each layer reads the one before, or
// the layers its `inputs` name): every layer's output shape from the input shape, with the
// geometry the engine needs (padding resolved by tfjs's rules). Shapes are per sample: [f] for
// features, [h, w, c] for NHWC images.
import type { LayerSpec } from "./spec.ts";
import { ShapeError, resolveInputs, isNode, nodeShape, NET_INPUT } from "./graph.ts";

export { ShapeError };

export interface ConvGeometry {
  h: number; w: number; cin: number;         // the convolution's input  [h, w, cin]
  outH: number; outW: number; cout: number;  // and output              [outH, outW, cout]
  kh: number; kw: number; strideH: number; strideW: number;
  padTop: number; padLeft: number;
}

const prod = (s: number[]) => s.reduce((a, b) => a * b, 1);
const show = (s: number[]) => `[${s.join(", ")}]`;

// tfjs / TensorFlow padding: 'same' keeps ceil(in / stride) and splits the total padding with
// the extra row at the bottom; 'valid' pads nothing.
export function convOutput(size: number, k: number, stride: number, padding: "same" | "valid"): { out: number; padBefore: number } {
  if (padding === "same") {
    const out = Math.ceil(size / stride);
    const total = Math.max((out - 1) * stride + k - size, 0);
    return { out, padBefore: Math.floor(total / 2) };
  }
  return { out: Math.ceil((size - k + 1) / stride), padBefore: 0 };
}

// The geometry of a conv2d on input [h, w, cin], or of a conv2d_transpose: the transposed
// convolution is the adjoint of the conv2d that maps its OUTPUT back to its input, so its
// geometry is that conv's (input = the transpose's output). Keras/tfjs sizes: 'same' -> in·stride,
// 'valid' -> (in − 1)·stride + k.
export function convGeometry(l: LayerSpec, input: number[]): ConvGeometry {
  const [kh, kw] = l.kernelSize as [number, number];
  const [sh, sw] = l.strides as [number, number];
  const padding = l.padding ?? "same";
  const [h, w, c] = input;
  if (l.type === "conv2d") {
    const y = convOutput(h, kh, sh, padding), x = convOutput(w, kw, sw, padding);
    return { h, w, cin: c, outH: y.out, outW: x.out, cout: l.filters!, kh, kw, strideH: sh, strideW: sw, padTop: y.padBefore, padLeft: x.padBefore };
  }
  const bigH = padding === "same" ? h * sh : (h - 1) * sh + kh;
  const bigW = padding === "same" ? w * sw : (w - 1) * sw + kw;
  const y = convOutput(bigH, kh, sh, padding), x = convOutput(bigW, kw, sw, padding);
  // the conv that the transpose is the adjoint of: [bigH, bigW, filters] -> [h, w, c]
  return { h: bigH, w: bigW, cin: l.filters!, outH: y.out, outW: x.out, cout: c, kh, kw, strideH: sh, strideW: sw, padTop: y.padBefore, padLeft: x.padBefore };
}

// the output shape of each layer; throws ShapeError(index, problem, field?) where a layer cannot take its input
export function layerShapes(layers: LayerSpec[], input: number[]): number[][] {
  return layerGraph(layers, input).shapes;
}

export interface LayerGraph {
  inputs: number[][];    // per layer: the indices it reads (−1: the net's input)
  inShapes: number[][][]; // per layer: the shapes it reads, in that order
  shapes: number[][];    // per layer: its output shape
}

// the graph with every layer's input and output shapes
export function layerGraph(layers: LayerSpec[], input: number[]): LayerGraph {
  const inputs = resolveInputs(layers);
  const shapes: number[][] = [], inShapes: number[][][] = [];
  layers.forEach((l, i) => {
    const ins = inputs[i].map((j) => (j < 0 ? input : shapes[j]));
    inShapes.push(ins);
    shapes.push(isNode(l.type) ? nodeShape(l, i, ins, inputs[i].map((j) => (j < 0 ? NET_INPUT : `layer ${j}`))) : layerShape(l, i, ins[0]));
  });
  return { inputs, inShapes, shapes };
}

// the input shape of each layer (its first input's: the one a layer of one input reads)
export function layerInputShapes(layers: LayerSpec[], input: number[]): number[][] {
  return layerGraph(layers, input).inShapes.map((ins) => ins[0]);
}

// the output shape of a layer of one input with input shape s
function layerShape(l: LayerSpec, i: number, s: number[]): number[] {
  const fail = (problem: string): never => { throw new ShapeError(i, problem); };
  switch (l.type) {
    case "dense":
      if (s.length !== 1) fail(`dense needs flat features, but its input is ${show(s)}: add {"type": "flatten"} before it`);
      return [l.units!];
    case "conv2d":
    case "conv2d_transpose": {
      if (s.length !== 3) fail(`${l.type} needs an image input [h, w, c], but its input is ${show(s)}: add {"type": "reshape", "targetShape": [h, w, c]} before it`);
      const [kh, kw] = l.kernelSize as [number, number];
      if (l.type === "conv2d" && (l.padding ?? "same") === "valid" && (s[0] < kh || s[1] < kw)) {
        fail(`a ${kh}x${kw} 'valid' convolution does not fit its ${s[0]}x${s[1]} input`);
      }
      const g = convGeometry(l, s);
      return l.type === "conv2d" ? [g.outH, g.outW, g.cout] : [g.h, g.w, g.cin];
    }
    case "reshape": {
      const t = l.targetShape!;
      if (prod(t) !== prod(s)) fail(`cannot reshape ${show(s)} (${prod(s)} values) to ${show(t)} (${prod(t)} values)`);
      return [...t];
    }
    case "flatten":
      return [prod(s)];
    case "upsample": // nearest neighbour ×2
      if (s.length !== 3) fail(`upsample needs an image input [h, w, c], but its input is ${show(s)}`);
      return [2 * s[0], 2 * s[1], s[2]];
    case "avg_pool": // 2×2 average, stride 2
      if (s.length !== 3) fail(`avg_pool needs an image input [h, w, c], but its input is ${show(s)}`);
      if (s[0] % 2 !== 0 || s[1] % 2 !== 0) fail(`avg_pool halves the height and width (2×2 windows, stride 2): its input ${show(s)} must have an even height and width`);
      return [s[0] / 2, s[1] / 2, s[2]];
    case "instance_norm":
      if (s.length !== 3) fail(`instance_norm normalises each image's channels over its pixels: it needs an image input [h, w, c], but its input is ${show(s)}`);
      return s;
    case "reflection_pad": {
      if (s.length !== 3) fail(`reflection_pad needs an image input [h, w, c], but its input is ${show(s)}`);
      const [ph, pw] = l.pad as [number, number];
      if (ph >= s[0] || pw >= s[1]) throw new ShapeError(i, `a reflection pad must be below the input's side (mirroring does not repeat the edge): pad [${ph}, ${pw}] on a ${s[0]}x${s[1]} input`, "pad");
      return [s[0] + 2 * ph, s[1] + 2 * pw, s[2]];
    }
    case "minibatch_std": // one more feature (flat) or channel (images): the group's mean std
      return [...s.slice(0, -1), s.at(-1)! + 1];
    default: // batch norm, pixel norm and the activations keep the shape
      return s;
  }
}
