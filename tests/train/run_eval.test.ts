// Evaluation during a training run (src/train/run.ts's evalEvery, onEval, keepBest): the cadence
// (each multiple of evalEvery and the last step, after the snapshot and before the checkpoint of
// a step; on resume the multiples after the resumed step), the weights unchanged by evaluating,
// the best kept by the metric's direction (a prior best never replaced by a worse value), and bad
// arguments refused in one line.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createGAN, ring8, type GAN, type GanState } from "../../src/index.ts";
import { runTraining } from "../../src/train/run.ts";
import { EVAL_KINDS, evaluator, isBetter, METRIC_DIRECTION } from "../../src/eval/training_eval.ts";

const mlp = (units: number, out: number) => [{ type: "dense", units }, { type: "relu" }, { type: "dense", units: out }];
const spec = {
  name: "small", latentDim: 2, dataShape: [2], batchSize: 32, loss: "non-saturating",
  generator: mlp(16, 2), discriminator: mlp(16, 1), optimizer: { generator: { type: "adam", lr: 1e-3 }, discriminator: { type: "adam", lr: 1e-3 } },
};
const data = await ring8({ count: 2000, seed: 3 });

async function withGan<T>(f: (gan: GAN) => Promise<T>): Promise<T> {
  const gan = await createGAN(spec, { seed: 5, mode: "in-process" });
  try { return await f(gan); } finally { await gan.dispose(); }
}

test("evaluations at each multiple of evalEvery and the last step, after the snapshot and before the checkpoint; the other cadences unchanged", async () => {
  await withGan(async (gan) => {
    const order: string[] = [];
    const r = await runTraining(gan, data, {
      steps: 10, sampleEvery: 4, checkpointEvery: 3, evalEvery: 5,
      onSnapshot: (s) => { order.push(`snapshot ${s}`); }, onCheckpoint: (s) => { order.push(`checkpoint ${s}`); },
      onEval: async (s) => { order.push(`eval ${s} at ${await gan.step()}`); return { fid: s }; },
    });
    assert.equal(order, ["checkpoint 3", "snapshot 4", "eval 5 at 5", "checkpoint 6", "snapshot 8", "checkpoint 9", "snapshot 10", "eval 10 at 10", "checkpoint 10"]);
    assert.equal([r.evalStep, r.snapshotStep, r.checkpointStep, r.best], [10, 10, 10, undefined]);
  });
});

test("an abort: no evaluation at the step it stopped at; the resumed run evaluates at the multiples after it and at its end", async () => {
  let saved: GanState | undefined;
  const first: number[] = [];
  await withGan(async (gan) => {
    const ac = new AbortController();
    const r = await runTraining(gan, data, {
      steps: 12, sampleEvery: 5, evalEvery: 3, signal: ac.signal,
      onStep: (s) => { if (s.step === 7) ac.abort(); },
      onEval: (s) => { first.push(s); return { kl: 1 }; },
      onCheckpoint: async () => { saved = await gan.saveState(); },
    });
    assert.equal([r.interrupted, r.step, r.evalStep], [true, 7, 6]);
  });
  assert.equal(first, [3, 6], "evaluated before the abort");
  const second: number[] = [];
  await withGan(async (gan) => {
    await gan.loadState(saved!);
    await runTraining(gan, data, { steps: 14, sampleEvery: 5, evalEvery: 3, onEval: (s) => { second.push(s); return { kl: 1 }; } });
  });
  assert.equal(second, [9, 12, 14], "after the resume: the multiples after step 7, then the last step");
  const atEnd: number[] = [];
  await withGan(async (gan) => {
    await runTraining(gan, data, { steps: 4, sampleEvery: 4 });
    await runTraining(gan, data, { steps: 4, sampleEvery: 4, evalEvery: 2, onEval: (s) => { atEnd.push(s); return {}; } });
  });
  assert.equal(atEnd, [4], "a run already at its end evaluates once, as it snapshots once");
});

test("evaluating does not change the training: the same weights, bit for bit, with and without evalEvery", async () => {
  const plain = await withGan(async (gan) => { await runTraining(gan, data, { steps: 30, sampleEvery: 30 }); return gan.saveState(); });
  const seen: object[] = [];
  const evaluated = await withGan(async (gan) => {
    const onEval = evaluator(gan, data, { n: 500 });
    await runTraining(gan, data, { steps: 30, sampleEvery: 30, evalEvery: 7, onEval: async () => { const m = await onEval(); seen.push(m); return m; } });
    return gan.saveState();
  });
  assert.is(seen.length, 5, "evaluated at 7, 14, 21, 28, 30");
  assert.equal(Object.keys(seen[0]), ["modes", "highQuality", "kl"], "the mixture's numbers");
  for (const net of ["generator", "discriminator"] as const) {
    assert.equal(Array.from(evaluated[net].params), Array.from(plain[net].params), `${net}: bit for bit`);
  }
  assert.equal(Array.from(evaluated.rng), Array.from(plain.rng), "the training stream");
});

