// A folder of PNG images of one size as a Dataset (decoded with fast-png, pure JS).
//
// - Files: the folder's own `*.png` (any case), sorted by name (UTF-16 code-unit order, the same
//   in every locale); other files and subfolders are ignored.
// - x: [count, h, w, c] NHWC in [-1, 1]; c is 1 for grey images, 3 for colour ones.
//   8-bit: byte / 127.5 - 1 (as mnist() and loadIdx()); 16-bit: v / 32767.5 - 1 (kept at full
//   precision); 1/2/4-bit grey: v / (2^depth - 1) * 2 - 1; palette images become RGB.
// - Alpha is dropped, not composited: grey+alpha reads as grey and RGBA as RGB, with the colour
//   values as stored (a transparent pixel keeps whatever colour it holds). tRNS chunks are
//   ignored the same way.
// - All images must share one size and one channel count (after dropping alpha): a mismatch is
//   refused, naming the first file of each size / of each kind, before anything is decoded.
// Node and Deno (node:fs).
import { nodeFs } from "../io/node_only.ts";
import { decode, convertIndexedToRgb } from "fast-png";
import type { Dataset } from "./dataset.ts";
import { DataError } from "./errors.ts";
import { byteToUnit } from "./mnist.ts";

export interface ImageFolderOptions { name?: string }

interface PngHeader { file: string; name: string; width: number; height: number; depth: number; colorType: number; channels: 1 | 3 }

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const COLOR_CHANNELS: Record<number, 1 | 3> = { 0: 1, 2: 3, 3: 3, 4: 1, 6: 3 }; // PNG colour type -> channels kept
const COLOR_NAMES: Record<number, string> = { 0: "grey", 2: "RGB", 3: "palette", 4: "grey+alpha", 6: "RGBA" };

export async function imageFolder(dir: string, options: ImageFolderOptions = {}): Promise<Dataset> {
  const { readdir, readFile, join, basename } = await nodeFs("imageFolder", "in a page, decode the images yourself (e.g. from <canvas>) into a Dataset { x, shape, count }");
  const entries = await readdir(dir, { withFileTypes: true }).catch((e: Error) => { throw new DataError(dir, `cannot read the folder: ${e.message}`); });
  const names = entries.filter((e) => e.isFile() && /\.png$/i.test(e.name)).map((e) => e.name).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (names.length === 0) throw new DataError(dir, `no .png files in the folder (${entries.length} other entr${entries.length === 1 ? "y" : "ies"})`);
  const files = await Promise.all(names.map(async (n) => {
    const path = join(dir, n);
    const b = await readFile(path).catch((e: Error) => { throw new DataError(path, `cannot read: ${e.message}`); });
    return { path, bytes: new Uint8Array(b.buffer, b.byteOffset, b.length) };
  }));
  // headers first: sizes and kinds are checked before any pixel is decoded
  const headers = files.map((f, i) => readHeader(f.bytes, f.path, names[i]));
  const bySize = groupFirst(headers, (h) => `${h.width}x${h.height}`);
  if (bySize.length > 1) {
    throw new DataError(dir, `mixed image sizes: ${bySize.map(([k, h, n]) => `${k} (${h.name}${n > 1 ? ` and ${n - 1} more` : ""})`).join(", ")}; all images must have one size`);
  }
  const byKind = groupFirst(headers, (h) => (h.channels === 1 ? "grey" : "colour"));
  if (byKind.length > 1) {
    throw new DataError(dir, `mixed channel counts: ${byKind.map(([k, h, n]) => `${k === "grey" ? "1 channel" : "3 channels"} (${h.name}, ${COLOR_NAMES[h.colorType]}${n > 1 ? `, and ${n - 1} more` : ""})`).join(", ")}; convert them to one kind`);
  }
  const { width: w, height: h, channels: c } = headers[0];
  const size = h * w * c;
  const x = new Float32Array(files.length * size);
  files.forEach((f, i) => decodeInto(f.bytes, headers[i], x.subarray(i * size, (i + 1) * size)));
  return { name: options.name ?? basename(dir), x, shape: [h, w, c], count: files.length };
}

