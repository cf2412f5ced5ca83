// R1 (Mescheder et al. 2018: (γ/2)·mean‖∇ₓD(x)‖² on the real batch) and PGGAN's drift term
// (Karras et al. 2018: ε·mean D(x)² on the real batch) in the WASM step (assembly/train/gan.ts,
// assembly/train/penalty.ts).
//  (1) R1 alone (r1New / penaltyRun) on dense and conv critics at random x: R within
//      1e-6 + 1e-5·|R| of f64, ∂R/∂θ within 1e-5·max|∇R| + 1e-3·|∂R/∂θ_k| of f64 central differences.
//  (2) one full step with SGD (η = 0.25): the critic's gradient recovered from (θ0 − θ1)/η against
//      f64 central differences of the f64 objective at the step's own batches (G(z) from tfjs-cpu) (BCE + R1; Wasserstein
//      + drift, + WGAN-GP's penalty at the step's x̂), within 1e-5 + 2e-3·|∇| as
//      tests/engine/gan_step.test.ts; the statistics (D.penalty holding R1 or WGAN-GP's penalty,
//      D.loss with every term in) within 1e-5.
//      Critics with and without minibatch std.
//  (3) R1 trains: the ring8 preset with r1 10, 300 steps: finite statistics, R1 reported and > 0;
//      lazy R1 (r1Every) takes it on every k-th D update; same seed twice, a saveState/loadState
//      resume and a checkpoint round trip give the same bits (R1 and drift).
//  (4) spec refusals, each naming its field.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createWasmGAN as createGAN, ring8, preset, validateSpec, roleNet, type GanSpec } from "../../src/index.ts";
import { SpecError, type LayerSpec } from "../../src/model/spec.ts";
import { instantiate } from "../../src/engine/wasm_module.ts";
import { LinearMemory } from "../../src/engine/memory.ts";
import { buildWasmNet } from "../../src/engine/net_builder.ts";
import { expectClose, expectBitIdentical, testRandom, randomArray, centralDifferences } from "../util/check.ts";
import { f64Forward, f64Penalty, f64R1 } from "../util/f64_net.ts";
import { tfCpu } from "../util/tfjs.ts";
import { tfForward } from "../util/tf_net.ts";
import { sgd, SGD_LR, smallMlpGenerator, smallMlpDiscriminator, smallDcganGenerator, smallDcganDiscriminator, randomImages } from "../util/small_gans.ts";
import { refuses } from "../util/spec_refusal.ts";

const tf = await tfCpu();
const wasm = await instantiate("strict");
const mem = new LinearMemory(wasm);
const prod = (s: number[]) => s.reduce((a, b) => a * b, 1);
const maxAbs = (a: ArrayLike<number>) => Array.from(a).reduce((m, v) => Math.max(m, Math.abs(v)), 0);

// ---- (1) R1 alone
const r1Cases: [string, LayerSpec[], number[], number][] = [
  ["dense critic, relu / leaky_relu", smallMlpDiscriminator, [2], 12],
  ["dense critic, tanh", [{ type: "dense", units: 7 }, { type: "tanh" }, { type: "dense", units: 1 }], [3], 6],
  ["conv critic", validateSpec({ latentDim: 3, dataShape: [6, 6, 1], batchSize: 8, loss: "non-saturating", generator: smallDcganGenerator, discriminator: smallDcganDiscriminator, optimizer: { generator: sgd, discriminator: sgd } }).nets.discriminator, [6, 6, 1], 4],
];
for (const [name, layers, input, n] of r1Cases) {
  test(`R1 alone (${name}): R and ∂R/∂θ match f64 and f64 central differences`, () => {
    const x = randomArray(n * prod(input), testRandom(n + 5), -1.5, 1.5);
    const net = buildWasmNet(wasm, layers, input, n);
    wasm.netInit(net, wasm.rngNew(4), 0);
    const P = wasm.netParamCount(net), gamma = 10;
    const pen = wasm.r1New(net, gamma);
    wasm.netZeroGrads(net);
    const R = wasm.penaltyRun(pen, mem.put(x), n);
    const theta = Float64Array.from(mem.read(wasm.netParams(net), P)), grad = mem.read(wasm.netGrads(net), P);
    const ref = (w: Float64Array) => f64R1(layers, input, w, x, n, gamma);
    expectClose("R vs f64 (1e-6 + 1e-5·|R|)", [R], [ref(theta)], 1e-6, 1e-5);
    const fd = centralDifferences(theta, ref), scale = maxAbs(fd);
    assert.ok(scale > 1e-3, `a nontrivial gradient (${scale})`);
    expectClose("∂R/∂θ vs f64 central differences (1e-5·max + 1e-3·|g|)", grad, fd, 1e-5 * scale, 1e-3);
  });
}

