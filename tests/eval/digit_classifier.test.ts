// The digit classifier that judges generated digits: the pure-TypeScript inference matches tfjs
// on the same weights, reaches the held-out figures its weights file records, and does not call
// noise a digit.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { classifyDigits, digitQuality, digitClassifier, type ClassifierWeights } from "../../src/eval/digit_classifier.ts";
import weightsJson from "../../src/eval/digit_classifier_weights.json" with { type: "json" };
import { mnist } from "../../src/data/mnist.ts";
import { tfCpu } from "../util/tfjs.ts";
import { expectClose } from "../util/check.ts";

const spec = weightsJson as unknown as ClassifierWeights & { measured: { heldOutAccuracy: number; heldOutConfidentShare: number } };
const held = await mnist({ offset: 8000 }); // never seen in training
const D = 784;

// the same layers in tfjs ops, on its CPU backend
async function tfjsLogits(x: Float32Array, n: number): Promise<Float32Array> {
  const tf = await tfCpu();
  return tf.tidy(() => {
    const w = spec.weights.map((t) => tf.tensor(new Float32Array(Uint8Array.from(atob(t.base64), (c) => c.charCodeAt(0)).buffer), t.shape));
    let h: import("@tensorflow/tfjs").Tensor = tf.tensor4d(x.subarray(0, n * D), [n, 28, 28, 1]), p = 0;
    for (const l of spec.layers) {
      if (l.type === "conv2d") h = tf.add(tf.conv2d(h as any, w[p++] as any, 1, l.padding), w[p++]);
      else if (l.type === "max_pool") h = tf.maxPool(h as any, l.size, l.size, "valid");
      else if (l.type === "flatten") h = tf.reshape(h, [n, -1]);
      else h = tf.add(tf.matMul(h as any, w[p++] as any), w[p++]);
      if ("activation" in l && l.activation === "relu") h = tf.relu(h);
    }
    return h.dataSync() as Float32Array;
  });
}

// noise of kinds the classifier was never trained on, from a fixed LCG
function noise(kind: "uniform" | "gaussian" | "dots" | "checker", n: number): Float32Array {
  let s = 12345;
  const rnd = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 4294967296; };
  const x = new Float32Array(n * D);
  for (let i = 0; i < n * D; i++) {
    const j = i % D, r = Math.floor(j / 28), c = j % 28;
    x[i] = kind === "uniform" ? 2 * rnd() - 1
      : kind === "gaussian" ? Math.max(-1, Math.min(1, 0.7 * Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd())))
      : kind === "dots" ? (rnd() < 0.1 ? 1 : -1)
      : ((r >> 2) + (c >> 2)) % 2 ? 1 : -1;
  }
  return x;
}

test("pure-TS logits match tfjs (CPU backend) on the same weights", async () => {
  const n = 8;
  const x = new Float32Array(n * D);
  x.set(held.x.subarray(0, 6 * D));
  x.set(noise("uniform", 2), 6 * D);
  const mine = digitClassifier().logits(x, n);
  const ref = await tfjsLogits(x, n);
  expectClose("logits", mine, ref, 2e-5, 2e-5);
  const ranges = Array.from(ref).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  assert.ok(ranges > 1, `logits are not all near zero (max |logit| ${ranges})`);
});

test("held-out digits: accuracy and confident share as recorded in the weights file", () => {
  const { labels, confidences, probs } = classifyDigits(held.x, held.count);
  let correct = 0, confident = 0;
  for (let i = 0; i < held.count; i++) {
    if (labels[i] === held.labels![i]) correct++;
    if (confidences[i] >= 0.9) confident++;
  }
  const acc = correct / held.count, conf = confident / held.count;
  assert.ok(acc >= spec.measured.heldOutAccuracy - 0.005, `held-out accuracy ${acc} vs recorded ${spec.measured.heldOutAccuracy}`);
  assert.ok(conf >= spec.measured.heldOutConfidentShare - 0.005, `confident share ${conf} vs recorded ${spec.measured.heldOutConfidentShare}`);
  assert.ok(acc >= 0.97 && conf >= 0.9, `the aims: accuracy ${acc} >= 0.97, confident ${conf} >= 0.9`);
  let s = 0;
  for (let k = 0; k < 10; k++) s += probs[k];
  assert.ok(Math.abs(s - 1) < 1e-5);
});

test("noise is not called a digit: confident share per kind", () => {
  for (const kind of ["uniform", "gaussian", "dots", "checker"] as const) {
    const q = digitQuality(noise(kind, 300), 300);
    assert.ok(q.confidentShare <= 0.02, `${kind}: ${(100 * q.confidentShare).toFixed(1)}% of 300 noise images got confidence >= 0.9`);
  }
  const blank = digitQuality(new Float32Array(10 * D).fill(-1), 10);
  assert.is(blank.confidentShare, 0, "a blank image is no confident digit");
});

test("digitQuality: real digits pass the DCGAN judge; one repeated digit fails it", () => {
  const q = digitQuality(held.x, held.count);
  assert.is(q.count, 2000);
  assert.is(q.classesPresent, 10);
  assert.ok(q.maxClassShare < 0.25, `max class share ${q.maxClassShare}`);
  assert.ok(q.confidentShare >= 0.8);
  assert.is(q.classCounts.reduce((a, b) => a + b, 0), 2000);
  assert.ok(Math.abs(q.classShares.reduce((a, b) => a + b, 0) - 1) < 1e-9);
  assert.ok(q.confidentClassCounts.every((c, k) => c <= q.classCounts[k]));
  const one = new Float32Array(100 * D);
  for (let i = 0; i < 100; i++) one.set(held.x.subarray(0, D), i * D);
  const r = digitQuality(one, 100);
  assert.is(r.classesPresent, 1);
  assert.is(r.maxClassShare, 1);
  assert.is(r.classCounts[held.labels![0]], 100);
});

test("speed: 1,000 digits classified well under a second (loose bound for a shared machine)", () => {
  classifyDigits(held.x, 100); // warm up the JIT
  const t0 = performance.now();
  classifyDigits(held.x, 1000);
  const ms = performance.now() - t0;
  assert.ok(ms < 3000, `1000 images took ${ms.toFixed(0)} ms`);
});

test("bad input is refused", () => {
  assert.throws(() => classifyDigits(new Float32Array(100), 1), /1 images of 28x28x1 need 784 values, got 100/);
  assert.throws(() => digitQuality(new Float32Array(0), 0), /count must be at least 1/);
});

test.run();
