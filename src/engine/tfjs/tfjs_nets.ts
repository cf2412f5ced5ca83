// A spec's layer stack as tfjs variables and ops: the same layers, parameter layout and batch-norm
// semantics as the WASM engine (assembly/nn/*.ts), so the flat parameter block of one engine is
// the other's.
//   x: [n, inSize] flat per sample (images NHWC) -> [n, outSize]
//   parameters and state: the arena's order and tfjs layouts, from src/model/layout.ts
// The layer graph (src/model/graph.ts) as the WASM engine runs it: each layer reads its sources
// (the previous layer by default); add sums its inputs in order, concat joins on the last axis,
// blend is α·a + (1 − α)·b with α settable between steps (setBlendAlpha); nodes hold no parameters.
// Batch norm (PyTorch conventions, as assembly/kernels/batchnorm.ts): training normalises with the
// batch's biased variance and moves the running statistics by `momentum` (the running variance
// takes the unbiased one, and is left alone for a batch of one row); inference uses the running ones.
// Spectral normalisation (assembly/nn/spectral_norm.ts): a layer with spectralNorm multiplies by
// its kernel / σ, σ = vᵀ K u with K the kernel read as [R, C] and the state vectors u [C], v [R]
// held constant (tfjs differentiates through σ via K only, which is the engine's SN Jacobian);
// powerIteration() moves u and v, once per update of the net (the engine's step calls it where
// assembly/train/gan.ts does). Equalised learning rate: the kernel times its f32 constant c.
// Progressive growing's upsample, avg_pool and pixel_norm: tfjs_resample.ts.
import type * as tfNs from "@tensorflow/tfjs";
import { layerGraph } from "../../model/shapes.ts";
import { netLayout } from "../../model/layout.ts";
import type { LayerSpec } from "../../model/spec.ts";
import { minibatchStd, minibatchStdInputGrad } from "./tfjs_mbstd.ts";
import { upsample, upsampleInputGrad, avgPool, avgPoolInputGrad, pixelNorm, pixelNormInputGrad } from "./tfjs_resample.ts";
import { equalizedScale } from "../../model/equalized_lr.ts";
import { reflectionPad, instanceNorm } from "./tfjs_cycle_layers.ts";

export type TF = typeof tfNs;
type Tensor = tfNs.Tensor;
type Variable = tfNs.Variable;

const prod = (s: number[]) => s.reduce((a, b) => a * b, 1);

interface Layer {
  spec: LayerSpec;
  sources: number[]; // the layers it reads (−1: the net's input)
  alpha: number;     // blend's α (setBlendAlpha), else unused
  input: number[];  // one sample's shape in (the first source's)
  output: number[]; // and out
  first: number;    // index of its first parameter tensor in TfNet.params (count: 0, 1 or 2)
  count: number;
  bn: number;       // index into TfNet.running (batch norm), else -1
  sn?: { u: Variable; v: Variable; R: number; C: number }; // spectral normalisation's vectors
  eq: number;       // equalised learning rate's c (src/model/equalized_lr.ts), 1 when off
  mapped: boolean;  // the kernel goes through kernel() (spectral normalisation or equalised learning rate)
}

// one batch norm's batch statistics of a training-mode forward, over `rows` rows
export interface Moments { mean: Tensor; variance: Tensor; rows: number }

export interface ApplyOptions {
  training: boolean;      // batch statistics (true) or the running ones
  params?: Tensor[];      // other parameters of the same layout (the generator's average)
  moments?: Moments[];    // training: receives each batch norm's statistics (kept: the caller disposes)
}

export class TfNet {
  readonly params: Variable[] = [];
  readonly running: { mean: Variable; variance: Variable; momentum: number; channels: number }[] = [];
  readonly stateVars: Variable[] = []; // every state tensor (batch norm's, SN's u and v), in the state block's order
  readonly layers: Layer[] = [];
  readonly inSize: number;
  readonly outSize: number;
  readonly paramCount: number;
  readonly stateCount: number;

