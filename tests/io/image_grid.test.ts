// Image grids: decoded back, every tile lands where the layout says, values mapped and clamped.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decode } from "fast-png";
import { imageGrid, writeImageGrid, gridLayout } from "../../src/io/image_grid.ts";
import { mnist } from "../../src/data/mnist.ts";

const byte = (v: number) => Math.max(0, Math.min(255, Math.round((v + 1) * 127.5)));

test("grey grid: size, tile positions, scale, padding colour, value mapping", () => {
  // 5 images of 2x3 (h x w), image i pixel (y, x) = -1 + 0.06 * (i * 6 + y * 3 + x)
  const h = 2, w = 3, count = 5;
  const imgs = Float32Array.from({ length: count * h * w }, (_, j) => -1 + 0.06 * j);
  const bytes = imageGrid(imgs, count, h, w, 1, { cols: 3, pad: 1, scale: 2 });
  const png = decode(bytes);
  // 3 cols x 2 rows of 6x4 tiles, 1 pixel of padding around and between
  assert.is(png.width, 3 * (6 + 1) + 1);
  assert.is(png.height, 2 * (4 + 1) + 1);
  assert.is(png.channels, 1);
  assert.is(png.depth, 8);
  const at = (x: number, y: number) => png.data[y * png.width + x];
  for (let i = 0; i < count; i++) {
    const x0 = 1 + (i % 3) * 7, y0 = 1 + Math.floor(i / 3) * 5;
    for (let y = 0; y < 4; y++) for (let x = 0; x < 6; x++) {
      assert.is(at(x0 + x, y0 + y), byte(imgs[i * 6 + (y >> 1) * 3 + (x >> 1)]), `image ${i} at (${x}, ${y})`);
    }
  }
  assert.is(at(0, 0), 128); // padding: background 0 -> 128
  assert.is(at(7, 3), 128); // between tiles
  assert.is(at(15, 8), 128); // the empty sixth slot
  assert.is(at(1, 1), 0);   // -1 -> 0
});

test("clamping: above 1 -> 255, below -1 -> 0, NaN -> 0; background option", () => {
  const v = Float32Array.of(1, 2, -1, -3, NaN, 0, 0.5, -0.5);
  const png = decode(imageGrid(v, 1, 2, 4, 1, { pad: 1, background: -1 }));
  assert.is(png.width, 6);
  assert.is(png.height, 4);
  const row = (y: number) => Array.from(png.data.subarray(y * 6 + 1, y * 6 + 5));
  assert.equal(row(1), [255, 255, 0, 0]);
  assert.equal(row(2), [0, 128, 191, 64]);
  assert.is(png.data[0], 0);
});

test("RGB grid: colours land in place; the default layout is square-ish", () => {
  const L = gridLayout(10, 28, 28);
  assert.equal([L.cols, L.rows, L.width, L.height], [4, 3, 4 * 30 + 2, 3 * 30 + 2]);
  const imgs = new Float32Array(2 * 2 * 2 * 3);
  imgs.set([1, -1, -1, -1, 1, -1, -1, -1, 1, 0, 0, 0]); // image 0: red, green / blue, grey
  imgs.set([1, 1, 1, -1, -1, -1, 1, 1, -1, -1, 1, 1], 12);
  const png = decode(imageGrid(imgs, 2, 2, 2, 3, { cols: 2, pad: 0 }));
  assert.is(png.channels, 3);
  assert.equal([png.width, png.height], [4, 2]);
  const px = (x: number, y: number) => Array.from(png.data.subarray((y * 4 + x) * 3, (y * 4 + x) * 3 + 3));
  assert.equal(px(0, 0), [255, 0, 0]);
  assert.equal(px(1, 0), [0, 255, 0]);
  assert.equal(px(0, 1), [0, 0, 255]);
  assert.equal(px(1, 1), [128, 128, 128]);
  assert.equal(px(2, 0), [255, 255, 255]);
  assert.equal(px(3, 1), [0, 255, 255]);
});

test("writeImageGrid: 64 real digits, written atomically, decode back to the digits", async () => {
  const d = await mnist({ count: 64 });
  const dir = mkdtempSync(join(tmpdir(), "wasm-gan-grid-"));
  try {
    const path = join(dir, "sub", "grid.png");
    await writeImageGrid(path, d.x, 64, 28, 28, 1, { cols: 8, pad: 2 });
    assert.equal(readdirSync(join(dir, "sub")), ["grid.png"]); // no temporary file left
    const png = decode(readFileSync(path));
    assert.equal([png.width, png.height], [8 * 30 + 2, 8 * 30 + 2]);
    for (const i of [0, 9, 63]) {
      const x0 = 2 + (i % 8) * 30, y0 = 2 + Math.floor(i / 8) * 30;
      for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) {
        assert.is(png.data[(y0 + y) * png.width + x0 + x], Math.round((d.x[i * 784 + y * 28 + x] + 1) * 127.5));
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("bad arguments are refused", () => {
  assert.throws(() => imageGrid(new Float32Array(8), 1, 2, 2, 2), /c must be 1 \(grey\) or 3 \(RGB\) \(got 2\)/);
  assert.throws(() => imageGrid(new Float32Array(8), 3, 2, 2, 1), /3 images of \[2, 2, 1\] need 12 values, got 8/);
  assert.throws(() => imageGrid(new Float32Array(8), 2, 2, 2, 1, { scale: 1.5 }), /scale must be an integer >= 1 \(got 1.5\)/);
  assert.throws(() => imageGrid(new Float32Array(8), 0, 2, 2, 1), /count must be an integer >= 1/);
  assert.throws(() => imageGrid(new Float32Array(8), 2, 2, 2, 1, { cols: 0 }), /cols must be an integer >= 1/);
});

test.run();
