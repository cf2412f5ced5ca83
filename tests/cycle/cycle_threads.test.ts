// CycleGAN's kernel threads (src/engine/cycle_engine.ts leading helper workers,
// assembly/kernels/threads.ts): 1 and 2 threads give the same bits. The nets are cyclegan-digits'
// kind at 28x28 (one residual block) with a batch of 24, big enough that convolutions, GEMMs,
// activations and bias adds pass the split thresholds (checked: the split tasks are counted), and a
// pool of 30 so that the pools fill in step 2 and swap at random in step 3.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { CycleGAN } from "../../src/engine/cycle_engine.ts";
import { liveWorkers } from "../../src/worker/spawn.ts";
import { resnetGenerator, patchDiscriminator } from "../../src/model/cyclegan_nets.ts";
import { CYCLE_ADAM } from "../../src/model/cyclegan_spec.ts";
import { expectBitIdentical, testRandom } from "../util/check.ts";

const X = 28 * 28;
const images = (seed: number, count: number) => { const r = testRandom(seed), x = new Float32Array(count * X); for (let i = 0; i < x.length; i++) x[i] = 2 * r() - 1; return x; };
const A = images(1, 64), B = images(2, 64);
const G = () => resnetGenerator({ channels: 1, ngf: 8, blocks: 1 }), D = () => patchDiscriminator({ ndf: 8, layers: 2 });
const spec = {
  dataShape: [28, 28, 1], batchSize: 24, poolSize: 30, init: "dcgan", lrSchedule: { type: "linear", steps: 4 },
  nets: { G: G(), F: G(), DA: D(), DB: D() },
  objective: { type: "cyclegan", generator: "G", inverse: "F", discriminatorA: "DA", discriminatorB: "DB" },
  optimizer: { G: { ...CYCLE_ADAM }, F: { ...CYCLE_ADAM }, DA: { ...CYCLE_ADAM }, DB: { ...CYCLE_ADAM } },
};

test("3 steps on 1 and on 2 threads: every net's weights, optimiser moments and state, both pools, the stream and the translations equal bit for bit", async () => {
  const one = await CycleGAN.create(spec, { seed: 5 });
  const two = await CycleGAN.create(spec, { seed: 5, threads: 2 });
  try {
    assert.is(one.threads, 1);
    assert.is(two.threads, 2, two.engineInfo().reason);
    assert.match(two.engineInfo().reason, /2 kernel threads/);
    for (const g of [one, two]) g.train(A, B, { steps: 3 });
    assert.ok(two.threadTasksForTesting > 100, `kernels were split across the threads (${two.threadTasksForTesting} tasks)`);
    const x = one.saveState(), y = two.saveState();
    assert.is(y.step, 3);
    assert.is(y.poolA.count, 30, "the pools are full (their random swaps ran in step 3)");
    for (const net of Object.keys(x.nets)) {
      for (const k of ["params", "opt1", "opt2", "state"] as const) expectBitIdentical(`${net}.${k}`, y.nets[net][k], x.nets[net][k]);
      assert.is(y.nets[net].t, x.nets[net].t, `${net}: updates taken`);
    }
    expectBitIdentical("pool A", y.poolA.images, x.poolA.images);
    expectBitIdentical("pool B", y.poolB.images, x.poolB.images);
    assert.equal(Array.from(y.rng), Array.from(x.rng), "the stream");
    assert.equal(two.stats(), one.stats(), "the last step's statistics");
    for (const direction of ["a2b", "b2a"] as const) expectBitIdentical(`translate ${direction}`, two.translate(A, { direction }), one.translate(A, { direction }));
  } finally {
    await one.dispose();
    await two.dispose();
  }
  assert.is(liveWorkers(), 0, "dispose ended the helper workers");
  assert.throws(() => two.train(A, B, { steps: 4 }), /this CycleGAN was disposed/);
  const bad = await CycleGAN.create(spec, { threads: 0 }).then(() => undefined, (e: Error) => e);
  assert.match(String(bad?.message), /^threads must be "auto" or an integer from 1 to 256 \(got 0\)$/, "a bad thread count is refused");
});

test("a helper worker that ends between calls: the next call throws, naming it", async () => {
  const small = { ...spec, batchSize: 2, poolSize: 2 };
  const gan = await CycleGAN.create(small, { seed: 1, threads: 2 });
  try {
    gan.train(A, B, { steps: 1 });
    gan.helpersForTesting[0].kill();
    for (let i = 0; i < 200 && liveWorkers() > 0; i++) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 10)); // the death event after the exit
    assert.throws(() => gan.train(A, B, { steps: 2 }), /^wasm-gan: helper thread 1 stopped: the worker (exited|was terminated)/);
    assert.throws(() => gan.translate(A), /helper thread 1 stopped/);
  } finally {
    await gan.dispose();
  }
  assert.is(liveWorkers(), 0);
});

test.run();
