// The tfjs engine (src/engine/tfjs/) against the WASM engine, both from one seed on one data set,
// on tfjs's CPU backend (the numerical reference; tfjs-cpu is slow: ~35 ms a step for the
// mlp-ring8 nets at batch 16, ~300 ms at the preset's 256, so the 50-step runs here use batch 16;
// bench/tfjs_engine_parity.ts runs the presets at full size and dcgan-mnist).
//  (1) same bits at the start: initial weights and batch-norm state are bit-identical, and the
//      training streams stay in step (the rng words after training are equal: same latents,
//      minibatches, fake labels and ε).
//  (2) one step with SGD (lr 0.25) for every objective and option (label smoothing, clipping,
//      packing, WGAN-GP, dSteps, conditional, batch norm in G and in D): each statistic within
//      1e-5 + 1e-4·|x|; every weight and batch-norm running statistic within 1e-6 + 1e-5·|w|, the
//      momentum buffer (raw gradients) within 1e-5 + 2e-3·|g| as tests/engine/gan_step.test.ts
//      (the engines differ only in the order of f32 sums).
//  (3) 50 steps with each objective's usual optimiser (Adam, RMSProp, SGD with momentum and a
//      schedule), the mlp-ring8 nets at batch 16 and a small DCGAN (batch norm, conv, transposed
//      conv): per step, every statistic within 1e-4 + 1e-2·(its largest |value| in the run) of the
//      WASM engine's (see parity_util.ts), the non-gauge weights within 1e-2 of the distance they
//      travelled (‖Δ‖ / ‖w_50 − w_0‖), and gauge parameters within 100·lr (parity_util.ts:
//      parameters whose exact gradient is 0 take ±lr Adam steps on rounding noise) -- or, where
//      training is chaotic, within 2x the farthest the WASM engine drifts from itself when its
//      initial weights move by ±1, ±2, ±3 ulps (parity_util.ts nudge).
//      Measured (seeds 7-9): the BCE, least-squares and DCGAN runs agree to ~1e-6 of the distance
//      travelled; Wasserstein, WGAN-GP and hinge drift to ~1e-2 after 30-50 steps, inside the
//      spread of the nudged WASM runs (hinge, seed 7: statistic 1.75 x the bound, weights 3e-2;
//      the WASM engine nudged by −3 ulps: 1.74 x, 3e-2).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ring8, preset, validateSpec, type ShorthandSpec as GanSpec } from "../../src/index.ts";
import { WasmGAN } from "../../src/engine/wasm_engine.ts";
import { TfjsGAN } from "../../src/engine/tfjs/tfjs_engine.ts";
import { expectBitIdentical, expectClose } from "../util/check.ts";
import { sgd, smallMlpGenerator, smallMlpDiscriminator, smallDcganGenerator, smallDcganDiscriminator, randomImages } from "../util/small_gans.ts";
import { trace, compare, specGauges, nudge, STAT_KEYS } from "./parity_util.ts";

const data = await ring8({ count: 4096, seed: 3 });
const labelled = { ...data, numClasses: 8 };
const img = randomImages(3);
const images = { name: "random images", x: img.x, shape: [6, 6, 1], count: 200, labels: img.labels, numClasses: 3 };

const small = (over: Partial<GanSpec>): GanSpec => ({
  latentDim: 3, dataShape: [2], batchSize: 24, loss: "non-saturating",
  generator: smallMlpGenerator, discriminator: smallMlpDiscriminator, optimizer: { generator: sgd, discriminator: sgd }, ...over,
});
const smallDcgan = (over: Partial<GanSpec>): GanSpec => ({
  latentDim: 3, dataShape: [6, 6, 1], batchSize: 8, loss: "non-saturating",
  generator: smallDcganGenerator, discriminator: smallDcganDiscriminator, optimizer: { generator: sgd, discriminator: sgd }, ...over,
});