// ---- (2) one full step against f64 central differences of the whole critic objective
const data = await ring8({ count: 4096, seed: 3 });
const images = randomImages().x;
const mbDense: LayerSpec[] = [{ type: "dense", units: 9 }, { type: "leaky_relu", alpha: 0.2 }, { type: "minibatch_std" }, { type: "dense", units: 6 }, { type: "leaky_relu", alpha: 0.2 }, { type: "dense", units: 1 }];
const mbConv: LayerSpec[] = [{ type: "conv2d", filters: 3, kernelSize: 3, strides: 2 }, { type: "leaky_relu", alpha: 0.2 }, { type: "minibatch_std", groupSize: 2 }, { type: "flatten" }, { type: "dense", units: 1 }];
const mlp = (over: Partial<GanSpec>): GanSpec => ({
  latentDim: 3, dataShape: [2], batchSize: 24, loss: "non-saturating", generator: smallMlpGenerator, discriminator: smallMlpDiscriminator,
  optimizer: { generator: sgd, discriminator: sgd }, ...over,
} as GanSpec);
const dcgan = (over: Partial<GanSpec>): GanSpec => ({
  latentDim: 3, dataShape: [6, 6, 1], batchSize: 8, loss: "non-saturating", generator: smallDcganGenerator, discriminator: smallDcganDiscriminator,
  optimizer: { generator: sgd, discriminator: sgd }, ...over,
} as GanSpec);
const stepCases: [string, GanSpec, Float32Array][] = [
  ["non-saturating + R1 10", mlp({ r1: 10 }), data.x],
  ["minimax + R1 3, pack 2", mlp({ loss: "minimax", r1: 3, pack: 2 }), data.x],
  ["non-saturating + R1, minibatch std critic", mlp({ r1: true, discriminator: mbDense }), data.x],
  ["non-saturating + lazy R1 (r1Every 3: the first update takes γ·3)", mlp({ r1: 4, r1Every: 3 }), data.x],
  ["small DCGAN + R1, minibatch std conv critic", dcgan({ r1: 10, discriminator: mbConv }), images],
  ["wasserstein + drift 0.001", mlp({ loss: "wasserstein", drift: true }), data.x],
  ["wasserstein + drift 0.05 + clip", mlp({ loss: "wasserstein", drift: 0.05, clip: 0.2 }), data.x],
  ["WGAN-GP + drift 0.01, minibatch std critic (PGGAN's loss)", mlp({ loss: "wasserstein", gradientPenalty: 10, drift: 0.01, discriminator: mbDense }), data.x],
  ["small DCGAN, WGAN-GP + drift, minibatch std conv critic", dcgan({ loss: "wasserstein", gradientPenalty: 10, drift: 0.1, discriminator: mbConv }), images],
];
const softplus = (t: number) => Math.max(t, 0) + Math.log1p(Math.exp(-Math.abs(t)));
const mean = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0) / a.length;
for (const [name, input, x] of stepCases) {
  test(`one step (${name}): the critic's gradient matches f64 central differences of its objective`, async () => {
    const spec = validateSpec(input);
    const { pack, latentDim: Z, batchSize: B } = spec;
    const X = prod(spec.dataShape), rows = B / pack, dIn = pack > 1 ? [X * pack] : spec.dataShape;
    const gan = await createGAN(spec, { seed: 5 });
    const w0 = gan.getWeights();
    const stats = await gan.train(x, { steps: 1 });
    const w1 = gan.getWeights();
    const { wasm: w, gan: h } = gan.raw;
    const read = (p: number, len: number) => new Float32Array(w.memory.buffer, p, len).slice();
    const z = read(w.ganZ(h), B * Z), real = read(w.ganReal(h), B * X);
    const Dl = roleNet(spec, "discriminator").layers;
    // G(z) at θG0 (tfjs: the f64 reference has no transposed conv); a fixed input of D's objective
    const fake = tfForward(tf, roleNet(spec, "generator").layers, Z, tf.tensor1d(w0.generator), tf.tensor2d(z, [B, Z])).dataSync() as Float32Array;
    const gp = spec.gradientPenalty !== undefined, xhat = gp ? read(w.ganPenaltyInput(h), B * X) : undefined;
    const terms = (th: ArrayLike<number>) => {
      const lr = f64Forward(Dl, dIn, th, real, rows).out, lf = f64Forward(Dl, dIn, th, fake, rows).out;
      const base = spec.loss === "wasserstein" ? mean(lf) - mean(lr) : mean(Array.from(lr, (t) => softplus(-t))) + mean(Array.from(lf, softplus));
      const drift = spec.drift ? spec.drift * mean(Array.from(lr, (t) => t * t)) : 0;
      const r1 = spec.r1 ? f64R1(Dl, dIn, th, real, rows, spec.r1 * (spec.r1Every ?? 1)) : 0;
      const pen = gp ? f64Penalty(Dl, dIn, th, xhat!, rows, spec.gradientPenalty!) : 0;
      return { total: base + drift + r1 + pen, drift, r1, pen };
    };
    const fd = centralDifferences(w0.discriminator, (th) => terms(th).total);
    const recovered = w0.discriminator.map((v, i) => (v - w1.discriminator[i]) / SGD_LR);
    const t0 = terms(w0.discriminator);
    if (spec.clip === undefined) expectClose("∇D vs f64 central differences (1e-5 + 2e-3·|∇|)", recovered, fd, 1e-5, 2e-3);
    else { // clipped: the unclipped coordinates carry the gradient
      const c = Math.fround(spec.clip);
      const free = Array.from(w0.discriminator.keys()).filter((i) => Math.abs(w1.discriminator[i]) < c);
      assert.ok(free.length > 10, "some coordinates unclipped");
      expectClose("∇D (unclipped coordinates) vs f64 central differences (1e-5 + 2e-3·|∇|)", free.map((i) => recovered[i]), free.map((i) => fd[i]), 1e-5, 2e-3);
    }
    if (spec.r1) {
      assert.ok(t0.r1 > 1e-3, `R1 is active (${t0.r1})`);
      const fdNoR1 = centralDifferences(w0.discriminator, (th) => terms(th).total - terms(th).r1);
      assert.ok(fd.some((v, i) => Math.abs(v - fdNoR1[i]) > 1e-5 + 2e-3 * Math.abs(v)), "R1 moves the gradient beyond the tolerance");
      expectClose("D.penalty statistic = R1 (1e-5 + 1e-5·|R|)", [stats.penalty], [t0.r1], 1e-5, 1e-5);
    } else if (!gp) assert.is(stats.penalty, 0, "D.penalty is 0 without R1 or WGAN-GP");
    if (spec.drift) {
      // the drift's share of ∇D is larger than the comparison's tolerance somewhere: an engine
      // without it would fail the check above
      const fdNoDrift = centralDifferences(w0.discriminator, (th) => terms(th).total - terms(th).drift);
      assert.ok(fd.some((v, i) => Math.abs(v - fdNoDrift[i]) > 1e-5 + 2e-3 * Math.abs(v)), "the drift term moves the gradient beyond the tolerance");
      assert.ok(t0.drift > 0, `drift ${t0.drift}`);
    }
    if (gp) expectClose("D.penalty statistic (1e-5 + 1e-5·|P|)", [stats.penalty], [t0.pen], 1e-5, 1e-5);
    expectClose("D.loss with every term (1e-5 + 1e-5·|L|)", [stats.dLoss], [t0.total], 1e-5, 1e-5);
  });
}

