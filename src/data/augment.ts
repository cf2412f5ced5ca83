// Augmentation GANs use on images: horizontal flips (DCGAN, PGGAN and StyleGAN train with mirrored
// copies of their faces and rooms; Karras et al. 2018 §5 "mirror augmentation"). Here the flip is
// done once, up front: the data set doubles with the mirror image of every sample after the
// originals (labels kept), so the training stream samples both with equal weight and the engine,
// its random streams and its checkpoints are unchanged. Memory: twice the data set. Not for
// digits or text, whose mirror images are not samples of the data (a mirrored 3 is no digit).
import type { Dataset } from "./dataset.ts";

// x: [n, h, w, c] -> [2n, h, w, c]: samples 0..n-1 as given, n..2n-1 flipped left to right
export function withMirrors(data: Dataset): Dataset {
  if (data.shape.length !== 3) throw new RangeError(`withMirrors: flips images [height, width, channels], not samples of shape [${data.shape.join(", ")}]`);
  const [h, w, c] = data.shape, size = h * w * c, n = data.count;
  const x = new Float32Array(2 * n * size);
  x.set(data.x.subarray(0, n * size));
  for (let i = 0; i < n; i++) {
    const src = i * size, dst = (n + i) * size;
    for (let y = 0; y < h; y++) for (let col = 0; col < w; col++) {
      const from = src + (y * w + col) * c, to = dst + (y * w + (w - 1 - col)) * c;
      for (let k = 0; k < c; k++) x[to + k] = data.x[from + k];
    }
  }
  const labels = data.labels && Int32Array.from({ length: 2 * n }, (_, i) => data.labels![i % n]);
  return { ...data, name: `${data.name}+mirrored`, x, count: 2 * n, ...(labels ? { labels } : {}) };
}