test("same seed: bit-identical initial weights and batch-norm state; the training streams stay in step", async () => {
  for (const [spec, x] of [[preset("mlp-ring8"), data], [{ ...preset("cond-ring8") }, labelled], [smallDcgan({ init: "dcgan", numClasses: 3 }), images]] as const) {
    const a = await TfjsGAN.create(spec, { seed: 11, backend: "cpu" }), b = await WasmGAN.create(spec, { seed: 11 });
    expectBitIdentical("G", a.getWeights().generator, b.getWeights().generator);
    expectBitIdentical("D", a.getWeights().discriminator, b.getWeights().discriminator);
    const sa = a.saveState(), sb = b.saveState();
    expectBitIdentical("G batch-norm state", sa.generator.state, sb.generator.state);
    assert.equal(Array.from(sa.rng), Array.from(sb.rng), "rng words before training");
    await a.train(x, { steps: 3 });
    await b.train(x, { steps: 3 });
    assert.equal(Array.from(a.saveState().rng), Array.from(b.saveState().rng), "rng words after 3 steps");
    expectBitIdentical("latent(70, seed 4)", a.latent(70, 4), b.latent(70, 4));
    a.dispose();
  }
});

const oneStep: [string, GanSpec, unknown][] = [
  ["non-saturating", small({}), data], ["minimax, label smoothing 0.1", small({ loss: "minimax", labelSmoothing: 0.1 }), data],
  ["wasserstein, clip 0.2, pack 2", small({ loss: "wasserstein", clip: 0.2, pack: 2 }), data],
  ["WGAN-GP, dSteps 2", small({ loss: "wasserstein", gradientPenalty: 10, dSteps: 2 }), data],
  ["WGAN-GP, pack 2", small({ loss: "wasserstein", gradientPenalty: 3, pack: 2 }), data],
  ["batch norm in D, SGD momentum 0.9", small({ discriminator: [{ type: "dense", units: 17 }, { type: "batch_norm" }, { type: "relu" }, { type: "dense", units: 1 }], optimizer: { generator: sgd, discriminator: { type: "sgd", lr: 0.25, momentum: 0.9 } }, dSteps: 2 }), data],
  ["hinge, pack 3", small({ loss: "hinge", pack: 3 }), data], ["least-squares", small({ loss: "least-squares" }), data],
  ["conditional", small({ numClasses: 8 }), labelled],
  ["small DCGAN", smallDcgan({}), images.x], ["small DCGAN, WGAN-GP", smallDcgan({ loss: "wasserstein", gradientPenalty: 5 }), images.x],
  ["small DCGAN, conditional, hinge", smallDcgan({ loss: "hinge", numClasses: 3 }), images],
];
for (const [name, spec, x] of oneStep) {
  test(`one SGD step (${name}): statistics and weights match the WASM engine`, async () => {
    const a = await TfjsGAN.create(spec, { seed: 5, backend: "cpu" }), b = await WasmGAN.create(spec, { seed: 5 });
    const sa = await a.train(x as any, { steps: 1 }), sb = await b.train(x as any, { steps: 1 });
    for (const k of STAT_KEYS) expectClose(k, [sa[k]], [sb[k]], 1e-5, 1e-4);
    if (spec.gradientPenalty) assert.ok(sb.penalty > 1e-3, `the penalty is active (${sb.penalty})`);
    const wa = a.getWeights(), wb = b.getWeights();
    expectClose("G after one step", wa.generator, wb.generator, 1e-6, 1e-5);
    expectClose("D after one step", wa.discriminator, wb.discriminator, 1e-6, 1e-5);
    const ta = a.saveState(), tb = b.saveState();
    expectClose("G batch-norm running statistics", ta.generator.state, tb.generator.state, 1e-6, 1e-5);
    expectClose("D batch-norm running statistics (real, fake, G-step passes)", ta.discriminator.state, tb.discriminator.state, 1e-6, 1e-5);
    // SGD's momentum buffer holds raw gradients: the gradient tolerance of tests/engine/gan_step.test.ts
    expectClose("D momentum buffer", ta.discriminator.opt1, tb.discriminator.opt1, 1e-5, 2e-3);
    a.dispose();
  });
}

