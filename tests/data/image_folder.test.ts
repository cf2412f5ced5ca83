// PNG folders: real digits written as PNGs read back exactly, in name order; colour, alpha,
// 16-bit, palette and 1-bit files; every refusal names the folder or file and the problem.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, writeFileSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encode } from "fast-png";
import { imageFolder } from "../../src/data/image_folder.ts";
import { DataError } from "../../src/data/errors.ts";
import { mnist } from "../../src/data/mnist.ts";

const root = mkdtempSync(join(tmpdir(), "wasm-gan-png-"));
let n = 0;
function folder(files: Record<string, Uint8Array | string>): string {
  const dir = join(root, `f${n++}`);
  mkdirSync(dir);
  for (const [name, data] of Object.entries(files)) writeFileSync(join(dir, name), data);
  return dir;
}
const png = (width: number, height: number, channels: number, data: Uint8Array | Uint16Array, depth: 1 | 8 | 16 = 8) =>
  encode({ width, height, channels, depth, data });
const u = (b: number) => Math.fround(b / 127.5 - 1);

async function failure(fn: () => Promise<unknown>): Promise<DataError> {
  try { await fn(); } catch (e) { assert.instance(e, DataError); return e as DataError; }
  assert.unreachable("expected a DataError");
  throw new Error("unreachable");
}

test("12 real digits as grey PNGs read back exactly, sorted by name; other files ignored", async () => {
  const d = await mnist({ count: 12 });
  const files: Record<string, Uint8Array | string> = { "notes.txt": "not an image" };
  for (let i = 0; i < 12; i++) {
    const px = Uint8Array.from(d.x.subarray(i * 784, (i + 1) * 784), (v) => Math.round((v + 1) * 127.5));
    files[i === 11 ? `d${i}.PNG` : `d${i}.png`] = png(28, 28, 1, px);
  }
  const dir = folder(files);
  mkdirSync(join(dir, "sub"));
  writeFileSync(join(dir, "sub", "inner.png"), png(3, 3, 1, new Uint8Array(9)));
  const ds = await imageFolder(dir);
  assert.is(ds.count, 12);
  assert.equal(ds.shape, [28, 28, 1]);
  assert.is(ds.name, `f${n - 1}`);
  assert.is(ds.labels, undefined);
  // name order (code units): d0 d1 d10 d11.PNG d2 ... d9; '.PNG' sorts before '.png'
  const order = [0, 1, 10, 11, 2, 3, 4, 5, 6, 7, 8, 9];
  order.forEach((src, k) => assert.equal(Array.from(ds.x.subarray(k * 784, (k + 1) * 784)), Array.from(d.x.subarray(src * 784, (src + 1) * 784)), `file ${k} = digit ${src}`));
});

test("RGB kept, alpha dropped (RGBA -> RGB, grey+alpha -> grey), values as stored", async () => {
  const rgb = Uint8Array.from({ length: 4 * 5 * 3 }, (_, i) => (i * 11) % 256);
  const rgba = Uint8Array.from({ length: 4 * 5 * 4 }, (_, i) => (i % 4 === 3 ? 0 : (i * 13) % 256)); // fully transparent
  const ds = await imageFolder(folder({ "a.png": png(4, 5, 3, rgb), "b.png": png(4, 5, 4, rgba) }));
  assert.equal(ds.shape, [5, 4, 3]);
  assert.equal(Array.from(ds.x.subarray(0, 60)), Array.from(rgb, u));
  const expectB = Array.from(rgba).filter((_, i) => i % 4 !== 3).map(u);
  assert.equal(Array.from(ds.x.subarray(60, 120)), expectB);
  const ga = Uint8Array.of(0, 255, 128, 10, 255, 0, 64, 99); // 2x2 grey + alpha
  const g = await imageFolder(folder({ "g.png": png(2, 2, 2, ga) }));
  assert.equal(g.shape, [2, 2, 1]);
  assert.equal(Array.from(g.x), [u(0), u(128), u(255), u(64)]);
});

