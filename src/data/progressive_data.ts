// The real images of a progressive-growing run (src/model/progressive.ts) at each resolution, as
// the official code's training loop feeds them (tkarras/progressive_growing_of_gans train.py,
// process_reals): the data set padded to the final resolution, then 2×2-average-pooled down to
// the phase's resolution; during a fade at R the reals are blended like the generator's output,
//   x = α·x_R + (1 − α)·upsample(avg_pool(x_R))   (the official lerp(x, y, lod − floor(lod))),
// so D never sees a sharper real image than G can make.
//   images: NHWC, flattened per sample ([count, h, w, c]), values as the data set's ([-1, 1] for MNIST)
import type { Dataset } from "./dataset.ts";

// each image centred in a size × size frame of `fill` (MNIST's background −1)
export function padImages(d: Dataset, size: number, fill = -1): Dataset {
  const [h, w, c] = d.shape;
  if (h > size || w > size) throw new RangeError(`padImages: ${h}×${w} images do not fit ${size}×${size}`);
  const top = Math.floor((size - h) / 2), left = Math.floor((size - w) / 2);
  const x = new Float32Array(d.count * size * size * c).fill(fill);
  for (let i = 0; i < d.count; i++) {
    for (let r = 0; r < h; r++) {
      const src = ((i * h + r) * w) * c, dst = ((i * size + top + r) * size + left) * c;
      x.set(d.x.subarray(src, src + w * c), dst);
    }
  }
  return { ...d, name: `${d.name}-${size}`, x, shape: [size, size, c] };
}

// 2×2 means, stride 2: [count, h, w, c] -> [count, h/2, w/2, c] (in f64, rounded once)
export function halve(x: Float32Array, count: number, h: number, w: number, c: number): Float32Array {
  const oh = h / 2, ow = w / 2, out = new Float32Array(count * oh * ow * c);
  for (let i = 0; i < count; i++) for (let a = 0; a < oh; a++) for (let b = 0; b < ow; b++) for (let k = 0; k < c; k++) {
    const at = (y: number, z: number) => x[((i * h + y) * w + z) * c + k];
    out[((i * oh + a) * ow + b) * c + k] = (at(2 * a, 2 * b) + at(2 * a, 2 * b + 1) + at(2 * a + 1, 2 * b) + at(2 * a + 1, 2 * b + 1)) / 4;
  }
  return out;
}

// nearest neighbour ×2: [count, h, w, c] -> [count, 2h, 2w, c]
export function double(x: Float32Array, count: number, h: number, w: number, c: number): Float32Array {
  const out = new Float32Array(count * 4 * h * w * c);
  for (let i = 0; i < count; i++) for (let a = 0; a < 2 * h; a++) for (let b = 0; b < 2 * w; b++) for (let k = 0; k < c; k++) {
    out[((i * 2 * h + a) * 2 * w + b) * c + k] = x[((i * h + (a >> 1)) * w + (b >> 1)) * c + k];
  }
  return out;
}

// the data set at resolution `res` (its images square, res dividing their size by a power of 2)
export function atResolution(d: Dataset, res: number): Dataset {
  let [h, w] = d.shape;
  const c = d.shape[2];
  let x = d.x;
  while (h > res) {
    x = halve(x, d.count, h, w, c);
    h /= 2;
    w /= 2;
  }
  if (h !== res) throw new RangeError(`atResolution: ${d.shape[0]}×${d.shape[1]} images do not halve to ${res}×${res}`);
  return { ...d, name: `${d.name}@${res}`, x, shape: [res, res, c] };
}

// A fade phase's reals: blended(α) = α·x + (1 − α)·low with low = upsample(avg_pool(x)), computed once
export function fadeReals(d: Dataset): (alpha: number) => Dataset {
  const [h, w, c] = d.shape;
  const low = double(halve(d.x, d.count, h, w, c), d.count, h / 2, w / 2, c);
  return (alpha) => {
    if (alpha >= 1) return d;
    const x = new Float32Array(d.x.length), a = Math.fround(alpha), b = Math.fround(1 - alpha);
    for (let k = 0; k < x.length; k++) x[k] = a * d.x[k] + b * low[k];
    return { ...d, x };
  };
}

// Samples at resolution res as the MNIST judges see them: nearest-neighbour upsampled to
// `size` (the padded frame), then centre-cropped to `crop` (the bundled digits' 28×28 frame):
// [count, res, res, c] -> [count, crop, crop, c]
export function judgeFrame(x: Float32Array, count: number, res: number, c = 1, size = 32, crop = 28): Float32Array {
  let h = res, y = x;
  while (h < size) { y = double(y, count, h, h, c); h *= 2; }
  if (h !== size) throw new RangeError(`judgeFrame: ${res}×${res} does not double to ${size}×${size}`);
  const off = Math.floor((size - crop) / 2), out = new Float32Array(count * crop * crop * c);
  for (let i = 0; i < count; i++) for (let r = 0; r < crop; r++) {
    const src = ((i * size + off + r) * size + off) * c;
    out.set(y.subarray(src, src + crop * c), (i * crop + r) * crop * c);
  }
  return out;
}
