// The checks both engines make of what callers hand them (data sets, labels, train arguments,
// weights, states, seeds), written once so that both refuse the same things with the same
// one-line errors. Each throws a RangeError (a TypeError for data that is not a Float32Array)
// naming the argument or field.
import type { NormalisedSpec } from "../model/spec.ts";
import { netRole } from "../model/nets.ts";
import { checkData, sampleSize, type Dataset } from "../data/dataset.ts";
import { STAT_COUNT } from "../model/stats.ts";
import type { GanState, ParamCounts, StepStats, TrainOptions } from "./engine.ts";

export function checkSeed(seed: number): number {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RangeError(`seed must be an integer in [0, 2^32) (got ${seed})`);
  return seed;
}

// The data set's samples, when its sample shape is the spec's (a bare Float32Array is taken as
// samples of the spec's shape; checkData checks its length and values).
export function dataSamples(spec: NormalisedSpec, data: Dataset | Float32Array): Float32Array {
  if (!(data instanceof Float32Array) && data.shape.join() !== spec.dataShape.join()) {
    throw new RangeError(`data set ${data.name} has samples of shape [${data.shape.join(", ")}], the spec expects [${spec.dataShape.join(", ")}]`);
  }
  return data instanceof Float32Array ? data : data.x;
}

// Conditional models: the data set's labels, which it must carry (not yet checked: checkLabels).
export function dataLabels(spec: NormalisedSpec, data: Dataset | Float32Array): ArrayLike<number> {
  const K = spec.numClasses!;
  const labels = data instanceof Float32Array ? undefined : data.labels;
  if (!labels) {
    throw new RangeError(`this model is conditional (spec.numClasses ${K}): its data set must carry labels (Dataset.labels, one class per sample)${data instanceof Float32Array ? ", not a bare Float32Array of samples" : `; data set ${data.name} has none`}`);
  }
  return labels;
}

// One label per sample of x, each a class of the model. Returns the sample count.
export function checkLabels(spec: NormalisedSpec, data: Dataset | Float32Array, labels: ArrayLike<number>, x: Float32Array): number {
  const K = spec.numClasses!;
  const count = x.length / sampleSize(spec.dataShape);
  if (labels.length !== count) throw new RangeError(`data set ${(data as Dataset).name}: ${labels.length} labels for ${count} samples`);
  for (let i = 0; i < count; i++) {
    const y = labels[i];
    if (!Number.isInteger(y) || y < 0 || y >= K) throw new RangeError(`data set ${(data as Dataset).name}: label ${i} is ${y}, outside the model's classes 0..${K - 1} (spec.numClasses ${K})`);
  }
  return count;
}

// The sample count of x (length and values checked)
export function checkSamples(spec: NormalisedSpec, x: Float32Array): number {
  return checkData(x, spec.dataShape);
}

export function checkTrainOptions(options: TrainOptions): { steps: number; every: number } {
  const { steps } = options;
  const every = options.every ?? 1;
  if (!Number.isInteger(steps) || steps < 0) throw new RangeError(`steps must be a non-negative integer (got ${steps})`);
  if (!Number.isInteger(every) || every < 1) throw new RangeError(`every must be a positive integer (got ${every})`);
  return { steps, every };
}

// Ends a run whose losses are no longer finite
export function checkFinite(s: StepStats): StepStats {
  if (!Number.isFinite(s.dLoss) || !Number.isFinite(s.gLoss)) {
    throw new Error(`training diverged at step ${s.step}: D loss ${s.dLoss}, G loss ${s.gLoss}`);
  }
  return s;
}

// z holds whole latents; returns their count
export function checkLatents(z: Float32Array, latentDim: number): number {
  if (z.length % latentDim !== 0) throw new RangeError(`latent batch length ${z.length} is not a multiple of latentDim ${latentDim}`);
  return z.length / latentDim;
}

export function checkSampleCount(n: number): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`sample count must be a non-negative integer (got ${n})`);
}

