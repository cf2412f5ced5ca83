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
// A CycleGAN (a CycleGAN checkpoint, src/io/cycle_checkpoint.ts, or a CycleGAN) exports one of
// its two generators, `direction` "a2b" (objective.generator, G: domain A -> B) or "b2a"
// (objective.inverse, F); its input is an image [h, w, c] of the source domain (`source`), not a
// latent, and its weights are the live ones ("raw": a CycleGAN keeps no moving average).
import type { LayerSpec, NormalisedSpec } from "../model/spec.ts";
import { roleNet } from "../model/nets.ts";
import { equalizedScale } from "../model/equalized_lr.ts";
import { netLayout, tensorKey, tensorView, type NetLayout, type ParamName } from "../model/layout.ts";
import type { GanState, NetTrainState } from "../engine/engine.ts";
import type { CycleSpec } from "../model/cyclegan_spec.ts";
import type { CycleState, Direction } from "../engine/cycle_engine.ts";

export type WeightChoice = "ema" | "raw";
export type ExportTensorName = ParamName | "running_mean" | "running_var";

// what an export reads: a decoded checkpoint (readCheckpoint / decodeCheckpoint) or a GAN
export type ExportSource =
  | { spec: NormalisedSpec; state: GanState }
  | { spec: NormalisedSpec; saveState(): GanState | Promise<GanState> }
  | CycleSource;
// a decoded CycleGAN checkpoint (readCycleCheckpoint / decodeCycleCheckpoint) or a CycleGAN
export type CycleSource =
  | { spec: CycleSpec; state: CycleState }
  | { spec: CycleSpec; saveState(): CycleState | Promise<CycleState> };

export interface ExportOptions {
  weights?: WeightChoice;                    // default: "ema" when kept, else "raw"
  alphas?: Record<string | number, number>;  // blend layers' α by layer name or index (default: the spec's)
  direction?: Direction;                     // a CycleGAN's: "a2b" (G) or "b2a" (F); required there, refused elsewhere
}

export interface ExportTensor { key: string; layer: number; name: ExportTensorName; shape: number[]; data: Float32Array<ArrayBufferLike> }

