// The model spec: plain JSON that both engines build from. validateSpec() refuses anything
// malformed with an error naming the field (`spec.generator[2].units: ...`, `spec.nets.G[2].units:
// ...`), fills defaults, and returns a normalised copy: the named form (src/model/nets.ts), nets by
// name, the objective's roles, one optimiser per net.
import { LAYER_TYPES, LOSS_CODES, PROBABILISTIC_LOSSES, OPTIMIZER_CODES, INIT_CODES, type InitName, type LayerType, type LossName, type OptimizerType } from "./ops.ts";
import { layerShapes, ShapeError } from "./shapes.ts";
import { isNode } from "./graph.ts";
import { SpecError, isObject, show, noUnknownKeys, positiveInt, finite, oneOf } from "./spec_check.ts";
import { readNetsForm, readOptimizers, generatorInputShape, discriminatorInputShape, type GanObjective } from "./nets.ts";
import { specFootprint } from "./footprint.ts";
import { DEFAULT_LIMITS, showBytes } from "../io/limits.ts";
import { validateEqualizedLr } from "./equalized_lr.ts";
import { validateClip, validateGradientPenalty, validateR1, validateR1Every, validateDrift, checkMinibatchStd } from "./penalties.ts";

export { SpecError } from "./spec_check.ts";
export { generatorInputShape, discriminatorInputShape, roleNet, netRole, GAN_ROLES, type Role, type RoleNet, type GanObjective, type Objective } from "./nets.ts";

export interface LayerSpec {
  type: LayerType;
  // the layer graph (src/model/graph.ts): a name other layers' inputs can use, and the layers
  // this one reads ("input": the net's input; default: the previous layer)
  name?: string;
  inputs?: string[];
  units?: number;    // dense
  alpha?: number;    // leaky_relu slope for x < 0 (default 0.2); blend: α of α·a + (1 − α)·b (default 0)
  filters?: number;  // conv2d, conv2d_transpose: output channels
  kernelSize?: number | [number, number]; // conv: [kh, kw] (a number means square); normalised to a pair
  strides?: number | [number, number];    // conv: default 1; normalised to a pair
  padding?: "same" | "valid";             // conv: default "same" (tfjs rules)
  eps?: number;      // batch_norm, instance_norm (default 1e-5); pixel_norm (default 1e-8, PGGAN's)
  momentum?: number; // batch_norm running-statistics rate (default 0.1, PyTorch's convention)
  targetShape?: number[]; // reshape: the new per-sample shape, e.g. [7, 7, 128]
  // dense, conv2d, conv2d_transpose: spectral normalisation of the weight (Miyato et al. 2018;
  // assembly/nn/spectral_norm.ts). Normalised: present (true) only when on
  spectralNorm?: boolean;
  groupSize?: number; // minibatch_std: samples per group (default 4, PGGAN's)
  // dense, conv2d, conv2d_transpose: equalised learning rate (Karras et al. 2018; src/model/equalized_lr.ts):
  // true (gain √2) or the gain; normalised: present (the gain) only when on
  equalizedLr?: number | boolean;
  // instance_norm (eps default 1e-5): affine adds a learned scale and shift per channel (default
  // false, as CycleGAN's InstanceNorm2d). Normalised: affine present (true) only when on
  affine?: boolean;
  // reflection_pad: rows and columns mirrored on each side, [ph, pw] (a number means both);
  // each below its side of the input
  pad?: number | [number, number];
}

export interface OptimizerSpec {
  type: OptimizerType;
  lr: number;
  beta1?: number;    // adam (default 0.5, the GAN convention)
  beta2?: number;    // adam (default 0.999)
  eps?: number;      // adam 1e-8, rmsprop 1e-8
  momentum?: number; // sgd (default 0)
  alpha?: number;    // rmsprop smoothing (default 0.99)
}

