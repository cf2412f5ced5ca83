// The parameter layout: for a net's layers and input shape, the one list of each layer's tensors
// (name, shape in tfjs layouts, offset and size in floats in the net's parameter or state block);
// modelLayout() lays out every net of a model, by net name.
// The WASM engine lays its arena out in this order (assembly/nn/*.ts: each layer's floats at its
// paramOffset, kernel before bias, gamma before beta); checkpoints name and shape their tensors
// from it (src/io/checkpoint.ts); the tfjs engine builds its variables from it. A test
// (tests/model/layout.test.ts) holds the engine to it.
//   parameter block, layer after layer (activations, reshape and flatten hold none):
//     dense             kernel [in, units], bias [units]
//     conv2d            kernel [kh, kw, cin, filters], bias [filters]        (cin: the input's channels)
//     conv2d_transpose  kernel [kh, kw, filters, cin], bias [filters]        (tfjs conv2dTranspose's layout)
//     batch_norm        gamma [c], beta [c]                                  (c: the input's last axis)
//     instance_norm     gamma [c], beta [c] when affine, else none
//   state block (not trained), layer after layer:
//     batch_norm        running_mean [c], running_var [c]
//     dense, conv2d, conv2d_transpose with spectralNorm (assembly/nn/spectral_norm.ts: the kernel
//     as a matrix K [R, C] of its stored layout): sn_u [C], sn_v [R]
//       dense [in, units]: C = units, R = in;  conv2d: C = filters, R = kh·kw·cin;
//       conv2d_transpose: C = its input's channels, R = kh·kw·filters
import { convGeometry, layerGraph } from "./shapes.ts";
import type { LayerSpec, NormalisedSpec } from "./spec.ts";
import { roleNet, GAN_ROLES } from "./nets.ts";

export type ParamName = "kernel" | "bias" | "gamma" | "beta";
export type StateName = "running_mean" | "running_var" | "sn_u" | "sn_v";

export interface TensorSlot {
  layer: number;                  // the layer's index in the net's layer list
  layerName?: string;             // and its name, when the spec gives one (graph layers)
  name: ParamName | StateName;
  block: "params" | "state";      // which of the net's blocks holds it
  shape: number[];                // tfjs layout
  offset: number;                 // in floats from the start of that block
  size: number;                   // floats: the product of shape
}

export interface LayerSlots {
  index: number;
  type: LayerSpec["type"];
  input: number[];                // one sample's shape in
  output: number[];               // and out
  paramOffset: number;            // where its parameters start (the next layer's, when it has none)
  paramCount: number;
  stateOffset: number;
  stateCount: number;
  tensors: TensorSlot[];          // its parameters then its state, in block order
}

export interface NetLayout {
  input: number[];
  output: number[];
  layers: LayerSlots[];
  params: TensorSlot[];           // every parameter tensor, in block order (offsets ascending, no gaps)
  state: TensorSlot[];            // every state tensor, likewise
  paramCount: number;
  stateCount: number;
}

const prod = (s: number[]) => s.reduce((a, b) => a * b, 1);

// The tensors each layer type holds, from its spec and input shape: [name, shape] pairs.
function layerTensors(l: LayerSpec, input: number[]): { params: [ParamName, number[]][]; state: [StateName, number[]][] } {
  const t = ownTensors(l, input);
  if (!l.spectralNorm) return t;
  // the kernel [..., C] read as K [R, C]
  const kernel = t.params[0][1], C = kernel.at(-1)!, R = prod(kernel) / C;
  return { params: t.params, state: [...t.state, ["sn_u", [C]], ["sn_v", [R]]] };
}

function ownTensors(l: LayerSpec, input: number[]): { params: [ParamName, number[]][]; state: [StateName, number[]][] } {
  switch (l.type) {
    case "dense":
      return { params: [["kernel", [prod(input), l.units!]], ["bias", [l.units!]]], state: [] };
    case "conv2d": {
      const g = convGeometry(l, input); // g.cin: the input's channels, g.cout: filters
      return { params: [["kernel", [g.kh, g.kw, g.cin, g.cout]], ["bias", [g.cout]]], state: [] };
    }
    case "conv2d_transpose": {
      const g = convGeometry(l, input); // the adjoint conv's geometry: g.cin = filters, g.cout = the input's channels
      return { params: [["kernel", [g.kh, g.kw, g.cin, g.cout]], ["bias", [g.cin]]], state: [] };
    }
    case "batch_norm": {
      const c = input.at(-1)!;
      return { params: [["gamma", [c]], ["beta", [c]]], state: [["running_mean", [c]], ["running_var", [c]]] };
    }
    case "instance_norm": {
      const c = input.at(-1)!;
      return { params: l.affine ? [["gamma", [c]], ["beta", [c]]] : [], state: [] };
    }
    default:
      return { params: [], state: [] };
  }
}

// The layout of a net of `layers` on one sample of shape `input`. Throws the ShapeError of
// layerShapes for a stack that does not chain (validateSpec has refused those already). A layer's
// tensors follow from its (first) input's shape, which in a graph need not be the previous layer's.
export function netLayout(layers: LayerSpec[], input: number[]): NetLayout {
  const { inShapes, shapes } = layerGraph(layers, input);
  const out: LayerSlots[] = [], params: TensorSlot[] = [], state: TensorSlot[] = [];
  let p = 0, s = 0;
  layers.forEach((l, i) => {
    const before = inShapes[i][0];
    const t = layerTensors(l, before);
    const slots: TensorSlot[] = [];
    const paramOffset = p, stateOffset = s;
    const named = l.name === undefined ? {} : { layerName: l.name };
    for (const [name, shape] of t.params) {
      const slot: TensorSlot = { layer: i, ...named, name, block: "params", shape, offset: p, size: prod(shape) };
      p += slot.size;
      params.push(slot);
      slots.push(slot);
    }
    for (const [name, shape] of t.state) {
      const slot: TensorSlot = { layer: i, ...named, name, block: "state", shape, offset: s, size: prod(shape) };
      s += slot.size;
      state.push(slot);
      slots.push(slot);
    }
    out.push({ index: i, type: l.type, input: before, output: shapes[i], paramOffset, paramCount: p - paramOffset, stateOffset, stateCount: s - stateOffset, tensors: slots });
  });
  return { input, output: shapes.at(-1) ?? input, layers: out, params, state, paramCount: p, stateCount: s };
}

// Every net of the model, by name (in the spec's net order), each on the input its role gives it
// (the generator: the latent vector, with the one-hot label when conditional; the discriminator:
// a sample, packed or label-joined).
export function modelLayout(spec: NormalisedSpec): Record<string, NetLayout> {
  const byName = new Map(GAN_ROLES.map((role) => { const n = roleNet(spec, role); return [n.name, n] as const; }));
  return Object.fromEntries(Object.keys(spec.nets).map((name) => {
    const n = byName.get(name)!;
    return [name, netLayout(n.layers, n.input)];
  }));
}

// A tensor's name in checkpoints and exports: `<net>.<layer>.<name>`, where <layer> is the layer's
// name when the spec gives one and its index otherwise (e.g. generator.0.kernel, G.block1.bias);
// `byIndex` names every layer by index (version-1 checkpoints).
export function tensorKey(net: string, t: TensorSlot, byIndex = false): string {
  return `${net}.${byIndex ? t.layer : t.layerName ?? t.layer}.${t.name}`;
}

// The tensor's values in a net's block (a view, no copy): block = the net's parameters or state.
export function tensorView(block: Float32Array, t: TensorSlot): Float32Array {
  return block.subarray(t.offset, t.offset + t.size);
}
