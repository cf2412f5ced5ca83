// Stacked MNIST: three bundled digits as the channels of one image, labels = the mode
// 100·d0 + 10·d1 + d2, deterministic by seed, the 1,000 modes evenly filled.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { stackedMnist, stackedChannel, STACKED_MNIST_COUNT } from "../../src/data/stacked_mnist.ts";
import { mnist } from "../../src/data/mnist.ts";
import { BUNDLED_DATA, PRESET_DATA, bundledDataForShape } from "../../src/data/bundled.ts";

const P = 784;
const key = (x: Float32Array) => Array.from(x, (v) => Math.round((v + 1) * 127.5)).join(",");

async function rejects(fn: () => Promise<unknown>, re: RegExp): Promise<void> {
  try { await fn(); } catch (e) { assert.match((e as Error).message, re); return; }
  assert.unreachable(`expected a rejection matching ${re}`);
}

test("shape, name, count (25,600 by default), numClasses 1000; registered as stacked-mnist", async () => {
  const d = await stackedMnist();
  assert.is(d.name, "stacked-mnist");
  assert.equal(d.shape, [28, 28, 3]);
  assert.is(d.count, STACKED_MNIST_COUNT);
  assert.is(d.count, 25_600);
  assert.is(d.x.length, 25_600 * P * 3);
  assert.is(d.numClasses, 1000);
  assert.is(d.labels!.length, 25_600);
  assert.is(bundledDataForShape([28, 28, 3]), "stacked-mnist");
  assert.is(PRESET_DATA["dcgan-stacked-mnist"], "stacked-mnist");
  const b = await BUNDLED_DATA["stacked-mnist"](3);
  const direct = await stackedMnist({ seed: 3 });
  assert.ok(b.x.every((v, i) => v === direct.x[i]), "the bundled name draws from the run's seed");
});

test("each channel is one bundled digit, pixel for pixel, and the label is the mode of their classes", async () => {
  const m = await mnist();
  const byPixels = new Map<string, Set<number>>();
  for (let i = 0; i < m.count; i++) {
    const k = key(m.x.subarray(i * P, i * P + P));
    (byPixels.get(k) ?? byPixels.set(k, new Set()).get(k)!).add(m.labels![i]);
  }
  const d = await stackedMnist({ count: 300, seed: 5 });
  for (let i = 0; i < d.count; i++) {
    const one = d.x.subarray(i * P * 3, (i + 1) * P * 3);
    const digits = [0, 1, 2].map((c) => {
      const classes = byPixels.get(key(stackedChannel(one, 1, c)));
      assert.ok(classes && classes.size === 1, `sample ${i} channel ${c} is a bundled digit`);
      return [...classes!][0];
    });
    assert.is(d.labels![i], 100 * digits[0] + 10 * digits[1] + digits[2], `sample ${i}: label = mode of ${digits}`);
  }
});

test("deterministic by seed; another seed draws other triples", async () => {
  const a = await stackedMnist({ count: 500, seed: 7 }), b = await stackedMnist({ count: 500, seed: 7 }), c = await stackedMnist({ count: 500, seed: 8 });
  assert.ok(a.x.every((v, i) => v === b.x[i]) && a.labels!.every((v, i) => v === b.labels![i]), "same seed, same bits");
  let same = 0;
  for (let i = 0; i < 500; i++) same += a.labels![i] === c.labels![i] ? 1 : 0;
  assert.ok(same < 10, `seeds 7 and 8 share ${same} of 500 modes at the same index (chance: ~0.5)`);
});

test("the 1,000 modes are filled evenly: all present, chi-square within 5 sd of its mean (999)", async () => {
  const d = await stackedMnist(); // 25,600 samples: 25.6 expected per mode
  const counts = new Array(1000).fill(0);
  for (const l of d.labels!) counts[l]++;
  assert.is(counts.filter((c) => c > 0).length, 1000, "every mode present");
  // the expected count per mode is the product of the three class frequencies of the bundled
  // digits (they are not exactly uniform: 863 fives, 1,127 ones)
  const m = await mnist();
  const f = new Array(10).fill(0);
  for (const l of m.labels!) f[l] += 1 / m.count;
  let chi2 = 0;
  for (let k = 0; k < 1000; k++) {
    const e = d.count * f[Math.floor(k / 100)] * f[Math.floor(k / 10) % 10] * f[k % 10];
    chi2 += (counts[k] - e) ** 2 / e;
  }
  assert.ok(Math.abs(chi2 - 999) < 5 * Math.sqrt(2 * 999), `chi-square ${chi2.toFixed(1)} (999 ± ${(5 * Math.sqrt(1998)).toFixed(0)})`);
});

test("offset / pool: digits drawn only from the held-out 8,000..9,999", async () => {
  const held = await mnist({ offset: 8000 });
  const keys = new Set<string>();
  for (let i = 0; i < held.count; i++) keys.add(key(held.x.subarray(i * P, i * P + P)));
  const d = await stackedMnist({ count: 200, seed: 2, offset: 8000 });
  for (let i = 0; i < d.count; i++) for (let c = 0; c < 3; c++) {
    assert.ok(keys.has(key(stackedChannel(d.x.subarray(i * P * 3, (i + 1) * P * 3), 1, c))), `sample ${i} channel ${c} from the held-out digits`);
  }
});

test("bad options are refused naming the option", async () => {
  await rejects(() => stackedMnist({ count: 0 }), /stackedMnist: count must be an integer from 1 to 200000 \(got 0\)/);
  await rejects(() => stackedMnist({ count: 2.5 }), /count must be an integer/);
  await rejects(() => stackedMnist({ seed: 0.5 }), /seed must be an integer/);
  await rejects(() => stackedMnist({ offset: 10_000 }), /offset must be an integer from 0 to 9999/);
  await rejects(() => stackedMnist({ offset: 8000, pool: 2001 }), /pool must be an integer from 1 to 2000 \(got 2001\)/);
});

test.run();
