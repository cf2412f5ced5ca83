// Spec validation: every malformed spec is refused with an error naming the field.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { validateSpec, SpecError, preset, presets, createWasmGAN as createGAN } from "../../src/index.ts";
import { LAYER_CODES, LOSS_CODES, OPTIMIZER_CODES, INIT_CODES } from "../../src/model/ops.ts";
import { readFileSync } from "node:fs";

function refuses(mutate: (s: any) => void, field: string, words: RegExp) {
  const s: any = structuredClone(preset("ring8"));
  mutate(s);
  try {
    validateSpec(s);
  } catch (e) {
    assert.instance(e, SpecError);
    assert.ok((e as Error).message.startsWith(field + ":"), `message "${(e as Error).message}" should start with "${field}:"`);
    assert.match((e as Error).message, words);
    return;
  }
  assert.unreachable(`spec with ${field} broken was accepted`);
}

test("the presets validate", () => {
  for (const name of Object.keys(presets)) validateSpec(preset(name));
  assert.throws(() => preset("ring9"), /unknown preset "ring9" \(known: ring8, grid25, mlp-ring8, mlp-grid25, dcgan-mnist, cgan-mnist, cond-ring8, dcgan-stacked-mnist\)/);
});

test("unknown layer type, bad sizes, missing fields, unknown fields", () => {
  refuses((s) => (s.generator[2].type = "conv9d"), "spec.generator[2].type", /must be one of .*"dense"/);
  refuses((s) => (s.generator[0].units = -3), "spec.generator[0].units", /integer from 1/);
  refuses((s) => (s.generator[0].units = 2.5), "spec.generator[0].units", /got 2.5/);
  refuses((s) => delete s.discriminator[0].units, "spec.discriminator[0].units", /got nothing/);
  refuses((s) => delete s.latentDim, "spec.latentDim", /got nothing/);
  refuses((s) => (s.generator = []), "spec.generator", /non-empty array/);
  refuses((s) => (s.generator[1].units = 5), "spec.generator[1].units", /unknown field \(allowed: type\)/);
  refuses((s) => (s.learningRate = 1), "spec.learningRate", /unknown field/);
  refuses((s) => (s.loss = "wasserstein-ish"), "spec.loss", /"minimax", "non-saturating"/);
  refuses((s) => (s.batchSize = 0), "spec.batchSize", /integer from 1/);
  refuses((s) => (s.dataShape = "2"), "spec.dataShape", /array of 1 to 3/);
  refuses((s) => (s.optimizer.generator.lr = NaN), "spec.optimizer.generator.lr", /number in \(0, 10\]/);
  refuses((s) => (s.optimizer.discriminator.type = "adagrad"), "spec.optimizer.discriminator.type", /"adam", "sgd", "rmsprop"/);
  refuses((s) => delete s.optimizer, "spec.optimizer", /must be an object/);
  refuses((s) => (s.labelSmoothing = 0.7), "spec.labelSmoothing", /\[0, 0.5\]/);
  refuses((s) => (s.generator.at(-1).units = 3), "spec.generator", /ends with 3 values per sample, but spec.dataShape \[2\] holds 2/);
  refuses((s) => (s.discriminator.at(-1).units = 2), "spec.discriminator", /one logit/);
  refuses((s) => s.discriminator.push({ type: "sigmoid" }), "spec.discriminator[7]", /last layer must be dense/);
  refuses((s) => (s.pack = 3), "spec.pack", /must divide spec.batchSize 256/);
  refuses((s) => (s.pack = 0), "spec.pack", /integer from 1 to 64/);
  refuses((s) => (s.lrSchedule = { type: "cosine" }), "spec.lrSchedule.type", /"constant", "linear"/);
  refuses((s) => (s.lrSchedule = { type: "linear" }), "spec.lrSchedule.steps", /got nothing/);
  refuses((s) => (s.lrSchedule = { type: "constant", steps: 5 }), "spec.lrSchedule.steps", /unknown field/);
  assert.throws(() => validateSpec(null), /spec: must be an object/);
});

