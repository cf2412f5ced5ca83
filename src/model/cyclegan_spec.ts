// The CycleGAN spec (Zhu et al. 2017; the training step: assembly/train/cycle.ts): four named
// nets in the roles of the objective
//   {"type": "cyclegan", "generator": "G", "inverse": "F", "discriminatorA": "DA", "discriminatorB": "DB"}
// G: A -> B and F: B -> A map images of spec.dataShape to images of it; D_A judges domain A
// (real a against F(b)), D_B domain B (real b against G(a)), each ending with a PatchGAN's map of
// logits [h, w, 1] (a conv2d of 1 filter last) or one logit per image (a dense of 1 unit).
// validateCycleSpec() refuses anything else with the field named (`spec.nets.G[2].units: ...`)
// and fills the official defaults: λ = 10, identity 0.5 (a multiple of λ: λ = 0 turns both off),
// a pool of 50 images per D, Adam 2e-4 (0.5, 0.999), init "dcgan" (the official init_type
// "normal": N(0, 0.02), biases 0), learning rates held for the first half of lrSchedule.steps and
// linear to 0 over the second half.
import { validateLayers, validateOptimizer, type LayerSpec, type OptimizerSpec } from "./spec.ts";
import { INIT_CODES, type InitName } from "./ops.ts";
import { NET_NAME } from "./nets.ts";
import { SpecError, isObject, show, noUnknownKeys, positiveInt, finite, oneOf } from "./spec_check.ts";

export interface CycleObjective { type: "cyclegan"; generator: string; inverse: string; discriminatorA: string; discriminatorB: string }
export const CYCLE_ROLES = ["generator", "inverse", "discriminatorA", "discriminatorB"] as const;
export type CycleRole = (typeof CYCLE_ROLES)[number];

export interface CycleSpec {
  name: string;
  dataShape: number[];   // one image of either domain, [h, w, c]
  batchSize: number;
  lambda: number;        // cycle consistency weight (official 10)
  identity: number;      // identity loss weight as a multiple of lambda (official 0.5)
  poolSize: number;      // fakes kept per D (official 50; 0: none)
  init: InitName;
  // learning rates: constant, or held until `start` and linear to 0 at `steps`
  lrSchedule: { type: "constant" } | { type: "linear"; start: number; steps: number };
  nets: Record<string, LayerSpec[]>;
  objective: CycleObjective;
  optimizer: Record<string, OptimizerSpec>;
}

export const CYCLE_ADAM: OptimizerSpec = { type: "adam", lr: 2e-4, beta1: 0.5, beta2: 0.999, eps: 1e-8 };

export const isCycleSpec = (v: unknown): boolean => isObject(v) && isObject(v.objective) && v.objective.type === "cyclegan";