  // flat: the initial parameters (the arena's layout); state: the initial running statistics.
  // Every tensor's shape and offset comes from the one parameter layout (src/model/layout.ts).
  constructor(private readonly tf: TF, specLayers: LayerSpec[], readonly input: number[], flat: Float32Array, state: Float32Array) {
    const { inputs } = layerGraph(specLayers, input);
    const layout = netLayout(specLayers, input);
    if (flat.length !== layout.paramCount) throw new Error(`tfjs net: ${flat.length} parameters given, these layers hold ${layout.paramCount}`);
    if (state.length !== layout.stateCount) throw new Error(`tfjs net: ${state.length} state values given, these layers hold ${layout.stateCount}`);
    for (const L of layout.layers) {
      const l = specLayers[L.index], first = this.params.length;
      let bn = -1;
      const held = new Map<string, Variable>();
      for (const t of L.tensors) {
        if (t.block === "params") this.params.push(variable(tf, flat.subarray(t.offset, t.offset + t.size), t.shape, true));
        else {
          const v = variable(tf, state.subarray(t.offset, t.offset + t.size), t.shape, false);
          held.set(t.name, v);
          this.stateVars.push(v);
        }
      }
      if (l.type === "batch_norm") {
        bn = this.running.length;
        this.running.push({ mean: held.get("running_mean")!, variance: held.get("running_var")!, momentum: l.momentum ?? 0.1, channels: held.get("running_mean")!.size });
      }
      const u = held.get("sn_u"), v = held.get("sn_v");
      const sn = u && v ? { u, v, R: v.size, C: u.size } : undefined;
      const eq = equalizedScale(l, L.input);
      this.layers.push({ spec: l, sources: inputs[L.index], alpha: l.type === "blend" ? l.alpha ?? 0 : 0, input: L.input, output: L.output, first, count: this.params.length - first, bn, ...(sn ? { sn } : {}), eq, mapped: !!sn || eq !== 1 });
    }
    this.inSize = prod(input);
    this.outSize = prod(layout.output);
    this.paramCount = layout.paramCount;
    this.stateCount = layout.stateCount;
  }

  // a blend's α from now on (layerIndex: its index in the spec's layers)
  setBlendAlpha(layerIndex: number, alpha: number): void {
    const L = this.layers[layerIndex];
    if (L?.spec.type !== "blend") throw new Error(`tfjs net: layer ${layerIndex} is not a blend`);
    if (!(alpha >= 0 && alpha <= 1)) throw new Error(`tfjs net: a blend's alpha must be in [0, 1] (got ${alpha})`);
    L.alpha = alpha;
  }

  // layer L's kernel as its passes use it: the parameter itself, or (spectral normalisation) the
  // parameter / σ with σ = vᵀ K u, K = the kernel as [R, C]; P: the parameters in use
  // (equalised learning rate: c·K)
  private kernel(L: Layer, P: Tensor[]): Tensor {
    const K = P[L.first], sn = L.sn;
    const tf = this.tf;
    if (!sn) return L.eq !== 1 ? tf.mul(K, L.eq) : K;
    const Ku = tf.matMul(tf.reshape(K, [sn.R, sn.C]) as tfNs.Tensor2D, tf.reshape(sn.u, [sn.C, 1]) as tfNs.Tensor2D);
    return tf.div(K, tf.sum(tf.mul(tf.reshape(sn.v, [sn.R, 1]), Ku)));
  }

  // one power iteration of every normalised layer: v = normalise(K u), u = normalise(Kᵀ v)
  // (normalise(x) = x / max(‖x‖, 1e-12)); once per update of this net
  powerIteration(): void {
    const tf = this.tf;
    const normalise = (x: Tensor) => tf.div(x, tf.maximum(tf.norm(x), 1e-12));
    for (const L of this.layers) {
      const sn = L.sn;
      if (!sn) continue;
      tf.tidy(() => {
        const K = tf.reshape(this.params[L.first], [sn.R, sn.C]) as tfNs.Tensor2D;
        const v = normalise(tf.matMul(K, tf.reshape(sn.u, [sn.C, 1]) as tfNs.Tensor2D));
        const u = normalise(tf.matMul(K, v as tfNs.Tensor2D, true, false));
        sn.v.assign(tf.reshape(v, [sn.R]));
        sn.u.assign(tf.reshape(u, [sn.C]));
      });
    }
  }