test("objectives: the loss names, weight clipping and label smoothing refusals", () => {
  refuses((s) => (s.loss = "wasserstein-gp"), "spec.loss", /must be one of "minimax", "non-saturating", "wasserstein", "hinge", "least-squares" \(got "wasserstein-gp"\)/);
  refuses((s) => (s.loss = "lsgan"), "spec.loss", /"least-squares"/);
  // clipping is the WGAN critic's constraint only
  refuses((s) => (s.clip = 0.01), "spec.clip", /weight clipping applies to the "wasserstein" loss only, not "non-saturating"/);
  for (const loss of ["minimax", "hinge", "least-squares"]) {
    refuses((s) => { s.loss = loss; s.clip = true; }, "spec.clip", new RegExp(`"wasserstein" loss only, not "${loss}"`));
  }
  for (const bad of [0, -0.01, -1, 10.5, NaN, Infinity, "0.01", null]) {
    refuses((s) => { s.loss = "wasserstein"; s.clip = bad; }, "spec.clip", /must be a number in \(0, 10\] or true \(the WGAN paper's 0.01\)/);
  }
  // one-sided label smoothing is defined for the BCE losses only
  for (const loss of ["wasserstein", "hinge", "least-squares"]) {
    refuses((s) => { s.loss = loss; s.labelSmoothing = 0.1; }, "spec.labelSmoothing", new RegExp(`"minimax" and "non-saturating" losses only, not "${loss}"`));
  }
  // accepted: the WGAN paper's settings are expressible, clip true means 0.01, clip off is absent
  const wgan = (extra: object) => validateSpec({ ...preset("mlp-ring8"), loss: "wasserstein", dSteps: 5,
    optimizer: { generator: { type: "rmsprop", lr: 5e-5 }, discriminator: { type: "rmsprop", lr: 5e-5 } }, ...extra });
  assert.is(wgan({ clip: true }).clip, 0.01);
  assert.is(wgan({ clip: 0.05 }).clip, 0.05);
  assert.is(wgan({ clip: 10 }).clip, 10);
  assert.not.ok("clip" in wgan({}), "no clipping: no clip field");
  assert.not.ok("clip" in wgan({ clip: false }), "clip false: no clip field");
  assert.is(wgan({ labelSmoothing: 0 }).labelSmoothing, 0);
  const n = wgan({ clip: true });
  assert.equal(validateSpec(n), n, "a normalised spec validates to itself");
  for (const loss of ["hinge", "least-squares"]) assert.is(validateSpec({ ...preset("mlp-ring8"), loss }).loss, loss);
});

test("conv stacks: shapes inferred, shape errors name the layer", () => {
  const refusesConv = (mutate: (s: any) => void, field: string, words: RegExp) => {
    const s: any = structuredClone(preset("dcgan-mnist"));
    mutate(s);
    assert.throws(() => validateSpec(s), (e: Error) => e instanceof SpecError && e.message.startsWith(field + ":") && words.test(e.message), `${field} ${words}`);
  };
  const n = validateSpec(preset("dcgan-mnist"));
  assert.equal(n.nets.discriminator[0], { type: "conv2d", filters: 64, kernelSize: [4, 4], strides: [2, 2], padding: "same" });
  assert.equal(n.nets.generator[1], { type: "batch_norm", eps: 1e-5, momentum: 0.1 });
  refusesConv((s) => s.discriminator.splice(4, 1), "spec.discriminator[4]", /dense needs flat features, but its input is \[7, 7, 128\]: add \{"type": "flatten"\}/);
  refusesConv((s) => s.generator.splice(3, 1), "spec.generator[3]", /conv2d_transpose needs an image input \[h, w, c\], but its input is \[6272\]/);
  refusesConv((s) => (s.generator[3].targetShape = [7, 7, 64]), "spec.generator[3]", /cannot reshape \[6272\] \(6272 values\) to \[7, 7, 64\] \(3136 values\)/);
  refusesConv((s) => (s.discriminator[0] = { type: "conv2d", filters: 8, kernelSize: 29, padding: "valid" }), "spec.discriminator[0]", /29x29 'valid' convolution does not fit its 28x28 input/);
  refusesConv((s) => (s.generator[4].strides = 1), "spec.generator", /ends with 196 values per sample, but spec.dataShape \[28, 28, 1\] holds 784/);
  refusesConv((s) => (s.generator[7].filters = 3), "spec.generator", /ends with 2352 values/);
  refusesConv((s) => (s.generator[4].kernelSize = [4, 0]), "spec.generator[4].kernelSize[1]", /integer from 1 to 64/);
  refusesConv((s) => (s.generator[4].padding = "full"), "spec.generator[4].padding", /"same", "valid"/);
  refusesConv((s) => (s.generator[1].momentum = 2), "spec.generator[1].momentum", /\[0, 1\]/);
  refusesConv((s) => (s.generator[3].targetShape = undefined), "spec.generator[3].targetShape", /array of 1 to 3/);
  refusesConv((s) => (s.pack = 2), "spec.pack", /flat samples/);
  refusesConv((s) => (s.init = "xavier"), "spec.init", /"pytorch", "dcgan"/);
});

test("defaults are filled and the input is not modified", () => {
  const s: any = preset("ring8");
  delete s.dSteps;
  const n = validateSpec(s);
  assert.is(n.dSteps, 1);
  assert.is(n.labelSmoothing, 0);
  assert.is(n.optimizer.generator.eps, 1e-8);
  assert.is(s.dSteps, undefined);
});

test("createGAN refuses a bad spec and a bad seed before touching wasm", async () => {
  try { await createGAN({ ...preset("ring8"), batchSize: -1 }); assert.unreachable(); } catch (e) { assert.match((e as Error).message, /spec.batchSize/); }
  try { await createGAN(preset("ring8"), { seed: -1 }); assert.unreachable(); } catch (e) { assert.match((e as Error).message, /seed must be an integer/); }
});

// The numeric codes of src/model/ops.ts mirror the AssemblyScript constants.
test("layer, loss and optimiser codes agree with assembly/", () => {
  const read = (f: string) => readFileSync(new URL(`../../assembly/${f}`, import.meta.url), "utf8");
  const constants = (src: string, prefix: string) => Object.fromEntries(
    [...src.matchAll(new RegExp(`export const ${prefix}_([A-Z0-9_]+): i32 = (\\d+);`, "g"))].map((m) => [m[1].toLowerCase(), Number(m[2])]));
  assert.equal(constants(read("nn/layer.ts"), "LAYER"), LAYER_CODES);
  const losses = constants(read("kernels/losses.ts"), "LOSS");
  for (const [name, code] of Object.entries(LOSS_CODES)) assert.is(losses[name.replace("-", "_")], code, `loss ${name}`);
  assert.equal(constants(read("train/optimizer.ts"), "OPT"), OPTIMIZER_CODES);
  assert.equal(constants(read("nn/layer.ts"), "INIT"), INIT_CODES);
});

test.run();