export function validateCycleSpec(input: unknown): CycleSpec {
  if (!isObject(input)) throw new SpecError("spec", `must be an object (got ${show(input)})`);
  const s = input;
  noUnknownKeys(s, ["name", "dataShape", "nets", "objective", "batchSize", "lambda", "identity", "poolSize", "init", "lrSchedule", "optimizer"], "spec");
  if (s.name !== undefined && typeof s.name !== "string") throw new SpecError("spec.name", `must be a string (got ${show(s.name)})`);
  if (!Array.isArray(s.dataShape) || s.dataShape.length !== 3) {
    throw new SpecError("spec.dataShape", `must be an image shape [h, w, c], e.g. [28, 28, 1] (got ${s.dataShape === undefined ? "nothing" : show(s.dataShape)})`);
  }
  const dataShape = s.dataShape.map((d, i) => positiveInt(d, `spec.dataShape[${i}]`, 4096));
  const o = s.objective;
  if (!isObject(o)) throw new SpecError("spec.objective", `must be an object like {"type": "cyclegan", "generator": "G", "inverse": "F", "discriminatorA": "DA", "discriminatorB": "DB"}`);
  oneOf(o.type, ["cyclegan"] as const, "spec.objective.type");
  noUnknownKeys(o, ["type", ...CYCLE_ROLES], "spec.objective");
  const nets = s.nets;
  if (!isObject(nets)) throw new SpecError("spec.nets", `must be an object of four named nets, e.g. {"G": [layers], "F": [layers], "DA": [layers], "DB": [layers]} (got ${nets === undefined ? "nothing" : show(nets)})`);
  const names = Object.keys(nets);
  for (const name of names) {
    if (!NET_NAME.test(name)) throw new SpecError(`spec.nets[${JSON.stringify(name)}]`, `a net's name must be a letter then up to 31 letters, digits or "_" (got ${JSON.stringify(name)})`);
    if (name === "optimizer" || name === "train") throw new SpecError(`spec.nets.${name}`, `the name ${JSON.stringify(name)} is reserved (checkpoints keep optimiser and training state under it)`);
  }
  const roles = {} as Record<CycleRole, string>;
  for (const r of CYCLE_ROLES) {
    const n = o[r];
    if (typeof n !== "string" || !names.includes(n)) throw new SpecError(`spec.objective.${r}`, `must name a net of spec.nets (${names.map((x) => JSON.stringify(x)).join(", ")}) (got ${n === undefined ? "nothing" : show(n)})`);
    const twice = CYCLE_ROLES.find((q) => q !== r && roles[q] === n);
    if (twice) throw new SpecError(`spec.objective.${r}`, `names ${JSON.stringify(n)}, which spec.objective.${twice} names already: each role needs its own net`);
    roles[r] = n;
  }
  for (const name of names) if (!Object.values(roles).includes(name)) throw new SpecError(`spec.nets.${name}`, `no role of spec.objective uses this net; remove it or give it a role`);
  const objective: CycleObjective = { type: "cyclegan", ...roles };
  const image = dataShape.join(", ");
  const layers: Record<string, LayerSpec[]> = {};
  for (const r of ["generator", "inverse"] as const) {
    const name = roles[r], path = `spec.nets.${name}`;
    const v = validateLayers(nets[name], path, dataShape);
    if (v.output.join() !== dataShape.join()) throw new SpecError(path, `a CycleGAN ${r === "generator" ? "generator" : "inverse generator"} maps images [${image}] to images of the same shape; it ends with [${v.output.join(", ")}]`);
    layers[name] = v.layers;
  }
  for (const r of ["discriminatorA", "discriminatorB"] as const) {
    const name = roles[r], path = `spec.nets.${name}`;
    const v = validateLayers(nets[name], path, dataShape);
    const last = v.layers.at(-1)!;
    const patch = v.output.length === 3 && v.output[2] === 1 && last.type === "conv2d" && last.filters === 1;
    const single = v.output.length === 1 && v.output[0] === 1 && last.type === "dense";
    if (!patch && !single) throw new SpecError(path, `a discriminator ends with a map of logits [h, w, 1] (a PatchGAN: a conv2d of 1 filter last) or one logit (a dense of 1 unit); it ends with ${last.type} [${v.output.join(", ")}]`);
    const bad = v.layers.findIndex((l) => l.type === "minibatch_std");
    if (bad >= 0) throw new SpecError(`${path}[${bad}]`, `minibatch_std is not supported in a CycleGAN discriminator (its batches mix pooled fakes of earlier steps)`);
    layers[name] = v.layers;
  }
  for (const r of ["generator", "inverse"] as const) {
    const k = layers[roles[r]].findIndex((l) => l.type === "minibatch_std");
    if (k >= 0) throw new SpecError(`spec.nets.${roles[r]}[${k}]`, `minibatch_std belongs in a discriminator`);
  }
  const batchSize = positiveInt(s.batchSize ?? 1, "spec.batchSize", 1024);
  const lambda = finite(s.lambda, "spec.lambda", 0, 1000, 10);
  const identity = finite(s.identity, "spec.identity", 0, 100, 0.5);
  const poolSize = s.poolSize === undefined ? 50 : s.poolSize === 0 ? 0 : positiveInt(s.poolSize, "spec.poolSize", 10000);
  const init = s.init === undefined ? "dcgan" : oneOf(s.init, Object.keys(INIT_CODES) as InitName[], "spec.init");
  const lrSchedule = validateCycleSchedule(s.lrSchedule);
  const opt = s.optimizer ?? {};
  if (!isObject(opt)) throw new SpecError("spec.optimizer", `must be an object keyed by net name (default: Adam 2e-4, betas 0.5/0.999 for each)`);
  for (const key of Object.keys(opt)) if (!names.includes(key)) throw new SpecError(`spec.optimizer.${key}`, `an optimizer for no net: spec.nets has ${names.map((x) => JSON.stringify(x)).join(", ")}`);
  const optimizer = Object.fromEntries(CYCLE_ROLES.map((r) => [roles[r], opt[roles[r]] === undefined ? { ...CYCLE_ADAM } : validateOptimizer(opt[roles[r]], `spec.optimizer.${roles[r]}`)]));
  const ordered = Object.fromEntries(CYCLE_ROLES.map((r) => [roles[r], layers[roles[r]]]));
  return { name: s.name ?? "cyclegan", dataShape, batchSize, lambda, identity, poolSize, init, lrSchedule, nets: ordered, objective, optimizer };
}

function validateCycleSchedule(v: unknown): CycleSpec["lrSchedule"] {
  const path = "spec.lrSchedule";
  if (v === undefined) return { type: "constant" };
  if (!isObject(v)) throw new SpecError(path, `must be an object like {"type": "linear", "steps": 10000} (held for the first half, then linear to 0) (got ${show(v)})`);
  const type = oneOf(v.type, ["constant", "linear"] as const, `${path}.type`);
  if (type === "constant") { noUnknownKeys(v, ["type"], path); return { type }; }
  noUnknownKeys(v, ["type", "steps", "start"], path);
  const steps = positiveInt(v.steps, `${path}.steps`, 1 << 30);
  const start = v.start === undefined ? Math.floor(steps / 2) : v.start === 0 ? 0 : positiveInt(v.start, `${path}.start`, 1 << 30);
  if (start >= steps) throw new SpecError(`${path}.start`, `the decay must start before it ends at step ${steps} (got ${start})`);
  return { type, start, steps };
}
