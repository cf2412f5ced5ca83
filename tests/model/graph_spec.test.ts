// The layer graph fields of a spec (src/model/graph.ts): `name`, `inputs` and the add, concat and
// blend nodes. Every refusal names the field (SpecError, `spec.discriminator[3].inputs[1]: ...`).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { validateSpec, SpecError, preset } from "../../src/index.ts";
import { layerShapes } from "../../src/model/shapes.ts";
import type { LayerSpec } from "../../src/model/spec.ts";

// the mlp nets with D judging packed pairs (pack 2: D's input [4]), ring8's recipe before the
// remedies study; the checks below name that input shape
const packed = () => ({ ...preset("mlp-ring8"), pack: 2 });
// a residual block on a hidden layer, then the logit
const residualD = (): any[] => [
  { type: "dense", units: 16, name: "h" }, { type: "relu" }, { type: "dense", units: 16, name: "f" },
  { type: "add", inputs: ["h", "f"], name: "sum" }, { type: "relu" }, { type: "dense", units: 1 },
];

function refuses(discriminator: any[], field: string, words: RegExp, over: Record<string, unknown> = {}) {
  const s: any = { ...structuredClone(packed()), discriminator, ...over };
  try {
    validateSpec(s);
  } catch (e) {
    assert.instance(e, SpecError);
    const m = (e as Error).message;
    assert.ok(m.startsWith(field + ":"), `message "${m}" should start with "${field}:"`);
    assert.match(m, words);
    return;
  }
  assert.unreachable(`a spec with ${field} broken was accepted`);
}
const edit = (f: (d: any[]) => void) => { const d = residualD(); f(d); return d; };

test("a residual discriminator validates; name and inputs are kept, blend's alpha defaults to 0", () => {
  const n = validateSpec({ ...packed(), discriminator: residualD() });
  assert.equal(n.nets.discriminator[3], { type: "add", name: "sum", inputs: ["h", "f"] });
  assert.equal(n.nets.discriminator[0], { type: "dense", units: 16, name: "h" });
  assert.not.ok("inputs" in n.nets.discriminator[1], "no inputs field where none was given");
  assert.equal(validateSpec(n), n, "a normalised graph spec validates to itself");
  const b = validateSpec({ ...packed(), discriminator: edit((d) => { d[3] = { type: "blend", inputs: ["h", "f"] }; }) });
  assert.is(b.nets.discriminator[3].alpha, 0);
});