// The fields of the GAN objective and the run, in either form of the spec
export interface GanFields {
  name?: string;
  latentDim: number;
  dataShape: number[];     // one sample's shape, e.g. [2] or [28, 28, 1] (NHWC)
  // "minimax" | "non-saturating" (BCE on the logit) | "wasserstein" (the logit is the critic value)
  // | "hinge" | "least-squares" (LSGAN a = 0, b = 1, c = 1); see assembly/kernels/losses.ts
  loss: LossName;
  batchSize: number;
  dSteps?: number;         // discriminator updates per generator update (default 1; WGAN: 5)
  labelSmoothing?: number; // one-sided: real label 1 - labelSmoothing (default 0); BCE losses only
  // WGAN weight clipping ("wasserstein" only): after every critic update its parameters are
  // clipped to [-clip, clip]; true means the WGAN paper's 0.01. Default: no clipping. (The paper
  // pairs it with dSteps 5 and rmsprop lr 5e-5.)
  clip?: number | boolean;
  // WGAN-GP (Gulrajani et al. 2017; "wasserstein" only, not with clip): each critic update adds
  // λ·mean_i(‖∇D(x̂_i)‖₂ − 1)² at x̂ = ε·x + (1 − ε)·G(z), ε ~ U[0, 1) per sample; the number is λ,
  // true means the paper's 10. Default: off. The critic must not hold batch_norm (the penalty is
  // per sample; the paper drops batch norm from the critic). (The paper pairs it with dSteps 5 and
  // adam lr 1e-4, betas 0.5/0.9 or 0/0.9.)
  gradientPenalty?: number | boolean;
  // R1 (Mescheder et al. 2018; "minimax" and "non-saturating" only): each D update adds
  // (γ/2)·mean_i ‖∇ₓD(x_i)‖₂² at the real batch; the number is γ, true means 10. Default: off.
  // No batch_norm in D, no conditional models (as the gradient penalty).
  r1?: number | boolean;
  // lazy R1 (StyleGAN2, Karras et al. 2020, §3.1): only every r1Every-th D update takes R1, with
  // weight γ·r1Every (default 1: every update). Needs spec.r1.
  r1Every?: number;
  // PGGAN's drift term (Karras et al. 2018; "wasserstein" only): ε_drift·mean D(x)² on the real
  // batch is added to the critic's loss; the number is ε_drift, true means the paper's 0.001.
  drift?: number | boolean;
  // the generator's exponential moving average (Yazıcı et al. 2019; PGGAN's Gs, Karras et al.
  // 2018), kept from creation and used by default for sampling, evaluation and export: the number
  // is the decay β (each G update: avg ← β·avg + (1 − β)·θ), true means 0.999. Default: off
  // (sample(n, {average: false}) still draws from the live weights).
  average?: number | boolean;
  pack?: number;           // PacGAN: D judges `pack` samples at once (default 1; batchSize % pack == 0)
  lrSchedule?: LrSchedule; // default constant
  init?: InitName;         // weight initialisation: "pytorch" (default) or "dcgan"
  // conditional GAN (cGAN, Mirza & Osindero 2014) on class labels 0..numClasses-1 (2 to 1024):
  // G's input is [latentDim + numClasses] (z, then the one-hot label); D's input gets the one-hot
  // joined: flat [X] -> [X + numClasses], images [h, w, c] -> [h, w, c + numClasses] (the one-hot
  // as extra channels at every pixel). The data set must carry labels; pack must be 1.
  numClasses?: number;
}

// The shorthand: nets named generator and discriminator, in those roles
export interface ShorthandSpec extends GanFields {
  generator: LayerSpec[];     // z: [n, latentDim] -> [n, prod(dataShape)]
  discriminator: LayerSpec[]; // x: [n, prod(dataShape)] -> one logit per sample, or a PatchGAN's map [h, w, 1]
  optimizer: { generator: OptimizerSpec; discriminator: OptimizerSpec };
}

// The named form: nets by name (identifiers), the objective's roles, an optimiser per net
export interface NamedSpec extends GanFields {
  nets: Record<string, LayerSpec[]>;
  objective: GanObjective;
  optimizer: Record<string, OptimizerSpec>;
}

