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
// - Untrusted files: every header (IHDR: size, bit depth valid for the colour type) is checked
//   before any pixel is decoded, the floats x would take against maxTensorBytes (1 GiB by default,
//   src/io/limits.ts) before x is allocated, and each image's compressed data is inflated first
//   with a cap of what its size can hold (node:zlib maxOutputLength), so that a small file cannot
//   inflate to gigabytes (a decompression bomb) inside the decoder.
// Node and Deno (node:fs, node:zlib).
import { nodeFs } from "../io/node_only.ts";
import { decode, convertIndexedToRgb } from "fast-png";
import type { Dataset } from "./dataset.ts";
import { DataError } from "./errors.ts";
import { byteToUnit } from "./mnist.ts";
import { DEFAULT_LIMITS, showBytes } from "../io/limits.ts";

export interface ImageFolderOptions { name?: string; maxTensorBytes?: number }

interface PngHeader { file: string; name: string; width: number; height: number; depth: number; colorType: number; channels: 1 | 3 }

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const COLOR_CHANNELS: Record<number, 1 | 3> = { 0: 1, 2: 3, 3: 3, 4: 1, 6: 3 }; // PNG colour type -> channels kept
const COLOR_NAMES: Record<number, string> = { 0: "grey", 2: "RGB", 3: "palette", 4: "grey+alpha", 6: "RGBA" };
const STORED_CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }; // samples per pixel in the file
const DEPTHS: Record<number, number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] }; // the PNG spec's table 11.1

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
  return pngDataset(files, dir, { ...options, name: options.name ?? basename(dir) });
}

// The same from files already in memory ({path, bytes}, in the dataset's order); `dir` names the
// set in errors about all of them
export async function pngDataset(files: { path: string; bytes: Uint8Array }[], dir: string, options: ImageFolderOptions = {}): Promise<Dataset> {
  const names = files.map((f) => f.path.slice(Math.max(f.path.lastIndexOf("/"), f.path.lastIndexOf("\\")) + 1));
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
  const size = h * w * c, max = options.maxTensorBytes ?? DEFAULT_LIMITS.maxTensorBytes;
  if (4 * files.length * size > max) {
    throw new DataError(dir, `too large: ${files.length} images of ${w}x${h}x${c} need ${showBytes(4 * files.length * size)} as floats, above the limit of ${showBytes(max)} (option maxTensorBytes)`);
  }
  const { inflateSync } = await import("node:zlib");
  for (const [i, f] of files.entries()) checkInflatedSize(f.bytes, headers[i], inflateSync);
  const x = new Float32Array(files.length * size);
  files.forEach((f, i) => decodeInto(f.bytes, headers[i], x.subarray(i * size, (i + 1) * size)));
  return { name: options.name ?? dir, x, shape: [h, w, c], count: files.length };
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
  if (width === 0 || height === 0 || width > 0x7fffffff || height > 0x7fffffff) throw new DataError(file, `cannot decode PNG: size ${width}x${height}`);
  if (!DEPTHS[colorType].includes(depth)) throw new DataError(file, `cannot decode PNG: bit depth ${depth} is not valid for ${COLOR_NAMES[colorType]} images (${DEPTHS[colorType].join(", ")})`);
  return { file, name, width, height, depth, colorType, channels: COLOR_CHANNELS[colorType] };
}

// The filtered scanlines' size of an image (its seven Adam7 passes when interlaced): what its
// IDAT data must inflate to
function rawSize(b: Uint8Array, hd: PngHeader): number {
  const bits = hd.depth * STORED_CHANNELS[hd.colorType];
  const rows = (w: number, h: number) => (w > 0 && h > 0 ? h * (1 + Math.ceil((w * bits) / 8)) : 0);
  if (b[28] !== 1) return rows(hd.width, hd.height);
  const passes = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]];
  return passes.reduce((a, [x0, y0, dx, dy]) => a + rows(Math.ceil((hd.width - x0) / dx), Math.ceil((hd.height - y0) / dy)), 0);
}

// Inflates the image's IDAT chunks with a cap just above what its size needs: a file whose data
// inflates to more (a decompression bomb, or a lying header) or less is refused before fast-png
// decodes it.
// Chunk lengths are checked against the file; fast-png checks the CRCs.
function checkInflatedSize(b: Uint8Array, hd: PngHeader, inflateSync: (b: Uint8Array, o: { maxOutputLength: number }) => Uint8Array): void {
  const view = new DataView(b.buffer, b.byteOffset, b.length), parts: Uint8Array[] = [];
  for (let at = 8; at + 8 <= b.length;) {
    const len = view.getUint32(at), type = String.fromCharCode(b[at + 4], b[at + 5], b[at + 6], b[at + 7]);
    if (at + 12 + len > b.length) throw new DataError(hd.file, `cannot decode PNG (truncated: chunk ${JSON.stringify(type)} at byte ${at} says ${len} bytes, beyond the end of the file, ${b.length} bytes)`);
    if (type === "IDAT") parts.push(b.subarray(at + 8, at + 8 + len));
    if (type === "IEND") break;
    at += 12 + len;
  }
  const need = rawSize(b, hd);
  let got: number;
  try {
    const idat = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
    parts.reduce((at, p) => (idat.set(p, at), at + p.length), 0);
    got = inflateSync(idat, { maxOutputLength: need + 1 }).length;
  } catch (e) {
    const err = e as Error & { code?: string };
    if (err.code === "ERR_BUFFER_TOO_LARGE") throw new DataError(hd.file, `cannot decode PNG: its pixel data inflates to more than the ${need} bytes a ${hd.width}x${hd.height} ${hd.depth}-bit ${COLOR_NAMES[hd.colorType]} image holds (a decompression bomb?)`);
    throw new DataError(hd.file, `cannot decode PNG (its compressed data: ${err.message})`);
  }
  if (got !== need) throw new DataError(hd.file, `cannot decode PNG: its pixel data inflates to ${got} bytes, a ${hd.width}x${hd.height} ${hd.depth}-bit ${COLOR_NAMES[hd.colorType]} image holds ${need}`);
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
  // the decoder's view must be the header's: a palette image without PLTE, or another depth or
  // channel count, would read past the pixels (found by the loaders' fuzz, tests/io/fuzz.test.ts)
  if (hd.colorType === 3 && !png.palette) throw new DataError(hd.file, "cannot decode PNG: a palette image without a palette (PLTE chunk)");
  if (png.depth !== hd.depth || (!png.palette && png.channels !== STORED_CHANNELS[hd.colorType])) {
    throw new DataError(hd.file, `cannot decode PNG: the header says ${hd.depth}-bit ${COLOR_NAMES[hd.colorType]}, the decoder read ${png.depth}-bit with ${png.channels} channels`);
  }
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