export interface GeneratorNet {
  spec: NormalisedSpec | CycleSpec;
  net: string;              // the generator's name in spec.nets
  direction?: Direction;    // a CycleGAN's generator: its direction; its input is then `source`
  source?: number[];        // a CycleGAN's generator: one input image's shape [h, w, c] (latentDim, numClasses 0)
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

const isCycle = (s: ExportSource): s is CycleSource => (s.spec as { objective?: { type?: string } }).objective?.type === "cyclegan";

export async function generatorNet(source: ExportSource, options: ExportOptions = {}): Promise<GeneratorNet> {
  if (isCycle(source)) return cycleGeneratorNet(source, options);
  if (options.direction !== undefined) throw new ExportError(`direction: only a CycleGAN has directions (this model is a GAN with one generator, ${roleNet(source.spec, "generator").name}); leave it out`);
  const spec = source.spec;
  const state: GanState = "state" in source ? source.state : await source.saveState();
  const g = roleNet(spec, "generator");
  const layout = netLayout(g.layers, g.input);
  const s: NetTrainState = state.generator;
  const hasEma = s.average !== undefined && s.average.length === layout.paramCount;
  const weights = weightChoice(options, hasEma, `this model keeps no moving average of its generator (${g.name}.average)`);
  const params = weights === "ema" ? s.average! : s.params;
  const tensors = netTensors(g.name, g.layers, layout, params, s.state);
  const alphas = checkAlphas(g.name, g.layers, options.alphas ?? {});
  return {
    spec, net: g.name, layers: g.layers, layout, latentDim: spec.latentDim, numClasses: spec.numClasses ?? 0,
    outputShape: spec.dataShape, weights, tensors, ...lookups(g.name, g.layers, tensors, alphas),
  };
}

// G ("a2b") or F ("b2a") of a CycleGAN: image in, image out, live weights
async function cycleGeneratorNet(source: CycleSource, options: ExportOptions): Promise<GeneratorNet> {
  const d = options.direction;
  if (d !== "a2b" && d !== "b2a") throw new ExportError(d === undefined ? `direction: a CycleGAN has two generators: choose a2b (${source.spec.objective.generator}: domain A -> B) or b2a (${source.spec.objective.inverse}: B -> A)` : `direction must be a2b or b2a (got ${JSON.stringify(d)})`);
  const spec = source.spec;
  const state: CycleState = "state" in source ? source.state : await source.saveState();
  const net = d === "a2b" ? spec.objective.generator : spec.objective.inverse;
  const layers = spec.nets[net], layout = netLayout(layers, spec.dataShape), s = state.nets[net];
  const weights = weightChoice(options, false, `a CycleGAN keeps no moving average of its generators`);
  const tensors = netTensors(net, layers, layout, s.params, s.state);
  const alphas = checkAlphas(net, layers, options.alphas ?? {});
  return {
    spec, net, direction: d, source: spec.dataShape, layers, layout, latentDim: 0, numClasses: 0,
    outputShape: spec.dataShape, weights, tensors, ...lookups(net, layers, tensors, alphas),
  };
}

function weightChoice(options: ExportOptions, hasEma: boolean, noEma: string): WeightChoice {
  const weights: WeightChoice = options.weights ?? (hasEma ? "ema" : "raw");
  if (weights !== "ema" && weights !== "raw") throw new ExportError(`weights must be ema or raw (got ${JSON.stringify(weights)})`);
  if (weights === "ema" && !hasEma) throw new ExportError(`weights ema: ${noEma}; use raw`);
  return weights;
}

// each layer's tensors for inference, in layout order: SN and equalised lr folded into the kernel, sn_u / sn_v dropped
function netTensors(net: string, layers: LayerSpec[], layout: NetLayout, params: Float32Array, state: Float32Array): ExportTensor[] {
  const tensors: ExportTensor[] = [];
  for (const L of layout.layers) {
    const find = (name: string) => L.tensors.find((t) => t.name === name);
    const spec_l = layers[L.index];
    for (const t of L.tensors) {
      if (t.name === "sn_u" || t.name === "sn_v") continue;
      let data: Float32Array<ArrayBufferLike> = Float32Array.from(tensorView(t.block === "params" ? params : state, t));
      if (t.name === "kernel" && spec_l.spectralNorm) data = foldSpectralNorm(data, tensorView(state, find("sn_u")!), tensorView(state, find("sn_v")!));
      if (t.name === "kernel" && spec_l.equalizedLr) data = foldEqualizedLr(data, equalizedScale(spec_l, L.input));
      tensors.push({ key: tensorKey(net, t), layer: L.index, name: t.name as ExportTensorName, shape: t.shape, data });
    }
  }
  return tensors;
}

function checkAlphas(net: string, layers: LayerSpec[], alphas: Record<string | number, number>): Record<string | number, number> {
  for (const [key, a] of Object.entries(alphas)) {
    const i = layers.findIndex((l, k) => l.name === key || String(k) === key);
    if (i < 0 || layers[i].type !== "blend") throw new ExportError(`alphas.${key}: the generator ${net} has no blend layer named or numbered ${key}`);
    if (typeof a !== "number" || !(a >= 0 && a <= 1)) throw new ExportError(`alphas.${key}: α must be a number from 0 to 1 (got ${JSON.stringify(a)})`);
  }
  return alphas;
}

function lookups(net: string, layers: LayerSpec[], tensors: ExportTensor[], alphas: Record<string | number, number>): Pick<GeneratorNet, "alpha" | "tensor"> {
  return {
    alpha: (i) => alphas[layers[i].name ?? ""] ?? alphas[i] ?? layers[i].alpha ?? 0,
    tensor(i, name) {
      const t = tensors.find((x) => x.layer === i && x.name === name);
      if (!t) throw new Error(`internal: layer ${i} of ${net} holds no ${name}`);
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