export type GanSpec = ShorthandSpec | NamedSpec;

// "linear": both learning rates fall linearly to 0 over `steps` training steps and stay there
export type LrSchedule = { type: "constant" } | { type: "linear"; steps: number };

// The named form with every default filled in (nets and optimizer in the spec's net order).
// clip stays optional: present (a number in (0, 10]) only when clipping is on
// numClasses likewise: present only for a conditional model
// gradientPenalty likewise: present (λ) only when the penalty is on
// r1, drift and average likewise: present only when on; r1Every only when above 1
export type NormalisedSpec = Required<Omit<GanFields, "name" | "clip" | "numClasses" | "gradientPenalty" | "r1" | "r1Every" | "drift" | "average">> & {
  name: string; clip?: number; numClasses?: number; gradientPenalty?: number; r1?: number; r1Every?: number; drift?: number; average?: number;
  nets: Record<string, LayerSpec[]>;
  objective: GanObjective;
  optimizer: Record<string, OptimizerSpec>;
};

export { WGAN_CLIP_DEFAULT, WGAN_GP_DEFAULT, R1_DEFAULT, DRIFT_DEFAULT } from "./penalties.ts";
export const AVERAGE_DEFAULT = 0.999;

// the moving average's decay, or 0 for none
function validateAverage(v: unknown): number {
  if (v === undefined || v === false) return 0;
  if (v === true) return AVERAGE_DEFAULT;
  if (typeof v !== "number" || !(v > 0 && v < 1)) {
    throw new SpecError("spec.average", `must be a decay in (0, 1), e.g. 0.999, or true (${AVERAGE_DEFAULT}) to sample from the generator's moving average (got ${show(v)})`);
  }
  return v;
}

function pair(v: unknown, path: string, fallback?: number): [number, number] {
  if (v === undefined && fallback !== undefined) return [fallback, fallback];
  if (typeof v === "number") return [positiveInt(v, path, 64), positiveInt(v, path, 64)];
  if (Array.isArray(v) && v.length === 2) return [positiveInt(v[0], `${path}[0]`, 64), positiveInt(v[1], `${path}[1]`, 64)];
  throw new SpecError(path, `must be an integer from 1 to 64 or a pair [h, w] of them (got ${v === undefined ? "nothing" : show(v)})`);
}

// the graph fields every layer may carry, checked for type here (names are resolved with the shapes)
function graphFields(layer: Record<string, unknown>, p: string): Pick<LayerSpec, "name" | "inputs"> {
  const out: Pick<LayerSpec, "name" | "inputs"> = {};
  if (layer.name !== undefined) {
    if (typeof layer.name !== "string") throw new SpecError(`${p}.name`, `must be a string (got ${show(layer.name)})`);
    out.name = layer.name;
  }
  if (layer.inputs !== undefined) {
    const v = layer.inputs;
    if (!Array.isArray(v) || v.length === 0) throw new SpecError(`${p}.inputs`, `must be a non-empty array of layer names ("input" for the net's input), e.g. ["input", "block1"] (got ${show(v)})`);
    v.forEach((name, k) => { if (typeof name !== "string") throw new SpecError(`${p}.inputs[${k}]`, `must be a layer name (a string) (got ${show(name)})`); });
    out.inputs = [...v] as string[];
  }
  return out;
}

function validateLayer(layer: unknown, p: string): LayerSpec {
  if (!isObject(layer)) throw new SpecError(p, `must be an object like {"type": "dense", "units": 128} (got ${show(layer)})`);
  const type = oneOf(layer.type, LAYER_TYPES, `${p}.type`);
  const graph = graphFields(layer, p);
  const keys = (...own: string[]) => {
    const allowed = ["type", ...own];
    for (const key of Object.keys(layer)) {
      if (!allowed.includes(key) && key !== "name" && key !== "inputs" && key !== "spectralNorm" && key !== "equalizedLr") throw new SpecError(`${p}.${key}`, `unknown field (allowed: ${allowed.join(", ")}), or the graph fields name, inputs`);
    }
  };
  return { ...layerFields(layer, type, p, keys), ...spectralNorm(layer, type, p), ...validateEqualizedLr(layer, type, p), ...graph };
}