// ---- (3) R1 trains, reproducibly
test("R1 trains the ring8 nets: 300 steps, finite statistics, R1 reported (D.penalty > 0) and in D.loss", async () => {
  const started = Date.now();
  const gan = await createGAN({ ...preset("ring8"), r1: 10 }, { seed: 1 });
  const seen: number[] = [];
  const last = await gan.train(data, { steps: 300, every: 50, onStep: (s) => { seen.push(s.penalty); assert.ok([s.dLoss, s.gLoss, s.dGradNorm, s.gGradNorm, s.penalty].every(Number.isFinite), `step ${s.step}: finite`); } });
  assert.is(seen.length, 6);
  assert.ok(seen.every((r) => r > 0), `R1 > 0 at every report (${seen.map((r) => r.toPrecision(3)).join(", ")})`);
  assert.ok(last.dLoss >= last.penalty, "D.loss includes R1");
  const plain = await createGAN(preset("mlp-ring8"), { seed: 1 });
  assert.is((await plain.train(data, { steps: 2 })).penalty, 0, "without R1 the slot is 0");
  console.log(`    (R1 ring8 300 steps: R1 ${seen.map((r) => r.toPrecision(3)).join(" → ")}; ${Date.now() - started} ms)`);
});

test("lazy R1 (r1Every 3): the D updates 0, 3, 6, ... take it (γ·3), the others not; resuming mid-interval keeps the rhythm", async () => {
  const spec = mlp({ r1: 10, r1Every: 3, dSteps: 2, optimizer: { generator: { type: "adam", lr: 2e-4, beta1: 0.5 }, discriminator: { type: "adam", lr: 2e-4, beta1: 0.5 } } });
  const a = await createGAN(spec, { seed: 2 });
  const r1: number[] = [];
  await a.train(data, { steps: 6, every: 1, onStep: (s) => r1.push(s.penalty) });
  // dSteps 2: step s's last D update is update 2s − 1 (counting from 0): 1, 3, 5, 7, 9, 11 -> R1 on 3 and 9
  assert.equal(r1.map((v) => v > 0), [false, true, false, false, true, false], `D.penalty (R1) per step: ${r1.join(", ")}`);
  const b = await createGAN(spec, { seed: 2 }), c = await createGAN(spec, { seed: 8 });
  await b.train(data, { steps: 2 });
  c.loadState(b.saveState());
  await c.train(data, { steps: 4 });
  expectBitIdentical("D resumed after 2 steps (4 updates: mid-interval)", c.getWeights().discriminator, a.getWeights().discriminator);
});

