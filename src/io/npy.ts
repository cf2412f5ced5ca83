// NumPy .npy files, format version 1.0 (numpy.lib.format): the magic "\x93NUMPY", version 1 0,
// a little-endian u16 header length, an ASCII Python-dict header padded with spaces and ended
// by "\n" so the data starts at a multiple of 64 bytes, then the raw array in C order.
// encodeNpy writes float32 ('<f4'), which numpy.load reads as is.

import { DEFAULT_LIMITS, showBytes } from "./limits.ts";

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

export function encodeNpy(data: Float32Array, shape: number[]): Uint8Array {
  const n = shape.reduce((a, b) => a * b, 1);
  if (n !== data.length) throw new RangeError(`encodeNpy: shape [${shape.join(", ")}] holds ${n} values, the data ${data.length}`);
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  let dict = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const total = Math.ceil((10 + dict.length + 1) / 64) * 64;
  dict = dict.padEnd(total - 10 - 1, " ") + "\n";
  const out = new Uint8Array(total + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1; out[7] = 0;
  new DataView(out.buffer).setUint16(8, dict.length, true);
  for (let i = 0; i < dict.length; i++) out[10 + i] = dict.charCodeAt(i);
  const dv = new DataView(out.buffer, total);
  for (let i = 0; i < data.length; i++) dv.setFloat32(4 * i, data[i], true);
  return out;
}

// A .npy file that cannot be read (a RangeError, as before there was a class of its own)
export class NpyError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = "NpyError";
  }
}

// Reads back a float32 .npy of version 1.0, 2.0 or 3.0 in C order (what encodeNpy writes). The
// bytes are untrusted: the header length is checked against the file before it is read, the shape
// must be non-negative integers whose product matches the data, and the floats must fit
// maxTensorBytes (1 GiB by default, src/io/limits.ts) before they are allocated.
export function decodeNpy(bytes: Uint8Array, options: { maxTensorBytes?: number } = {}): { shape: number[]; data: Float32Array } {
  const fail = (problem: string): never => { throw new NpyError(problem); };
  if (bytes.length < 10 || !MAGIC.every((b, i) => bytes[i] === b)) fail("not a .npy file (no \\x93NUMPY magic)");
  const major = bytes[6];
  if (major < 1 || major > 3) fail(`unsupported .npy format version ${major}.${bytes[7]} (versions 1.0, 2.0 and 3.0 are read)`);
  const at = major === 1 ? 10 : 12;
  if (bytes.length < at) fail(`truncated .npy: ${bytes.length} bytes, shorter than its ${at}-byte preamble`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hlen = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  const start = at + hlen;
  if (start > bytes.length) fail(`truncated .npy: its header length says ${hlen} bytes, the file holds ${bytes.length - at} after the preamble`);
  const header = new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(bytes.subarray(at, start));
  const shown = header.trim().length > 200 ? `${header.trim().slice(0, 200)}…` : header.trim();
  const descr = /'descr':\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr !== "<f4" || fortran !== "False" || shapeText === undefined) fail(`unsupported .npy header ${JSON.stringify(shown)}`);
  const dims = shapeText!.split(",").map((s) => s.trim()).filter((s) => s.length);
  if (!dims.every((d) => /^\d{1,15}$/.test(d))) fail(`unsupported .npy header ${JSON.stringify(shown)}: the shape must be non-negative integers`);
  const shape = dims.map(Number);
  const n = shape.reduce((a, b) => a * b, 1);
  if (bytes.length - start !== 4 * n) fail(`.npy data holds ${bytes.length - start} bytes, shape [${shape.join(", ")}] needs ${4 * n}`);
  const max = options.maxTensorBytes ?? DEFAULT_LIMITS.maxTensorBytes;
  if (4 * n > max) fail(`.npy too large: ${4 * n} bytes of floats, above the limit of ${showBytes(max)} (option maxTensorBytes)`);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = dv.getFloat32(start + 4 * i, true);
  return { shape, data };
}
