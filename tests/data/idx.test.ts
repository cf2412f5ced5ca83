// IDX files (plain and gzipped): round trip through real digits, and every refusal names the
// file and the problem.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, writeFileSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { loadIdx, encodeIdx, idxDataset } from "../../src/data/idx.ts";
import { DataError } from "../../src/data/errors.ts";
import { mnist } from "../../src/data/mnist.ts";

const dir = mkdtempSync(join(tmpdir(), "wasm-gan-idx-"));
const N = 50;
const digits = await mnist({ count: N });
const bytes = Uint8Array.from(digits.x, (v) => Math.round((v + 1) * 127.5));
const labels = Uint8Array.from(digits.labels!);
const imagesIdx = encodeIdx(bytes, [N, 28, 28]), labelsIdx = encodeIdx(labels, [N]);
const put = (name: string, data: Uint8Array) => { const p = join(dir, name); writeFileSync(p, data); return p; };

async function failure(fn: () => Promise<unknown>): Promise<DataError> {
  try { await fn(); } catch (e) { assert.instance(e, DataError); return e as DataError; }
  assert.unreachable("expected a DataError");
  throw new Error("unreachable");
}

test("round trip: 50 real digits written as IDX (plain and gzip) read back bit for bit", async () => {
  const img = put("train-images-idx3-ubyte", imagesIdx), lab = put("train-labels-idx1-ubyte", labelsIdx);
  assert.is(imagesIdx.length, 16 + N * 784);
  assert.equal(Array.from(imagesIdx.subarray(0, 8)), [0, 0, 8, 3, 0, 0, 0, N]);
  const plain = await loadIdx(img, lab);
  assert.is(plain.name, "train-images-idx3-ubyte");
  assert.is(plain.count, N);
  assert.equal(plain.shape, [28, 28, 1]);
  assert.equal(Array.from(plain.x), Array.from(digits.x));
  assert.equal(Array.from(plain.labels!), Array.from(digits.labels!));
  assert.is(plain.numClasses, 10);
  // gzip is found by its magic bytes, whatever the name says
  const imgGz = put("images.gz", gzipSync(imagesIdx)), labGz = put("labels-no-suffix", gzipSync(labelsIdx));
  const gz = await loadIdx(imgGz, labGz, { name: "digits" });
  assert.is(gz.name, "digits");
  assert.equal(Array.from(gz.x), Array.from(digits.x));
  assert.equal(Array.from(gz.labels!), Array.from(digits.labels!));
  // labels are optional
  const noLabels = await loadIdx(img);
  assert.is(noLabels.labels, undefined);
  assert.is(noLabels.count, N);
});

test("a folder holding the standard (gzipped) names; 4-D colour images; values exact", async () => {
  const sub = join(dir, "mnist-folder");
  mkdirSync(sub);
  writeFileSync(join(sub, "train-images-idx3-ubyte.gz"), gzipSync(imagesIdx));
  writeFileSync(join(sub, "train-labels-idx1-ubyte.gz"), gzipSync(labelsIdx));
  const d = await loadIdx(sub);
  assert.equal(Array.from(d.x.subarray(0, 784 * 3)), Array.from(digits.x.subarray(0, 784 * 3)));
  assert.equal(Array.from(d.labels!), Array.from(digits.labels!));
  // [2, 2, 3, 3] colour images: byte b -> b / 127.5 - 1, NHWC
  const rgb = Uint8Array.from({ length: 36 }, (_, i) => i * 7);
  const c = idxDataset(encodeIdx(rgb, [2, 2, 3, 3]), undefined);
  assert.equal(c.shape, [2, 3, 3]);
  assert.is(c.count, 2);
  assert.equal(Array.from(c.x.subarray(0, 4)), [-1, Math.fround(7 / 127.5 - 1), Math.fround(14 / 127.5 - 1), Math.fround(21 / 127.5 - 1)]);
  assert.is(c.x[35], Math.fround(245 / 127.5 - 1));
  assert.is(idxDataset(encodeIdx(Uint8Array.of(255, 0), [2, 1, 1]), undefined).x[0], 1);
  const empty = join(dir, "empty-folder");
  mkdirSync(empty);
  const e = await failure(() => loadIdx(empty));
  assert.match(e.message, /empty-folder: no IDX image file: expected train-images-idx3-ubyte or train-images-idx3-ubyte.gz/);
});

