// A small MNIST digit classifier in plain TypeScript: the judge of generated digits (no tfjs at
// run time). Its weights were trained by scripts/train_digit_classifier.ts on the bundled MNIST
// (samples 0..7999 of mnist()'s fixed order) and are kept in digit_classifier_weights.json with
// the architecture and the figures measured on the held-out samples 8000..9999.
//
// images: [count, 28, 28, 1] NHWC in [-1, 1] (as mnist() and the generators give them).
// Layers, tfjs layouts: conv2d kernel [kh, kw, inC, outC] (stride 1, "same" or "valid"),
// max_pool (size = stride), flatten (NHWC order, as tf.layers.flatten), dense kernel [in, out];
// the last dense gives logits, softmax gives the confidences.
import weightsJson from "./digit_classifier_weights.json" with { type: "json" };

export type ClassifierLayer =
  | { type: "conv2d"; filters: number; kernelSize: number; padding: "same" | "valid"; activation?: "relu" }
  | { type: "max_pool"; size: number }
  | { type: "flatten" }
  | { type: "dense"; units: number; activation?: "relu" };

export interface ClassifierWeights {
  inputShape: [number, number, number];
  layers: ClassifierLayer[];
  weights: { name: string; shape: number[]; base64: string }[]; // float32 little-endian, per layer: kernel then bias
  measured?: Record<string, unknown>;
}

export interface Classification { labels: Int32Array; confidences: Float32Array; probs: Float32Array } // probs: [count, 10]

export interface DigitQuality {
  count: number;
  confidentShare: number;  // share of samples whose top class has probability >= threshold
  threshold: number;
  classCounts: number[];   // argmax class of every sample
  classShares: number[];
  classesPresent: number;  // classes holding at least one sample
  maxClassShare: number;
  confidentClassCounts: number[]; // the same, counting only the confident samples
}

interface Op { run(x: Float32Array, n: number): Float32Array; outShape: number[] }

let defaultNet: DigitClassifier | undefined;

export class DigitClassifier {
  private readonly ops: Op[];
  readonly inputSize: number;
  readonly classes: number;
  private deferredRelu = false;

  constructor(readonly spec: ClassifierWeights) {
    let shape = [...spec.inputShape];
    this.inputSize = shape[0] * shape[1] * shape[2];
    const tensors = spec.weights.map((w) => decodeF32(w.base64, w.shape, w.name));
    let t = 0;
    const take = (shape: number[], name: string) => {
      const w = tensors[t], meta = spec.weights[t++];
      if (!w || meta.shape.join() !== shape.join()) throw new RangeError(`digit classifier: ${name} should have shape [${shape.join(", ")}], the weights file has ${meta ? `[${meta.shape.join(", ")}]` : "nothing"}`);
      return w;
    };
    this.ops = spec.layers.map((l, i) => {
      let op: Op;
      if (l.type === "conv2d") {
        const k = take([l.kernelSize, l.kernelSize, shape[2], l.filters], `layer ${i} kernel`), b = take([l.filters], `layer ${i} bias`);
        op = conv2d(shape as [number, number, number], l.filters, l.kernelSize, l.padding, k, b, l.activation === "relu");
      } else if (l.type === "max_pool") {
        op = maxPool(shape as [number, number, number], l.size);
      } else if (l.type === "flatten") {
        op = { run: (x) => x, outShape: [shape.reduce((a, b) => a * b, 1)] };
      } else {
        const inSize = shape.reduce((a, b) => a * b, 1);
        const k = take([inSize, l.units], `layer ${i} kernel`), b = take([l.units], `layer ${i} bias`);
        // the penultimate layer runs without its ReLU, applied in forward() once its output
        // (the evaluation features) is kept: the logits are the same values either way
        const deferRelu = i === spec.layers.length - 2 && l.activation === "relu";
        if (deferRelu) this.deferredRelu = true;
        op = dense(inSize, l.units, k, b, l.activation === "relu" && !deferRelu);
      }
      shape = op.outShape;
      return op;
    });
    if (t !== tensors.length) throw new RangeError(`digit classifier: the weights file holds ${tensors.length} tensors, the layers use ${t}`);
    this.classes = shape[0];
  }

  // The network's logits: [count, classes].
  logits(images: Float32Array, count: number): Float32Array {
    return this.forward(images, count, false).logits;
  }