test("16-bit kept at full precision; palette images become RGB; 1-bit grey unpacked", async () => {
  const d16 = await imageFolder(folder({ "w.png": png(3, 1, 1, Uint16Array.of(0, 65535, 1000), 16) }));
  assert.equal(Array.from(d16.x), [-1, 1, Math.fround(1000 / 32767.5 - 1)]);
  const palette = [[255, 0, 0], [0, 0, 255], [10, 20, 30]];
  const idx = encode({ width: 3, height: 1, channels: 1, depth: 8, data: Uint8Array.of(2, 0, 1), palette });
  const p = await imageFolder(folder({ "p.png": idx }));
  assert.equal(p.shape, [1, 3, 3]);
  assert.equal(Array.from(p.x), [10, 20, 30, 255, 0, 0, 0, 0, 255].map(u));
  // 1-bit: rows padded to whole bytes; 10 pixels wide -> 2 bytes per row
  const bits = Uint8Array.of(0b10110000, 0b01000000, 0b00000000, 0b11000000);
  const b = await imageFolder(folder({ "b.png": png(10, 2, 1, bits, 1) }));
  assert.equal(b.shape, [2, 10, 1]);
  assert.equal(Array.from(b.x), [1, -1, 1, 1, -1, -1, -1, -1, -1, 1, -1, -1, -1, -1, -1, -1, -1, -1, 1, 1]);
});

test("empty folder and missing folder", async () => {
  const dir = folder({ "readme.txt": "x", "image.jpg": "y" });
  let e = await failure(() => imageFolder(dir));
  assert.is(e.message, `${dir}: no .png files in the folder (2 other entries)`);
  e = await failure(() => imageFolder(join(root, "missing")));
  assert.match(e.message, /missing: cannot read the folder: ENOENT/);
});

test("mixed sizes name the first file of each size", async () => {
  const dir = folder({
    "a.png": png(2, 2, 1, new Uint8Array(4)), "b.png": png(2, 2, 1, new Uint8Array(4)),
    "c.png": png(3, 2, 1, new Uint8Array(6)), "d.png": png(2, 2, 1, new Uint8Array(4)), "e.png": png(2, 3, 1, new Uint8Array(6)),
  });
  const e = await failure(() => imageFolder(dir));
  assert.is(e.file, dir);
  assert.is(e.message, `${dir}: mixed image sizes: 2x2 (a.png and 2 more), 3x2 (c.png), 2x3 (e.png); all images must have one size`);
});

test("mixed channel counts name the first file of each kind", async () => {
  const dir = folder({ "1.png": png(2, 2, 1, new Uint8Array(4)), "2.png": png(2, 2, 4, new Uint8Array(16)), "3.png": png(2, 2, 2, new Uint8Array(8)) });
  const e = await failure(() => imageFolder(dir));
  assert.is(e.message, `${dir}: mixed channel counts: 1 channel (1.png, grey, and 1 more), 3 channels (2.png, RGBA); convert them to one kind`);
});

test("undecodable files are named", async () => {
  const good = png(2, 2, 1, Uint8Array.of(1, 2, 3, 4));
  let dir = folder({ "a.png": good, "fake.png": "GIF89a, not a png at all, long enough to have a header" });
  let e = await failure(() => imageFolder(dir));
  assert.is(e.file, join(dir, "fake.png"));
  assert.match(e.message, /fake.png: not a PNG file \(no PNG signature\)/);
  const cut = good.slice(0, good.length - 20); // IDAT cut short
  dir = folder({ "a.png": good, "cut.png": cut });
  e = await failure(() => imageFolder(dir));
  assert.match(e.message, /cut.png: cannot decode PNG \(.+\)/);
  const garbled = png(8, 8, 1, Uint8Array.from({ length: 64 }, (_, i) => i * 3));
  for (let i = 41; i < garbled.length - 16; i++) garbled[i] ^= 0xa5; // inside the compressed data
  e = await failure(() => imageFolder(folder({ "z.png": garbled })));
  assert.match(e.message, /z.png: cannot decode PNG/);
  e = await failure(() => imageFolder(folder({ "tiny.png": "abc" })));
  assert.match(e.message, /tiny.png: not a PNG file \(3 bytes\)/);
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();
