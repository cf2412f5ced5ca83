// The bundled MNIST digits: the package's real counts and pixels, in one fixed order, in [-1, 1].
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { mnist, fixedPermutation, MNIST_ORDER_SEED } from "../../src/data/mnist.ts";

const byte = (v: number) => Math.round((v + 1) * 127.5);

async function rejects(fn: () => Promise<unknown>, re: RegExp): Promise<void> {
  try { await fn(); } catch (e) { assert.match((e as Error).message, re); return; }
  assert.unreachable(`expected a rejection matching ${re}`);
}

test("10,000 digits (not 9,756), class 5 has 863; shape, name, labels", async () => {
  const d = await mnist();
  assert.is(d.name, "mnist");
  assert.is(d.count, 10_000);
  assert.equal(d.shape, [28, 28, 1]);
  assert.is(d.numClasses, 10);
  assert.is(d.x.length, 10_000 * 784);
  const counts = new Array(10).fill(0);
  for (const l of d.labels!) counts[l]++;
  assert.equal(counts, [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
  // the fixed order mixes the classes: first and last labels, held-out split counts
  assert.equal(Array.from(d.labels!.subarray(0, 10)), [2, 9, 9, 2, 6, 8, 1, 3, 8, 3]);
  assert.equal(Array.from(d.labels!.subarray(9990)), [5, 5, 5, 1, 6, 4, 4, 2, 0, 6]);
  const held = new Array(10).fill(0);
  for (const l of d.labels!.subarray(8000)) held[l]++;
  assert.equal(held, [213, 227, 206, 207, 205, 171, 195, 185, 194, 197]);
});

test("pixels: exactly byte / 127.5 - 1, full range, known sums (MNIST's mean ink 0.131)", async () => {
  const d = await mnist();
  let min = Infinity, max = -Infinity, total = 0, exact = true;
  const perClass = new Array(10).fill(0);
  for (let i = 0; i < d.count; i++) {
    let s = 0;
    for (let j = 0; j < 784; j++) {
      const v = d.x[i * 784 + j], b = byte(v);
      if (v < min) min = v;
      if (v > max) max = v;
      if (v !== Math.fround(b / 127.5 - 1)) exact = false;
      s += b;
    }
    perClass[d.labels![i]] += s;
    total += s;
  }
  assert.is(min, -1);
  assert.is(max, 1);
  assert.ok(exact, "every value is a byte mapped to [-1, 1]");
  assert.is(total, 262146600);
  assert.ok(Math.abs(total / (255 * d.count * 784) - 0.1311) < 1e-4);
  assert.equal(perClass, [35384557, 17658546, 29302421, 29451611, 23872061, 21470939, 27693032, 24828004, 28106735, 24378694]);
  let s0 = 0, sLast = 0;
  for (let j = 0; j < 784; j++) { s0 += byte(d.x[j]); sLast += byte(d.x[9999 * 784 + j]); }
  assert.is(s0, 29204);
  assert.is(sLast, 26399);
});

test("the package's own values, digit for digit: its first 5 sits where the permutation put it", async () => {
  const d = await mnist();
  const dir = dirname(createRequire(import.meta.url).resolve("mnist/package.json"));
  const raw = (JSON.parse(readFileSync(join(dir, "src", "digits", "5.json"), "utf8")) as { data: number[] }).data;
  const perm = fixedPermutation(10_000, MNIST_ORDER_SEED);
  const first5 = 1001 + 1127 + 991 + 1032 + 980; // class-major index of the package's digit 5 #0
  const at = perm.indexOf(first5);
  assert.is(d.labels![at], 5);
  for (let j = 0; j < 784; j++) assert.is(byte(d.x[at * 784 + j]), Math.round(raw[j] * 255), `pixel ${j}`);
  // a permutation: every index once
  assert.is(new Set(perm).size, 10_000);
});

test("fixed order, repeated loads cheap and independent; offset, count, digits", async () => {
  const a = await mnist();
  const t0 = performance.now();
  const b = await mnist();
  const ms = performance.now() - t0;
  assert.ok(ms < 500, `a repeated load took ${ms.toFixed(0)} ms`);
  assert.ok(a.x !== b.x);
  assert.equal(Array.from(a.x.subarray(300_000, 300_100)), Array.from(b.x.subarray(300_000, 300_100)));
  a.x[0] = 5; // a caller's edit does not reach the next load
  assert.is((await mnist()).x[0], -1);

  const held = await mnist({ offset: 8000 });
  assert.is(held.count, 2000);
  assert.equal(Array.from(held.x.subarray(0, 784)), Array.from(b.x.subarray(8000 * 784, 8001 * 784)));
  const few = await mnist({ count: 100 });
  assert.is(few.count, 100);
  assert.equal(Array.from(few.labels!), Array.from(b.labels!.subarray(0, 100)));
  const fives = await mnist({ digits: [5] });
  assert.is(fives.count, 863);
  assert.ok(fives.labels!.every((l) => l === 5));
  assert.is(fives.numClasses, 10);
});

test("bad options are refused with the reason", async () => {
  await rejects(() => mnist({ count: 0 }), /count must be an integer from 1 to 10000/);
  await rejects(() => mnist({ offset: 9990, count: 20 }), /count must be an integer from 1 to 10 \(got 20\)/);
  await rejects(() => mnist({ offset: -1 }), /offset must be an integer/);
  await rejects(() => mnist({ digits: [10] }), /digits must be a non-empty list of classes 0..9/);
});

test.run();
