// The model's named nets and the objective that gives each its role. A spec names its nets
// (`nets: {G: [layers], D: [layers]}`) and says which plays which role (`objective: {type: "gan",
// generator: "G", discriminator: "D"}`); the older shorthand `generator: [...], discriminator:
// [...]` means nets named generator and discriminator in those roles. The normalised spec is
// always the named form; roleNet() is how engines, the layout and checkpoints find a role's net.
import { SpecError, isObject, show, oneOf, noUnknownKeys } from "./spec_check.ts";
import type { LayerSpec, NormalisedSpec, OptimizerSpec } from "./spec.ts";

export type Role = "generator" | "discriminator";
export const GAN_ROLES: readonly Role[] = ["generator", "discriminator"];
// the GAN objective: the loss and its fields (spec.loss, dSteps, labelSmoothing, clip,
// gradientPenalty, pack, numClasses) stay at the spec's top level and belong to it
export interface GanObjective { type: "gan"; generator: string; discriminator: string }
export type Objective = GanObjective;

// net names: identifiers, so that `<net>.<layer>.<tensor>` checkpoint names stay unambiguous
export const NET_NAME = /^[A-Za-z][A-Za-z0-9_]{0,31}$/;
// checkpoints keep their optimiser and training state under these prefixes
const RESERVED_NET_NAMES = ["optimizer", "train"];

// The nets as validateSpec reads them, in either form: the raw layer arrays by net name (in the
// spec's order), the objective, and the field a net's errors name (`spec.generator` in the
// shorthand, `spec.nets.G` in the named form).
export interface NetsForm {
  shorthand: boolean;
  nets: [string, unknown][];
  objective: GanObjective;
  path(net: string): string;
}

const list = (names: string[]) => names.map((n) => JSON.stringify(n)).join(", ");

export function readNetsForm(s: Record<string, unknown>): NetsForm {
  const named = s.nets !== undefined || s.objective !== undefined;
  if (!named) {
    return {
      shorthand: true, nets: [["generator", s.generator], ["discriminator", s.discriminator]],
      objective: { type: "gan", generator: "generator", discriminator: "discriminator" },
      path: (net) => `spec.${net}`,
    };
  }
  for (const k of ["generator", "discriminator"]) {
    if (s[k] !== undefined) throw new SpecError(`spec.${k}`, `the nets are given twice: use spec.generator and spec.discriminator (the GAN shorthand) or spec.nets with spec.objective, not both`);
  }
  const v = s.nets;
  if (!isObject(v) || Object.keys(v).length === 0) {
    throw new SpecError("spec.nets", `must be an object of named nets, e.g. {"G": [layers], "D": [layers]} (got ${v === undefined ? "nothing" : show(v)})`);
  }
  const names = Object.keys(v);
  for (const name of names) {
    if (!NET_NAME.test(name)) throw new SpecError(`spec.nets[${JSON.stringify(name)}]`, `a net's name must be a letter then up to 31 letters, digits or "_" (got ${JSON.stringify(name)})`);
    if (RESERVED_NET_NAMES.includes(name)) throw new SpecError(`spec.nets.${name}`, `the name ${JSON.stringify(name)} is reserved (checkpoints keep optimiser state under "optimizer." and training state under "train."); call the net something else`);
  }
  const o = s.objective;
  if (!isObject(o)) throw new SpecError("spec.objective", `must be an object like {"type": "gan", "generator": "G", "discriminator": "D"} (got ${o === undefined ? "nothing" : show(o)})`);
  oneOf(o.type, ["gan"] as const, "spec.objective.type");
  noUnknownKeys(o, ["type", "generator", "discriminator"], "spec.objective");
  const role = (r: "generator" | "discriminator"): string => {
    const n = o[r];
    if (typeof n !== "string" || !names.includes(n)) throw new SpecError(`spec.objective.${r}`, `must name a net of spec.nets (${list(names)}) (got ${n === undefined ? "nothing" : show(n)})`);
    return n;
  };
  const generator = role("generator"), discriminator = role("discriminator");
  if (generator === discriminator) throw new SpecError("spec.objective.discriminator", `must name another net than spec.objective.generator (both are ${JSON.stringify(generator)})`);
  for (const name of names) {
    if (name !== generator && name !== discriminator) throw new SpecError(`spec.nets.${name}`, `no role of spec.objective uses this net (generator ${JSON.stringify(generator)}, discriminator ${JSON.stringify(discriminator)}); remove it or give it a role`);
  }
  return { shorthand: false, nets: names.map((n) => [n, v[n]]), objective: { type: "gan", generator, discriminator }, path: (net) => `spec.nets.${net}` };
}

// One optimiser per net, keyed by net name (the shorthand's {generator, discriminator} is that
// for its nets), in the nets' order.
export function readOptimizers(v: unknown, form: NetsForm, validate: (v: unknown, path: string) => OptimizerSpec): Record<string, OptimizerSpec> {
  const names = form.nets.map(([n]) => n);
  if (!isObject(v)) {
    const example = form.shorthand ? `{"generator": {...}, "discriminator": {...}}` : `keyed by net name, {${names.map((n) => `"${n}": {...}`).join(", ")}}`;
    throw new SpecError("spec.optimizer", `must be an object ${example} (got ${v === undefined ? "nothing" : show(v)})`);
  }
  if (form.shorthand) noUnknownKeys(v, names, "spec.optimizer");
  for (const key of Object.keys(v)) {
    if (!names.includes(key)) throw new SpecError(`spec.optimizer.${key}`, `an optimizer for no net: spec.nets has ${list(names)}`);
  }
  const out: Record<string, OptimizerSpec> = {};
  for (const name of names) {
    if (v[name] === undefined && !form.shorthand) throw new SpecError(`spec.optimizer.${name}`, `missing: every net needs an optimizer, e.g. {"type": "adam", "lr": 0.0002}`);
    out[name] = validate(v[name], `spec.optimizer.${name}`);
  }
  return out;
}

// The per-sample input shapes of the two roles: the latent vector (joined with the one-hot label
// when conditional) and the discriminator's view of a sample (packed, or label-joined)
export function generatorInputShape(spec: Pick<NormalisedSpec, "latentDim" | "numClasses">): number[] {
  return [spec.latentDim + (spec.numClasses ?? 0)];
}
export function discriminatorInputShape(spec: Pick<NormalisedSpec, "dataShape" | "pack" | "numClasses">): number[] {
  const { dataShape, pack } = spec, K = spec.numClasses ?? 0;
  const size = dataShape.reduce((a, b) => a * b, 1);
  if (pack > 1) return [size * pack];
  if (K === 0) return dataShape;
  // flat [X] -> [X + K]; otherwise the one-hot is K more channels on the last axis
  return [...dataShape.slice(0, -1), dataShape.at(-1)! + K];
}

export interface RoleNet {
  name: string;        // the net's name in spec.nets
  layers: LayerSpec[];
  input: number[];     // one sample's shape in
}

// The net that plays `role`, its layers and the input the role gives it.
export function roleNet(spec: NormalisedSpec, role: Role): RoleNet {
  const name = spec.objective[role];
  const input = role === "generator" ? generatorInputShape(spec) : discriminatorInputShape(spec);
  return { name, layers: spec.nets[name], input };
}

// The role a net plays (every net of a normalised spec plays exactly one).
export function netRole(spec: NormalisedSpec, net: string): Role {
  const role = GAN_ROLES.find((r) => spec.objective[r] === net);
  if (!role) throw new RangeError(`no net ${JSON.stringify(net)} in the spec (nets: ${list(Object.keys(spec.nets))})`);
  return role;
}
