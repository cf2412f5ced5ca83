// Spectral normalisation in the tfjs engine (src/engine/tfjs/tfjs_nets.ts: K / (vᵀ K u) as tfjs
// ops, the power iteration as assign()s) against the WASM engine, both from one seed, tfjs-cpu:
//  (1) bit-identical initial weights and u, v (both come from the WASM engine's init stream);
//  (2) one SGD step (lr 0.25) with SN in D, in D and G, in a WGAN-GP critic (dSteps 2), and in a
//      small DCGAN's conv D and transposed-conv G: each statistic within 1e-5 + 1e-4·|x|, every
//      weight and every u, v within 1e-6 + 1e-5·|w|, the D momentum buffer (raw gradients) within
//      1e-5 + 2e-3·|g| (tests/tfjs_engine/parity.test.ts's tolerances);
//  (3) 30 Adam steps of the MLP pair with SN in D: weights within 1e-3 of the distance travelled
//      (‖Δ‖ / ‖w_30 − w_0‖) and u, v within 1e-4 (measured, seed 7: 1.3e-6 (G), 6.6e-7 (D); u, v 6e-8).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ring8, type ShorthandSpec as GanSpec, type LayerSpec } from "../../src/index.ts";
import { WasmGAN } from "../../src/engine/wasm_engine.ts";
import { TfjsGAN } from "../../src/engine/tfjs/tfjs_engine.ts";
import { expectBitIdentical, expectClose } from "../util/check.ts";
import { sgd, smallMlpGenerator, smallMlpDiscriminator, smallDcganGenerator, smallDcganDiscriminator, randomImages } from "../util/small_gans.ts";
import { STAT_KEYS } from "./parity_util.ts";

const data = await ring8({ count: 4096, seed: 3 });
const images = randomImages().x;
const withSn = (ls: LayerSpec[]) => ls.map((l) => (["dense", "conv2d", "conv2d_transpose"].includes(l.type) ? { ...l, spectralNorm: true } : l));
const small = (over: Partial<GanSpec>): GanSpec => ({
  latentDim: 3, dataShape: [2], batchSize: 24, loss: "non-saturating",
  generator: smallMlpGenerator, discriminator: withSn(smallMlpDiscriminator), optimizer: { generator: sgd, discriminator: sgd }, ...over,
});
const smallDcgan = (over: Partial<GanSpec>): GanSpec => ({
  latentDim: 3, dataShape: [6, 6, 1], batchSize: 8, loss: "hinge",
  generator: withSn(smallDcganGenerator), discriminator: withSn(smallDcganDiscriminator), optimizer: { generator: sgd, discriminator: sgd }, ...over,
});

const cases: [string, GanSpec, Float32Array][] = [
  ["SN in D, non-saturating", small({}), data.x],
  ["SN in D and G, least-squares", small({ loss: "least-squares", generator: withSn(smallMlpGenerator) }), data.x],
  ["WGAN-GP with an SN critic, dSteps 2", small({ loss: "wasserstein", gradientPenalty: 10, dSteps: 2 }), data.x],
  ["small DCGAN, SN conv D and SN transposed-conv G, hinge", smallDcgan({}), images],
];
for (const [name, spec, x] of cases) {
  test(`one SGD step (${name}): statistics, weights and u, v match the WASM engine`, async () => {
    const a = await TfjsGAN.create(spec, { seed: 5, backend: "cpu" }), b = await WasmGAN.create(spec, { seed: 5 });
    expectBitIdentical("initial D", a.getWeights().discriminator, b.getWeights().discriminator);
    expectBitIdentical("initial D u, v", a.saveState().discriminator.state, b.saveState().discriminator.state);
    expectBitIdentical("initial G state", a.saveState().generator.state, b.saveState().generator.state);
    const sa = await a.train(x, { steps: 1 }), sb = await b.train(x, { steps: 1 });
    for (const k of STAT_KEYS) expectClose(k, [sa[k]], [sb[k]], 1e-5, 1e-4);
    if (spec.gradientPenalty) assert.ok(sb.penalty > 1e-3, `the penalty is active (${sb.penalty})`);
    const wa = a.getWeights(), wb = b.getWeights();
    expectClose("G after one step", wa.generator, wb.generator, 1e-6, 1e-5);
    expectClose("D after one step", wa.discriminator, wb.discriminator, 1e-6, 1e-5);
    const ta = a.saveState(), tb = b.saveState();
    assert.ok(tb.discriminator.state.length > 0);
    expectClose("D's u, v after its power iteration(s)", ta.discriminator.state, tb.discriminator.state, 1e-6, 1e-5);
    expectClose("G's state (u, v; batch norm)", ta.generator.state, tb.generator.state, 1e-6, 1e-5);
    expectClose("D momentum buffer", ta.discriminator.opt1, tb.discriminator.opt1, 1e-5, 2e-3);
    a.dispose();
  });
}

test("30 Adam steps with SN in D: weights and u, v stay with the WASM engine's", async () => {
  const adam = { type: "adam" as const, lr: 2e-4, beta1: 0.5 };
  const spec = small({ batchSize: 16, optimizer: { generator: adam, discriminator: adam } });
  const a = await TfjsGAN.create(spec, { seed: 7, backend: "cpu" }), b = await WasmGAN.create(spec, { seed: 7 });
  const w0 = b.getWeights();
  await a.train(data, { steps: 30 });
  await b.train(data, { steps: 30 });
  const wa = a.getWeights(), wb = b.getWeights();
  for (const net of ["generator", "discriminator"] as const) {
    let d = 0, t = 0;
    for (let i = 0; i < wb[net].length; i++) { d += (wa[net][i] - wb[net][i]) ** 2; t += (wb[net][i] - w0[net][i]) ** 2; }
    assert.ok(Math.sqrt(d / t) <= 1e-3, `${net}: ‖Δ‖ / ‖w_30 − w_0‖ = ${Math.sqrt(d / t)}`);
  }
  expectClose("D's u, v after 30 iterations", a.saveState().discriminator.state, b.saveState().discriminator.state, 1e-4);
  a.dispose();
});

test.run();