for (const [name, spec] of [["R1 with a minibatch std critic", mlp({ r1: 10, discriminator: mbDense, optimizer: { generator: { type: "adam", lr: 2e-4, beta1: 0.5 }, discriminator: { type: "adam", lr: 2e-4, beta1: 0.5 } } })],
  ["WGAN-GP + drift with a minibatch std critic", mlp({ loss: "wasserstein", gradientPenalty: 10, drift: true, dSteps: 2, discriminator: mbDense, optimizer: { generator: { type: "adam", lr: 1e-4, beta1: 0, beta2: 0.9 }, discriminator: { type: "adam", lr: 1e-4, beta1: 0, beta2: 0.9 } } })]] as const) {
  test(`${name}: same seed twice is bit-identical, and saveState/loadState resumes exactly`, async () => {
    const a = await createGAN(spec, { seed: 7 }), b = await createGAN(spec, { seed: 7 });
    await a.train(data, { steps: 3 });
    await b.train(data, { steps: 3 });
    const c = await createGAN(spec, { seed: 99 });
    c.loadState(a.saveState());
    await a.train(data, { steps: 2 });
    await c.train(data, { steps: 2 });
    await b.train(data, { steps: 2 });
    assert.ok(a.getWeights().discriminator.every(Number.isFinite));
    expectBitIdentical("D (resumed)", c.getWeights().discriminator, a.getWeights().discriminator);
    expectBitIdentical("G (resumed)", c.getWeights().generator, a.getWeights().generator);
    expectBitIdentical("D (same seed, 5 steps)", b.getWeights().discriminator, a.getWeights().discriminator);
    assert.equal(c.stats(), a.stats());
  });
}

test("a checkpoint of an R1 + minibatch std model round-trips (spec, the R1 statistic) and resumes to the same bits", async () => {
  const { encodeCheckpoint, decodeCheckpoint, checkpointEngine } = await import("../../src/io/checkpoint.ts");
  const spec = mlp({ r1: 5, discriminator: mbDense });
  const a = await createGAN(spec, { seed: 3 });
  await a.train(data, { steps: 4 });
  const ck = decodeCheckpoint(encodeCheckpoint(a.spec, a.saveState()));
  assert.equal(ck.spec, a.spec, "the spec (r1, minibatch_std's groupSize) comes back");
  const b = await checkpointEngine(ck);
  assert.ok(a.stats().penalty > 0);
  assert.equal(b.stats(), a.stats(), "the statistics block (R1 in D.penalty) comes back");
  await a.train(data, { steps: 2 });
  await b.train(data, { steps: 2 });
  expectBitIdentical("D after resuming", b.getWeights().discriminator, a.getWeights().discriminator);
});

