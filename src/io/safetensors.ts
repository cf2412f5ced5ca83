// The safetensors container as checkpoints use it (src/io/checkpoint.ts gives the tensors their
// meaning): F32 and U32 tensors, little-endian, back to back; a JSON header padded with spaces to
// a multiple of 8 bytes; __metadata__ string values, among them crc32, the CRC-32 of the data
// section. parseSafetensors validates the container (every failure through `fail`, one line).
// Nothing in the file is trusted: the header length is checked against the file and
// limits.maxHeaderBytes before anything is allocated, the JSON's depth before JSON.parse, every
// entry's dtype, shape and offsets against the data section, and the data section against
// limits.maxTensorBytes (src/io/limits.ts).
import { crc32 } from "./crc32.ts";
import { DEFAULT_LIMITS, jsonDepth, label, showBytes, type LoadLimits } from "./limits.ts";

export type DType = "F32" | "U32";
export interface Tensor { name: string; dtype: DType; shape: number[]; data: Float32Array | Uint32Array }
// a tensor of a parsed file: its bytes [begin, end) of the data section
export interface TableEntry { name: string; dtype: DType; shape: number[]; begin: number; end: number }

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const prod = (s: number[]) => s.reduce((a, b) => a * b, 1);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
// a value read from a file, for a one-line message (JSON, cut at 200 characters)
export const show = (v: unknown) => { const s = JSON.stringify(v) ?? String(v); return s.length > 200 ? `${s.slice(0, 200)}…` : s; };

function swap32(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += 4) { out[i] = bytes[i + 3]; out[i + 1] = bytes[i + 2]; out[i + 2] = bytes[i + 1]; out[i + 3] = bytes[i]; }
  return out;
}

// The file's bytes: the tensors in order; metadata(crc) gives __metadata__ from the data
// section's CRC-32 (8 hex digits).
export function encodeSafetensors(tensors: Tensor[], metadata: (crc: string) => Record<string, string>): Uint8Array {
  let offset = 0, crc = 0;
  const entries: Record<string, unknown> = {};
  const views: Uint8Array[] = [];
  for (const t of tensors) {
    const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    const le = LITTLE_ENDIAN ? bytes : swap32(bytes);
    views.push(le);
    crc = crc32(le, crc);
    entries[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + le.length] };
    offset += le.length;
  }
  let header = new TextEncoder().encode(JSON.stringify({ __metadata__: metadata(crc.toString(16).padStart(8, "0")), ...entries }));
  const padded = Math.ceil(header.length / 8) * 8;
  if (padded !== header.length) {
    const h = new Uint8Array(padded).fill(0x20);
    h.set(header);
    header = h;
  }
  const out = new Uint8Array(8 + header.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(header.length), true);
  out.set(header, 8);
  let at = 8 + header.length;
  for (const v of views) { out.set(v, at); at += v.length; }
  return out;
}

