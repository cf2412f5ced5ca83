// Scatter plots of 2-D samples: real data in grey, generated samples in blue, mixture
// centres as red crosses. Square, with the view fitted to the data.
import { createImage, blendPixel, type RgbaImage } from "./rgba.ts";

export interface ScatterOptions { size?: number; real?: Float32Array; centres?: Float32Array; extent?: number }

export function scatterPlot(samples: Float32Array, { size = 512, real, centres, extent }: ScatterOptions = {}): RgbaImage {
  const img = createImage(size, size);
  if (extent === undefined) {
    let m = 1;
    const ref = centres ?? real ?? samples;
    for (const v of ref) if (Number.isFinite(v)) m = Math.max(m, Math.abs(v));
    extent = m * 1.25;
  }
  const px = (v: number) => ((v + extent!) / (2 * extent!)) * (size - 1);
  const py = (v: number) => (size - 1) - px(v);
  // axes
  for (let i = 0; i < size; i++) { blendPixel(img, px(0), i, [0, 0, 0], 0.15); blendPixel(img, i, py(0), [0, 0, 0], 0.15); }
  const dots = (pts: Float32Array, rgb: [number, number, number], alpha: number) => {
    for (let i = 0; i + 1 < pts.length; i += 2) {
      const x = px(pts[i]), y = py(pts[i + 1]);
      for (const [dx, dy] of [[0, 0], [1, 0], [0, 1], [1, 1]]) blendPixel(img, x + dx, y + dy, rgb, alpha);
    }
  };
  if (real) dots(real, [120, 120, 120], 0.25);
  dots(samples, [30, 90, 220], 0.5);
  if (centres) for (let k = 0; k + 1 < centres.length; k += 2) {
    for (let d = -5; d <= 5; d++) {
      blendPixel(img, px(centres[k]) + d, py(centres[k + 1]), [220, 30, 30], 0.9);
      blendPixel(img, px(centres[k]), py(centres[k + 1]) + d, [220, 30, 30], 0.9);
    }
  }
  return img;
}
