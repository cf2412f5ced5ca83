// The spec's checks of CycleGAN's layers (instance_norm, reflection_pad) and of a PatchGAN
// discriminator: each bad field refused with a SpecError naming it, in one line.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { validateSpec } from "../../src/index.ts";
import type { LayerSpec } from "../../src/model/spec.ts";
import { refuses } from "../util/spec_refusal.ts";
import { validateCycleSpec, SpecError } from "../../src/index.ts";
import { cyclePreset } from "../../src/model/cyclegan_preset.ts";

const G: LayerSpec[] = [{ type: "dense", units: 36 }, { type: "reshape", targetShape: [6, 6, 1] }, { type: "tanh" }];
const patchD: LayerSpec[] = [{ type: "conv2d", filters: 2, kernelSize: 3, strides: 2 }, { type: "leaky_relu" }, { type: "conv2d", filters: 1, kernelSize: 3 }];
const spec = (over: Record<string, unknown> = {}) => ({
  latentDim: 3, dataShape: [6, 6, 1], batchSize: 4, loss: "least-squares", generator: G, discriminator: patchD,
  optimizer: { generator: { type: "adam", lr: 2e-4 }, discriminator: { type: "adam", lr: 2e-4 } }, ...over,
});
const withG = (layers: unknown[]) => spec({ generator: [{ type: "dense", units: 36 }, { type: "reshape", targetShape: [6, 6, 1] }, ...layers, { type: "tanh" }] });

test("instance_norm and reflection_pad: defaults filled, pad normalised to a pair", () => {
  const s = validateSpec(withG([{ type: "reflection_pad", pad: 2 }, { type: "conv2d", filters: 1, kernelSize: 5, padding: "valid" }, { type: "instance_norm" }, { type: "instance_norm", affine: true, eps: 1e-3 }]));
  const g = s.nets.generator;
  assert.equal(g[2], { type: "reflection_pad", pad: [2, 2] });
  assert.equal(g[4], { type: "instance_norm", eps: 1e-5 });
  assert.equal(g[5], { type: "instance_norm", eps: 1e-3, affine: true });
});