// ---- (4) refusals
test("spec: r1 and drift default off, true means 10 and 0.001, and are refused where they do not apply", () => {
  assert.ok(!("r1" in validateSpec(mlp({}))) && !("drift" in validateSpec(mlp({}))));
  assert.ok(!("r1" in validateSpec(mlp({ r1: false }))));
  assert.is(validateSpec(mlp({ r1: true })).r1, 10);
  assert.is(validateSpec(mlp({ loss: "minimax", r1: 0.5 })).r1, 0.5);
  assert.is(validateSpec(mlp({ loss: "wasserstein", drift: true })).drift, 0.001);
  assert.is(validateSpec(mlp({ loss: "wasserstein", drift: 0.01, gradientPenalty: true })).drift, 0.01);
  for (const loss of ["wasserstein", "hinge", "least-squares"] as const) refuses(mlp({ loss, r1: 10 }), "spec.r1", /"non-saturating" and "minimax" losses only/);
  for (const bad of [0, -1, Number.NaN, 1e5, "10"]) refuses(mlp({ r1: bad as any }), "spec.r1", /must be a number in \(0, 10000\]/);
  refuses(mlp({ r1: 10, discriminator: [{ type: "dense", units: 8 }, { type: "batch_norm" }, { type: "relu" }, { type: "dense", units: 1 }] }), "spec.discriminator[1]", /batch_norm is not allowed in a discriminator with the R1 penalty/);
  refuses({ ...mlp({ r1: 10 }), numClasses: 8 }, "spec.r1", /conditional/);
  assert.is(validateSpec(mlp({ r1: 10, r1Every: 16 })).r1Every, 16);
  assert.ok(!("r1Every" in validateSpec(mlp({ r1: 10, r1Every: 1 }))), "r1Every 1 is the default, left out");
  refuses(mlp({ r1Every: 4 }), "spec.r1Every", /spec.r1 is off/);
  for (const bad of [0, 1.5, -2, 20000, "4"]) refuses(mlp({ r1: 10, r1Every: bad as any }), "spec.r1Every", /must be an integer from 1 to 10000/);
  for (const loss of ["non-saturating", "minimax", "hinge", "least-squares"] as const) refuses(mlp({ loss, drift: true }), "spec.drift", /"wasserstein" loss only/);
  for (const bad of [0, -0.1, 2, Number.POSITIVE_INFINITY, "0.001"]) refuses(mlp({ loss: "wasserstein", drift: bad as any }), "spec.drift", /must be a number in \(0, 1\]/);
  // the named form names its nets
  refuses({ latentDim: 3, dataShape: [2], batchSize: 24, loss: "non-saturating", r1: 10, nets: { G: smallMlpGenerator, D: [{ type: "dense", units: 8 }, { type: "batch_norm" }, { type: "dense", units: 1 }] }, objective: { type: "gan", generator: "G", discriminator: "D" }, optimizer: { G: sgd, D: sgd } }, "spec.nets.D[1]", /R1/);
});

test("spec: minibatch_std (groupSize default 4) sits in the discriminator, and its groups must split D's batch", () => {
  assert.is(validateSpec(mlp({ discriminator: mbDense })).nets.discriminator[2].groupSize, 4);
  assert.is(validateSpec(mlp({ r1: 10, discriminator: mbDense })).r1, 10, "accepted in an R1 critic");
  assert.is(validateSpec(mlp({ loss: "wasserstein", gradientPenalty: true, discriminator: mbDense })).gradientPenalty, 10, "accepted in a WGAN-GP critic");
  assert.is(validateSpec(mlp({ batchSize: 3, discriminator: mbDense })).batchSize, 3, "a batch below the group size is one group");
  refuses(mlp({ batchSize: 26, discriminator: mbDense }), "spec.discriminator[2].groupSize", /batch of 26 rows.*groups of 4/);
  refuses(mlp({ batchSize: 24, pack: 4, discriminator: [{ type: "dense", units: 9 }, { type: "minibatch_std", groupSize: 4 }, { type: "dense", units: 1 }] }), "spec.discriminator[1].groupSize", /batch of 6 rows/);
  refuses(mlp({ generator: [{ type: "dense", units: 8 }, { type: "minibatch_std" }, { type: "dense", units: 2 }] }), "spec.generator[1]", /belongs in the discriminator/);
  for (const bad of [0, 2.5, -1, 2000, "4"]) refuses(mlp({ discriminator: [{ type: "minibatch_std", groupSize: bad as any }, { type: "dense", units: 1 }] }), "spec.discriminator[0].groupSize", /must be an integer from 1 to 1024/);
  refuses(mlp({ discriminator: [{ type: "minibatch_std", size: 4 } as any, { type: "dense", units: 1 }] }), "spec.discriminator[0].size", /unknown field \(allowed: type, groupSize\)/);
  // images: one more channel, so a dense after it sees h·w·(c + 1)
  const conv = validateSpec(dcgan({ discriminator: mbConv }));
  assert.is(conv.nets.discriminator[2].groupSize, 2);
});

test.run();
