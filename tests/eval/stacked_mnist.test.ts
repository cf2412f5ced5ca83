// Stacked MNIST's mode count and KL (VEEGAN / PacGAN): KL against a direct computation, the
// count against channels classified one by one, real stacked digits near all 1,000 modes, one
// repeated triple = 1 mode and KL ln 1000; the dcgan-stacked-mnist preset trains and is evaluated
// (its snapshots: tests/eval/stacked_cli.test.ts).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { testRandom } from "../util/check.ts";
import { stackedMnist } from "../../src/data/stacked_mnist.ts";
import { mnist } from "../../src/data/mnist.ts";
import { stackedModes, klFromUniform, STACKED_EVAL_SAMPLES } from "../../src/eval/stacked_modes.ts";
import { classifyDigits } from "../../src/eval/digit_classifier.ts";
import { evaluate } from "../../src/eval/evaluate.ts";
import { createGAN, preset, validateSpec } from "../../src/index.ts";

const P = 784;
async function rejects(f: () => Promise<unknown>, re: RegExp): Promise<void> {
  try { await f(); } catch (e) { assert.match(String(e), re); return; }
  assert.unreachable(`expected a rejection matching ${re}`);
}

test("KL(p || uniform) equals a direct computation, ln K + sum (c/N)(ln c - ln N), within 1e-12", () => {
  const rnd = testRandom(3);
  for (let t = 0; t < 20; t++) {
    const K = [2, 10, 1000][t % 3];
    const counts = Array.from({ length: K }, () => (rnd() < 0.3 ? 0 : Math.floor(rnd() * 50)));
    counts[0] += 1;
    const N = counts.reduce((a, b) => a + b, 0);
    let direct = Math.log(K);
    for (const c of counts) if (c) direct += (c / N) * (Math.log(c) - Math.log(N));
    const kl = klFromUniform(counts);
    assert.ok(Math.abs(kl - direct) < 1e-12, `K ${K}: ${kl} vs ${direct} (tol 1e-12)`);
  }
  assert.is(klFromUniform(new Array(1000).fill(7)), 0);
  assert.ok(Math.abs(klFromUniform([5, ...new Array(999).fill(0)]) - Math.log(1000)) < 1e-12, "one mode: ln 1000");
  assert.is(klFromUniform([0, 0]), Infinity);
});

const real = await stackedMnist({ count: 5000, seed: 11 });

test("the count is the triple of each channel's class, checked channel by channel (500 real samples)", () => {
  const n = 500, m = stackedModes(real.x.subarray(0, n * P * 3), n);
  const perMode = new Array(1000).fill(0);
  const modes = new Int32Array(n);
  let confident = 0;
  const sure = new Array(n).fill(true);
  for (let c = 0; c < 3; c++) {
    const ch = new Float32Array(n * P);
    for (let i = 0; i < n; i++) for (let j = 0; j < P; j++) ch[i * P + j] = real.x[(i * P + j) * 3 + c];
    const { labels, confidences } = classifyDigits(ch, n);
    for (let i = 0; i < n; i++) { modes[i] = modes[i] * 10 + labels[i]; if (confidences[i] < 0.9) sure[i] = false; }
  }
  for (let i = 0; i < n; i++) { perMode[modes[i]]++; if (sure[i]) confident++; }
  assert.equal(m.perMode, perMode);
  assert.is(m.modes, perMode.filter((c) => c > 0).length);
  assert.is(m.confidentShare, confident / n);
  assert.is(m.highQuality, m.confidentShare);
  assert.is(m.kl, klFromUniform(perMode));
  assert.is(m.totalModes, 1000);
  assert.is(m.count, n);
});

