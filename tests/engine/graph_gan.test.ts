// GANs whose nets are layer graphs: a residual discriminator (dense and conv), a generator with
// a concat or a blend, trained by the WASM engine (createWasmGAN / WasmGAN) and by the tfjs engine
// on tfjs-cpu from one seed, as tests/tfjs_engine/parity.test.ts does for chains:
//  - one SGD step (lr 0.25): every statistic within 1e-5 + 1e-4·|x|, every weight and batch-norm
//    running statistic within 1e-6 + 1e-5·|w| (the engines differ only in the order of f32 sums);
//  - 20 Adam steps: every statistic at every step within 1e-4 + 1e-2·(its largest |value| in
//    the run) and the non-gauge weights within 1e-2 of the distance they travelled
//    (tests/tfjs_engine/parity_util.ts's criteria for 50 steps);
//  - a checkpoint of a graph spec round-trips (encode / decode / restore) to the same bits;
//  - wide residual nets (kernels big enough to split across threads; the nodes and fan-out sums
//    run on the leading thread): 3 kernel threads in workers give the bits of 1 thread and of the
//    in-process engine.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ring8, validateSpec, createWasmGAN, type ShorthandSpec as GanSpec } from "../../src/index.ts";
import type { LayerSpec } from "../../src/model/spec.ts";
import { WasmGAN } from "../../src/engine/wasm_engine.ts";
import { TfjsGAN } from "../../src/engine/tfjs/tfjs_engine.ts";
import { encodeCheckpoint, decodeCheckpoint, restoreCheckpoint } from "../../src/io/checkpoint.ts";
import { expectClose, expectBitIdentical } from "../util/check.ts";
import { sgd, smallMlpGenerator, smallDcganGenerator, randomImages } from "../util/small_gans.ts";
import { trace, compare, specGauges, STAT_KEYS } from "../tfjs_engine/parity_util.ts";
import { createGAN } from "../../src/worker/create_gan.ts";
import type { GanState } from "../../src/engine/wasm_engine.ts";

const data = await ring8({ count: 4096, seed: 3 });
const labelled = { ...data, numClasses: 8 };
const images = randomImages().x;

const residualD: LayerSpec[] = [
  { type: "dense", units: 8, name: "h" }, { type: "relu" }, { type: "dense", units: 8, name: "f" },
  { type: "add", inputs: ["h", "f"] }, { type: "leaky_relu", alpha: 0.2 }, { type: "dense", units: 1 },
];
const residualBnD: LayerSpec[] = [
  { type: "dense", units: 8, name: "h" }, { type: "batch_norm" }, { type: "relu" }, { type: "dense", units: 8, name: "f" },
  { type: "add", inputs: ["h", "f"] }, { type: "leaky_relu", alpha: 0.2 }, { type: "dense", units: 1 },
];
const concatG: LayerSpec[] = [
  { type: "dense", units: 16 }, { type: "leaky_relu", alpha: 0.2, name: "la" }, { type: "dense", units: 4, name: "zl", inputs: ["input"] },
  { type: "concat", inputs: ["la", "zl"] }, { type: "tanh" }, { type: "dense", units: 2 },
];
const blendG: LayerSpec[] = [
  { type: "dense", units: 8 }, { type: "tanh", name: "nt" }, { type: "dense", units: 8, name: "o", inputs: ["input"] },
  { type: "blend", inputs: ["nt", "o"], alpha: 0.25 }, { type: "dense", units: 2 },
];
// 6x6x1 -> conv 3x3 s2 -> leaky = l -> conv 3x3 -> add l -> flatten -> dense 1
const residualConvD: LayerSpec[] = [
  { type: "conv2d", filters: 3, kernelSize: 3, strides: 2, padding: "same" }, { type: "leaky_relu", alpha: 0.2, name: "l" },
  { type: "conv2d", filters: 3, kernelSize: 3, strides: 1, padding: "same", name: "f" }, { type: "add", inputs: ["l", "f"] },
  { type: "flatten" }, { type: "dense", units: 1 },
];

const small = (over: Partial<GanSpec>): GanSpec => ({
  latentDim: 3, dataShape: [2], batchSize: 24, loss: "non-saturating",
  generator: smallMlpGenerator, discriminator: residualD, optimizer: { generator: sgd, discriminator: sgd }, ...over,
});
const smallDcgan = (over: Partial<GanSpec>): GanSpec => ({
  latentDim: 3, dataShape: [6, 6, 1], batchSize: 8, loss: "non-saturating",
  generator: smallDcganGenerator, discriminator: residualConvD, optimizer: { generator: sgd, discriminator: sgd }, ...over,
});

