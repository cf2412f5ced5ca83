// The tfjs engine against the WASM engine on progressive growing's phase specs (src/model/progressive.ts:
// pixel norm, equalised learning rate everywhere, upsample, avg_pool, 1×1 toRGB / fromRGB, minibatch
// std, the fade blends, WGAN-GP + drift), tfjs's CPU backend, one seed, tolerances of
// tests/tfjs_engine/regularisers.test.ts: one SGD step (lr 0.05), each statistic within 1e-5 + 1e-4·|x|
// and every weight within 1e-6 + 1e-5·|w| (the step's raw gradient is (θ0 − θ1)/lr). The fade phase
// runs at α = 0.3 in both nets, set through setBlendAlpha.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mnist } from "../../src/data/mnist.ts";
import { padImages, atResolution } from "../../src/data/progressive_data.ts";
import { phases, phaseSpec, type ProgressiveConfig } from "../../src/model/progressive.ts";
import { WasmGAN } from "../../src/engine/wasm_engine.ts";
import { TfjsGAN } from "../../src/engine/tfjs/tfjs_engine.ts";
import { expectClose } from "../util/check.ts";
import { STAT_KEYS } from "./parity_util.ts";

const config: ProgressiveConfig = {
  name: "tiny", latentDim: 6, imageChannels: 1, resolutions: [4, 8], channels: { 4: 4, 8: 3 },
  batchSize: 8, fadeImages: 16, stableImages: 16, optimizer: { type: "sgd", lr: 0.05 },
};
const digits = padImages(await mnist({ count: 64 }), 32);

for (const p of phases(config)) {
  test(`one SGD step of phase ${p.index} (${p.resolution}² ${p.kind}): statistics and weights match the WASM engine`, async () => {
    const spec = phaseSpec(config, p), x = atResolution(digits, p.resolution).x;
    const a = await TfjsGAN.create(spec, { seed: 5, backend: "cpu" }), b = await WasmGAN.create(spec, { seed: 5 });
    if (p.kind === "fade") for (const g of [a, b]) { g.setBlendAlpha("generator", "fade", 0.3); g.setBlendAlpha("discriminator", "fade", 0.3); }
    const sa = await a.train(x, { steps: 1 }), sb = await b.train(x, { steps: 1 });
    for (const k of STAT_KEYS) expectClose(`${k} (1e-5 + 1e-4·|x|)`, [sa[k]], [sb[k]], 1e-5, 1e-4);
    assert.ok(sb.penalty > 1e-3, `the penalty is active (${sb.penalty})`);
    const wa = a.getWeights(), wb = b.getWeights();
    expectClose("G after one step (1e-6 + 1e-5·|w|)", wa.generator, wb.generator, 1e-6, 1e-5);
    expectClose("D after one step (1e-6 + 1e-5·|w|)", wa.discriminator, wb.discriminator, 1e-6, 1e-5);
    a.dispose();
  });
}

test.run();