test("real stacked digits (5,000): >= 980 modes, KL < 0.15, modes agree with the labels on >= 90%", () => {
  const m = stackedModes(real.x, real.count);
  // a uniform sampler of 5,000 covers 1000·(1 − e^−5) = 993 modes on average, and the plug-in
  // KL of its histogram is ~(K − 1)/(2N) = 0.10 (the counts' noise), before the classifier's errors
  assert.ok(m.modes >= 980, `modes ${m.modes} (uniform: 993 expected; >= 980)`);
  assert.ok(m.kl < 0.15, `KL ${m.kl.toFixed(4)} (< 0.15; finite-sample floor ~0.10)`);
  let agree = 0;
  const { labels } = { labels: real.labels! };
  const byLabel = new Array(1000).fill(0);
  for (const l of labels) byLabel[l]++;
  for (let k = 0; k < 1000; k++) agree += Math.min(byLabel[k], m.perMode[k]);
  assert.ok(agree / real.count >= 0.9, `histogram overlap with the true modes ${(agree / real.count).toFixed(4)} (>= 0.9; 0.98^3 = 0.94 at the classifier's held-out accuracy)`);
  assert.ok(m.confidentShare > 0.7, `all three confident: ${m.confidentShare.toFixed(3)} (> 0.7)`);
});

test("one digit triple repeated: 1 mode (its classes), KL = ln 1000 within 1e-6", async () => {
  const d = await mnist({ count: 200 });
  const { labels, confidences } = classifyDigits(d.x, d.count);
  const pick = (cls: number) => { for (let i = 0; i < d.count; i++) if (d.labels![i] === cls && labels[i] === cls && confidences[i] > 0.99) return i; throw new Error(`no confident ${cls}`); };
  const idx = [pick(3), pick(7), pick(1)];
  const n = 300, x = new Float32Array(n * P * 3);
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) for (let j = 0; j < P; j++) x[(i * P + j) * 3 + c] = d.x[idx[c] * P + j];
  const m = stackedModes(x, n);
  assert.is(m.modes, 1);
  assert.is(m.perMode[371], n);
  assert.ok(Math.abs(m.kl - Math.log(1000)) < 1e-6, `KL ${m.kl} vs ln 1000 = ${Math.log(1000)} (tol 1e-6)`);
  assert.is(m.confidentShare, 1);
});

test("stackedModes refuses a wrong length, count or threshold", () => {
  assert.throws(() => stackedModes(new Float32Array(10), 1), /1 images of \[28, 28, 3\] need 2352 values, got 10/);
  assert.throws(() => stackedModes(new Float32Array(2352), 0), /count must be a positive integer/);
  assert.throws(() => stackedModes(new Float32Array(2352), 1, { threshold: 2 }), /threshold must be in \[0, 1\]/);
  assert.is(STACKED_EVAL_SAMPLES, 26_000);
});

test("dcgan-stacked-mnist: the spec validates (3 channels out, D reads 28x28x3), trains, evaluates", async () => {
  const spec = validateSpec(preset("dcgan-stacked-mnist"));
  assert.equal(spec.dataShape, [28, 28, 3]);
  const mnistSpec = validateSpec(preset("dcgan-mnist"));
  assert.is(JSON.stringify(spec.nets.discriminator), JSON.stringify(mnistSpec.nets.discriminator), "D's layers are dcgan-mnist's");
  assert.is(spec.batchSize, 64); assert.is(spec.loss, "non-saturating"); assert.is(spec.init, "dcgan");
  const gan = await createGAN(preset("dcgan-stacked-mnist"), { seed: 1, mode: "in-process" });
  const data = await stackedMnist({ count: 512, seed: 1 });
  const s = await gan.train(data, { steps: 3 });
  assert.ok(Number.isFinite(s.dLoss) && Number.isFinite(s.gLoss), `finite losses ${s.dLoss} ${s.gLoss}`);
  assert.is((await gan.sample(5)).length, 5 * P * 3);
  const e = await evaluate(gan, { n: 300, real: { x: data.x, count: data.count } });
  assert.is(e.kind, "stacked");
  if (e.kind !== "stacked") return;
  assert.is(e.count, 300); assert.is(e.totalModes, 1000);
  assert.is(e.real!.count, 300, "the real set counted on as many samples as the model's");
  assert.ok(e.real!.modes > e.modes, `real ${e.real!.modes} modes > a 3-step generator's ${e.modes}`);
  await rejects(() => evaluate(gan, { n: 10, metrics: ["fid"] }), /image metrics \(fid, kid, pr, score\) need images of \[28, 28, 1\]; Stacked MNIST/);
  await rejects(() => evaluate(gan, { n: 10, real: { x: new Float32Array(P), count: 1 } }), /real: 1 images of \[28, 28, 3\] need 2352 values, got 784/);
  await gan.dispose();
});

test.run();
