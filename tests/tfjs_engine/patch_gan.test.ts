// A PatchGAN discriminator in the "gan" objective (a map of logits [h', w', 1], the losses the mean
// over every logit of the map: assembly/train/gan.ts) with CycleGAN's layers in both nets
// (instance norm, reflection pad, a residual block on add), one SGD step in the WASM engine
// against the tfjs engine (whose losses take tf.mean over [n, h'·w'] logits): statistics within
// 1e-5 + 1e-4·|x|, weights within 1e-6 + 1e-5·|w|, as tests/tfjs_engine/parity.test.ts.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { validateSpec, type ShorthandSpec as GanSpec } from "../../src/index.ts";
import { WasmGAN } from "../../src/engine/wasm_engine.ts";
import { TfjsGAN } from "../../src/engine/tfjs/tfjs_engine.ts";
import { residualBlock } from "../../src/model/cyclegan_nets.ts";
import type { LayerSpec } from "../../src/model/spec.ts";
import { expectClose } from "../util/check.ts";
import { sgd, randomImages } from "../util/small_gans.ts";
import { STAT_KEYS } from "./parity_util.ts";

const images = randomImages().x; // 200 of 6x6x1

// z(3) -> 3x3x4 -> pad 1, conv valid, instance norm (affine), relu -> residual block -> convT s2 -> tanh: 6x6x1
const G: LayerSpec[] = [
  { type: "dense", units: 36 }, { type: "reshape", targetShape: [3, 3, 4] },
  { type: "reflection_pad", pad: 1 }, { type: "conv2d", filters: 4, kernelSize: 3, padding: "valid" },
  { type: "instance_norm", affine: true }, { type: "relu", name: "stem" }, ...residualBlock("r0", "stem", 4),
  { type: "conv2d_transpose", filters: 1, kernelSize: 4, strides: 2, padding: "same" }, { type: "tanh" },
];
// PatchGAN: conv s2 -> leaky -> conv -> instance norm -> leaky -> conv 1 filter: logits [3, 3, 1]
const D: LayerSpec[] = [
  { type: "conv2d", filters: 3, kernelSize: 4, strides: 2, padding: "same" }, { type: "leaky_relu", alpha: 0.2 },
  { type: "conv2d", filters: 4, kernelSize: 4, padding: "same" }, { type: "instance_norm" }, { type: "leaky_relu", alpha: 0.2 },
  { type: "conv2d", filters: 1, kernelSize: 4, padding: "same" },
];
const spec = (loss: GanSpec["loss"]): GanSpec => ({
  latentDim: 3, dataShape: [6, 6, 1], batchSize: 6, loss, generator: G, discriminator: D, optimizer: { generator: sgd, discriminator: sgd },
});

test("a PatchGAN discriminator is accepted: its output is a map of logits", () => {
  const s = validateSpec(spec("least-squares"));
  assert.is(s.nets.discriminator.at(-1)!.filters, 1);
});

for (const loss of ["least-squares", "non-saturating", "hinge"] as const) {
  test(`one SGD step, PatchGAN D, ${loss}: statistics and weights match the tfjs engine`, async () => {
    const a = await TfjsGAN.create(spec(loss), { seed: 5, backend: "cpu" }), b = await WasmGAN.create(spec(loss), { seed: 5 });
    const sa = await a.train(images, { steps: 1 }), sb = await b.train(images, { steps: 1 });
    for (const k of STAT_KEYS) expectClose(`${k} (1e-5 + 1e-4·|x|)`, [sa[k]], [sb[k]], 1e-5, 1e-4);
    const wa = a.getWeights(), wb = b.getWeights();
    expectClose("G after one step (1e-6 + 1e-5·|w|)", wa.generator, wb.generator, 1e-6, 1e-5);
    expectClose("D after one step (1e-6 + 1e-5·|w|)", wa.discriminator, wb.discriminator, 1e-6, 1e-5);
    a.dispose();
    b.dispose();
  });
}

test.run();