// the layers whose weight spectral normalisation can divide by its largest singular value
export const SPECTRAL_NORM_LAYERS: readonly LayerType[] = ["dense", "conv2d", "conv2d_transpose"];

function spectralNorm(layer: Record<string, unknown>, type: LayerType, p: string): Pick<LayerSpec, "spectralNorm"> {
  const v = layer.spectralNorm;
  if (v === undefined) return {};
  if (typeof v !== "boolean") throw new SpecError(`${p}.spectralNorm`, `must be true or false (got ${show(v)})`);
  if (!SPECTRAL_NORM_LAYERS.includes(type)) {
    throw new SpecError(`${p}.spectralNorm`, `spectral normalisation applies to ${SPECTRAL_NORM_LAYERS.join(", ")} layers only, not ${type}`);
  }
  return v ? { spectralNorm: true } : {};
}

function layerFields(layer: Record<string, unknown>, type: LayerType, p: string, keys: (...own: string[]) => void): LayerSpec {
  if (isNode(type)) {
    if (type !== "blend") {
      keys();
      return { type };
    }
    keys("alpha");
    return { type, alpha: finite(layer.alpha, `${p}.alpha`, 0, 1, 0) };
  }
  switch (type) {
    case "dense":
      keys("units");
      return { type, units: positiveInt(layer.units, `${p}.units`, 1 << 16) };
    case "leaky_relu":
      keys("alpha");
      return { type, alpha: finite(layer.alpha, `${p}.alpha`, 0, 1, 0.2) };
    case "conv2d":
    case "conv2d_transpose":
      keys("filters", "kernelSize", "strides", "padding");
      return {
        type, filters: positiveInt(layer.filters, `${p}.filters`, 4096),
        kernelSize: pair(layer.kernelSize, `${p}.kernelSize`), strides: pair(layer.strides, `${p}.strides`, 1),
        padding: layer.padding === undefined ? "same" : oneOf(layer.padding, ["same", "valid"] as const, `${p}.padding`),
      };
    case "batch_norm":
      keys("eps", "momentum");
      return { type, eps: finite(layer.eps, `${p}.eps`, 0, 1, 1e-5, true), momentum: finite(layer.momentum, `${p}.momentum`, 0, 1, 0.1) };
    case "pixel_norm":
      keys("eps");
      return { type, eps: finite(layer.eps, `${p}.eps`, 0, 1, 1e-8, true) };
    case "instance_norm": {
      keys("eps", "affine");
      if (layer.affine !== undefined && typeof layer.affine !== "boolean") throw new SpecError(`${p}.affine`, `must be true or false (got ${show(layer.affine)})`);
      return { type, eps: finite(layer.eps, `${p}.eps`, 0, 1, 1e-5, true), ...(layer.affine === true ? { affine: true } : {}) };
    }
    case "reflection_pad": {
      keys("pad");
      const v = layer.pad, path = `${p}.pad`;
      const one = (d: unknown, at: string) => {
        if (typeof d !== "number" || !Number.isInteger(d) || d < 0 || d > 64) throw new SpecError(at, `must be an integer from 0 to 64 (got ${d === undefined ? "nothing" : show(d)})`);
        return d;
      };
      if (typeof v === "number") return { type, pad: [one(v, path), one(v, path)] };
      if (Array.isArray(v) && v.length === 2) return { type, pad: [one(v[0], `${path}[0]`), one(v[1], `${path}[1]`)] };
      throw new SpecError(path, `must be an integer from 0 to 64 or a pair [ph, pw] of them, the rows and columns mirrored on each side (got ${v === undefined ? "nothing" : show(v)})`);
    }
    case "minibatch_std":
      keys("groupSize");
      return { type, groupSize: layer.groupSize === undefined ? 4 : positiveInt(layer.groupSize, `${p}.groupSize`, 1024) };
    case "reshape": {
      keys("targetShape");
      const t = layer.targetShape;
      if (!Array.isArray(t) || t.length === 0 || t.length > 3) throw new SpecError(`${p}.targetShape`, `must be an array of 1 to 3 positive integers, e.g. [7, 7, 128] (got ${t === undefined ? "nothing" : show(t)})`);
      return { type, targetShape: t.map((d, i) => positiveInt(d, `${p}.targetShape[${i}]`, 1 << 24)) };
    }
    default:
      keys();
      return { type };
  }
}