const mlp = { ...preset("mlp-ring8"), batchSize: 16 } as GanSpec;
const rms = { type: "rmsprop" as const, lr: 5e-5 };
const adamGp = { type: "adam" as const, lr: 1e-4, beta1: 0.5, beta2: 0.9 };
const adam = { type: "adam" as const, lr: 2e-4, beta1: 0.5 };
const fifty: [string, GanSpec, unknown][] = [
  ["non-saturating, Adam", mlp, data],
  ["minimax, label smoothing 0.1", { ...mlp, loss: "minimax", labelSmoothing: 0.1 }, data],
  ["wasserstein, clip 0.01, 5 critic steps, RMSProp", { ...mlp, loss: "wasserstein", clip: true, dSteps: 5, optimizer: { generator: rms, discriminator: rms } }, data],
  ["WGAN-GP, 2 critic steps, Adam (0.5, 0.9)", { ...mlp, loss: "wasserstein", gradientPenalty: true, dSteps: 2, optimizer: { generator: adamGp, discriminator: adamGp } }, data],
  ["hinge, pack 2", { ...mlp, loss: "hinge", pack: 2 }, data],
  ["least-squares, SGD momentum 0.9, linear schedule", { ...mlp, loss: "least-squares", lrSchedule: { type: "linear", steps: 40 }, optimizer: { generator: { type: "sgd", lr: 0.01, momentum: 0.9 }, discriminator: { type: "sgd", lr: 0.01, momentum: 0.5 } } }, data],
  ["conditional (cond-ring8 nets)", { ...preset("cond-ring8"), batchSize: 16 }, labelled],
  ["small DCGAN, Adam, DCGAN init", smallDcgan({ init: "dcgan", optimizer: { generator: adam, discriminator: adam } }), images.x],
  ["small DCGAN, WGAN-GP", smallDcgan({ loss: "wasserstein", gradientPenalty: true, optimizer: { generator: adamGp, discriminator: adamGp } }), images.x],
  ["small DCGAN, conditional, least-squares", smallDcgan({ loss: "least-squares", numClasses: 3, optimizer: { generator: adam, discriminator: adam } }), images],
];
for (const [name, spec, x] of fifty) {
  test(`50 steps (${name}): statistics every step and final weights agree with the WASM engine`, async () => {
    const a = await TfjsGAN.create(spec, { seed: 7, backend: "cpu" }), b = await WasmGAN.create(spec, { seed: 7 });
    const w0 = b.getWeights();
    const ob = specGauges(validateSpec(spec)).D.outputBias;
    const ta = await trace(a, x, 50, ob), tb = await trace(b, x, 50, ob);
    const c = compare(spec, ta, tb, a, b, w0);
    // the WASM engine against itself, a few ulps away at the start
    let chaosStat = 0, chaosW = [0, 0];
    for (const k of [1, -1, 2, -2, 3, -3]) {
      const n = await WasmGAN.create(spec, { seed: 7 });
      n.setWeights({ generator: nudge(w0.generator, k), discriminator: nudge(w0.discriminator, k) });
      const cn = compare(spec, await trace(n, x, 50, ob), tb, n, b, w0);
      chaosStat = Math.max(chaosStat, cn.worstStat.ratio);
      chaosW = chaosW.map((v, i) => Math.max(v, cn.weights[i].relNorm));
    }
    const ws = c.worstStat;
    assert.ok(ws.ratio <= Math.max(1, 2 * chaosStat), `worst statistic: ${ws.key} at step ${ws.step}, |Δ| ${ws.diff} is ${ws.ratio} x (1e-4 + 1e-2·${ws.scale}); the WASM engine nudged by ulps: ${chaosStat} x`);
    const lr = Math.max(validateSpec(spec).optimizer.generator.lr, validateSpec(spec).optimizer.discriminator.lr);
    c.weights.forEach((w, i) => {
      assert.ok(w.relNorm <= Math.max(1e-2, 2 * chaosW[i]), `${w.net}: ‖Δ‖ / ‖w_50 − w_0‖ = ${w.relNorm}; the WASM engine nudged by ulps: ${chaosW[i]}`);
      assert.ok(w.gaugeMaxAbs <= 100 * lr, `${w.net}: gauge parameters ${w.gaugeMaxAbs} apart`);
    });
    assert.ok(tb.stats.every((s) => Number.isFinite(s.dLoss) && Number.isFinite(s.gLoss)));
    a.dispose();
  });
}

test.run();
