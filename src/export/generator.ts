// The trained generator an export writes: the net of the objective's generator role
// (roleNet(spec, "generator")), its layers, its per-sample input and output shapes, and each
// layer's tensors ready for inference:
//   weights   "ema": the moving average of G's parameters (<net>.average) when the checkpoint or
//             GAN keeps one, "raw": the live parameters; the default is "ema" when there is one
//   kernel    with spectralNorm folded in: K / σ, σ = vᵀ K u with the stored u, v (Miyato et al.
//             2018; the evaluation-mode forward of assembly/nn/spectral_norm.ts, which multiplies
//             by fround(1/σ) in f32: the same bits here), sn_u / sn_v dropped
//             with equalizedLr folded in: c·K (c = fround(gain / sqrt(fan_in)), the engine's f32 product)
//   batch norm gamma, beta, running_mean, running_var (evaluation mode: the running statistics)
// A GAN's blend layers export with the α of the spec (a checkpoint does not hold a later
// setBlendAlpha's): `alphas` overrides it by layer name or index.
import type { LayerSpec, NormalisedSpec } from "../model/spec.ts";
import { roleNet } from "../model/nets.ts";
import { equalizedScale } from "../model/equalized_lr.ts";
import { netLayout, tensorKey, tensorView, type NetLayout, type ParamName } from "../model/layout.ts";
import type { GanState, NetTrainState } from "../engine/engine.ts";

export type WeightChoice = "ema" | "raw";
export type ExportTensorName = ParamName | "running_mean" | "running_var";

// what an export reads: a decoded checkpoint (readCheckpoint / decodeCheckpoint) or a GAN
export type ExportSource =
  | { spec: NormalisedSpec; state: GanState }
  | { spec: NormalisedSpec; saveState(): GanState | Promise<GanState> };

export interface ExportOptions {
  weights?: WeightChoice;                    // default: "ema" when kept, else "raw"
  alphas?: Record<string | number, number>;  // blend layers' α by layer name or index (default: the spec's)
}

export interface ExportTensor { key: string; layer: number; name: ExportTensorName; shape: number[]; data: Float32Array<ArrayBufferLike> }

export interface GeneratorNet {
  spec: NormalisedSpec;
  net: string;              // the generator's name in spec.nets
  layers: LayerSpec[];
  layout: NetLayout;        // input: [latentDim + numClasses]; per layer input / output shapes
  latentDim: number;
  numClasses: number;       // 0: unconditional
  outputShape: number[];    // spec.dataShape: one sample's shape (NHWC)
  weights: WeightChoice;    // which parameters were taken
  tensors: ExportTensor[];  // in layout order, SN folded, no sn_u / sn_v
  alpha(layer: number): number; // a blend layer's α
  tensor(layer: number, name: ExportTensorName): Float32Array; // a layer's tensor (throws if it has none)
}

export class ExportError extends Error {}

export async function generatorNet(source: ExportSource, options: ExportOptions = {}): Promise<GeneratorNet> {
  const spec = source.spec;
  const state: GanState = "state" in source ? source.state : await source.saveState();
  const g = roleNet(spec, "generator");
  const layout = netLayout(g.layers, g.input);
  const s: NetTrainState = state.generator;
  const hasEma = s.average !== undefined && s.average.length === layout.paramCount;
  const weights: WeightChoice = options.weights ?? (hasEma ? "ema" : "raw");
  if (weights !== "ema" && weights !== "raw") throw new ExportError(`weights must be ema or raw (got ${JSON.stringify(weights)})`);
  if (weights === "ema" && !hasEma) throw new ExportError(`weights ema: this model keeps no moving average of its generator (${g.name}.average); use raw`);
  const params = weights === "ema" ? s.average! : s.params;
  const tensors: ExportTensor[] = [];
  for (const L of layout.layers) {
    const spec_l = g.layers[L.index];
    const find = (name: string) => L.tensors.find((t) => t.name === name);
    for (const t of L.tensors) {
      if (t.name === "sn_u" || t.name === "sn_v") continue;
      let data: Float32Array<ArrayBufferLike> = Float32Array.from(tensorView(t.block === "params" ? params : s.state, t));
      if (t.name === "kernel" && spec_l.spectralNorm) data = foldSpectralNorm(data, tensorView(s.state, find("sn_u")!), tensorView(s.state, find("sn_v")!));
      if (t.name === "kernel" && spec_l.equalizedLr) data = foldEqualizedLr(data, equalizedScale(spec_l, L.input));
      tensors.push({ key: tensorKey(g.name, t), layer: L.index, name: t.name as ExportTensorName, shape: t.shape, data });
    }
  }
  const alphas = options.alphas ?? {};
  for (const [key, a] of Object.entries(alphas)) {
    const i = g.layers.findIndex((l, k) => l.name === key || String(k) === key);
    if (i < 0 || g.layers[i].type !== "blend") throw new ExportError(`alphas.${key}: the generator ${g.name} has no blend layer named or numbered ${key}`);
    if (typeof a !== "number" || !(a >= 0 && a <= 1)) throw new ExportError(`alphas.${key}: α must be a number from 0 to 1 (got ${JSON.stringify(a)})`);
  }
  return {
    spec, net: g.name, layers: g.layers, layout, latentDim: spec.latentDim, numClasses: spec.numClasses ?? 0,
    outputShape: spec.dataShape, weights, tensors,
    alpha: (i) => alphas[g.layers[i].name ?? ""] ?? alphas[i] ?? g.layers[i].alpha ?? 0,
    tensor(i, name) {
      const t = tensors.find((x) => x.layer === i && x.name === name);
      if (!t) throw new Error(`internal: layer ${i} of ${g.name} holds no ${name}`);
      return t.data;
    },
  };
}

// K [R, C] (row-major, the stored layout) / σ, σ = vᵀ K u in f64, multiplied by fround(1/σ) as the engine does
export function foldSpectralNorm(K: Float32Array, u: Float32Array, v: Float32Array): Float32Array {
  const C = u.length, R = v.length;
  let sigma = 0;
  for (let r = 0; r < R; r++) {
    let dot = 0;
    for (let c = 0; c < C; c++) dot += K[r * C + c] * u[c];
    sigma += v[r] * dot;
  }
  const inv = Math.fround(1 / sigma);
  return K.map((k) => k * inv);
}

// K·c with the f32 constant c of equalised learning rate (src/model/equalized_lr.ts), as the
// engine's refresh multiplies: the same bits
export function foldEqualizedLr(K: Float32Array, c: number): Float32Array {
  return K.map((k) => k * c);
}

// refuse a layer no export format holds, naming it
export function refuse(g: GeneratorNet, i: number, format: string, why = "has no counterpart in this export"): never {
  const l = g.layers[i];
  throw new ExportError(`${format} export: spec.nets.${g.net}[${i}]${l.name ? ` (${l.name})` : ""} is a ${l.type} layer, which ${why}`);
}