  // x: [n, inSize] -> [n, outSize]
  apply(x: Tensor, o: ApplyOptions): tfNs.Tensor2D {
    const tf = this.tf, n = x.shape[0];
    const P = o.params ?? this.params;
    const x0: Tensor = tf.reshape(x, [n, ...this.input]);
    const outs: Tensor[] = [];
    for (const L of this.layers) {
      const l = L.spec, p = (k: number) => (k === 0 && L.mapped ? this.kernel(L, P) : P[L.first + k]);
      const ins = L.sources.map((j) => (j < 0 ? x0 : outs[j]));
      let h = ins[0];
      switch (l.type) {
        case "dense": h = tf.add(tf.matMul(h as tfNs.Tensor2D, p(0) as tfNs.Tensor2D), p(1)); break;
        case "conv2d": h = tf.add(tf.conv2d(h as tfNs.Tensor4D, p(0) as tfNs.Tensor4D, l.strides as [number, number], l.padding!), p(1)); break;
        case "conv2d_transpose": {
          const out = L.output as [number, number, number];
          h = tf.add(tf.conv2dTranspose(h as tfNs.Tensor4D, p(0) as tfNs.Tensor4D, [n, ...out], l.strides as [number, number], l.padding!), p(1));
          break;
        }
        case "batch_norm": h = this.batchNorm(h, L, p(0), p(1), o); break;
        case "minibatch_std": h = minibatchStd(tf, h, l.groupSize ?? 4); break;
        case "upsample": h = upsample(tf, h); break;
        case "avg_pool": h = avgPool(tf, h); break;
        case "pixel_norm": h = pixelNorm(tf, h, l.eps ?? 1e-8); break;
        case "instance_norm": h = l.affine ? instanceNorm(tf, h, l.eps ?? 1e-5, p(0), p(1)) : instanceNorm(tf, h, l.eps ?? 1e-5); break;
        case "reflection_pad": h = pad(tf, h, L); break;
        case "reshape": case "flatten": h = tf.reshape(h, [n, ...L.output]); break;
        case "relu": h = tf.relu(h); break;
        case "leaky_relu": h = tf.leakyRelu(h, l.alpha ?? 0.2); break;
        case "tanh": h = tf.tanh(h); break;
        case "sigmoid": h = tf.sigmoid(h); break;
        default: h = this.merge(L, ins);
      }
      outs.push(h);
    }
    return tf.reshape(outs.at(-1) ?? x0, [n, this.outSize]);
  }

  // a graph node's output: add sums in order, concat joins the last axis, blend mixes by α
  private merge(L: Layer, ins: Tensor[]): Tensor {
    const tf = this.tf;
    switch (L.spec.type) {
      case "add": return ins.slice(1).reduce((s, t) => tf.add(s, t), ins[0]);
      case "concat": return tf.concat(ins, -1);
      case "blend": return tf.add(tf.mul(ins[0], L.alpha), tf.mul(ins[1], 1 - L.alpha));
      default: throw new Error(`tfjs net: unknown layer ${L.spec.type}`);
    }
  }

  // y = (x − mean)·(gamma·rsqrt(var + eps)) + beta, statistics over every axis but the channels
  private batchNorm(h: Tensor, L: Layer, gamma: Tensor, beta: Tensor, o: ApplyOptions): Tensor {
    const tf = this.tf, r = this.running[L.bn], eps = L.spec.eps ?? 1e-5;
    let mean: Tensor, variance: Tensor;
    if (o.training) {
      const axes = Array.from({ length: h.rank - 1 }, (_, k) => k);
      ({ mean, variance } = tf.moments(h, axes));
      o.moments?.push({ mean: tf.keep(mean), variance: tf.keep(variance), rows: h.size / r.channels });
    } else {
      mean = r.mean;
      variance = r.variance;
    }
    return tf.add(tf.mul(tf.sub(h, mean), tf.mul(gamma, tf.rsqrt(tf.add(variance, eps)))), beta);
  }

  // Moves the running statistics by the batch statistics of training-mode forwards, in order, and
  // disposes them: running = (1 − m)·running + m·batch (the variance unbiased: ·rows/(rows − 1)).
  updateRunning(moments: Moments[]): void {
    const tf = this.tf;
    if (moments.length % Math.max(this.running.length, 1) !== 0) throw new Error("tfjs net: batch statistics do not match the batch norms");
    moments.forEach((s, k) => {
      const r = this.running[k % this.running.length], m = r.momentum, keep = 1 - m;
      tf.tidy(() => {
        r.mean.assign(tf.add(tf.mul(r.mean, keep), tf.mul(s.mean, m)));
        if (s.rows > 1) r.variance.assign(tf.add(tf.mul(r.variance, keep), tf.mul(s.variance, (m * s.rows) / (s.rows - 1))));
      });
      s.mean.dispose();
      s.variance.dispose();
    });
  }

