// The IDX files MNIST (and Fashion-MNIST, KMNIST, EMNIST) are distributed in:
// `train-images-idx3-ubyte` and `train-labels-idx1-ubyte`, plain or gzipped (detected by the gzip
// magic bytes 1f 8b, not by the name).
//
// IDX layout (big-endian): 2 zero bytes, a data-type byte (0x08 unsigned byte, 0x09 signed byte,
// 0x0b int16, 0x0c int32, 0x0d float32, 0x0e float64), the number of dimensions, one uint32 per
// dimension, then the values row-major. Images: type 0x08 with 3 dimensions [count, h, w]
// (magic 0x00000803), or 4 dimensions [count, h, w, c] (0x00000804); labels: type 0x08 with 1
// dimension (0x00000801). Only unsigned bytes are read (every published image set uses them).
//
// x: [count, h, w, c] NHWC in [-1, 1] as byte / 127.5 - 1 (the same values as mnist() and
// imageFolder() give for the same pixels). Node and Deno (node:fs, node:zlib).
// Untrusted files: the header's dimensions are checked against the file size before anything is
// read, gunzip stops at maxTensorBytes (a gzip bomb is refused, not inflated), and the floats x
// would take are checked against maxTensorBytes (1 GiB by default, src/io/limits.ts) before x
// is allocated.
import { nodeFs } from "../io/node_only.ts";
import type { Dataset } from "./dataset.ts";
import { DataError } from "./errors.ts";
import { byteToUnit } from "./mnist.ts";
import { DEFAULT_LIMITS, showBytes } from "../io/limits.ts";

export interface IdxOptions { name?: string; maxTensorBytes?: number }

const TYPE_NAMES: Record<number, string> = { 0x08: "unsigned byte", 0x09: "signed byte", 0x0b: "int16", 0x0c: "int32", 0x0d: "float32", 0x0e: "float64" };
const TYPE_SIZES: Record<number, number> = { 0x08: 1, 0x09: 1, 0x0b: 2, 0x0c: 4, 0x0d: 4, 0x0e: 8 };
const IMAGE_NAMES = ["train-images-idx3-ubyte", "train-images.idx3-ubyte"];
const LABEL_NAMES = ["train-labels-idx1-ubyte", "train-labels.idx1-ubyte"];

export interface IdxArray { dims: number[]; data: Uint8Array } // unsigned-byte payload, row-major

// Loads images (and labels, when given) into a Dataset. `images` may also be a folder holding
// train-images-idx3-ubyte[.gz] (and train-labels-idx1-ubyte[.gz], used when present).
export async function loadIdx(images: string, labels?: string, options: IdxOptions = {}): Promise<Dataset> {
  const { readFile, stat, readdir, join, basename } = await nodeFs("loadIdx", "in a page, fetch the files and build a Dataset { x, shape, count, labels } yourself");
  const info = await stat(images).catch((e: Error) => { throw new DataError(images, `cannot read: ${e.message}`); });
  if (info.isDirectory()) {
    const dir = images, names = await readdir(dir);
    const find = (bases: string[]) => bases.flatMap((b) => [b, `${b}.gz`]).find((n) => names.includes(n));
    const img = find(IMAGE_NAMES);
    if (!img) throw new DataError(dir, `no IDX image file: expected ${IMAGE_NAMES[0]} or ${IMAGE_NAMES[0]}.gz in the folder`);
    images = join(dir, img);
    if (labels === undefined) { const lab = find(LABEL_NAMES); if (lab) labels = join(dir, lab); }
  }
  const max = options.maxTensorBytes ?? DEFAULT_LIMITS.maxTensorBytes;
  const read = async (f: string) => {
    const size = await stat(f).then((i) => i.size, () => 0); // (a missing file: reported by the read)
    if (size > max) throw new DataError(f, `too large: ${showBytes(size)}, above the limit of ${showBytes(max)} (option maxTensorBytes)`);
    return readFileBytes(f);
  };
  const readFileBytes = (f: string) => readFile(f).then((b) => new Uint8Array(b.buffer, b.byteOffset, b.length), (e: Error) => { throw new DataError(f, `cannot read: ${e.message}`); });
  const [imgBytes, labBytes] = await Promise.all([read(images), labels === undefined ? undefined : read(labels)]);
  const name = options.name ?? basename(images).replace(/\.gz$/, "");
  const cap = idxInflateCap(max);
  return idxDataset(await gunzipIfNeeded(imgBytes, images, cap), labBytes && (await gunzipIfNeeded(labBytes, labels!, cap)), { name, imagesFile: images, labelsFile: labels, maxTensorBytes: max });
}

