// The evaluation API end to end: real digits against real digits score near zero; a dcgan-mnist
// trained 200 steps (seed 1, 2 threads) scores far better than its step-0 generator and than
// uniform noise; bad input is refused with the field named.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { testRandom, randomArray } from "../util/check.ts";
import { mnist } from "../../src/data/mnist.ts";
import { evaluate, evaluateImages } from "../../src/eval/evaluate.ts";
import { mnistReferenceStats } from "../../src/eval/reference_stats.ts";
import { digitClassifier } from "../../src/eval/digit_classifier.ts";
import { gaussianStats } from "../../src/eval/linalg.ts";
import { createGAN, preset } from "../../src/index.ts";

const data = await mnist();
const half = 5000, px = 784;
const first = data.x.subarray(0, half * px), second = data.x.slice(half * px);
const noise = randomArray(2000 * px, testRandom(11));
// uvu has no assert.rejects
async function rejects(f: () => Promise<unknown>, re: RegExp): Promise<void> {
  try { await f(); } catch (e) { assert.match(String(e), re); return; }
  assert.unreachable(`expected a rejection matching ${re}`);
}
const fast = { kid: { subsets: 10 }, prSamples: 2000 };

test("the shipped reference statistics are those of the bundled digits' features (1e-9 relative)", () => {
  const ref = mnistReferenceStats(), net = digitClassifier();
  const { features, logits } = net.forward(data.x, data.count);
  const f = gaussianStats(features, data.count, net.featureSize), l = gaussianStats(logits, data.count, 10);
  for (const [name, a, b] of [["features mean", f.mean, ref.features.mean], ["features cov", f.cov, ref.features.cov], ["logits cov", l.cov, ref.logits.cov]] as const) {
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / (Math.abs(b[i]) + 1e-12));
    assert.ok(worst < 1e-9, `${name}: max relative difference ${worst} (tol 1e-9)`);
  }
});

let realVsReal: Awaited<ReturnType<typeof evaluateImages>>, noiseScore: Awaited<ReturnType<typeof evaluateImages>>;
test("real vs real: two disjoint halves of the bundled digits (5,000 each) are near zero next to noise", async () => {
  realVsReal = await evaluateImages(first, half, { real: { x: second, count: half }, ...fast });
  noiseScore = await evaluateImages(noise, 2000, fast); // against the bundled digits (FID: shipped statistics)
  const r = realVsReal, z = noiseScore;
  assert.ok(r.fid! < 0.001 * z.fid!, `FID real/real ${r.fid!.toFixed(3)} < 0.1% of noise's ${z.fid!.toFixed(0)}`);
  assert.ok(r.fid! < 5, `FID real/real ${r.fid!.toFixed(3)} < 5`);
  assert.ok(Math.abs(r.kid!.mean) < 2 * r.kid!.std && Math.abs(r.kid!.mean) < 1e-4 * z.kid!.mean, `KID real/real ${r.kid!.mean.toFixed(1)} ± ${r.kid!.std.toFixed(1)}: zero within 2 std and < 0.01% of noise's ${z.kid!.mean.toExponential(3)}`);
  assert.ok(r.logitsFrechetDistance! < 0.01 * z.logitsFrechetDistance!, `logits' Fréchet distance real/real ${r.logitsFrechetDistance!.toFixed(3)} < 1% of noise's ${z.logitsFrechetDistance!.toFixed(1)}`);
  assert.ok(r.precision! > 0.8 && r.recall! > 0.8, `precision/recall real/real ${r.precision} / ${r.recall} > 0.8`);
  assert.ok(z.precision! < 0.01 && z.recall! < 0.01, `precision/recall of noise ${z.precision} / ${z.recall} < 0.01`);
  assert.ok(r.classifierScore! > 9 && z.classifierScore! < 1.01, `classifier score: real ${r.classifierScore!.toFixed(3)} > 9, noise ${z.classifierScore!.toFixed(4)} < 1.01`);
  const shipped = await evaluateImages(first, half, { metrics: ["fid"] });
  assert.ok(shipped.fid! < 5, `FID of half the digits against the shipped statistics of all: ${shipped.fid!.toFixed(3)} < 5`);
});