// Parses and validates the container: the header, `checkMetadata` on __metadata__ (before the
// tensor table is looked at; it may return the most tensors the file can hold, so that a header
// listing more is refused before its entries are walked), the tensor table (sizes, offsets, no overlaps, no gaps) and the
// data section's CRC-32 against __metadata__.crc32 (with `deferChecksum`, only the field's form: the
// caller then owes the comparison, checksumProblem, before it uses any value: wasm-gan/infer does
// it in its module's memory once the tensors are copied there).
export function parseSafetensors(bytes: Uint8Array, fail: (problem: string) => never, checkMetadata: (md: Record<string, string>) => number | void, limits: Required<LoadLimits> = DEFAULT_LIMITS, deferChecksum = false):
  { metadata: Record<string, string>; table: TableEntry[]; data: Uint8Array } {
  if (bytes.length < 8) fail(`not a checkpoint: ${bytes.length} bytes, too short to hold a safetensors header length (8 bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n64 = view.getBigUint64(0, true);
  if (n64 > BigInt(bytes.length - 8)) {
    fail(`not a safetensors checkpoint, or truncated: its header length field says ${n64} bytes, the file holds ${bytes.length} in all`);
  }
  if (n64 > BigInt(limits.maxHeaderBytes)) fail(`header too large: ${n64} bytes, above the limit of ${showBytes(limits.maxHeaderBytes)} (option maxHeaderBytes)`);
  const N = Number(n64);
  if (bytes.length - 8 - N > limits.maxTensorBytes) fail(`too large: ${showBytes(bytes.length - 8 - N)} of tensor data, above the limit of ${showBytes(limits.maxTensorBytes)} (option maxTensorBytes)`);
  if (N < 2 || bytes[8] !== 0x7b /* { */) fail(`not a safetensors checkpoint: the header does not start with "{" (wrong magic)`);
  let header: unknown, text = "";
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + N));
  } catch (e) {
    fail(`corrupted header: not valid JSON (${(e as Error).message.split("\n")[0]})`);
  }
  if (jsonDepth(text, limits.maxJsonDepth) > limits.maxJsonDepth) fail(`corrupted header: its JSON nests more than ${limits.maxJsonDepth} deep (the limit, option maxJsonDepth)`);
  try {
    header = JSON.parse(text);
  } catch (e) {
    fail(`corrupted header: not valid JSON (${(e as Error).message.split("\n")[0]})`);
  }
  if (!isObject(header)) return fail("corrupted header: not a JSON object");
  const meta = header.__metadata__;
  if (!isObject(meta)) fail("not a wasm-gan checkpoint: the header has no __metadata__ object");
  const metadata = meta as Record<string, unknown>;
  for (const [k, v] of Object.entries(metadata)) if (typeof v !== "string") fail(`corrupted header: __metadata__.${label(k)} is not a string`);
  const md = metadata as Record<string, string>;
  const most = checkMetadata(md);
  if (typeof most === "number") {
    const n = Object.keys(header).length - 1;
    if (n > most) fail(`header lies about its contents: it lists ${n} tensors, the file's spec holds ${most}`);
  }

  // the tensor table: every entry well formed, sizes matching dtype × shape, offsets inside the
  // data section, no overlaps, no gaps
  const dataStart = 8 + N, dataLen = bytes.length - dataStart;
  const table: TableEntry[] = [];
  for (const [key, e] of Object.entries(header)) {
    if (key === "__metadata__") continue;
    const name = label(key);
    if (!isObject(e)) fail(`corrupted header: tensor ${name} is not an object`);
    const t = e as Record<string, unknown>;
    if (t.dtype !== "F32" && t.dtype !== "U32") fail(`tensor ${name}: dtype ${show(t.dtype)} is not one this checkpoint uses (F32, U32)`);
    const shape = t.shape, offs = t.data_offsets;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) fail(`corrupted header: tensor ${name} has shape ${show(shape)}, not a list of non-negative integers`);
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((d) => Number.isSafeInteger(d) && d >= 0) || offs[0] > offs[1]) {
      fail(`corrupted header: tensor ${name} has data_offsets ${show(offs)}, not [begin, end] with 0 <= begin <= end`);
    }
    const [begin, end] = offs as number[];
    const need = prod(shape as number[]) * 4; // may be huge, or inexact: then it cannot match the span
    if (end - begin !== need) fail(`header lies about sizes: tensor ${name} is ${t.dtype} of shape [${(shape as number[]).join(", ")}] (${need} bytes) but its data_offsets span ${end - begin} bytes`);
    table.push({ name: key, dtype: t.dtype as DType, shape: shape as number[], begin, end });
  }
  table.sort((a, b) => a.begin - b.begin || a.end - b.end);
  const last = table.reduce<TableEntry | undefined>((m, t) => (!m || t.end > m.end ? t : m), undefined); // (no spread: a header may hold many entries)
  const described = last?.end ?? 0;
  if (described > dataLen) fail(`truncated: the header describes ${described} bytes of tensor data, the file holds ${dataLen} after its header (tensor ${label(last!.name)} data_offsets [${last!.begin}, ${last!.end}] end beyond the data section)`);
  let at = 0;
  for (let i = 0; i < table.length; i++) {
    const t = table[i];
    if (t.begin < at) fail(`header lies about offsets: tensors ${label(table[i - 1].name)} and ${label(t.name)} overlap (bytes ${t.begin} to ${at})`);
    if (t.begin > at) fail(`header lies about offsets: ${t.begin - at} bytes before tensor ${label(t.name)} (at ${at}) belong to no tensor`);
    at = t.end;
  }
  if (at < dataLen) fail(`header lies about sizes: ${dataLen - at} bytes after the last tensor belong to no tensor (data section ${dataLen} bytes, tensors ${at})`);

  const data = bytes.subarray(dataStart);
  if (md.crc32 === undefined || !/^[0-9a-f]{8}$/.test(md.crc32)) fail(`corrupted header: __metadata__.crc32 is ${md.crc32 === undefined ? "absent" : show(md.crc32)}, expected 8 hex digits`);
  const problem = deferChecksum ? undefined : checksumProblem(crc32(data), md.crc32);
  if (problem) fail(problem);
  return { metadata: md, table, data };
}

// The data section's CRC-32 against the header's (8 hex digits): the problem, or undefined
export function checksumProblem(crc: number, expected: string): string | undefined {
  const got = (crc >>> 0).toString(16).padStart(8, "0");
  return got === expected ? undefined : `corrupted: the tensor data's CRC-32 is ${got}, the header says ${expected} (flipped or overwritten bytes)`;
}

// A table entry's values as a copy (aligned, and safe to keep), in the host's byte order
export function tensorData(data: Uint8Array, t: TableEntry): Float32Array | Uint32Array {
  const raw = data.slice(t.begin, t.end);
  const le = LITTLE_ENDIAN ? raw : swap32(raw);
  return t.dtype === "U32" ? new Uint32Array(le.buffer, le.byteOffset, le.length / 4) : new Float32Array(le.buffer, le.byteOffset, le.length / 4);
}