  // The logits and the penultimate activations: features [count, featureSize] (the 64 units of
  // the dense layer before the last, BEFORE their ReLU), logits [count, classes]. The evaluation
  // metrics' features. Why before the ReLU: on the bundled digits 32 of the 64 units never fire
  // (a constant 0, no variance), and uniform noise switches all 64 off (every noise image would
  // be the same zero vector); the pre-activations keep all 64 informative.
  forward(images: Float32Array, count: number, withFeatures = true): { features: Float32Array; logits: Float32Array; featureSize: number } {
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`classifyDigits: count must be a non-negative integer (got ${count})`);
    if (images.length < count * this.inputSize) throw new RangeError(`classifyDigits: ${count} images of 28x28x1 need ${count * this.inputSize} values, got ${images.length}`);
    const F = this.featureSize, last = this.ops.length - 1;
    const out = new Float32Array(count * this.classes), features = new Float32Array(withFeatures ? count * F : 0);
    const B = 64; // images per pass: keeps the activations in cache
    for (let i = 0; i < count; i += B) {
      const n = Math.min(B, count - i);
      let h = images.subarray(i * this.inputSize, (i + n) * this.inputSize);
      for (let o = 0; o <= last; o++) {
        if (o === last) {
          if (withFeatures) features.set(h.subarray(0, n * F), i * F);
          if (this.deferredRelu) for (let j = 0; j < n * F; j++) if (h[j] < 0) h[j] = 0;
        }
        h = this.ops[o].run(h, n);
      }
      out.set(h.subarray(0, n * this.classes), i * this.classes);
    }
    return { features, logits: out, featureSize: F };
  }

  // the width of the last layer's input (64 for the shipped net)
  get featureSize(): number {
    const prev = this.ops[this.ops.length - 2];
    return prev ? prev.outShape.reduce((a, b) => a * b, 1) : this.inputSize;
  }

  classify(images: Float32Array, count: number): Classification {
    return this.classifyLogits(this.logits(images, count), count);
  }

  // argmax and softmax of logits [count, classes] (from forward())
  classifyLogits(z: Float32Array, count: number): Classification {
    const K = this.classes;
    const labels = new Int32Array(count), confidences = new Float32Array(count), probs = new Float32Array(count * K);
    for (let i = 0; i < count; i++) {
      let m = -Infinity, arg = 0;
      for (let k = 0; k < K; k++) if (z[i * K + k] > m) { m = z[i * K + k]; arg = k; }
      let s = 0;
      for (let k = 0; k < K; k++) s += (probs[i * K + k] = Math.exp(z[i * K + k] - m));
      for (let k = 0; k < K; k++) probs[i * K + k] /= s;
      labels[i] = arg;
      confidences[i] = probs[i * K + arg];
    }
    return { labels, confidences, probs };
  }
}

export function digitClassifier(): DigitClassifier {
  return (defaultNet ??= new DigitClassifier(weightsJson as unknown as ClassifierWeights));
}

// labels: argmax class; confidences: its softmax probability.
export function classifyDigits(images: Float32Array, count: number): Classification {
  return digitClassifier().classify(images, count);
}

// How digit-like and how varied a batch of samples is (the DCGAN issue's judge: the share
// classified with confidence >= 0.9, the classes present, the largest class share).
export function digitQuality(images: Float32Array, count: number, threshold = 0.9): DigitQuality {
  if (count < 1) throw new RangeError(`digitQuality: count must be at least 1 (got ${count})`);
  return qualityOf(classifyDigits(images, count), count, threshold);
}

// the same from a classification already made (classifyLogits of forward()'s logits)
export function qualityOf({ labels, confidences }: Classification, count: number, threshold = 0.9): DigitQuality {
  const classCounts = new Array(10).fill(0), confidentClassCounts = new Array(10).fill(0);
  let confident = 0;
  for (let i = 0; i < count; i++) {
    classCounts[labels[i]]++;
    if (confidences[i] >= threshold) { confident++; confidentClassCounts[labels[i]]++; }
  }
  const classShares = classCounts.map((n) => n / count);
  return {
    count, threshold,
    confidentShare: confident / count,
    classCounts, classShares,
    classesPresent: classCounts.filter((n) => n > 0).length,
    maxClassShare: Math.max(...classShares),
    confidentClassCounts,
  };
}

function decodeF32(b64: string, shape: number[], name: string): Float32Array {
  const bin = atob(b64); // Node >= 16, Deno, browsers, workers
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  const n = shape.reduce((a, b) => a * b, 1);
  if (bytes.length !== 4 * n) throw new RangeError(`digit classifier: ${name} holds ${bytes.length} bytes, shape [${shape.join(", ")}] needs ${4 * n}`);
  const view = new DataView(bytes.buffer), out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, true);
  return out;
}

