// The training run as library code (src/train/run.ts): its cadence of snapshots and checkpoints,
// an abort that checkpoints where it stopped and resumes to the same bits as an uninterrupted
// run, a diverging run reported with its last checkpoint, and bad arguments refused in one line.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createGAN, ring8, type GAN, type GanState } from "../../src/index.ts";
import { runTraining, RunDivergedError } from "../../src/train/run.ts";

const mlp = (units: number, out: number) => [{ type: "dense", units }, { type: "relu" }, { type: "dense", units: out }];
const small = (opt: object) => ({
  name: "small", latentDim: 2, dataShape: [2], batchSize: 32, loss: "non-saturating",
  generator: mlp(16, 2), discriminator: mlp(16, 1), optimizer: { generator: opt, discriminator: opt },
});
const adam = { type: "adam", lr: 1e-3 };
const data = await ring8({ count: 2000, seed: 3 });
const make = (spec: object = small(adam)) => createGAN(spec, { seed: 5, mode: "in-process" });

async function withGan<T>(f: (gan: GAN) => Promise<T>, spec?: object): Promise<T> {
  const gan = await make(spec);
  try { return await f(gan); } finally { await gan.dispose(); }
}

test("snapshots at each multiple of sampleEvery and the end, checkpoints at each multiple of checkpointEvery and the end", async () => {
  await withGan(async (gan) => {
    const snaps: number[] = [], ckpts: number[] = [], logged: number[] = [];
    const r = await runTraining(gan, data, {
      steps: 10, sampleEvery: 4, checkpointEvery: 3, logEvery: 2,
      onStep: (s) => logged.push(s.step), onSnapshot: (s) => { snaps.push(s); }, onCheckpoint: (s) => { ckpts.push(s); },
    });
    assert.equal(snaps, [4, 8, 10], "snapshot steps");
    assert.equal(ckpts, [3, 6, 9, 10], "checkpoint steps");
    assert.is(logged.at(-1), 10, "onStep saw the last step");
    assert.ok(logged.includes(2) && logged.includes(4), `onStep every 2 steps (${logged.join(", ")})`);
    assert.equal(r, { step: 10, start: 0, interrupted: false, checkpointStep: 10, snapshotStep: 10 });
    assert.is(await gan.step(), 10);
  });
});

test("checkpointEvery 0: a checkpoint only at the end; a run already at its end takes one snapshot and one checkpoint", async () => {
  await withGan(async (gan) => {
    const ckpts: number[] = [];
    await runTraining(gan, data, { steps: 6, sampleEvery: 2, checkpointEvery: 0, onCheckpoint: (s) => { ckpts.push(s); } });
    assert.equal(ckpts, [6]);
    const snaps: number[] = [];
    const r = await runTraining(gan, data, { steps: 6, sampleEvery: 2, onSnapshot: (s) => { snaps.push(s); }, onCheckpoint: (s) => { ckpts.push(s); } });
    assert.equal([snaps, ckpts, r.start, r.step], [[6], [6, 6], 6, 6]);
  });
});

test("an abort stops at a step boundary and checkpoints there; resuming ends with the uninterrupted run's bits", async () => {
  const straight = await withGan(async (gan) => { await runTraining(gan, data, { steps: 12, sampleEvery: 5 }); return gan.saveState(); });
  let saved: GanState | undefined;
  const ckpts: number[] = [];
  const first = await withGan(async (gan) => {
    const ac = new AbortController();
    return runTraining(gan, data, {
      steps: 12, sampleEvery: 5, checkpointEvery: 0, signal: ac.signal,
      onStep: (s) => { if (s.step === 7) ac.abort(); },
      onCheckpoint: async (s) => { ckpts.push(s); saved = await gan.saveState(); },
    });
  });
  assert.is(first.interrupted, true, "interrupted");
  assert.is(first.step, 7, "stopped at the step the abort came in");
  assert.equal(ckpts, [7], "one checkpoint, at the step it stopped");
  const resumed = await withGan(async (gan) => {
    await gan.loadState(saved!);
    const r = await runTraining(gan, data, { steps: 12, sampleEvery: 5 });
    assert.equal([r.start, r.step, r.interrupted], [7, 12, false]);
    return gan.saveState();
  });
  for (const net of ["generator", "discriminator"] as const) {
    assert.equal(Array.from(resumed[net].params), Array.from(straight[net].params), `${net}: resumed = uninterrupted, bit for bit`);
  }
  assert.equal(Array.from(resumed.rng), Array.from(straight.rng), "the training stream's state");
});

test("a diverging run throws RunDivergedError with the engine's message and its last checkpoint step", async () => {
  const sgd = { type: "sgd", lr: 10, momentum: 0.99 };
  const ckpts: number[] = [];
  const err = await withGan((gan) => runTraining(gan, data, { steps: 100, sampleEvery: 1, onCheckpoint: (s) => { ckpts.push(s); } }).then(() => undefined, (e) => e), small(sgd));
  assert.ok(err instanceof RunDivergedError, `a RunDivergedError (got ${err})`);
  assert.match(err.message, /training diverged at step \d+/);
  assert.ok(ckpts.length > 0, "some steps were checkpointed before it diverged");
  assert.is(err.checkpointStep, ckpts.at(-1), "the error names the last checkpointed step");
});

test("bad arguments are refused in one line naming the argument", async () => {
  await withGan(async (gan) => {
    for (const [o, re] of [
      [{ steps: 10, sampleEvery: 0 }, /sampleEvery must be an integer >= 1 \(got 0\)/],
      [{ steps: -1, sampleEvery: 1 }, /steps must be an integer >= 0/],
      [{ steps: 5, sampleEvery: 1, checkpointEvery: 1.5 }, /checkpointEvery must be an integer >= 0/],
      [{ steps: 5, sampleEvery: 1, logEvery: 0 }, /logEvery must be an integer >= 1/],
    ] as const) {
      const e = await runTraining(gan, data, o as any).then(() => undefined, (x) => x);
      assert.ok(e instanceof RangeError && re.test(e.message) && !e.message.includes("\n"), `${JSON.stringify(o)}: ${e?.message}`);
    }
    await runTraining(gan, data, { steps: 3, sampleEvery: 3 });
    const behind = await runTraining(gan, data, { steps: 2, sampleEvery: 1 }).then(() => undefined, (x) => x);
    assert.match(behind?.message ?? "", /steps 2 is behind the GAN, which is at step 3/);
  });
});

test.run();