  // WGAN-GP: g = ∂(Σ_rows D(x))/∂x, x: [n, inSize] -> [n, inSize], written out layer by layer
  // (the adjoint of apply(), seeded with ones) in ops whose own gradients tfjs has, so that
  // tf.grad over the parameters of a function of g is the penalty's double backprop. tfjs cannot
  // differentiate its relu / leakyRelu gradients again (they go through a Greater op without a
  // gradient), so their slopes are tf.step masks (step's gradient is 0, as f'' = 0 almost
  // everywhere); tanh and sigmoid slopes are written from their outputs (1 − y², y(1 − y)),
  // which tfjs differentiates through y. No batch norm (the spec refuses it in a penalised critic).
  // Through the graph: an output read by several layers gets the sum of their contributions
  // (added in reverse layer order, as the WASM engine does); add passes g to each input, blend
  // α·g and (1 − α)·g, concat splits g on the last axis. Minibatch std (tfjs_mbstd.ts) couples a
  // group's rows: g is then the gradient of Σ over every row, as in the WASM engine.
  inputGradient(x: Tensor): tfNs.Tensor2D {
    const tf = this.tf, n = x.shape[0];
    const x0: Tensor = tf.reshape(x, [n, ...this.input]);
    const ins: Tensor[][] = [], outs: Tensor[] = [];
    for (const L of this.layers) {
      const xs = L.sources.map((j) => (j < 0 ? x0 : outs[j]));
      ins.push(xs);
      outs.push(isNodeLayer(L) ? this.merge(L, xs) : this.apply1(xs[0], L, n));
    }
    const gs: (Tensor | undefined)[] = this.layers.map(() => undefined);
    let gIn: Tensor | undefined;
    const give = (j: number, t: Tensor) => {
      if (j < 0) gIn = gIn ? tf.add(gIn, t) : t;
      else gs[j] = gs[j] ? tf.add(gs[j]!, t) : t;
    };
    if (this.layers.length === 0) return tf.reshape(tf.onesLike(x0), [n, this.inSize]);
    gs[this.layers.length - 1] = tf.onesLike(outs.at(-1)!);
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const L = this.layers[i], l = L.spec, p = (k: number) => (k === 0 && L.mapped ? this.kernel(L, this.params) : this.params[L.first + k]);
      let g = gs[i];
      if (g === undefined) continue; // an output nothing reads (the spec refuses those)
      const src = L.sources[0];
      switch (l.type) {
        case "dense": g = tf.matMul(g as tfNs.Tensor2D, p(0) as tfNs.Tensor2D, false, true); break;
        case "conv2d": g = tf.conv2dTranspose(g as tfNs.Tensor4D, p(0) as tfNs.Tensor4D, [n, ...(L.input as [number, number, number])], l.strides as [number, number], l.padding!); break;
        case "conv2d_transpose": g = tf.conv2d(g as tfNs.Tensor4D, p(0) as tfNs.Tensor4D, l.strides as [number, number], l.padding!); break;
        case "reshape": case "flatten": g = tf.reshape(g, [n, ...L.input]); break;
        case "minibatch_std": g = minibatchStdInputGrad(tf, ins[i][0], g, l.groupSize ?? 4); break;
        case "upsample": g = upsampleInputGrad(tf, g); break;
        case "avg_pool": g = avgPoolInputGrad(tf, g); break;
        case "pixel_norm": g = pixelNormInputGrad(tf, ins[i][0], g, l.eps ?? 1e-8); break;
        case "reflection_pad": g = pad(tf, g, L, true); break;
        case "relu": g = tf.mul(g, tf.step(ins[i][0], 0)); break;
        case "leaky_relu": g = tf.mul(g, tf.step(ins[i][0], l.alpha ?? 0.2)); break;
        case "tanh": g = tf.mul(g, tf.sub(1, tf.square(outs[i]))); break;
        case "sigmoid": g = tf.mul(g, tf.mul(outs[i], tf.sub(1, outs[i]))); break;
        case "add": for (const j of L.sources) give(j, g); continue;
        case "blend": give(L.sources[0], tf.mul(g, L.alpha)); give(L.sources[1], tf.mul(g, 1 - L.alpha)); continue;
        case "concat": {
          const parts = tf.split(g, [ins[i][0].shape.at(-1)!, ins[i][1].shape.at(-1)!], -1);
          give(L.sources[0], parts[0]);
          give(L.sources[1], parts[1]);
          continue;
        }
        default: throw new Error(`tfjs net: no input-gradient rule for ${l.type} (a penalised critic holds no batch norm)`);
      }
      give(src, g);
    }
    return tf.reshape(gIn ?? tf.zerosLike(x0), [n, this.inSize]);
  }

  private apply1(h: Tensor, L: Layer, n: number): Tensor {
    const tf = this.tf, l = L.spec, p = (k: number) => (k === 0 && L.mapped ? this.kernel(L, this.params) : this.params[L.first + k]);
    switch (l.type) {
      case "dense": return tf.add(tf.matMul(h as tfNs.Tensor2D, p(0) as tfNs.Tensor2D), p(1));
      case "conv2d": return tf.add(tf.conv2d(h as tfNs.Tensor4D, p(0) as tfNs.Tensor4D, l.strides as [number, number], l.padding!), p(1));
      case "conv2d_transpose": return tf.add(tf.conv2dTranspose(h as tfNs.Tensor4D, p(0) as tfNs.Tensor4D, [n, ...(L.output as [number, number, number])], l.strides as [number, number], l.padding!), p(1));
      case "reshape": case "flatten": return tf.reshape(h, [n, ...L.output]);
      case "minibatch_std": return minibatchStd(tf, h, l.groupSize ?? 4);
      case "upsample": return upsample(tf, h);
      case "avg_pool": return avgPool(tf, h);
      case "pixel_norm": return pixelNorm(tf, h, l.eps ?? 1e-8);
      case "reflection_pad": return pad(tf, h, L);
      case "relu": return tf.relu(h);
      case "leaky_relu": return tf.leakyRelu(h, l.alpha ?? 0.2);
      case "tanh": return tf.tanh(h);
      case "sigmoid": return tf.sigmoid(h);
      default: throw new Error(`tfjs net: ${l.type} in a penalised critic`);
    }
  }

  // the flat parameter block (arena layout) and the running statistics, as copies; the async
  // forms for backends that cannot read synchronously (tfjs-webgpu under Deno)
  readParams(): Float32Array { return concat(this.params); }
  readParamsAsync(): Promise<Float32Array> { return concatAsync(this.params); }
  readStateAsync(): Promise<Float32Array> { return concatAsync(this.stateVars); }
  writeParams(flat: Float32Array): void { assign(this.tf, this.params, flat); }
  readState(): Float32Array { return concat(this.stateVars); }
  writeState(flat: Float32Array): void { assign(this.tf, this.stateVars, flat); }

  dispose(): void {
    for (const v of this.params) v.dispose();
    for (const v of this.stateVars) v.dispose();
  }
}

