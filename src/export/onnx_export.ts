// The generator as an ONNX model (opset 17, ir version 8), written with protobufjs over
// onnx_schema.ts. The contract:
//   inputs   latent  float32 [N, latentDim]       (N: any batch size)
//            label   int64   [N]                  conditional models only: class indices 0..K-1,
//                                                 one-hot encoded inside the graph (OneHot) and
//                                                 joined after the latent, as the engine does
//   output   image   float32 [N, ...dataShape]    NHWC like the engine ([N, H, W, C]; [N, d] flat)
// A CycleGAN's generator (direction a2b: G, b2a: F) takes instead
//   input    source  float32 [N, h, w, c]         images of the source domain (A for a2b), NHWC
// and says its direction in metadata_props ("direction").
// Tensors flow in the engine's layout, NHWC; each conv2d / conv2d_transpose is wrapped in
// Transpose NHWC -> NCHW, the ONNX op, Transpose back (ONNX convolutions are NCHW), with the
// kernel permuted once into ONNX's layout (Conv: [cout, cin, kh, kw] from [kh, kw, cin, cout];
// ConvTranspose: [cin, cout, kh, kw] from tfjs's [kh, kw, cout, cin]) and tfjs's "same" padding
// written out as explicit pads (the extra row / column at the bottom / right; a transpose's
// missing tail as output_padding). Batch norm in evaluation mode is y = x·scale + shift with
// scale = γ/√(var + ε), shift = β − mean·scale (computed in f64), on the last axis; blend is
// α·a + (1 − α)·b with the exported α; add is a chain of Add in input order; concat joins the
// last axis. Progressive growing's and CycleGAN's layers: upsample is Resize (nearest, asymmetric
// coordinates, floor: out (r, q) reads in (⌊r/2⌋, ⌊q/2⌋), the engine's copy), avg_pool is
// AveragePool 2×2 stride 2 (NCHW-wrapped), pixel_norm is x / Sqrt(ReduceMean(x·x, last axis) + ε)
// (f32 where the engine sums in f64: ≤ a few ulps apart), instance_norm is InstanceNormalization
// (NCHW-wrapped; its biased variance and ε inside the root are ours; affine off: scale 1, B 0),
// reflection_pad is Pad mode "reflect" (no edge repeat, as the engine's). Anything else
// (minibatch_std, which the spec keeps out of generators) is refused naming the layer.
import { convGeometry, layerGraph } from "../model/shapes.ts";
import { onnxModelType, ONNX_FLOAT, ONNX_INT64, ATTR } from "./onnx_schema.ts";
import { refuse, type GeneratorNet } from "./generator.ts";

export const ONNX_OPSET = 17;