// [key, first header with it, how many], in file order
function groupFirst(headers: PngHeader[], key: (h: PngHeader) => string): [string, PngHeader, number][] {
  const m = new Map<string, [string, PngHeader, number]>();
  for (const h of headers) {
    const k = key(h), g = m.get(k);
    if (g) g[2]++; else m.set(k, [k, h, 1]);
  }
  return [...m.values()];
}

// The IHDR chunk: always first, at bytes 8..32.
function readHeader(b: Uint8Array, file: string, name: string): PngHeader {
  if (b.length < 33 || PNG_SIGNATURE.some((v, i) => b[i] !== v)) throw new DataError(file, `not a PNG file (${b.length < 8 ? `${b.length} bytes` : "no PNG signature"})`);
  const view = new DataView(b.buffer, b.byteOffset, b.length);
  if (String.fromCharCode(b[12], b[13], b[14], b[15]) !== "IHDR") throw new DataError(file, "cannot decode PNG: the first chunk is not IHDR");
  const width = view.getUint32(16), height = view.getUint32(20), depth = b[24], colorType = b[25];
  if (!(colorType in COLOR_CHANNELS)) throw new DataError(file, `cannot decode PNG: unknown colour type ${colorType}`);
  if (width === 0 || height === 0) throw new DataError(file, `cannot decode PNG: size ${width}x${height}`);
  return { file, name, width, height, depth, colorType, channels: COLOR_CHANNELS[colorType] };
}

// Decodes one PNG into out ([h, w, c] in [-1, 1]), dropping alpha.
function decodeInto(bytes: Uint8Array, hd: PngHeader, out: Float32Array): void {
  let png;
  try {
    png = decode(bytes);
  } catch (e) {
    throw new DataError(hd.file, `cannot decode PNG (${(e as Error).message})`);
  }
  const { width: w, height: h, depth } = png;
  if (w !== hd.width || h !== hd.height) throw new DataError(hd.file, `cannot decode PNG: header says ${hd.width}x${hd.height}, decoder ${w}x${h}`);
  const n = w * h;
  if (png.palette) {
    let rgb: Uint8Array;
    try { rgb = convertIndexedToRgb(png); } catch (e) { throw new DataError(hd.file, `cannot decode PNG palette (${(e as Error).message})`); }
    const stride = rgb.length / n, lut = byteToUnit(); // 3, or 4 when the palette has alpha
    for (let p = 0; p < n; p++) for (let k = 0; k < 3; k++) out[3 * p + k] = lut[rgb[stride * p + k]];
    return;
  }
  const src = png.channels, keep = hd.channels; // src may hold one more (alpha) than keep
  const need = depth >= 8 ? n * src : Math.ceil((w * depth) / 8) * h * src;
  if (png.data.length < need) throw new DataError(hd.file, `cannot decode PNG: ${png.data.length} pixel values, expected ${need}`);
  if (depth === 8) {
    const lut = byteToUnit(), d = png.data;
    for (let p = 0; p < n; p++) for (let k = 0; k < keep; k++) out[keep * p + k] = lut[d[src * p + k]];
  } else if (depth === 16) {
    const d = png.data;
    for (let p = 0; p < n; p++) for (let k = 0; k < keep; k++) out[keep * p + k] = d[src * p + k] / 32767.5 - 1;
  } else if ((depth === 1 || depth === 2 || depth === 4) && src === 1) {
    // packed grey: each row starts on a byte boundary, most significant bits first
    const d = png.data, rowBytes = Math.ceil((w * depth) / 8), max = (1 << depth) - 1, perByte = 8 / depth;
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const byte = d[y * rowBytes + Math.floor(x / perByte)];
      const v = (byte >> (8 - depth * ((x % perByte) + 1))) & max;
      out[y * w + x] = (v / max) * 2 - 1;
    }
  } else {
    throw new DataError(hd.file, `unsupported PNG: ${depth}-bit ${COLOR_NAMES[hd.colorType]}`);
  }
}

// One PNG file's pixels as [h, w, c] in [-1, 1] (the folder's rules: alpha dropped, grey 1
// channel, colour 3); `file` names it in errors
export function decodePng(bytes: Uint8Array, file: string): { x: Float32Array; h: number; w: number; c: 1 | 3 } {
  const hd = readHeader(bytes, file, file);
  const x = new Float32Array(hd.height * hd.width * hd.channels);
  decodeInto(bytes, hd, x);
  return { x, h: hd.height, w: hd.width, c: hd.channels };
}