test("wrong magic numbers say what was read and what was expected", async () => {
  const lab = put("labels-as-images", labelsIdx);
  let e = await failure(() => loadIdx(lab));
  assert.is(e.file, lab);
  assert.is(e.message, `${lab}: wrong magic number 0x00000801: 1 dimensions (a labels file?), expected 0x00000803 or 0x00000804 (IDX images)`);
  const img = put("images-ok", imagesIdx);
  e = await failure(() => loadIdx(img, img));
  assert.match(e.message, /images-ok: wrong magic number 0x00000803: 3 dimensions \(an images file\?\), expected 0x00000801 \(IDX labels\)/);
  const png = put("picture", Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0));
  e = await failure(() => loadIdx(png));
  assert.match(e.message, /picture: not an IDX file: magic number 0x89504e47, expected 0x00000803 or 0x00000804 \(IDX images, unsigned bytes\)/);
  const tiny = put("tiny", Uint8Array.of(0, 0));
  e = await failure(() => loadIdx(tiny));
  assert.match(e.message, /tiny: truncated: 2 bytes, shorter than the 4-byte IDX magic number/);
});

test("truncated files give expected vs actual bytes; trailing bytes are refused too", async () => {
  const cut = put("cut-images", imagesIdx.subarray(0, 30_000));
  let e = await failure(() => loadIdx(cut));
  assert.is(e.message, `${cut}: truncated: dimensions [50, 28, 28] need 39216 bytes, got 30000`);
  const cutHeader = put("cut-header", imagesIdx.subarray(0, 10));
  e = await failure(() => loadIdx(cutHeader));
  assert.match(e.message, /cut-header: truncated: expected at least 16 bytes of header, got 10/);
  const cutLabels = put("cut-labels.gz", gzipSync(labelsIdx.subarray(0, 40)));
  e = await failure(() => loadIdx(put("img", imagesIdx), cutLabels));
  assert.match(e.message, /cut-labels.gz: truncated: dimensions \[50\] need 58 bytes, got 40/);
  const long = new Uint8Array(imagesIdx.length + 3);
  long.set(imagesIdx);
  e = await failure(() => loadIdx(put("long", long)));
  assert.match(e.message, /long: trailing bytes: dimensions \[50, 28, 28\] need 39216 bytes, got 39219/);
});

test("label count must match the image count", async () => {
  const lab = put("labels-49", encodeIdx(labels.subarray(0, 49), [49]));
  const e = await failure(() => loadIdx(put("img2", imagesIdx), lab));
  assert.is(e.file, lab);
  assert.match(e.message, /labels-49: holds 49 labels but .*img2 holds 50 images/);
});

test("unsupported data types are named", async () => {
  const f32 = new Uint8Array(16 + 4 * 8);
  f32.set([0, 0, 0x0d, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2]);
  const e = await failure(() => loadIdx(put("floats", f32)));
  assert.match(e.message, /floats: unsupported IDX data type 0x0d \(float32\): only unsigned byte \(0x08\) files are read; magic number 0x00000d03/);
  const i16 = Uint8Array.of(0, 0, 0x0b, 1, 0, 0, 0, 1, 0, 7);
  const e2 = await failure(() => loadIdx(put("img3", imagesIdx), put("shorts", i16)));
  assert.match(e2.message, /shorts: unsupported IDX data type 0x0b \(int16\)/);
});

test("corrupt gzip is reported as such", async () => {
  const gz = gzipSync(imagesIdx);
  const broken = gz.slice(0, gz.length >> 1); // cut short
  let e = await failure(() => loadIdx(put("half.gz", broken)));
  assert.match(e.message, /half.gz: corrupt gzip data \(.+\)/);
  const garbled = gz.slice();
  for (let i = 20; i < 60; i++) garbled[i] ^= 0x5a;
  e = await failure(() => loadIdx(put("garbled.gz", garbled)));
  assert.match(e.message, /garbled.gz: corrupt gzip data/);
  e = await failure(() => loadIdx(join(dir, "no-such-file")));
  assert.match(e.message, /no-such-file: cannot read: ENOENT/);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
