// The 2-D mixtures: seeded, the right centres and spreads, and data checks that name the problem.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ring8, grid25, spiral, createWasmGAN as createGAN, preset } from "../../src/index.ts";
import { checkData } from "../../src/data/dataset.ts";

test("ring8: 8 centres on radius 2, std 0.02 per axis, balanced, seeded", async () => {
  const a = await ring8({ count: 40000, seed: 4 }), b = await ring8({ count: 40000, seed: 4 }), c = await ring8({ count: 40000, seed: 5 });
  assert.equal(Array.from(a.x.subarray(0, 100)), Array.from(b.x.subarray(0, 100)));
  assert.not.equal(Array.from(a.x.subarray(0, 100)), Array.from(c.x.subarray(0, 100)));
  assert.is(a.count, 40000);
  assert.equal(a.shape, [2]);
  const counts = new Array(8).fill(0);
  let sq = 0;
  for (let i = 0; i < a.count; i++) {
    const k = a.labels![i];
    counts[k]++;
    const dx = a.x[2 * i] - 2 * Math.cos((2 * Math.PI * k) / 8), dy = a.x[2 * i + 1] - 2 * Math.sin((2 * Math.PI * k) / 8);
    sq += dx * dx + dy * dy;
  }
  const std = Math.sqrt(sq / (2 * a.count));
  assert.ok(Math.abs(std - 0.02) < 0.02 * 0.02, `pooled std ${std}`); // 6 standard errors of 80k draws ≈ 1.5%
  for (const n of counts) assert.ok(Math.abs(n - 5000) < 6 * Math.sqrt(5000 * (7 / 8)), `mode count ${n}`);
});

test("grid25: centres at -4, -2, 0, 2, 4; spiral has its modes", async () => {
  const g = await grid25({ count: 10, seed: 1 });
  const xs = new Set<number>(), ys = new Set<number>();
  for (let k = 0; k < 25; k++) { xs.add(g.mixture!.centres[2 * k]); ys.add(g.mixture!.centres[2 * k + 1]); }
  assert.equal([...xs].sort((a, b) => a - b), [-4, -2, 0, 2, 4]);
  assert.equal([...ys].sort((a, b) => a - b), [-4, -2, 0, 2, 4]);
  assert.is(g.mixture!.std, 0.05);
  const s = await spiral({ count: 100, seed: 1 });
  assert.is(s.mixture!.centres.length, 24);
});

test("bad data is refused with a message naming the problem", async () => {
  assert.throws(() => checkData(new Float32Array([1, 2, 3]), [2]), /length 3 is not a multiple of the sample size 2/);
  assert.throws(() => checkData(new Float32Array(0), [2]), /empty/);
  assert.throws(() => checkData(new Float32Array([0, 0, 1, NaN]), [2]), /sample 1 holds NaN at index 1/);
  assert.throws(() => checkData(new Float32Array([0, Infinity]), [2]), /Infinity/);
  const gan = await createGAN(preset("ring8"), { seed: 1 });
  try { await gan.train(new Float32Array([0, NaN]), { steps: 1 }); assert.unreachable(); } catch (e) { assert.match((e as Error).message, /NaN/); }
  try { await gan.train(await ring8({ count: 10 }), { steps: -1 }); assert.unreachable(); } catch (e) { assert.match((e as Error).message, /steps must be a non-negative integer/); }
  const img = { name: "imgs", x: new Float32Array(4), shape: [2, 2], count: 1 };
  try { await gan.train(img, { steps: 1 }); assert.unreachable(); } catch (e) { assert.match((e as Error).message, /shape \[2, 2\], the spec expects \[2\]/); }
});

test.run();