export function checkDecay(decay: number): void {
  if (!(decay > 0 && decay < 1)) throw new RangeError(`average decay must be in (0, 1) (got ${decay})`);
}

// One net's weights for setWeights: its parameter count, finite values
export function checkWeights(name: string, v: Float32Array, count: number): void {
  if (v.length !== count) throw new RangeError(`${name} weights: expected ${count} floats, got ${v.length}`);
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) throw new RangeError(`${name} weights: value ${i} is ${v[i]}`);
}

// What a GanState must hold for loadState into nets of these sizes: every array its net's size
// with finite values, counts in [0, 2^31), an rng state not all zero, a whole statistics block;
// the generator average only when the engine keeps one (`average`: it is ignored otherwise).
export function checkState(s: GanState, sizes: ParamCounts, stateSizes: ParamCounts, average: boolean): void {
  const count = (v: number, what: string) => {
    if (!Number.isInteger(v) || v < 0 || v > 0x7fffffff) throw new RangeError(`state ${what}: must be an integer from 0 to 2^31 - 1 (got ${v})`);
  };
  const arr = (v: Float32Array | undefined, n: number, what: string) => {
    if (!(v instanceof Float32Array) || v.length !== n) throw new RangeError(`state ${what}: expected ${n} floats, got ${v instanceof Float32Array ? v.length : typeof v}`);
    for (let i = 0; i < n; i++) if (!Number.isFinite(v[i])) throw new RangeError(`state ${what}: value ${i} is ${v[i]}`);
  };
  for (const name of ["generator", "discriminator"] as const) {
    const n = s[name], P = sizes[name];
    if (!n) throw new RangeError(`state ${name}: missing`);
    arr(n.params, P, `${name}.params`);
    arr(n.opt1, P, `${name}.opt1`);
    arr(n.opt2, P, `${name}.opt2`);
    arr(n.state, stateSizes[name], `${name}.state`);
    count(n.updates, `${name}.updates`);
  }
  count(s.step, "step");
  if (!(s.rng instanceof Uint32Array) || s.rng.length !== 4 || s.rng.every((x) => x === 0)) throw new RangeError("state rng: expected 4 words, not all zero");
  if (!(s.stats instanceof Float32Array) || s.stats.length !== STAT_COUNT) throw new RangeError(`state stats: expected ${STAT_COUNT} floats`);
  if (average && s.generator.average) arr(s.generator.average, sizes.generator, "generator.average");
}

// setBlendAlpha(net, layer, alpha): the role whose net holds the blend and the blend's index in
// that net's layers. `layer` is the layer's name or its index in spec.nets[net].
export function blendTarget(spec: NormalisedSpec, net: string, layer: string | number, alpha: number): { role: "generator" | "discriminator"; index: number } {
  const nets = Object.keys(spec.nets);
  if (typeof net !== "string" || !nets.includes(net)) throw new RangeError(`setBlendAlpha: no net ${JSON.stringify(net)} in this model (nets: ${nets.join(", ")})`);
  const role = netRole(spec, net), layers = spec.nets[net];
  const index = typeof layer === "number" ? layer : layers.findIndex((l) => l.name === layer);
  if (typeof layer === "number" ? !(Number.isInteger(layer) && layer >= 0 && layer < layers.length) : index < 0) {
    const blends = layers.flatMap((l, i) => (l.type === "blend" ? [l.name !== undefined ? `${JSON.stringify(l.name)} (${i})` : String(i)] : []));
    throw new RangeError(`setBlendAlpha: net ${net} has no layer ${JSON.stringify(layer)} (its blend layers: ${blends.length ? blends.join(", ") : "none"})`);
  }
  if (layers[index].type !== "blend") throw new RangeError(`setBlendAlpha: layer ${JSON.stringify(layer)} of net ${net} is a ${layers[index].type}, not a blend`);
  if (typeof alpha !== "number" || !(alpha >= 0 && alpha <= 1)) throw new RangeError(`setBlendAlpha: alpha must be a number in [0, 1] (got ${alpha})`);
  return { role, index };
}
