// The named form of a spec (src/model/nets.ts): `nets: {<name>: layers}`, `objective: {type: "gan",
// generator, discriminator}`, an optimiser per net. The shorthand (generator / discriminator
// arrays) normalises to it; every refusal is one SpecError line naming the field.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { validateSpec, SpecError, preset, presets, roleNet } from "../../src/index.ts";
import { specDifference } from "../../src/io/checkpoint.ts";
import { modelLayout } from "../../src/model/layout.ts";
import { namedForm } from "../util/named_spec.ts";

function refuses(spec: unknown, field: string, words: RegExp) {
  try {
    validateSpec(spec);
  } catch (e) {
    assert.instance(e, SpecError);
    const m = (e as Error).message;
    assert.ok(m.startsWith(field + ":"), `message "${m}" should start with "${field}:"`);
    assert.ok(!m.includes("\n"), `one line: "${m}"`);
    assert.match(m, words);
    return;
  }
  assert.unreachable(`spec with ${field} broken was accepted`);
}
const named = (edit: (s: any) => void = () => {}) => { const s: any = namedForm(preset("ring8")); edit(s); return s; };

// packed [2·pack] (ring8; grid25 is unpacked since its R1 recipe), label-joined [2 + 8] and [28, 28, 1 + 10], Stacked MNIST's three channels
const dInput: Record<string, number[]> = { ring8: [2], grid25: [2], "mlp-ring8": [2], "mlp-grid25": [2], "dcgan-mnist": [28, 28, 1], "cgan-mnist": [28, 28, 11], "cond-ring8": [10], "dcgan-stacked-mnist": [28, 28, 3] };

test("the shorthand normalises to the named form: nets generator and discriminator, optimizer by net name", () => {
  for (const name of Object.keys(presets)) {
    const p = preset(name), n = validateSpec(p);
    assert.equal(Object.keys(n.nets), ["generator", "discriminator"], `${name}: nets`);
    assert.equal(n.objective, { type: "gan", generator: "generator", discriminator: "discriminator" }, `${name}: objective`);
    assert.equal(Object.keys(n.optimizer), ["generator", "discriminator"], `${name}: optimizer keys`);
    assert.ok(!("generator" in n) && !("discriminator" in n), `${name}: no shorthand arrays in the normalised spec`);
    assert.equal(validateSpec(n), n, `${name}: the normalised spec is a fixed point`);
    assert.equal(roleNet(n, "generator").layers, n.nets.generator);
    assert.equal(roleNet(n, "discriminator").input, dInput[name], `${name}: the discriminator's input`);
  }
  // preset("dcgan-mnist") validates to the same normalised spec as its named form with the same net names
  assert.equal(validateSpec(preset("dcgan-mnist")), validateSpec(namedForm(preset("dcgan-mnist"), "generator", "discriminator")));
  const d = specDifference(validateSpec({ ...preset("dcgan-mnist"), batchSize: 256 }), validateSpec({ ...preset("dcgan-mnist"), batchSize: 128 }));
  assert.is(d, "spec.batchSize is 256 in the checkpoint, 128 here");
});

test("the named form: nets by name, roles from the objective, in the spec's net order", () => {
  const s = namedForm(preset("cond-ring8"), "Gen_1", "critic", true);
  const n = validateSpec(s);
  assert.equal(Object.keys(n.nets), ["critic", "Gen_1"], "the spec's order");
  assert.equal(Object.keys(n.optimizer), ["critic", "Gen_1"]);
  assert.equal(n.objective, { type: "gan", generator: "Gen_1", discriminator: "critic" });
  const g = roleNet(n, "generator"), d = roleNet(n, "discriminator");
  assert.equal([g.name, g.input], ["Gen_1", [2 + 8]]);
  assert.equal([d.name, d.input], ["critic", [2 + 8]]);
  assert.equal(g.layers, validateSpec(preset("cond-ring8")).nets.generator, "the same layers as the shorthand's");
  // the layout lays out every net by name
  const l = modelLayout(n), l0 = modelLayout(validateSpec(preset("cond-ring8")));
  assert.equal(Object.keys(l), ["critic", "Gen_1"]);
  assert.equal(l.Gen_1, l0.generator);
  assert.equal(l.critic, l0.discriminator);
});