// The same from bytes already in memory (plain IDX; gunzip first with gunzipIfNeeded).
export function idxDataset(images: Uint8Array, labels: Uint8Array | undefined, { name = "idx", imagesFile = "images", labelsFile = "labels", maxTensorBytes = DEFAULT_LIMITS.maxTensorBytes }: { name?: string; imagesFile?: string; labelsFile?: string; maxTensorBytes?: number } = {}): Dataset {
  const img = parseIdx(images, imagesFile, [3, 4]);
  const [count, h, w, c = 1] = img.dims;
  if (count === 0 || h === 0 || w === 0 || c === 0) throw new DataError(imagesFile, `holds no pixels (dimensions [${img.dims.join(", ")}])`);
  if (4 * img.data.length > maxTensorBytes) throw new DataError(imagesFile, `too large: ${img.data.length} pixel values need ${showBytes(4 * img.data.length)} as floats, above the limit of ${showBytes(maxTensorBytes)} (option maxTensorBytes)`);
  const lut = byteToUnit();
  const x = new Float32Array(img.data.length);
  for (let i = 0; i < x.length; i++) x[i] = lut[img.data[i]];
  const ds: Dataset = { name, x, shape: [h, w, c], count };
  if (labels) {
    const lab = parseIdx(labels, labelsFile, [1]);
    if (lab.dims[0] !== count) throw new DataError(labelsFile, `holds ${lab.dims[0]} labels but ${imagesFile} holds ${count} images`);
    ds.labels = Int32Array.from(lab.data);
    ds.numClasses = lab.data.reduce((m, v) => Math.max(m, v), 0) + 1;
  }
  return ds;
}

// Checks the header against the file size; `ndims` lists the dimension counts accepted.
export function parseIdx(b: Uint8Array, file: string, ndims: number[]): IdxArray {
  const expect = ndims.map((n) => `0x${(0x0800 + n).toString(16).padStart(8, "0")}`).join(" or ");
  if (b.length < 4) throw new DataError(file, `truncated: ${b.length} bytes, shorter than the 4-byte IDX magic number`);
  const magic = ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
  const shown = `0x${magic.toString(16).padStart(8, "0")}`;
  const kind = ndims[0] === 1 ? "labels" : "images";
  if (b[0] !== 0 || b[1] !== 0 || !(b[2] in TYPE_NAMES)) {
    throw new DataError(file, `not an IDX file: magic number ${shown}, expected ${expect} (IDX ${kind}, unsigned bytes)`);
  }
  if (b[2] !== 0x08) {
    throw new DataError(file, `unsupported IDX data type 0x${b[2].toString(16).padStart(2, "0")} (${TYPE_NAMES[b[2]]}): only unsigned byte (0x08) files are read; magic number ${shown}, expected ${expect}`);
  }
  const nd = b[3];
  if (!ndims.includes(nd)) {
    const hint = nd === 1 ? " (a labels file?)" : nd === 3 && kind === "labels" ? " (an images file?)" : "";
    throw new DataError(file, `wrong magic number ${shown}: ${nd} dimensions${hint}, expected ${expect} (IDX ${kind})`);
  }
  const header = 4 + 4 * nd;
  if (b.length < header) throw new DataError(file, `truncated: expected at least ${header} bytes of header, got ${b.length}`);
  const view = new DataView(b.buffer, b.byteOffset, b.length);
  const dims: number[] = [];
  for (let k = 0; k < nd; k++) dims.push(view.getUint32(4 + 4 * k, false));
  const size = dims.reduce((a, d) => a * d, 1) * TYPE_SIZES[b[2]];
  if (b.length !== header + size) {
    throw new DataError(file, `${b.length < header + size ? "truncated" : "trailing bytes"}: dimensions [${dims.join(", ")}] need ${header + size} bytes, got ${b.length}`);
  }
  return { dims, data: b.subarray(header) };
}

// The most bytes an IDX file may inflate to: one byte a pixel, 4 as a float (or an int32 label),
// so a quarter of maxTensorBytes, plus the header
export const idxInflateCap = (maxTensorBytes = DEFAULT_LIMITS.maxTensorBytes) => Math.ceil(maxTensorBytes / 4) + 64;

// gzip is recognised by its magic bytes 1f 8b; anything else is returned as is. Inflating stops
// at maxBytes (default idxInflateCap(): 256 MiB): more is refused as too large.
export async function gunzipIfNeeded(b: Uint8Array, file: string, maxBytes = idxInflateCap()): Promise<Uint8Array> {
  if (b.length < 2 || b[0] !== 0x1f || b[1] !== 0x8b) return b;
  const { gunzipSync } = await import("node:zlib");
  try {
    const out = gunzipSync(b, { maxOutputLength: maxBytes });
    return new Uint8Array(out.buffer, out.byteOffset, out.length);
  } catch (e) {
    const err = e as Error & { code?: string };
    if (err.code === "ERR_BUFFER_TOO_LARGE") throw new DataError(file, `too large: the gzip data inflates to more than ${showBytes(maxBytes)}, the limit (a quarter of option maxTensorBytes: the pixels as floats)`);
    throw new DataError(file, `corrupt gzip data (${err.message})`);
  }
}

// Writes the IDX bytes of unsigned-byte data with the given dimensions (tests, exports).
export function encodeIdx(data: Uint8Array, dims: number[]): Uint8Array {
  const size = dims.reduce((a, d) => a * d, 1);
  if (size !== data.length) throw new RangeError(`encodeIdx: dimensions [${dims.join(", ")}] hold ${size} values, data has ${data.length}`);
  const out = new Uint8Array(4 + 4 * dims.length + size);
  const view = new DataView(out.buffer);
  out[2] = 0x08;
  out[3] = dims.length;
  dims.forEach((d, k) => view.setUint32(4 + 4 * k, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}