const oneStep: [string, GanSpec, unknown][] = [
  ["residual D, non-saturating", small({}), data],
  ["residual D with batch norm, concat G, SGD momentum 0.9, dSteps 2", small({ discriminator: residualBnD, generator: concatG, dSteps: 2, optimizer: { generator: sgd, discriminator: { type: "sgd", lr: 0.25, momentum: 0.9 } } }), data],
  // (dSteps 1: with SGD at 0.25, two critic updates blow this critic up to weights ~1e3 in one
  // step, and the comparison would measure f32 rounding of huge gradients)
  ["residual critic, WGAN-GP, blend G", small({ loss: "wasserstein", gradientPenalty: 10, generator: blendG }), data],
  ["residual D, conditional, hinge", small({ loss: "hinge", numClasses: 8 }), labelled],
  ["small DCGAN, residual conv D", smallDcgan({}), images],
  ["small DCGAN, residual conv critic, WGAN-GP", smallDcgan({ loss: "wasserstein", gradientPenalty: 5 }), images],
];
for (const [name, spec, x] of oneStep) {
  test(`one SGD step (${name}): statistics and weights match the tfjs engine`, async () => {
    const a = await TfjsGAN.create(spec, { seed: 5, backend: "cpu" }), b = await createWasmGAN(spec, { seed: 5 });
    expectBitIdentical("D at the start", a.getWeights().discriminator, b.getWeights().discriminator);
    const sa = await a.train(x as any, { steps: 1 }), sb = await b.train(x as any, { steps: 1 });
    for (const k of STAT_KEYS) expectClose(k, [sa[k]], [sb[k]], 1e-5, 1e-4);
    if (spec.gradientPenalty) assert.ok(sb.penalty > 1e-3, `the penalty is active (${sb.penalty})`);
    const wa = a.getWeights(), wb = b.getWeights();
    expectClose("G after one step", wa.generator, wb.generator, 1e-6, 1e-5);
    expectClose("D after one step", wa.discriminator, wb.discriminator, 1e-6, 1e-5);
    const ta = a.saveState(), tb = b.saveState();
    expectClose("D batch-norm running statistics", ta.discriminator.state, tb.discriminator.state, 1e-6, 1e-5);
    a.dispose();
  });
}

const adam = { type: "adam" as const, lr: 2e-4, beta1: 0.5 };
test("20 Adam steps (residual D with batch norm, concat G): statistics every step and final weights agree with the tfjs engine", async () => {
  const spec = small({ discriminator: residualBnD, generator: concatG, optimizer: { generator: adam, discriminator: adam } });
  const a = await TfjsGAN.create(spec, { seed: 7, backend: "cpu" }), b = await WasmGAN.create(spec, { seed: 7 });
  const w0 = b.getWeights();
  const ob = specGauges(validateSpec(spec)).D.outputBias;
  const c = compare(spec, await trace(a, data, 20, ob), await trace(b, data, 20, ob), a, b, w0);
  const ws = c.worstStat;
  assert.ok(ws.ratio <= 1, `worst statistic: ${ws.key} at step ${ws.step}, |Δ| ${ws.diff} is ${ws.ratio} x (1e-4 + 1e-2·${ws.scale})`);
  for (const w of c.weights) {
    assert.ok(w.relNorm <= 1e-2, `${w.net}: ‖Δ‖ / ‖w_20 − w_0‖ = ${w.relNorm}`);
    assert.ok(w.gaugeMaxAbs <= 100 * adam.lr, `${w.net}: gauge parameters ${w.gaugeMaxAbs} apart`);
  }
  a.dispose();
});

test("a checkpoint of a graph spec round-trips to the same bits and keeps training in step", async () => {
  const spec = small({ generator: blendG, discriminator: residualBnD, optimizer: { generator: adam, discriminator: adam } });
  const a = await createWasmGAN(spec, { seed: 2 });
  await a.train(data, { steps: 3 });
  const bytes = encodeCheckpoint(a.spec, a.saveState());
  const b = await createWasmGAN(spec, { seed: 99 });
  restoreCheckpoint(b, decodeCheckpoint(bytes));
  await a.train(data, { steps: 5 });
  await b.train(data, { steps: 5 });
  expectBitIdentical("G after 3 + 2 steps", b.getWeights().generator, a.getWeights().generator);
  expectBitIdentical("D after 3 + 2 steps", b.getWeights().discriminator, a.getWeights().discriminator);
});

function sameBits(a: GanState, b: GanState, what: string): void {
  for (const net of ["generator", "discriminator"] as const) {
    for (const part of ["params", "opt1", "opt2", "state"] as const) expectBitIdentical(`${what}: ${net}.${part}`, a[net][part], b[net][part]);
  }
  assert.equal(Array.from(a.rng), Array.from(b.rng), `${what}: rng`);
}

test("wide residual nets (non-saturating; a WGAN-GP critic): 3 threads give the bits of 1 thread and of the in-process engine", async () => {
  const wide = (out: number, act: "relu" | "leaky_relu"): LayerSpec[] => [
    { type: "dense", units: 512, name: "h" }, { type: act }, { type: "dense", units: 512, name: "f" }, { type: "add", inputs: ["h", "f"] },
    { type: "tanh" }, { type: "dense", units: out },
  ];
  const base: GanSpec = { ...small({}), batchSize: 128, generator: wide(2, "relu"), discriminator: wide(1, "leaky_relu"), optimizer: { generator: adam, discriminator: adam } };
  for (const spec of [base, { ...base, loss: "wasserstein" as const, gradientPenalty: 10, dSteps: 2 }]) {
    const run = async (threads: number) => {
      const gan = await createGAN(spec, { seed: 9, threads, engine: "wasm" }); // no GPU probe: it would leave tfjs on another backend for the files after this one
      await gan.train(data, { steps: 6 });
      const s = await gan.saveState();
      await gan.dispose();
      return s;
    };
    const local = await createWasmGAN(spec, { seed: 9 });
    await local.train(data, { steps: 6 });
    const one = await run(1), three = await run(3);
    sameBits(one, three, `${spec.loss}: 1 vs 3 threads`);
    sameBits(one, local.saveState(), `${spec.loss}: worker vs in-process`);
  }
});

test.run();