test("bad fields of the new layers are refused, naming the field", () => {
  refuses(withG([{ type: "instance_norm", affine: "yes" }]), "spec.generator[2].affine", /must be true or false/);
  refuses(withG([{ type: "instance_norm", eps: 0 }]), "spec.generator[2].eps", /./);
  refuses(withG([{ type: "instance_norm", groupSize: 2 }]), "spec.generator[2].groupSize", /unknown field/);
  refuses(withG([{ type: "reflection_pad" }]), "spec.generator[2].pad", /must be an integer from 0 to 64 or a pair/);
  refuses(withG([{ type: "reflection_pad", pad: [1, -1] }]), "spec.generator[2].pad[1]", /from 0 to 64/);
  refuses(withG([{ type: "reflection_pad", pad: 6 }]), "spec.generator[2].pad", /below the input's side.*6x6/);
  refuses(spec({ generator: [{ type: "dense", units: 36 }, { type: "instance_norm" }, { type: "reshape", targetShape: [6, 6, 1] }] }), "spec.generator[1]", /needs an image input/);
  refuses(spec({ generator: [{ type: "dense", units: 36 }, { type: "reflection_pad", pad: 1 }] }), "spec.generator[1]", /needs an image input/);
});

test("a PatchGAN D (a map of logits) is accepted, a map of more than one channel is not", () => {
  assert.is(validateSpec(spec()).nets.discriminator.length, 3);
  refuses(spec({ discriminator: [{ type: "conv2d", filters: 2, kernelSize: 3, strides: 2 }] }), "spec.discriminator", /map of logits \[h, w, 1\]/);
  refuses(spec({ discriminator: [{ type: "conv2d", filters: 1, kernelSize: 3, strides: 2 }, { type: "tanh" }] }), "spec.discriminator", /a conv2d of 1 filter last/);
});

test("penalties: refused with instance norm in D (no tangent rules) and with a PatchGAN's map", () => {
  const flatD = [{ type: "conv2d", filters: 2, kernelSize: 3 }, { type: "instance_norm" }, { type: "flatten" }, { type: "dense", units: 1 }];
  refuses(spec({ loss: "wasserstein", gradientPenalty: true, discriminator: flatD }), "spec.discriminator[1]", /instance_norm is not allowed in a critic with a gradient penalty.*tangent rules/);
  refuses(spec({ loss: "non-saturating", r1: true, discriminator: flatD }), "spec.discriminator[1]", /instance_norm is not allowed in a discriminator with the R1 penalty/);
  refuses(spec({ loss: "wasserstein", gradientPenalty: true }), "spec.gradientPenalty", /map of logits \[3, 3, 1\] \(a PatchGAN\)/);
  refuses(spec({ loss: "non-saturating", r1: 1 }), "spec.r1", /PatchGAN/);
  // reflection padding has tangent rules: allowed in a penalised critic
  const padD = [{ type: "reflection_pad", pad: 1 }, { type: "conv2d", filters: 2, kernelSize: 3, padding: "valid" }, { type: "flatten" }, { type: "dense", units: 1 }];
  assert.is(validateSpec(spec({ loss: "wasserstein", gradientPenalty: true, discriminator: padD })).gradientPenalty, 10);
});

// validateCycleSpec must refuse `spec` with a SpecError naming `field`
function cycleRefuses(spec: unknown, field: string, pattern: RegExp): void {
  try { validateCycleSpec(spec); } catch (e) {
    assert.instance(e, SpecError);
    assert.is((e as SpecError).field, field);
    assert.match((e as Error).message, pattern);
    return;
  }
  assert.unreachable(`accepted a CycleGAN spec that should be refused at ${field}`);
}

test("the CycleGAN spec: the preset's defaults, and each bad field refused naming it", () => {
  const s = validateCycleSpec(cyclePreset("cyclegan-digits", { steps: 100 }));
  assert.equal([s.lambda, s.identity, s.poolSize, s.batchSize, s.init], [10, 0.5, 50, 4, "dcgan"]);
  assert.equal(s.lrSchedule, { type: "linear", start: 50, steps: 100 });
  assert.equal(s.optimizer.G, { type: "adam", lr: 2e-4, beta1: 0.5, beta2: 0.999, eps: 1e-8 });
  const p = () => cyclePreset("cyclegan-digits") as any;
  cycleRefuses({ ...p(), objective: { ...p().objective, inverse: "G" } }, "spec.objective.inverse", /spec.objective.generator names already/);
  cycleRefuses({ ...p(), objective: { ...p().objective, discriminatorA: "X" } }, "spec.objective.discriminatorA", /must name a net of spec.nets/);
  cycleRefuses({ ...p(), nets: { ...p().nets, F: [{ type: "flatten" }, { type: "dense", units: 10 }] } }, "spec.nets.F", /maps images \[28, 28, 1\] to images of the same shape/);
  cycleRefuses({ ...p(), nets: { ...p().nets, DA: [{ type: "conv2d", filters: 2, kernelSize: 3 }] } }, "spec.nets.DA", /map of logits \[h, w, 1\]/);
  cycleRefuses({ ...p(), nets: { ...p().nets, DB: [{ type: "instance_norm", affine: 1 }] } }, "spec.nets.DB[0].affine", /true or false/);
  cycleRefuses({ ...p(), lambda: -1 }, "spec.lambda", /\[0, 1000\]/);
  cycleRefuses({ ...p(), poolSize: 1.5 }, "spec.poolSize", /integer/);
  cycleRefuses({ ...p(), lrSchedule: { type: "linear", steps: 10, start: 10 } }, "spec.lrSchedule.start", /must start before it ends/);
  cycleRefuses({ ...p(), dataShape: [784] }, "spec.dataShape", /an image shape \[h, w, c\]/);
  cycleRefuses({ ...p(), loss: "hinge" }, "spec.loss", /unknown field/);
});

test.run();
