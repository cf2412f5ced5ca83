// RGBA images in memory (the scatter plots draw on them; src/io/png.ts encodes them).
export interface RgbaImage { width: number; height: number; data: Uint8ClampedArray } // data: [h, w, 4]

export function createImage(width: number, height: number, rgb: [number, number, number] = [255, 255, 255]): RgbaImage {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) data.set([rgb[0], rgb[1], rgb[2], 255], 4 * i);
  return { width, height, data };
}

// alpha-blend one pixel; out-of-range coordinates are ignored
export function blendPixel(img: RgbaImage, x: number, y: number, rgb: [number, number, number], alpha: number): void {
  x = Math.round(x); y = Math.round(y);
  if (x < 0 || y < 0 || x >= img.width || y >= img.height) return;
  const o = 4 * (y * img.width + x);
  for (let c = 0; c < 3; c++) img.data[o + c] = img.data[o + c] * (1 - alpha) + rgb[c] * alpha;
}