// a reflection_pad layer's pad (adjoint: its transpose, for the input gradient)
function pad(tf: TF, h: Tensor, L: Layer, adjoint = false): Tensor {
  const [ph, pw] = L.spec.pad as [number, number];
  return reflectionPad(tf, h, L.input[0], L.input[1], ph, pw, adjoint);
}

const isNodeLayer = (L: Layer) => L.spec.type === "add" || L.spec.type === "concat" || L.spec.type === "blend";

// a variable holding a copy of `values` (tf.variable copies, so the staging tensor is freed)
export function variable(tf: TF, values: Float32Array, shape: number[], trainable: boolean): Variable {
  const t = tf.tensor(values, shape);
  const v = tf.variable(t, trainable);
  t.dispose();
  return v;
}

export function concat(ts: Tensor[]): Float32Array {
  return join(ts, ts.map((t) => readSync(t)));
}

export async function concatAsync(ts: Tensor[]): Promise<Float32Array> {
  return join(ts, (await Promise.all(ts.map((t) => t.data()))) as Float32Array[]);
}

function join(ts: Tensor[], parts: Float32Array[]): Float32Array {
  const out = new Float32Array(ts.reduce((s, t) => s + t.size, 0));
  let o = 0;
  parts.forEach((p) => { out.set(p, o); o += p.length; });
  return out;
}

// t.dataSync(), with a clear error where the backend cannot read synchronously (tfjs-webgpu under
// Deno fails inside tfjs with "Cannot read properties of null (reading 'clearRect')")
export function readSync(t: Tensor): Float32Array {
  try {
    return t.dataSync() as Float32Array;
  } catch (e) {
    throw new Error(`tfjs backend cannot read tensors synchronously in this runtime (${(e as Error).message}): use the async forms (getWeightsAsync, saveStateAsync, sampleAsync, generateAsync, statsAsync)`);
  }
}

export function assign(tf: TF, vs: Variable[], flat: Float32Array): void {
  let o = 0;
  for (const v of vs) {
    tf.tidy(() => v.assign(tf.tensor(flat.subarray(o, o + v.size), v.shape)));
    o += v.size;
  }
  if (o !== flat.length) throw new Error(`expected ${o} floats, got ${flat.length}`);
}