// validates each layer, then the shapes through the stack from `input`; returns the layers and
// the output shape
export function validateLayers(v: unknown, path: string, input: number[]): { layers: LayerSpec[]; output: number[] } {
  if (!Array.isArray(v) || v.length === 0) throw new SpecError(path, "must be a non-empty array of layers");
  const layers = v.map((layer, i) => validateLayer(layer, `${path}[${i}]`));
  try {
    const shapes = layerShapes(layers, input);
    return { layers, output: shapes.at(-1)! };
  } catch (e) {
    if (e instanceof ShapeError) throw new SpecError(`${path}[${e.index}]${e.field ? `.${e.field}` : ""}`, e.message);
    throw e;
  }
}

// a PatchGAN's output: a map [h, w, 1] from a conv2d of 1 filter
function isPatchMap(layers: LayerSpec[], output: number[]): boolean {
  const last = layers.at(-1)!;
  return output.length === 3 && output[2] === 1 && last.type === "conv2d" && last.filters === 1;
}

export function validateOptimizer(v: unknown, path: string): OptimizerSpec {
  if (!isObject(v)) throw new SpecError(path, `must be an object like {"type": "adam", "lr": 0.0002} (got ${v === undefined ? "nothing" : show(v)})`);
  const type = oneOf(v.type, Object.keys(OPTIMIZER_CODES) as OptimizerType[], `${path}.type`);
  const lr = finite(v.lr, `${path}.lr`, 0, 10, undefined, true);
  if (type === "adam") {
    noUnknownKeys(v, ["type", "lr", "beta1", "beta2", "eps"], path);
    return {
      type, lr,
      beta1: finite(v.beta1, `${path}.beta1`, 0, 0.9999999, 0.5),
      beta2: finite(v.beta2, `${path}.beta2`, 0, 0.9999999, 0.999),
      eps: finite(v.eps, `${path}.eps`, 0, 1, 1e-8, true),
    };
  }
  if (type === "sgd") {
    noUnknownKeys(v, ["type", "lr", "momentum"], path);
    return { type, lr, momentum: finite(v.momentum, `${path}.momentum`, 0, 0.9999999, 0) };
  }
  noUnknownKeys(v, ["type", "lr", "alpha", "eps"], path);
  return { type, lr, alpha: finite(v.alpha, `${path}.alpha`, 0, 0.9999999, 0.99), eps: finite(v.eps, `${path}.eps`, 0, 1, 1e-8, true) };
}

function validateSchedule(v: unknown, path: string): LrSchedule {
  if (v === undefined) return { type: "constant" };
  if (!isObject(v)) throw new SpecError(path, `must be an object like {"type": "linear", "steps": 10000} (got ${show(v)})`);
  const type = oneOf(v.type, ["constant", "linear"] as const, `${path}.type`);
  if (type === "constant") {
    noUnknownKeys(v, ["type"], path);
    return { type };
  }
  noUnknownKeys(v, ["type", "steps"], path);
  return { type, steps: positiveInt(v.steps, `${path}.steps`, 1 << 30) };
}

export interface ValidateOptions {
  // the most f32 bytes the nets may need (src/model/footprint.ts: parameters with their gradients
  // and optimiser state, one batch of activations); default 1 GiB (src/io/limits.ts maxTensorBytes)
  maxBytes?: number;
}

