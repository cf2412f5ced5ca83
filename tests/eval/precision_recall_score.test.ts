// Precision/recall (Kynkäänniemi et al. 2019) on constructed cases and against a brute-force
// reading of the definition; TF-GAN's classifier score on constructed logits and against a
// direct computation.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { testRandom, randomArray } from "../util/check.ts";
import { precisionRecall } from "../../src/eval/precision_recall.ts";
import { classifierScore } from "../../src/eval/classifier_score.ts";

test("precision/recall: identical sets 1 / 1; far-apart sets 0 / 0", () => {
  const d = 8, n = 200, x = randomArray(n * d, testRandom(1));
  const same = precisionRecall(x, n, x.slice(), n, d);
  assert.is(same.precision, 1, "identical: precision 1"); assert.is(same.recall, 1, "identical: recall 1");
  const far = precisionRecall(x, n, x.map((v) => v + 100), n, d);
  assert.is(far.precision, 0, "disjoint: precision 0"); assert.is(far.recall, 0, "disjoint: recall 0");
});

test("precision/recall: generated = half the real set + far points gives precision 0.5; a collapsed generator (one point repeated) has recall ~0", () => {
  const d = 4, n = 300, real = randomArray(n * d, testRandom(2));
  const fake = new Float32Array(n * d);
  fake.set(real.subarray(0, (n / 2) * d));
  fake.set(randomArray((n / 2) * d, testRandom(3), 50, 60), (n / 2) * d);
  const r = precisionRecall(real, n, fake, n, d);
  assert.is(r.precision, 0.5, `half on the real samples, half far: precision ${r.precision} = 0.5`);
  const collapsed = new Float32Array(n * d).fill(0.1);
  const c = precisionRecall(real, n, collapsed, n, d);
  assert.is(c.precision, 1, "a point inside the real manifold: precision 1");
  assert.ok(c.recall < 0.05, `one point repeated covers almost no real sample: recall ${c.recall} < 0.05`);
});

test("precision/recall = a brute-force reading of the definition (sorted distances, 3rd neighbour) on random sets", () => {
  const d = 5, n = 120, m = 90, real = randomArray(n * d, testRandom(4)), fake = randomArray(m * d, testRandom(5), -0.8, 1.2);
  const dist = (a: Float32Array, i: number, b: Float32Array, j: number) => Math.hypot(...Array.from({ length: d }, (_, t) => a[i * d + t] - b[j * d + t]));
  const radii = (x: Float32Array, c: number) => Array.from({ length: c }, (_, i) => Array.from({ length: c }, (_, j) => dist(x, i, x, j)).sort((a, b) => a - b)[3]); // [0] is itself
  const rr = radii(real, n), rf = radii(fake, m);
  let p = 0, r = 0;
  for (let i = 0; i < m; i++) if (rr.some((rad, j) => dist(fake, i, real, j) <= rad)) p++;
  for (let j = 0; j < n; j++) if (rf.some((rad, i) => dist(real, j, fake, i) <= rad)) r++;
  const ours = precisionRecall(real, n, fake, m, d);
  assert.ok(Math.abs(ours.precision - p / m) < 1e-12 && Math.abs(ours.recall - r / n) < 1e-12, `precision ${ours.precision} vs ${p / m}, recall ${ours.recall} vs ${r / n} (exact)`);
  assert.ok(p > 0 && p < m && r > 0 && r < n, `a case that is neither 0 nor 1 (${p}/${m}, ${r}/${n})`);
});

test("precision/recall refuses sets of k = 3 or fewer samples", () => {
  assert.throws(() => precisionRecall(new Float32Array(6), 3, new Float32Array(20), 10, 2), /more than 3 samples/);
});

test("classifier score: uniform logits 1; confident one-hot logits spread evenly over 10 classes ~10; one class 1; = a direct computation within 1e-12", () => {
  const n = 1000;
  assert.ok(Math.abs(classifierScore(new Float32Array(n * 10), n) - 1) < 1e-12, "uniform p(y|x): score 1 (tol 1e-12)");
  const even = new Float32Array(n * 10), one = new Float32Array(n * 10);
  for (let i = 0; i < n; i++) { even[i * 10 + (i % 10)] = 40; one[i * 10 + 3] = 40; }
  const s = classifierScore(even, n);
  assert.ok(Math.abs(s - 10) < 1e-9, `confident and evenly spread: ${s} = 10 (tol 1e-9)`);
  assert.ok(Math.abs(classifierScore(one, n) - 1) < 1e-9, "every sample the same class: 1 (tol 1e-9)");
  const z = randomArray(n * 10, testRandom(7), -4, 4);
  const p = Array.from({ length: n }, (_, i) => { const e = Array.from({ length: 10 }, (_, k) => Math.exp(z[i * 10 + k])); const t = e.reduce((a, b) => a + b); return e.map((v) => v / t); });
  const py = Array.from({ length: 10 }, (_, k) => p.reduce((a, r) => a + r[k], 0) / n);
  const kl = p.reduce((a, r) => a + r.reduce((b, v, k) => b + v * Math.log(v / py[k]), 0), 0) / n;
  const direct = Math.exp(kl), ours = classifierScore(z, n);
  assert.ok(Math.abs(ours - direct) < 1e-12 * direct, `random logits: ${ours} vs direct ${direct} (tol 1e-12 relative)`);
  assert.ok(ours > 1.05 && ours < 9, `a case between the extremes (${ours})`);
});

test.run();
