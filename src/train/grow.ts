// Carrying a GAN's training state from one phase of progressive growing to the next
// (src/model/progressive.ts): the new phase's nets are built fresh from the seed (new layers get
// their initial weights there), then every tensor whose name (`<net>.<layer>.<tensor>`,
// src/model/layout.ts; layers are matched by their spec name, so every layer holding a tensor
// must have one) exists in both phases is copied over exactly, with the same shape:
//   parameters, and the generator's moving average (EMA) of them; a new layer's average starts
//   at its initial weights (the official code's Gs is a copy of G from the start and G's unused
//   layers never move, so a layer's average is its initial value when it joins);
//   non-trained state (none in the PGGAN nets: batch norm's, spectral normalisation's) likewise;
//   the training stream's RNG, the step count and the last statistics: the run goes on.
// The optimiser state: the official training loop resets Adam's moments and its step count
// (bias correction) whenever the level of detail starts or ends a transition (train.py,
// reset_opt_for_new_lod = True: G_opt / D_opt.reset_optimizer_state() when floor(lod) or
// ceil(lod) changes), i.e. at every phase boundary; `carryOptimizer: false` (the default) does
// the same: zero moments and update count. `carryOptimizer: true` copies the moments of carried
// tensors by name and keeps the update count instead.
import type { GanState, NetTrainState } from "../engine/engine.ts";
import { modelLayout, tensorKey, type NetLayout, type TensorSlot } from "../model/layout.ts";
import { GAN_ROLES, roleNet, type NormalisedSpec } from "../model/spec.ts";

export interface CarryOptions { carryOptimizer?: boolean }

export interface CarryReport {
  carried: string[]; // tensor keys copied from the old phase, in the new layout's order
  fresh: string[];   // tensor keys of the new phase's own (initial values)
  dropped: string[]; // tensor keys of the old phase that the new one does not hold
}

// `to`: the new phase's own state (saveState of the freshly built GAN, averageGenerator on when
// the run keeps one); returns the merged state and what was carried
export function carryState(fromSpec: NormalisedSpec, from: GanState, toSpec: NormalisedSpec, to: GanState, o: CarryOptions = {}): { state: GanState; report: CarryReport } {
  const report: CarryReport = { carried: [], fresh: [], dropped: [] };
  const oldLayouts = modelLayout(fromSpec), newLayouts = modelLayout(toSpec);
  const out: GanState = { step: from.step, rng: from.rng.slice(), stats: from.stats.slice(), generator: copyNet(to.generator), discriminator: copyNet(to.discriminator) };
  for (const role of GAN_ROLES) {
    const oldName = roleNet(fromSpec, role).name, newName = roleNet(toSpec, role).name;
    const src = from[role], dst = out[role];
    const oldSlots = slotsByName(oldName, oldLayouts[oldName]);
    const seen = new Set<string>();
    for (const t of [...newLayouts[newName].params, ...newLayouts[newName].state]) {
      const key = tensorKey(newName, t), old = oldSlots.get(localName(newName, t));
      if (!old) { report.fresh.push(key); continue; }
      if (old.block !== t.block || old.shape.join() !== t.shape.join()) {
        throw new Error(`progressive growing: ${key} is [${old.shape.join(", ")}] in the old phase and [${t.shape.join(", ")}] in the new one`);
      }
      seen.add(localName(oldName, old));
      report.carried.push(key);
      const copy = (a: Float32Array, b: Float32Array) => b.set(a.subarray(old.offset, old.offset + old.size), t.offset);
      if (t.block === "state") { copy(src.state, dst.state); continue; }
      copy(src.params, dst.params);
      if (dst.average && src.average) copy(src.average, dst.average);
      if (o.carryOptimizer) { copy(src.opt1, dst.opt1); copy(src.opt2, dst.opt2); }
    }
    for (const [local, t] of oldSlots) if (!seen.has(local)) report.dropped.push(tensorKey(oldName, t));
    if (o.carryOptimizer) dst.updates = src.updates;
    else { dst.opt1.fill(0); dst.opt2.fill(0); dst.updates = 0; }
  }
  return { state: out, report };
}

// a tensor's name within its net, `<layer name>.<tensor>`; a layer must be named to carry
// anything (an index means another layer in another phase)
function localName(net: string, t: TensorSlot): string {
  if (t.layerName === undefined) throw new Error(`progressive growing carries tensors by layer name, but layer ${t.layer} of ${net} (${t.name}) has none: name every layer that holds parameters or state`);
  return `${t.layerName}.${t.name}`;
}

function slotsByName(net: string, layout: NetLayout): Map<string, TensorSlot> {
  return new Map([...layout.params, ...layout.state].map((t) => [localName(net, t), t]));
}

function copyNet(n: NetTrainState): NetTrainState {
  return { params: n.params.slice(), opt1: n.opt1.slice(), opt2: n.opt2.slice(), updates: n.updates, state: n.state.slice(), ...(n.average ? { average: n.average.slice() } : {}) };
}