test("keepBest: onBest at each strictly better finite value by the metric's direction, at that step's weights; RunResult.best", async () => {
  const script = (values: number[], key: string) => (s: number) => ({ [key]: values[s / 2 - 1], other: 0 });
  for (const [metric, values, bests, best] of [
    ["fid", [9, 7, 7, 8, NaN, 3], [[2, 9], [4, 7], [12, 3]], { step: 12, value: 3 }],          // lower; a tie keeps the earlier; NaN never best
    ["modes", [3, 8, 8, 5, 2, 8], [[2, 3], [4, 8]], { step: 4, value: 8 }],                    // higher
    ["kl", [Infinity, 0.5, Infinity, 0.2, 1, 1], [[4, 0.5], [8, 0.2]], { step: 8, value: 0.2 }], // Infinity (no sample on a mode) never best
  ] as const) {
    await withGan(async (gan) => {
      const seen: [number, number][] = [];
      const weightsAtBest: number[] = [];
      const r = await runTraining(gan, data, {
        steps: 12, sampleEvery: 12, evalEvery: 2, onEval: script(values as unknown as number[], metric),
        keepBest: { metric, onBest: async (s, v) => { seen.push([s, v]); weightsAtBest.push(await gan.step()); } },
      });
      assert.equal(seen, bests, `${metric}: onBest calls`);
      assert.equal(weightsAtBest, bests.map((b) => b[0]), `${metric}: onBest runs at the step's weights`);
      assert.equal(r.best, { metric, ...best }, `${metric}: RunResult.best`);
    });
  }
});

test("keepBest.best (a resume): a worse later value never replaces it, a better one does", async () => {
  await withGan(async (gan) => {
    const seen: number[] = [];
    const r = await runTraining(gan, data, { steps: 6, sampleEvery: 6, evalEvery: 2, onEval: (s) => ({ fid: [5, 4, 6][s / 2 - 1] }), keepBest: { metric: "fid", best: { step: 0, value: 3 }, onBest: (s) => { seen.push(s); } } });
    assert.equal([seen, r.best], [[], { metric: "fid", step: 0, value: 3 }], "worse values: the prior best stands");
    const r2 = await runTraining(gan, data, { steps: 8, sampleEvery: 8, evalEvery: 2, onEval: () => ({ fid: 2.5 }), keepBest: { metric: "fid", best: r.best, onBest: (s) => { seen.push(s); } } });
    assert.equal([seen, r2.best], [[8], { metric: "fid", step: 8, value: 2.5 }], "a better value replaces it");
  });
});

test("the direction table covers every number the kinds yield except a spread; the default choices", () => {
  for (const k of EVAL_KINDS) {
    for (const key of Object.values(k.choices).flat()) assert.ok(METRIC_DIRECTION[key] || /Std$/.test(key), `${k.kind}: ${key} has a direction`);
    assert.ok(k.defaultChoices.every((c) => k.choices[c]), `${k.kind}: defaults are choices`);
  }
  assert.is(METRIC_DIRECTION.fid, "lower");
  assert.is(METRIC_DIRECTION.score, "higher");
  assert.ok(isBetter("fid", 1, 2) && !isBetter("fid", 2, 1) && !isBetter("fid", 2, 2) && isBetter("recall", 0.5, 0.4) && !isBetter("kl", NaN, undefined));
});

test("bad arguments: one line naming the argument", async () => {
  await withGan(async (gan) => {
    for (const [o, re] of [
      [{ evalEvery: -1 }, /evalEvery must be an integer >= 0 \(got -1\)/],
      [{ evalEvery: 2 }, /evalEvery needs onEval/],
      [{ keepBest: { metric: "fid" }, onEval: () => ({ fid: 1 }) }, /keepBest needs evalEvery >= 1/],
      [{ evalEvery: 2, keepBest: { metric: "fidd" }, onEval: () => ({ fid: 1 }) }, /keepBest.metric "fidd" has no known direction \(rankable: fid, /],
      [{ evalEvery: 2, keepBest: { metric: "fid", best: { step: -1, value: 1 } }, onEval: () => ({ fid: 1 }) }, /keepBest.best must be/],
      [{ evalEvery: 2, keepBest: { metric: "fid" }, onEval: () => ({ kl: 1 }) }, /keepBest.metric "fid" is not among the numbers onEval returned \(kl\)/],
    ] as const) {
      const e = await runTraining(gan, data, { steps: await gan.step() + 2, sampleEvery: 2, ...o } as any).then(() => undefined, (x) => x);
      assert.ok(e instanceof RangeError && re.test(e.message) && !e.message.includes("\n"), `${JSON.stringify(o)}: ${e?.message}`);
    }
    for (const [f, re] of [
      [() => evaluator(gan, data, { metrics: ["fid"] }), /evaluator: metrics: "fid" does not apply to 2-D mixture data/],
      [() => evaluator(gan, data, { n: 0 }), /evaluator: n must be an integer >= 1 \(got 0\)/],
      [() => evaluator(gan, { ...data, mixture: undefined, shape: [3] }), /evaluator: no metrics for the data set ring8 \(samples of shape \[3\]/],
    ] as const) assert.throws(f, re);
  });
});

test.run();