test("unknown, duplicate and forward references name the field", () => {
  refuses(edit((d) => { d[3].inputs = ["h", "nope"]; }), "spec.discriminator[3].inputs[1]", /unknown layer name "nope" \(names before this layer: "input", "h", "f"\)/);
  refuses(edit((d) => { d[2].name = "h"; }), "spec.discriminator[2].name", /duplicate name "h" \(layer 0 has it\)/);
  refuses(edit((d) => { d[1].inputs = ["sum"]; }), "spec.discriminator[1].inputs[0]", /"sum" is layer 3, after this one: inputs must name earlier layers/);
  refuses(edit((d) => { d[3].inputs = ["h", "sum"]; }), "spec.discriminator[3].inputs[1]", /"sum" is layer 3, this layer itself/);
  refuses(edit((d) => { d[0].name = "input"; }), "spec.discriminator[0].name", /"input" names the net's input/);
  refuses(edit((d) => { d[0].name = "two words"; }), "spec.discriminator[0].name", /letters, digits/);
  refuses(edit((d) => { d[0].name = 7; }), "spec.discriminator[0].name", /must be a string \(got 7\)/);
  refuses(edit((d) => { d[3].inputs = "h"; }), "spec.discriminator[3].inputs", /non-empty array of layer names/);
  refuses(edit((d) => { d[3].inputs = []; }), "spec.discriminator[3].inputs", /non-empty array of layer names/);
  refuses(edit((d) => { d[3].inputs = ["h", 3]; }), "spec.discriminator[3].inputs[1]", /must be a layer name/);
});

test("input counts, shapes of add / blend / concat, unread layers, node fields", () => {
  refuses(edit((d) => { d[3].inputs = ["f"]; }), "spec.discriminator[3].inputs", /add takes at least 2 inputs \(got 1\)/);
  refuses(edit((d) => { delete d[3].inputs; }), "spec.discriminator[3].inputs", /add takes at least 2 inputs \(got 1: the previous layer, by default\)/);
  refuses(edit((d) => { d[3] = { type: "concat", inputs: ["h", "f", "input"] }; }), "spec.discriminator[3].inputs", /concat takes exactly 2 inputs \(got 3\)/);
  refuses(edit((d) => { d[3] = { type: "blend", inputs: ["f"] }; }), "spec.discriminator[3].inputs", /blend takes exactly 2 inputs \(got 1\)/);
  refuses(edit((d) => { d[5].inputs = ["sum", "h"]; }), "spec.discriminator[5].inputs", /dense takes exactly 1 input \(got 2\)/);
  refuses(edit((d) => { d[3].inputs = ["input", "f"]; }), "spec.discriminator[3].inputs", /add needs inputs of one shape; got \[4\] \(input\), \[16\] \(layer 2\)/);
  refuses(edit((d) => { d[3] = { type: "blend", inputs: ["f", "input"], alpha: 0.5 }; }), "spec.discriminator[3].inputs", /blend needs inputs of one shape; got \[16\] \(layer 2\), \[4\] \(input\)/);
  refuses(edit((d) => { d[3].alpha = 0.5; }), "spec.discriminator[3].alpha", /unknown field \(allowed: type\), or the graph fields name, inputs/);
  refuses(edit((d) => { d[3] = { type: "blend", inputs: ["h", "f"], alpha: 1.5 }; }), "spec.discriminator[3].alpha", /must be a number in \[0, 1\]/);
  // f (layer 2) is read by no one when the add reads h twice
  refuses(edit((d) => { d[3].inputs = ["h", "h"]; }), "spec.discriminator[2]", /its output is never read: only the last layer may be left unread/);
  // flat concat joins the rows: [16] + [4] -> [20]
  const n = validateSpec({ ...packed(), discriminator: edit((d) => { d[3] = { type: "concat", inputs: ["f", "input"] }; }) });
  assert.equal(layerShapes(n.nets.discriminator, [4])[3], [20]);
});

test("conv graphs: concat needs one height and width; shape errors still name the layer", () => {
  const conv = (filters: number, extra: object = {}) => ({ type: "conv2d", filters, kernelSize: 3, strides: 1, padding: "same", ...extra });
  const base = (): any[] => [
    conv(4, { name: "a" }), { type: "leaky_relu" }, conv(4, { name: "b", strides: 2 }), { type: "concat", inputs: ["a", "b"] },
    { type: "flatten" }, { type: "dense", units: 1 },
  ];
  const refusesConv = (d: any[], field: string, words: RegExp) => refuses(d, field, words, { dataShape: [28, 28, 1], generator: preset("dcgan-mnist").generator, latentDim: 100, pack: 1 });
  refusesConv(base(), "spec.discriminator[3].inputs", /concat joins two images of one height and width on the channels .* got \[28, 28, 4\] \(layer 0\), \[14, 14, 4\] \(layer 2\)/);
  const ok = base();
  ok[2] = conv(4, { name: "b" });
  const n = validateSpec({ ...preset("dcgan-mnist"), discriminator: ok });
  assert.equal(layerShapes(n.nets.discriminator, [28, 28, 1])[3], [28, 28, 8], "channels joined");
  const wrong = base();
  wrong[2] = conv(4, { name: "b" });
  wrong.splice(4, 1); // dense on an image
  refusesConv(wrong, "spec.discriminator[4]", /dense needs flat features, but its input is \[28, 28, 8\]/);
});

test("layerShapes follows the graph through reshape (the engine maps references through it)", () => {
  const layers: LayerSpec[] = [
    { type: "reshape", targetShape: [2, 2, 1], name: "img" }, { type: "conv2d", filters: 3, kernelSize: [1, 1], strides: [1, 1], padding: "same" },
    { type: "concat", inputs: ["img", "input"] },
  ];
  assert.throws(() => layerShapes(layers, [4]), /its output is never read/, "the conv is read by no one");
  layers[2].inputs = ["conv", "input"];
  assert.throws(() => layerShapes(layers, [4]), /unknown layer name "conv"/);
  layers[1].name = "conv";
  assert.throws(() => layerShapes(layers, [4]), /concat joins two images .* got \[2, 2, 3\] \(layer 1\), \[4\] \(input\)/);
  layers[2].inputs = ["img", "conv"];
  assert.equal(layerShapes(layers, [4]), [[2, 2, 1], [2, 2, 3], [2, 2, 4]]);
});

test.run();