test("errors in the named form name spec.nets.<name>; the shorthand's keep naming spec.generator", () => {
  refuses(named((s) => (s.nets.G[2].units = -3)), "spec.nets.G[2].units", /integer from 1/);
  refuses({ ...preset("ring8"), generator: preset("ring8").generator.map((l, i) => (i === 2 ? { ...l, units: -3 } : l)) }, "spec.generator[2].units", /integer from 1/);
  refuses(named((s) => (s.nets.D[0].type = "conv9d")), "spec.nets.D[0].type", /must be one of/);
  refuses(named((s) => (s.nets.G.at(-1).units = 3)), "spec.nets.G", /ends with 3 values per sample, but spec.dataShape \[2\] holds 2/);
  refuses(named((s) => (s.nets.D.at(-1).units = 2)), "spec.nets.D", /must end with one logit per sample/);
  refuses(named((s) => { s.nets.D.push({ type: "relu" }); }), "spec.nets.D[7]", /the discriminator's last layer must be dense/);
  refuses(named((s) => (s.nets.G = [])), "spec.nets.G", /non-empty array/);
  refuses(named((s) => { s.loss = "wasserstein"; s.gradientPenalty = true; s.nets.D.splice(1, 0, { type: "batch_norm" }); }), "spec.nets.D[1]", /batch_norm is not allowed in a critic/);
  refuses(named((s) => (s.optimizer.G.lr = NaN)), "spec.optimizer.G.lr", /number in \(0, 10\]/);
});

test("refusals of the new fields: one line naming the field", () => {
  // mixing both forms
  refuses({ ...preset("ring8"), nets: named().nets, objective: named().objective }, "spec.generator", /the nets are given twice: use spec.generator and spec.discriminator .* or spec.nets with spec.objective, not both/);
  refuses(named((s) => (s.discriminator = preset("ring8").discriminator)), "spec.discriminator", /given twice/);
  // nets
  refuses(named((s) => (s.nets = [])), "spec.nets", /must be an object of named nets, e.g. \{"G": \[layers\], "D": \[layers\]\} \(got an array\)/);
  refuses(named((s) => (s.nets = {})), "spec.nets", /must be an object of named nets/);
  refuses(named((s) => delete s.nets), "spec.nets", /got nothing/);
  refuses(named((s) => { s.nets["two words"] = s.nets.G; delete s.nets.G; }), `spec.nets["two words"]`, /a letter then up to 31 letters, digits or "_" \(got "two words"\)/);
  refuses(named((s) => { s.nets["1G"] = s.nets.G; }), `spec.nets["1G"]`, /a letter then/);
  refuses(named((s) => { s.nets["G".padEnd(33, "x")] = s.nets.G; }), `spec.nets["${"G".padEnd(33, "x")}"]`, /up to 31/);
  refuses(named((s) => { s.nets.train = s.nets.G; }), "spec.nets.train", /"train" is reserved/);
  refuses(named((s) => { s.nets.optimizer = s.nets.G; }), "spec.nets.optimizer", /"optimizer" is reserved/);
  // the objective
  refuses(named((s) => delete s.objective), "spec.objective", /must be an object like \{"type": "gan", "generator": "G", "discriminator": "D"\} \(got nothing\)/);
  refuses(named((s) => (s.objective.type = "cycle")), "spec.objective.type", /must be one of "gan" \(got "cycle"\)/);
  refuses(named((s) => (s.objective.generator = "H")), "spec.objective.generator", /must name a net of spec.nets \("G", "D"\) \(got "H"\)/);
  refuses(named((s) => delete s.objective.discriminator), "spec.objective.discriminator", /must name a net of spec.nets .* \(got nothing\)/);
  refuses(named((s) => (s.objective.discriminator = "G")), "spec.objective.discriminator", /must name another net than spec.objective.generator \(both are "G"\)/);
  refuses(named((s) => (s.objective.extra = 1)), "spec.objective.extra", /unknown field \(allowed: type, generator, discriminator\)/);
  refuses(named((s) => { s.nets.E = s.nets.D; s.optimizer.E = s.optimizer.D; }), "spec.nets.E", /no role of spec.objective uses this net \(generator "G", discriminator "D"\)/);
  // optimisers by net name
  refuses(named((s) => (s.optimizer.H = s.optimizer.G)), "spec.optimizer.H", /an optimizer for no net: spec.nets has "G", "D"/);
  refuses(named((s) => delete s.optimizer.D), "spec.optimizer.D", /missing: every net needs an optimizer/);
  refuses(named((s) => (s.optimizer = { generator: s.optimizer.G, discriminator: s.optimizer.D })), "spec.optimizer.generator", /an optimizer for no net/);
  refuses(named((s) => delete s.optimizer), "spec.optimizer", /keyed by net name, \{"G": \{\.\.\.\}, "D": \{\.\.\.\}\}/);
  // the shorthand's optimiser errors are as before
  refuses({ ...preset("ring8"), optimizer: { ...preset("ring8").optimizer, G: preset("ring8").optimizer.generator } }, "spec.optimizer.G", /unknown field \(allowed: generator, discriminator\)/);
  refuses({ ...preset("ring8"), optimizer: undefined }, "spec.optimizer", /must be an object \{"generator": \{\.\.\.\}, "discriminator": \{\.\.\.\}\} \(got nothing\)/);
});

test.run();