// x: [n, H, W, C] -> [n, Ho, Wo, F]; k: [K, K, C, F]; stride 1. As im2col + dot products: each
// output pixel's K*K*C patch is copied into a row (zeros where it overhangs the edge), then every
// output channel is a dot product of that row with one row of the transposed kernel [F, K*K*C],
// four channels at a time, summed in locals (JIT registers) rather than through memory.
function conv2d([H, W, C]: [number, number, number], F: number, K: number, padding: "same" | "valid", k: Float32Array, b: Float32Array, relu: boolean): Op {
  const pad = padding === "same" ? Math.floor((K - 1) / 2) : 0; // tfjs "same": the extra row/col goes below/right
  const Ho = padding === "same" ? H : H - K + 1, Wo = padding === "same" ? W : W - K + 1;
  const J = K * K * C;
  const wt = transpose(k, J, F); // [F, J]
  const patch = new Float32Array(J);
  let out = new Float32Array(0);
  return {
    outShape: [Ho, Wo, F],
    run(x, n) {
      if (out.length < n * Ho * Wo * F) out = new Float32Array(n * Ho * Wo * F);
      for (let img = 0; img < n; img++) {
        const xo = img * H * W * C;
        for (let oy = 0; oy < Ho; oy++) for (let ox = 0; ox < Wo; ox++) {
          let j = 0;
          for (let ky = 0; ky < K; ky++) {
            const iy = oy + ky - pad;
            for (let kx = 0; kx < K; kx++) {
              const ix = ox + kx - pad;
              if (iy < 0 || iy >= H || ix < 0 || ix >= W) { for (let c = 0; c < C; c++) patch[j++] = 0; continue; }
              const xi = xo + (iy * W + ix) * C;
              for (let c = 0; c < C; c++) patch[j++] = x[xi + c];
            }
          }
          dotRows(patch, wt, b, J, F, out, ((img * Ho + oy) * Wo + ox) * F, relu);
        }
      }
      return out;
    },
  };
}

// out[o + f] = b[f] + dot(row, wt[f]) for f < F (wt: [F, J]), then ReLU if asked
function dotRows(row: Float32Array, wt: Float32Array, b: Float32Array, J: number, F: number, out: Float32Array, o: number, relu: boolean): void {
  let f = 0;
  for (; f + 4 <= F; f += 4) {
    const w0 = f * J, w1 = w0 + J, w2 = w1 + J, w3 = w2 + J;
    let s0 = b[f], s1 = b[f + 1], s2 = b[f + 2], s3 = b[f + 3];
    for (let j = 0; j < J; j++) {
      const v = row[j];
      s0 += v * wt[w0 + j]; s1 += v * wt[w1 + j]; s2 += v * wt[w2 + j]; s3 += v * wt[w3 + j];
    }
    out[o + f] = s0; out[o + f + 1] = s1; out[o + f + 2] = s2; out[o + f + 3] = s3;
  }
  for (; f < F; f++) {
    let s = b[f];
    for (let j = 0, w = f * J; j < J; j++) s += row[j] * wt[w + j];
    out[o + f] = s;
  }
  if (relu) for (let u = 0; u < F; u++) if (out[o + u] < 0) out[o + u] = 0;
}

// [R, C] -> [C, R]
function transpose(a: Float32Array, R: number, C: number): Float32Array {
  const t = new Float32Array(R * C);
  for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) t[c * R + r] = a[r * C + c];
  return t;
}

// size x size windows, stride size, "valid" (floor), as tf.layers.maxPooling2d's default
function maxPool([H, W, C]: [number, number, number], S: number): Op {
  const Ho = Math.floor(H / S), Wo = Math.floor(W / S);
  let out = new Float32Array(0);
  return {
    outShape: [Ho, Wo, C],
    run(x, n) {
      if (out.length < n * Ho * Wo * C) out = new Float32Array(n * Ho * Wo * C);
      for (let img = 0; img < n; img++) for (let oy = 0; oy < Ho; oy++) for (let ox = 0; ox < Wo; ox++) {
        const o = ((img * Ho + oy) * Wo + ox) * C;
        for (let c = 0; c < C; c++) {
          let m = -Infinity;
          for (let dy = 0; dy < S; dy++) for (let dx = 0; dx < S; dx++) {
            const v = x[((img * H + oy * S + dy) * W + ox * S + dx) * C + c];
            if (v > m) m = v;
          }
          out[o + c] = m;
        }
      }
      return out;
    },
  };
}

// x: [n, I] -> [n, U]; k: [I, U]
function dense(I: number, U: number, k: Float32Array, b: Float32Array, relu: boolean): Op {
  const wt = transpose(k, I, U); // [U, I]
  let out = new Float32Array(0);
  return {
    outShape: [U],
    run(x, n) {
      if (out.length < n * U) out = new Float32Array(n * U);
      for (let img = 0; img < n; img++) dotRows(x.subarray(img * I, (img + 1) * I), wt, b, I, U, out, img * U, relu);
      return out;
    },
  };
}
