// The tfjs engine against the WASM engine for minibatch standard deviation (PGGAN), R1
// (Mescheder et al. 2018) and PGGAN's drift term, on tfjs's CPU backend, from one seed on one data
// set, with the tolerances of tests/tfjs_engine/parity.test.ts:
//  (1) one SGD step (lr 0.25): each statistic (D.penalty holds R1 or WGAN-GP's penalty) within
//      1e-5 + 1e-4·|x|; every weight within 1e-6 + 1e-5·|w|; the momentum-free SGD step's raw
//      gradient is (θ0 − θ1)/lr, so that is a gradient check at 4e-6 + 4e-5·|w| / lr.
//  (2) 50 steps with Adam (R1 on a minibatch std critic, lazy R1, WGAN-GP + drift): every statistic
//      (D.penalty too: lazy R1's steps with and without it) within 1e-4 + 1e-2·(its largest |value|)
//      of the WASM engine's per step, the weights within 1e-2 of the distance travelled, or within 2x the WASM
//      engine's own drift when its initial weights move by ±1..3 ulps (parity_util.ts).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ring8, validateSpec, type ShorthandSpec as GanSpec, type LayerSpec } from "../../src/index.ts";
import { WasmGAN } from "../../src/engine/wasm_engine.ts";
import { TfjsGAN } from "../../src/engine/tfjs/tfjs_engine.ts";
import { expectClose } from "../util/check.ts";
import { sgd, smallMlpGenerator, smallMlpDiscriminator, smallDcganGenerator, randomImages } from "../util/small_gans.ts";
import { trace, compare, specGauges, nudge, STAT_KEYS } from "./parity_util.ts";

const data = await ring8({ count: 4096, seed: 3 });
const images = randomImages().x;
const mbDense: LayerSpec[] = [{ type: "dense", units: 9 }, { type: "leaky_relu", alpha: 0.2 }, { type: "minibatch_std" }, { type: "dense", units: 6 }, { type: "tanh" }, { type: "dense", units: 1 }];
const mbConv: LayerSpec[] = [{ type: "conv2d", filters: 3, kernelSize: 3, strides: 2 }, { type: "leaky_relu", alpha: 0.2 }, { type: "minibatch_std", groupSize: 2 }, { type: "conv2d", filters: 2, kernelSize: 2 }, { type: "leaky_relu", alpha: 0.2 }, { type: "flatten" }, { type: "dense", units: 1 }];
const small = (over: Partial<GanSpec>): GanSpec => ({
  latentDim: 3, dataShape: [2], batchSize: 24, loss: "non-saturating",
  generator: smallMlpGenerator, discriminator: smallMlpDiscriminator, optimizer: { generator: sgd, discriminator: sgd }, ...over,
});
const smallDcgan = (over: Partial<GanSpec>): GanSpec => ({
  latentDim: 3, dataShape: [6, 6, 1], batchSize: 8, loss: "non-saturating",
  generator: smallDcganGenerator, discriminator: mbConv, optimizer: { generator: sgd, discriminator: sgd }, ...over,
});

const oneStep: [string, GanSpec, Float32Array][] = [
  ["non-saturating + R1", small({ r1: 10 }), data.x],
  ["minimax + R1, pack 2, dSteps 2", small({ loss: "minimax", r1: 3, pack: 2, dSteps: 2 }), data.x],
  ["wasserstein + drift", small({ loss: "wasserstein", drift: 0.05 }), data.x],
  ["minibatch std critic, non-saturating", small({ discriminator: mbDense }), data.x],
  ["minibatch std critic + R1", small({ discriminator: mbDense, r1: 10 }), data.x],
  ["minibatch std critic, WGAN-GP + drift (PGGAN's loss)", small({ discriminator: mbDense, loss: "wasserstein", gradientPenalty: 10, drift: 0.01 }), data.x],
  ["small DCGAN, minibatch std conv critic + R1", smallDcgan({ r1: 10 }), images],
  ["small DCGAN, minibatch std conv critic, WGAN-GP + drift", smallDcgan({ loss: "wasserstein", gradientPenalty: 10, drift: true }), images],
];
for (const [name, spec, x] of oneStep) {
  test(`one SGD step (${name}): statistics and weights match the WASM engine`, async () => {
    const a = await TfjsGAN.create(spec, { seed: 5, backend: "cpu" }), b = await WasmGAN.create(spec, { seed: 5 });
    const sa = await a.train(x, { steps: 1 }), sb = await b.train(x, { steps: 1 });
    for (const k of STAT_KEYS) expectClose(`${k} (1e-5 + 1e-4·|x|)`, [sa[k]], [sb[k]], 1e-5, 1e-4);
    if (spec.r1 || spec.gradientPenalty) assert.ok(sb.penalty > 1e-3, `the penalty is active (${sb.penalty})`);
    const wa = a.getWeights(), wb = b.getWeights();
    expectClose("G after one step (1e-6 + 1e-5·|w|)", wa.generator, wb.generator, 1e-6, 1e-5);
    expectClose("D after one step (1e-6 + 1e-5·|w|)", wa.discriminator, wb.discriminator, 1e-6, 1e-5);
    a.dispose();
  });
}

const adam = { type: "adam" as const, lr: 2e-4, beta1: 0.5 };
const adamGp = { type: "adam" as const, lr: 1e-4, beta1: 0, beta2: 0.9 };
const fifty: [string, GanSpec][] = [
  ["non-saturating + R1, minibatch std critic, Adam", small({ batchSize: 16, r1: 10, discriminator: mbDense, optimizer: { generator: adam, discriminator: adam } })],
  ["non-saturating + lazy R1 (every 4), Adam", small({ batchSize: 16, r1: 10, r1Every: 4, optimizer: { generator: adam, discriminator: adam } })],
  ["WGAN-GP + drift, minibatch std critic, 2 critic steps, Adam (0, 0.9)", small({ batchSize: 16, loss: "wasserstein", gradientPenalty: true, drift: true, dSteps: 2, discriminator: mbDense, optimizer: { generator: adamGp, discriminator: adamGp } })],
];
for (const [name, spec] of fifty) {
  test(`50 steps (${name}): statistics every step and final weights agree with the WASM engine`, async () => {
    const a = await TfjsGAN.create(spec, { seed: 7, backend: "cpu" }), b = await WasmGAN.create(spec, { seed: 7 });
    const w0 = b.getWeights();
    const ob = specGauges(validateSpec(spec)).D.outputBias;
    const ta = await trace(a, data, 50, ob), tb = await trace(b, data, 50, ob);
    const c = compare(spec, ta, tb, a, b, w0);
    let chaosStat = 0, chaosW = [0, 0];
    for (const k of [1, -1, 2, -2, 3, -3]) {
      const n = await WasmGAN.create(spec, { seed: 7 });
      n.setWeights({ generator: nudge(w0.generator, k), discriminator: nudge(w0.discriminator, k) });
      const cn = compare(spec, await trace(n, data, 50, ob), tb, n, b, w0);
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
    console.log(`    (${name}: worst statistic ${ws.ratio.toExponential(2)} x its bound (${ws.key}), weights ${c.weights.map((w) => w.relNorm.toExponential(1)).join(" / ")} of the distance travelled; nudged WASM ${chaosStat.toExponential(2)} x)`);
    a.dispose();
  });
}

test.run();
