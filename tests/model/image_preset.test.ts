// The `dcgan` preset derived from the images' shape (src/model/image_preset.ts) and the mirror
// augmentation (src/data/augment.ts).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { dcganFor, imageStack } from "../../src/model/image_preset.ts";
import { withMirrors } from "../../src/data/augment.ts";
import { preset, validateSpec, createGAN } from "../../src/index.ts";

test("on [28, 28, 1] the derived nets and recipe are exactly dcgan-mnist's", () => {
  const a = dcganFor([28, 28, 1], "dcgan-mnist"), b = preset("dcgan-mnist");
  assert.equal(a, b);
});

test("the stack per shape: stages, coarsest map, widths", () => {
  assert.equal(imageStack([28, 28, 1]), { stages: 2, coarse: [7, 7], filters: [128, 64] });
  assert.equal(imageStack([32, 32, 3]), { stages: 3, coarse: [4, 4], filters: [256, 128, 64] });
  assert.equal(imageStack([64, 64, 3]), { stages: 4, coarse: [4, 4], filters: [512, 256, 128, 64] });
  assert.equal(imageStack([128, 128, 3]), { stages: 4, coarse: [8, 8], filters: [512, 256, 128, 64] });
  assert.equal(imageStack([48, 32, 1]), { stages: 3, coarse: [6, 4], filters: [256, 128, 64] });
  assert.equal(imageStack([30, 30, 1]), { stages: 1, coarse: [15, 15], filters: [64] });
});

test("every derived spec validates with G's output and D's input the data shape", () => {
  for (const shape of [[28, 28, 3], [32, 32, 1], [32, 32, 3], [64, 64, 3], [48, 32, 1], [30, 30, 1], [8, 8, 3]]) {
    const s = validateSpec(dcganFor(shape));
    assert.equal(s.dataShape, shape, `[${shape}]`);
  }
});

test("shapes no stride-2 stack reaches are refused with the way out, naming the field", () => {
  const err = (shape: number[]) => { try { imageStack(shape); return ""; } catch (e) { return (e as Error).message; } };
  assert.match(err([27, 27, 1]), /^the data's sample shape: images of 27x27 cannot be reached by a stack of stride-2 layers: .*resize or crop/);
  assert.match(err([6, 6, 1]), /cannot be reached/);
  assert.match(err([32, 32, 4]), /1 \(grey\) or 3 \(RGB\) channels \(got 4\)/);
  assert.match(err([512, 512, 3]), /larger than the dcgan preset's 256x256/);
  assert.match(err([2]), /needs images \[height, width, channels\] \(got \[2\]\)/);
});

test("a derived RGB 32x32 DCGAN trains: 3 steps, finite losses, samples of [n, 32, 32, 3] in [-1, 1]", async () => {
  const shape = [32, 32, 3], n = 64, size = 32 * 32 * 3;
  const x = new Float32Array(n * size).map((_, i) => Math.sin(i * 0.37));
  const gan = await createGAN({ ...dcganFor(shape), batchSize: 16 }, { seed: 1, mode: "in-process" });
  try {
    let last;
    await gan.train({ name: "synthetic", x, shape, count: n }, { steps: 3, onStep: (s) => { last = s; } });
    assert.ok(last && Number.isFinite((last as any).dLoss) && Number.isFinite((last as any).gLoss), "finite losses");
    const s = await gan.sample(4, { seed: 2 });
    assert.is(s.length, 4 * size);
    assert.ok(s.every((v) => v >= -1 && v <= 1), "tanh output");
  } finally { await gan.dispose(); }
});

test("withMirrors: the originals, then each mirrored left to right, per channel; labels follow; refuses non-images", () => {
  // 2 samples of 2x3x2: value = 100·sample + 10·(y·3 + col) + channel
  const [h, w, c] = [2, 3, 2], x = new Float32Array(2 * h * w * c);
  for (let i = 0; i < 2; i++) for (let y = 0; y < h; y++) for (let col = 0; col < w; col++) for (let k = 0; k < c; k++) x[((i * h + y) * w + col) * c + k] = 100 * i + 10 * (y * w + col) + k;
  const m = withMirrors({ name: "t", x, shape: [h, w, c], count: 2, labels: new Int32Array([4, 7]), numClasses: 10 });
  assert.is(m.count, 4);
  assert.is(m.name, "t+mirrored");
  assert.equal(Array.from(m.labels!), [4, 7, 4, 7]);
  assert.equal(Array.from(m.x.subarray(0, 24)), Array.from(x), "the originals first, unchanged");
  const at = (i: number, y: number, col: number, k: number) => m.x[((i * h + y) * w + col) * c + k];
  for (let i = 0; i < 2; i++) for (let y = 0; y < h; y++) for (let col = 0; col < w; col++) for (let k = 0; k < c; k++) {
    assert.is(at(2 + i, y, col, k), 100 * i + 10 * (y * w + (w - 1 - col)) + k);
  }
  assert.throws(() => withMirrors({ name: "p", x: new Float32Array(4), shape: [2], count: 2 }), /flips images \[height, width, channels\], not samples of shape \[2\]/);
});

test.run();