test("dcgan-mnist after 200 steps (seed 1, 2 threads) is far better than its step 0 and than noise on every metric", async () => {
  const gan = await createGAN(preset("dcgan-mnist"), { seed: 1, threads: 2, mode: "worker", engine: "wasm" });
  try {
    const opts = { n: 1000, seed: 1, ...fast };
    const e0 = await evaluate(gan, opts);
    await gan.train(data, { steps: 200 });
    const e1 = await evaluate(gan, opts);
    assert.is(e0.kind, "images");
    if (e0.kind !== "images" || e1.kind !== "images") return;
    const z = noiseScore; // against the bundled digits, as e0 and e1
    const line = (k: string, a: number, b: number, c: number) => `${k}: step 200 ${a.toPrecision(4)}, step 0 ${b.toPrecision(4)}, noise ${c.toPrecision(4)}`;
    assert.ok(e1.fid! < 0.25 * e0.fid! && e1.fid! < 0.25 * z.fid!, line("FID (< 1/4 of both)", e1.fid!, e0.fid!, z.fid!));
    assert.ok(e1.kid!.mean < 0.5 * e0.kid!.mean && e1.kid!.mean < 0.01 * z.kid!.mean, line("KID (< 1/2 of step 0's, < 1/100 of noise's)", e1.kid!.mean, e0.kid!.mean, z.kid!.mean));
    assert.ok(e1.classifierScore! > 2 * e0.classifierScore! && e1.classifierScore! > 2 * z.classifierScore!, line("classifier score (> 2x both)", e1.classifierScore!, e0.classifierScore!, z.classifierScore!));
    assert.ok(e1.logitsFrechetDistance! < 0.5 * e0.logitsFrechetDistance!, line("logits' Fréchet distance (< 1/2)", e1.logitsFrechetDistance!, e0.logitsFrechetDistance!, z.logitsFrechetDistance!));
    assert.ok(e1.precision! > e0.precision! && e1.recall! > e0.recall!, `precision/recall step 200 ${e1.precision}/${e1.recall} above step 0 ${e0.precision}/${e0.recall}`);
  } finally {
    await gan.dispose();
  }
});

test("bad input: unknown metric, too few samples, wrong length, NaN, a 2-D model without its mixture, another shape", async () => {
  await rejects(() => evaluateImages(first, 10, { metrics: ["fid", "is" as any] }), /metrics: unknown metric "is" \(known: fid, kid, pr, score\)/);
  await rejects(() => evaluateImages(first, 3, { metrics: ["pr"] }), /samples: the metrics asked need at least 4 samples \(got 3\)/);
  await rejects(() => evaluateImages(first, 1, { metrics: ["fid"] }), /at least 2 samples/);
  await rejects(() => evaluateImages(first.subarray(0, 100), 10, { metrics: ["fid"] }), /samples: 10 images of \[28, 28, 1\] need 7840 values, got 100/);
  await rejects(() => evaluateImages(first.subarray(0, 10 * px), 10, { metrics: ["fid"], real: { x: second.subarray(0, 50), count: 10 } }), /^RangeError: real: /);
  const bad = first.slice(0, 10 * px); bad[px + 5] = NaN;
  await rejects(() => evaluateImages(bad, 10, { metrics: ["fid"] }), /samples: sample 1 holds NaN/);
  const points = { spec: { dataShape: [2] }, sample: (n: number) => new Float32Array(2 * n) };
  await rejects(() => evaluate(points, { n: 10 }), /2-D samples need options\.mixture/);
  await rejects(() => evaluate({ spec: { dataShape: [8, 8, 1] }, sample: (n: number) => new Float32Array(64 * n) }), /no metrics for samples of shape \[8, 8, 1\]/);
});

test.run();