export function validateSpec(input: unknown, options: ValidateOptions = {}): NormalisedSpec {
  const spec = validateFields(input);
  const maxBytes = options.maxBytes ?? DEFAULT_LIMITS.maxTensorBytes;
  const size = specFootprint(spec);
  if (size.bytes > maxBytes) {
    const big = size.nets.reduce((a, b) => (b.bytes > a.bytes ? b : a));
    throw new SpecError(`spec.nets.${big.net}`, `too large: the nets need at least ${showBytes(size.bytes)} (${big.net}: ${big.params} parameters, ${big.activations} activation values per batch), above the limit of ${showBytes(maxBytes)} (option maxBytes / maxTensorBytes)`);
  }
  return spec;
}

function validateFields(input: unknown): NormalisedSpec {
  if (!isObject(input)) throw new SpecError("spec", `must be an object (got ${show(input)})`);
  const s = input;
  noUnknownKeys(s, ["name", "latentDim", "dataShape", "generator", "discriminator", "nets", "objective", "loss", "batchSize", "dSteps", "labelSmoothing", "clip", "gradientPenalty", "r1", "r1Every", "drift", "average", "pack", "lrSchedule", "init", "optimizer", "numClasses"], "spec");
  if (s.name !== undefined && typeof s.name !== "string") throw new SpecError("spec.name", `must be a string (got ${show(s.name)})`);
  const latentDim = positiveInt(s.latentDim, "spec.latentDim", 1 << 16);
  if (!Array.isArray(s.dataShape) || s.dataShape.length === 0 || s.dataShape.length > 3) {
    throw new SpecError("spec.dataShape", `must be an array of 1 to 3 positive integers, e.g. [2] or [28, 28, 1] (got ${show(s.dataShape)})`);
  }
  const dataShape = s.dataShape.map((d, i) => positiveInt(d, `spec.dataShape[${i}]`, 1 << 16));
  const dataSize = dataShape.reduce((a, b) => a * b, 1);
  const numClasses = s.numClasses === undefined ? undefined : s.numClasses;
  if (numClasses !== undefined && (typeof numClasses !== "number" || !Number.isInteger(numClasses) || numClasses < 2 || numClasses > 1024)) {
    throw new SpecError("spec.numClasses", `must be an integer from 2 to 1024, the number of class labels of a conditional model (got ${show(numClasses)})`);
  }
  // the nets, in either form; each net's errors name its field (spec.generator, spec.nets.G)
  const form = readNetsForm(s);
  const { objective } = form, raw = new Map(form.nets);
  const gPath = form.path(objective.generator), dPath = form.path(objective.discriminator);
  const g = validateLayers(raw.get(objective.generator), gPath, generatorInputShape({ latentDim, numClasses }));
  const generator = g.layers;
  const gOut = g.output.reduce((a, b) => a * b, 1);
  if (gOut !== dataSize) {
    throw new SpecError(gPath, `ends with ${gOut} values per sample, but spec.dataShape [${dataShape.join(", ")}] holds ${dataSize}`);
  }
  if (g.output.length > 1 && g.output.join() !== dataShape.join()) {
    throw new SpecError(gPath, `ends with images of shape [${g.output.join(", ")}], but spec.dataShape is [${dataShape.join(", ")}]`);
  }
  const pack = s.pack === undefined ? 1 : positiveInt(s.pack, "spec.pack", 64);
  if (pack > 1 && dataShape.length > 1) {
    throw new SpecError("spec.pack", `packing is supported for flat samples (dataShape [n]) only; dataShape is [${dataShape.join(", ")}]`);
  }
  if (pack > 1 && numClasses !== undefined) {
    throw new SpecError("spec.pack", `packing is not supported for conditional models (spec.numClasses ${numClasses}) yet; use pack 1 (got ${pack})`);
  }
  // a packed discriminator sees `pack` flat samples concatenated; a conditional one the sample
  // with the one-hot label joined
  const dInput = discriminatorInputShape({ dataShape, pack, numClasses });
  const d = validateLayers(raw.get(objective.discriminator), dPath, dInput);
  const discriminator = d.layers;
  // one logit per sample (a dense layer of 1 unit), or a PatchGAN's map of logits [h', w', 1]
  // (a conv2d of 1 filter last: each logit judges one patch; the losses average over the map)
  const dOut = d.output.reduce((a, b) => a * b, 1);
  const patchGAN = isPatchMap(discriminator, d.output);
  if (!patchGAN) {
    if (dOut !== 1) throw new SpecError(dPath, `must end with one logit per sample (a dense layer of 1 unit) or a map of logits [h, w, 1] (a PatchGAN: a conv2d of 1 filter last); it ends with ${dOut} values of shape [${d.output.join(", ")}]`);
    if (discriminator.at(-1)!.type !== "dense") {
      throw new SpecError(`${dPath}[${discriminator.length - 1}]`, `the discriminator's last layer must be dense (it outputs a logit; the losses apply the sigmoid themselves) or, for a PatchGAN's map of logits, a conv2d of 1 filter; not ${discriminator.at(-1)!.type}`);
    }
  }
  const loss = oneOf(s.loss, Object.keys(LOSS_CODES) as LossName[], "spec.loss");
  const batchSize = positiveInt(s.batchSize, "spec.batchSize", 1 << 16);
  const dSteps = s.dSteps === undefined ? 1 : positiveInt(s.dSteps, "spec.dSteps", 100);
  const labelSmoothing = finite(s.labelSmoothing, "spec.labelSmoothing", 0, 0.5, 0);
  if (labelSmoothing > 0 && !PROBABILISTIC_LOSSES.includes(loss)) {
    throw new SpecError("spec.labelSmoothing", `one-sided label smoothing is defined for the "minimax" and "non-saturating" losses only, not ${JSON.stringify(loss)} (got ${labelSmoothing})`);
  }
  const clip = validateClip(s.clip, loss);
  const gradientPenalty = validateGradientPenalty(s.gradientPenalty, loss, clip, discriminator, dPath, numClasses);
  const r1 = validateR1(s.r1, loss, discriminator, dPath, numClasses);
  if (patchGAN && (gradientPenalty > 0 || r1 > 0)) {
    throw new SpecError(gradientPenalty > 0 ? "spec.gradientPenalty" : "spec.r1", `the input-gradient penalties are defined for a discriminator of one logit per sample; ${dPath} ends with a map of logits [${d.output.join(", ")}] (a PatchGAN): use a dense last layer, or no penalty`);
  }
  const r1Every = validateR1Every(s.r1Every, r1);
  const drift = validateDrift(s.drift, loss);
  const average = validateAverage(s.average);
  if (batchSize % pack !== 0) throw new SpecError("spec.pack", `must divide spec.batchSize ${batchSize} (got ${pack})`);
  checkMinibatchStd(generator, gPath, discriminator, dPath, batchSize / pack);
  const lrSchedule = validateSchedule(s.lrSchedule, "spec.lrSchedule");
  const init = s.init === undefined ? "pytorch" : oneOf(s.init, Object.keys(INIT_CODES) as InitName[], "spec.init");
  const optimizer = readOptimizers(s.optimizer, form, validateOptimizer);
  const nets = Object.fromEntries(form.nets.map(([n]) => [n, n === objective.generator ? generator : discriminator]));
  return { name: s.name ?? "custom", latentDim, dataShape, nets, objective, loss, batchSize, dSteps, labelSmoothing, ...(clip > 0 ? { clip } : {}), ...(gradientPenalty > 0 ? { gradientPenalty } : {}), ...(r1 > 0 ? { r1 } : {}), ...(r1Every > 1 ? { r1Every } : {}), ...(drift > 0 ? { drift } : {}), ...(average > 0 ? { average } : {}), pack, lrSchedule, init, optimizer, ...(numClasses !== undefined ? { numClasses } : {}) };
}
