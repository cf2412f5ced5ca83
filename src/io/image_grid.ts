// A grid of images as one PNG (fast-png): generated samples, real batches, data previews.
// The pixels, the value mapping and the layout (cols, pad, scale, background): src/io/grid_pixels.ts.
import { encode } from "fast-png";
import { writeFileAtomic } from "./files.ts";

export { gridLayout, imageGridPixels, type ImageGridOptions, type GridLayout } from "./grid_pixels.ts";
import { imageGridPixels, type ImageGridOptions } from "./grid_pixels.ts";

export function imageGrid(images: Float32Array, count: number, h: number, w: number, c: number, options: ImageGridOptions = {}): Uint8Array {
  const { data, layout } = imageGridPixels(images, count, h, w, c, options);
  return encode({ width: layout.width, height: layout.height, data, channels: c, depth: 8 });
}

// Writes the grid's PNG without ever leaving a half-written file.
export async function writeImageGrid(path: string, images: Float32Array, count: number, h: number, w: number, c: number, options: ImageGridOptions = {}): Promise<void> {
  await writeFileAtomic(path, imageGrid(images, count, h, w, c, options));
}
