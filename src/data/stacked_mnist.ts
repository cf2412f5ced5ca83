// Stacked MNIST (Metz et al. 2017, unrolled GANs; counted as in Srivastava et al. 2017, VEEGAN,
// and Lin et al. 2018, PacGAN): three digits drawn independently and uniformly from MNIST
// stacked as the three channels of one 28x28 image, so the data has 10^3 = 1,000 modes (the
// triple of classes). A generator that covers MNIST's 10 classes but ties its channels together
// misses most of the 1,000; the papers' plain DCGAN finds ~99 (PacGAN Table 2).
//
// x: [count, 28, 28, 3] NHWC in [-1, 1]: channel c of sample i is bundled digit idx[3i + c]
// (mnist()'s fixed order), idx drawn with replacement from the pool (default all 10,000, as the
// papers draw from all of MNIST). labels: the mode 100·d0 + 10·d1 + d2 from the digits' true
// classes (numClasses 1000). Deterministic from the seed: the indices come from splitmix32
// (src/eval/split_mix.ts, integer maths, the same in every engine).
//
// Count: 25,600 by default, the training-set size of PacGAN's VEEGAN-setup experiment
// (num_training_sample = 25600 in its code). 128,000 (the largest the papers use) would be
// 128,000 · 2,352 · 4 B = 1.2 GB per copy, and gan.train(data) holds three: the caller's array,
// the structured clone the worker receives, and the copy in wasm linear memory (capped at 2 GiB,
// asconfig.json maximumMemory). Measured (createGAN in worker mode, 2 threads, dcgan-stacked-mnist,
// RSS growth from building the set to 2 steps of gan.train): 25,600 samples, a 230 MiB array,
// +705 MiB; 60,000 samples (538 MiB) +1,614 MiB; the 10,000 grey digits +74 MiB. Each sample is
// a fresh triple (10^12 possible), so 25,600 already gives ~26 samples per mode.
import type { Dataset } from "./dataset.ts";
import { mnist, MNIST_COUNT, MNIST_SIZE } from "./mnist.ts";
import { SplitMix } from "../eval/split_mix.ts";

export const STACKED_MNIST_COUNT = 25_600;
export const STACKED_MODES = 1000;

export interface StackedMnistOptions {
  count?: number;  // samples (default STACKED_MNIST_COUNT)
  seed?: number;   // picks the digit triples (default 1)
  offset?: number; // draw digits only from mnist() samples offset..offset+pool-1 (default 0)
  pool?: number;   // how many (default all from offset): { offset: 8000 } = the classifier's held-out digits
}

export async function stackedMnist(options: StackedMnistOptions = {}): Promise<Dataset> {
  const { count = STACKED_MNIST_COUNT, seed = 1, offset = 0 } = options;
  if (!Number.isInteger(count) || count < 1 || count > 200_000) throw new RangeError(`stackedMnist: count must be an integer from 1 to 200000 (got ${count})`);
  if (!Number.isInteger(seed)) throw new RangeError(`stackedMnist: seed must be an integer (got ${seed})`);
  if (!Number.isInteger(offset) || offset < 0 || offset >= MNIST_COUNT) throw new RangeError(`stackedMnist: offset must be an integer from 0 to ${MNIST_COUNT - 1} (got ${offset})`);
  const pool = options.pool ?? MNIST_COUNT - offset;
  if (!Number.isInteger(pool) || pool < 1 || offset + pool > MNIST_COUNT) throw new RangeError(`stackedMnist: pool must be an integer from 1 to ${MNIST_COUNT - offset} (got ${options.pool})`);
  const digits = await mnist({ offset, count: pool }); // [pool, 28, 28, 1]
  const P = MNIST_SIZE * MNIST_SIZE, rng = new SplitMix(seed);
  const x = new Float32Array(count * P * 3), labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    let mode = 0;
    const o = i * P * 3;
    for (let c = 0; c < 3; c++) {
      const d = Math.min(pool - 1, Math.floor(rng.next() * pool));
      const src = digits.x.subarray(d * P, d * P + P);
      for (let j = 0; j < P; j++) x[o + 3 * j + c] = src[j]; // interleave: NHWC, channel c
      mode = 10 * mode + digits.labels![d];
    }
    labels[i] = mode;
  }
  return { name: "stacked-mnist", x, shape: [MNIST_SIZE, MNIST_SIZE, 3], count, labels, numClasses: STACKED_MODES };
}

// Channel c of stacked images as grey digits: [count, 28, 28, 3] -> [count, 28, 28, 1] (into
// `out` when given, so a caller can reuse one buffer).
export function stackedChannel(x: Float32Array, count: number, c: number, out?: Float32Array): Float32Array {
  const P = MNIST_SIZE * MNIST_SIZE;
  const y = out ?? new Float32Array(count * P);
  for (let i = 0, s = c, n = count * P; i < n; i++, s += 3) y[i] = x[s];
  return y;
}