interface Node { input: string[]; output: string[]; name: string; op_type: string; attribute: unknown[] }
const bytesOf = (a: Float32Array | BigInt64Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
const ints = (name: string, v: number[]) => ({ name, type: ATTR.INTS, ints: v });
const int = (name: string, v: number) => ({ name, type: ATTR.INT, i: v });
const float = (name: string, v: number) => ({ name, type: ATTR.FLOAT, f: v });
const str = (name: string, v: string) => ({ name, type: ATTR.STRING, s: new TextEncoder().encode(v) });

export async function generatorOnnx(g: GeneratorNet): Promise<Uint8Array> {
  const nodes: Node[] = [], initializer: unknown[] = [];
  let k = 0;
  const fresh = (hint: string) => `${hint}_${k++}`;
  const node = (op: string, input: string[], attribute: unknown[] = [], hint = op.toLowerCase()): string => {
    const out = fresh(hint);
    nodes.push({ input, output: [out], name: `${op}_${k}`, op_type: op, attribute });
    return out;
  };
  const constF = (hint: string, data: Float32Array, dims: number[]) => {
    const name = fresh(hint);
    initializer.push({ name, dims, data_type: ONNX_FLOAT, raw_data: bytesOf(data) });
    return name;
  };
  const constI = (hint: string, data: number[]) => {
    const name = fresh(hint);
    initializer.push({ name, dims: [data.length], data_type: ONNX_INT64, raw_data: bytesOf(BigInt64Array.from(data.map(BigInt))) });
    return name;
  };
  const reshape = (x: string, shape: number[]) => node("Reshape", [x, constI("shape", [-1, ...shape])]);
  const toNchw = (x: string) => node("Transpose", [x], [ints("perm", [0, 3, 1, 2])]);
  const toNhwc = (x: string) => node("Transpose", [x], [ints("perm", [0, 2, 3, 1])]);

  // the engine's G input: [latent, one-hot(label)]; a CycleGAN generator's: the source image
  let x0 = g.source ? "source" : "latent";
  if (g.numClasses > 0) {
    const depth = constI("depth", [g.numClasses]);
    const values = constF("onehot_values", new Float32Array([0, 1]), [2]);
    x0 = node("Concat", ["latent", node("OneHot", ["label", depth, values], [int("axis", -1)])], [int("axis", 1)]);
  }
  const graph = layerGraph(g.layers, g.layout.input);
  const outs: string[] = [];
  g.layers.forEach((l, i) => {
    const ins = graph.inputs[i].map((j) => (j < 0 ? x0 : outs[j]));
    const L = g.layout.layers[i];
    const x = ins[0];
    let y: string;
    switch (l.type) {
      case "dense": {
        const K = g.tensor(i, "kernel");
        y = node("Gemm", [x, constF("kernel", K, [L.input[0], l.units!]), constF("bias", g.tensor(i, "bias"), [l.units!])]);
        break;
      }
      case "conv2d": {
        const c = convGeometry(l, L.input);
        const W = permute(g.tensor(i, "kernel"), [c.kh, c.kw, c.cin, c.cout], [3, 2, 0, 1]); // -> [cout, cin, kh, kw]
        const padB = Math.max((c.outH - 1) * c.strideH + c.kh - c.h, 0) - c.padTop;
        const padR = Math.max((c.outW - 1) * c.strideW + c.kw - c.w, 0) - c.padLeft;
        const conv = node("Conv", [toNchw(x), constF("kernel", W, [c.cout, c.cin, c.kh, c.kw]), constF("bias", g.tensor(i, "bias"), [c.cout])],
          [ints("kernel_shape", [c.kh, c.kw]), ints("strides", [c.strideH, c.strideW]), ints("pads", [c.padTop, c.padLeft, padB, padR])]);
        y = toNhwc(conv);
        break;
      }
      case "conv2d_transpose": {
        // the adjoint of the conv [h, w, filters] -> [outH, outW, cin]: input [outH, outW, cout = c.cout]
        const c = convGeometry(l, L.input);
        const W = permute(g.tensor(i, "kernel"), [c.kh, c.kw, c.cin, c.cout], [3, 2, 0, 1]); // -> [its input's channels, filters, kh, kw]
        // ONNX: out = s·(in − 1) + output_padding + k − padBegin − padEnd; we need out = c.h
        const tail = (s: number, inn: number, k: number, begin: number, out: number) => s * (inn - 1) + k - begin - out;
        const endH = tail(c.strideH, c.outH, c.kh, c.padTop, c.h), endW = tail(c.strideW, c.outW, c.kw, c.padLeft, c.w);
        const conv = node("ConvTranspose", [toNchw(x), constF("kernel", W, [c.cout, c.cin, c.kh, c.kw]), constF("bias", g.tensor(i, "bias"), [c.cin])],
          [ints("kernel_shape", [c.kh, c.kw]), ints("strides", [c.strideH, c.strideW]),
            ints("pads", [c.padTop, c.padLeft, Math.max(endH, 0), Math.max(endW, 0)]), ints("output_padding", [Math.max(-endH, 0), Math.max(-endW, 0)])]);
        y = toNhwc(conv);
        break;
      }
      case "batch_norm": {
        const gamma = g.tensor(i, "gamma"), beta = g.tensor(i, "beta"), mean = g.tensor(i, "running_mean"), v = g.tensor(i, "running_var");
        const eps = l.eps ?? 1e-5, C = gamma.length;
        const scale = new Float32Array(C), shift = new Float32Array(C);
        for (let c = 0; c < C; c++) { const s = gamma[c] / Math.sqrt(v[c] + eps); scale[c] = s; shift[c] = beta[c] - mean[c] * s; }
        y = node("Add", [node("Mul", [x, constF("bn_scale", scale, [C])]), constF("bn_shift", shift, [C])]);
        break;
      }
      case "upsample": {
        // nearest ×2 on H and W of NHWC: out (r, q) reads in (floor(r/2), floor(q/2)), the engine's copy
        y = node("Resize", [x, "", constF("scales", new Float32Array([1, 2, 2, 1]), [4])],
          [str("mode", "nearest"), str("coordinate_transformation_mode", "asymmetric"), str("nearest_mode", "floor")]);
        break;
      }
      case "avg_pool": // 2×2 windows, stride 2 (h, w even: the spec checks)
        y = toNhwc(node("AveragePool", [toNchw(x)], [ints("kernel_shape", [2, 2]), ints("strides", [2, 2])]));
        break;
      case "pixel_norm": {
        // x / sqrt(mean over the last axis of x² + ε): images per pixel, flat rows per sample
        const m = node("ReduceMean", [node("Mul", [x, x])], [ints("axes", [-1]), int("keepdims", 1)]);
        y = node("Div", [x, node("Sqrt", [node("Add", [m, constF("eps", new Float32Array([l.eps ?? 1e-8]), [])])])]);
        break;
      }
      case "instance_norm": {
        // ONNX InstanceNormalization is ours: per sample and channel over the pixels, biased
        // variance, ε inside the root, then scale·x̂ + B (affine off: scale 1, B 0)
        const C = L.input[2];
        const scale = l.affine ? g.tensor(i, "gamma") : new Float32Array(C).fill(1);
        const bias = l.affine ? g.tensor(i, "beta") : new Float32Array(C);
        y = toNhwc(node("InstanceNormalization", [toNchw(x), constF("in_scale", scale, [C]), constF("in_bias", bias, [C])], [float("epsilon", l.eps ?? 1e-5)]));
        break;
      }
      case "reflection_pad": {
        // ONNX Pad mode reflect mirrors without repeating the edge, as the engine's refl(): pads
        // [begin N, H, W, C, end N, H, W, C]
        const [ph, pw] = l.pad as [number, number];
        y = node("Pad", [x, constI("pads", [0, ph, pw, 0, 0, ph, pw, 0])], [str("mode", "reflect")]);
        break;
      }
      case "relu": y = node("Relu", [x]); break;
      case "leaky_relu": y = node("LeakyRelu", [x], [float("alpha", l.alpha ?? 0.2)]); break;
      case "tanh": y = node("Tanh", [x]); break;
      case "sigmoid": y = node("Sigmoid", [x]); break;
      case "reshape": y = reshape(x, l.targetShape!); break;
      case "flatten": y = reshape(x, [L.output[0]]); break;
      case "add": y = ins.slice(1).reduce((a, b) => node("Add", [a, b]), ins[0]); break;
      case "concat": y = node("Concat", ins, [int("axis", -1)]); break;
      case "blend": {
        const a = g.alpha(i);
        y = node("Add", [node("Mul", [ins[0], constF("alpha", new Float32Array([a]), [])]), node("Mul", [ins[1], constF("one_minus_alpha", new Float32Array([1 - a]), [])])]);
        break;
      }
      default: refuse(g, i, "onnx");
    }
    outs.push(y);
  });
  const last = outs.at(-1) ?? x0;
  nodes.push({ input: [last, constI("image_shape", [-1, ...g.outputShape])], output: ["image"], name: "image", op_type: "Reshape", attribute: [] });
  const dims = (d: (number | string)[]) => ({ dim: d.map((v) => (typeof v === "number" ? { dim_value: v } : { dim_param: v })) });
  const value = (name: string, elem: number, d: (number | string)[], doc: string) => ({ name, type: { tensor_type: { elem_type: elem, shape: dims(d) } }, doc_string: doc });
  const inputs = g.source
    ? [value("source", ONNX_FLOAT, ["N", ...g.source], `images of domain ${g.direction === "a2b" ? "A" : "B"}, NHWC`)]
    : [value("latent", ONNX_FLOAT, ["N", g.latentDim], "z ~ N(0, I)")];
  if (g.numClasses > 0) inputs.push(value("label", ONNX_INT64, ["N"], `class indices 0..${g.numClasses - 1}`));
  const Model = await onnxModelType();
  const model = Model.fromObject({
    ir_version: 8, opset_import: [{ domain: "", version: ONNX_OPSET }], producer_name: "wasm-gan", producer_version: "0.1.0",
    doc_string: `the generator ${g.net} of a wasm-gan model (${g.weights} weights)`,
    graph: { name: g.net, node: nodes, initializer, input: inputs, output: [value("image", ONNX_FLOAT, ["N", ...g.outputShape], "NHWC")] },
    metadata_props: [{ key: "spec", value: JSON.stringify(g.spec) }, { key: "weights", value: g.weights }, ...(g.direction ? [{ key: "direction", value: g.direction }] : [])],
  });
  return Model.encode(model).finish();
}

// a row-major tensor of `shape` with its axes reordered: out axis a = in axis perm[a]
export function permute(x: Float32Array, shape: number[], perm: number[]): Float32Array {
  const outShape = perm.map((p) => shape[p]);
  const inStride = shape.map((_, a) => shape.slice(a + 1).reduce((p, q) => p * q, 1));
  const out = new Float32Array(x.length);
  const idx = new Array(shape.length).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let a = 0; a < perm.length; a++) src += idx[a] * inStride[perm[a]];
    out[o] = x[src];
    for (let a = perm.length - 1; a >= 0; a--) { if (++idx[a] < outShape[a]) break; idx[a] = 0; }
  }
  return out;
}
