// The pixels of a grid of images (no PNG encoding: src/io/image_grid.ts encodes them with
// fast-png, the inference runtime with the platform's deflate, src/infer/png.ts).
// images: [count, h, w, c] NHWC, c = 1 (grey PNG) or 3 (RGB PNG), values in [-1, 1] mapped to
// 0..255 as round((v + 1) * 127.5), clamped (NaN becomes 0).
// Layout: `cols` tiles per row (default ceil(sqrt(count))), each tile scaled by an integer
// `scale` (nearest neighbour), `pad` pixels of `background` between tiles and around the edge.
export interface ImageGridOptions {
  cols?: number;       // tiles per row (default ceil(sqrt(count)))
  pad?: number;        // pixels between tiles and around the grid (default 2)
  scale?: number;      // integer upscaling of each tile (default 1)
  background?: number; // padding colour in data units [-1, 1] (default 0: mid grey, 128)
}

export interface GridLayout { width: number; height: number; cols: number; rows: number; tileW: number; tileH: number; pad: number }

export function gridLayout(count: number, h: number, w: number, { cols, pad = 2, scale = 1 }: ImageGridOptions = {}): GridLayout {
  const int = (v: number, name: string, min: number) => {
    if (!Number.isInteger(v) || v < min) throw new RangeError(`imageGrid: ${name} must be an integer >= ${min} (got ${v})`);
  };
  int(count, "count", 1); int(h, "h", 1); int(w, "w", 1); int(pad, "pad", 0); int(scale, "scale", 1);
  cols ??= Math.ceil(Math.sqrt(count));
  int(cols, "cols", 1);
  const rows = Math.ceil(count / cols), tileW = w * scale, tileH = h * scale;
  return { width: cols * (tileW + pad) + pad, height: rows * (tileH + pad) + pad, cols, rows, tileW, tileH, pad };
}

// The grid's pixels: Uint8Array [height, width, c].
export function imageGridPixels(images: Float32Array, count: number, h: number, w: number, c: number, options: ImageGridOptions = {}): { data: Uint8Array; layout: GridLayout } {
  if (c !== 1 && c !== 3) throw new RangeError(`imageGrid: c must be 1 (grey) or 3 (RGB) (got ${c})`);
  const L = gridLayout(count, h, w, options);
  if (images.length < count * h * w * c) throw new RangeError(`imageGrid: ${count} images of [${h}, ${w}, ${c}] need ${count * h * w * c} values, got ${images.length}`);
  const scale = options.scale ?? 1;
  const toByte = (v: number) => (v >= 1 ? 255 : v > -1 ? Math.round((v + 1) * 127.5) : 0); // NaN fails both tests: 0
  const data = new Uint8Array(L.width * L.height * c).fill(toByte(options.background ?? 0));
  for (let i = 0; i < count; i++) {
    const x0 = L.pad + (i % L.cols) * (L.tileW + L.pad), y0 = L.pad + Math.floor(i / L.cols) * (L.tileH + L.pad);
    const img = i * h * w * c;
    for (let y = 0; y < L.tileH; y++) {
      const src = img + Math.floor(y / scale) * w * c, dst = ((y0 + y) * L.width + x0) * c;
      for (let x = 0; x < L.tileW; x++) {
        const s = src + Math.floor(x / scale) * c, d = dst + x * c;
        for (let k = 0; k < c; k++) data[d + k] = toByte(images[s + k]);
      }
    }
  }
  return { data, layout: L };
}
