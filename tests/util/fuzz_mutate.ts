// The fuzz harness's mutations (tests/util/fuzz.ts): of raw bytes (bit flips, byte runs,
// truncations at random and at boundaries, insertions, deletions, appended bytes), of a
// safetensors file's header (its length field, its JSON: numbers in shapes and offsets made
// huge / negative / fractional / NaN-strings, keys dropped or duplicated, wrong dtypes, deep
// nesting, many entries, huge lengths; data edits with the CRC-32 fixed so deeper checks run) and
// of a spec (unknown layer types, huge units / filters, negative sizes, cycles in the graph,
// dropped and unknown keys). Deterministic from a seed: xorshift32 (Marsaglia 2003).
import { crc32 } from "../../src/io/crc32.ts";

export class Rand {
  private s: number;
  constructor(seed: number) { this.s = (seed >>> 0) || 0x9e3779b9; }
  next(): number { // xorshift32
    let x = this.s;
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    return (this.s = x);
  }
  int(n: number): number { return n <= 0 ? 0 : this.next() % n; }
  chance(p: number): boolean { return this.next() / 2 ** 32 < p; }
  pick<T>(a: readonly T[]): T { return a[this.int(a.length)]; }
}

export type Mutation = { name: string; apply: (b: Uint8Array, r: Rand) => Uint8Array };

// ---- raw bytes ----
const bitFlips: Mutation = { name: "bit flips", apply: (b, r) => {
  const out = b.slice(), n = 1 + r.int(8);
  for (let i = 0; i < n && out.length; i++) out[r.int(out.length)] ^= 1 << r.int(8);
  return out;
} };
const byteRun: Mutation = { name: "byte run", apply: (b, r) => {
  const out = b.slice();
  if (!out.length) return out;
  const at = r.int(out.length), len = 1 + r.int(Math.min(64, out.length - at)), v = r.pick([0, 0xff, 0x7f, 0x80, -1]);
  for (let i = at; i < at + len; i++) out[i] = v < 0 ? r.int(256) : v;
  return out;
} };
const truncate: Mutation = { name: "truncation", apply: (b, r) => b.slice(0, r.int(b.length)) };
const insert: Mutation = { name: "insertion", apply: (b, r) => {
  const at = r.int(b.length + 1), add = Uint8Array.from({ length: 1 + r.int(16) }, () => r.int(256));
  const out = new Uint8Array(b.length + add.length);
  out.set(b.subarray(0, at)); out.set(add, at); out.set(b.subarray(at), at + add.length);
  return out;
} };
const remove: Mutation = { name: "deletion", apply: (b, r) => {
  const at = r.int(b.length), len = 1 + r.int(16);
  const out = new Uint8Array(Math.max(0, b.length - len));
  out.set(b.subarray(0, at)); out.set(b.subarray(at + len).subarray(0, out.length - at), at);
  return out;
} };
const append: Mutation = { name: "appended bytes", apply: (b, r) => {
  const out = new Uint8Array(b.length + 1 + r.int(64));
  out.set(b);
  for (let i = b.length; i < out.length; i++) out[i] = r.int(256);
  return out;
} };
export const BYTE_MUTATIONS: Mutation[] = [bitFlips, byteRun, truncate, insert, remove, append];

// truncation at one of `cuts` (byte offsets: a format's boundaries), ±1
export const truncateAt = (cuts: (b: Uint8Array) => number[]): Mutation => ({ name: "truncation at a boundary", apply: (b, r) => {
  const c = r.pick(cuts(b)) + r.pick([-1, 0, 1]);
  return b.slice(0, Math.max(0, Math.min(b.length, c)));
} });

// ---- safetensors ----
export interface St { header: Record<string, any>; data: Uint8Array }
export function splitSt(b: Uint8Array): St {
  const n = Number(new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(0, true));
  return { header: JSON.parse(new TextDecoder().decode(b.subarray(8, 8 + n))), data: b.slice(8 + n) };
}
// header text + data; `length` overrides the length field
export function joinSt(text: string, data: Uint8Array, length?: bigint): Uint8Array {
  const h = new TextEncoder().encode(text), out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, length ?? BigInt(h.length), true);
  out.set(h, 8); out.set(data, 8 + h.length);
  return out;
}
const fixCrc = (st: St) => { st.header.__metadata__.crc32 = crc32(st.data).toString(16).padStart(8, "0"); };

// valid JSON nested n deep: arrays [[[...]]] or objects {"a":{"a":...1}}
export const deep = (n: number, objects = false) => (objects ? `${'{"a":'.repeat(n)}1${"}".repeat(n)}` : `${"[".repeat(n)}${"]".repeat(n)}`);
const BAD_NUMBERS: unknown[] = [-1, -4096, 0.5, 3.25, 2 ** 31, 2 ** 32, 2 ** 40, 2 ** 53, 2 ** 64, 1e308, -0, "NaN", "Infinity", "12", null, true, [], {}, [1, 2]];
const pickNumber = (r: Rand) => r.pick(BAD_NUMBERS);
const tensors = (h: Record<string, any>) => Object.keys(h).filter((k) => k !== "__metadata__");

// edits of the parsed header, re-encoded with a correct length field (and the CRC fixed where
// the data is edited)
type StEdit = (st: St, r: Rand, base: Uint8Array) => Uint8Array | void;
const ST_EDITS: [string, StEdit][] = [
  ["shape number", (st, r) => { const t = st.header[r.pick(tensors(st.header))]; if (t.shape.length) t.shape[r.int(t.shape.length)] = pickNumber(r); else t.shape.push(pickNumber(r)); }],
  ["shape swapped for another's", (st, r) => { const ks = tensors(st.header); st.header[r.pick(ks)].shape = st.header[r.pick(ks)].shape; }],
  ["data_offsets number", (st, r) => { const t = st.header[r.pick(tensors(st.header))]; t.data_offsets[r.int(2)] = pickNumber(r); }],
  ["huge data_offsets", (st, r) => { const t = st.header[r.pick(tensors(st.header))]; t.data_offsets = [r.pick([0, t.data_offsets[0]]), r.pick([2 ** 31, 2 ** 40, 2 ** 53 - 1])]; t.shape = [t.data_offsets[1] / 4]; }],
  ["wrong dtype", (st, r) => { st.header[r.pick(tensors(st.header))].dtype = r.pick(["F16", "F64", "I64", "U8", "BOOL", "f32", 5, null, ["F32"]]); }],
  ["dropped key", (st, r) => { const t = st.header[r.pick(tensors(st.header))]; delete t[r.pick(["dtype", "shape", "data_offsets"])]; }],
  ["dropped tensor", (st, r) => { delete st.header[r.pick(tensors(st.header))]; }],
  ["dropped metadata key", (st, r) => { const m = st.header.__metadata__; delete m[r.pick(Object.keys(m))]; }],
  ["metadata value", (st, r) => { const m = st.header.__metadata__; m[r.pick(Object.keys(m))] = r.pick(["", "0", "-1", "2", "1e400", "NaN", "3.5", "wasm-gan-checkpoint", "wasm-gan-generator", "{}", "[]", "null", deep(100), 7, null, { a: 1 }]); }],
  ["metadata step / seed", (st, r) => { st.header.__metadata__[r.pick(["step", "seed"])] = r.pick(["0", "1", "4294967296", "-1", "1.5", "9007199254740993", "3"]); }],
  ["spec edit", (st, r) => { const m = st.header.__metadata__; m.spec = JSON.stringify(mutateSpec(JSON.parse(m.spec), r)); }],
  ["spec text", (st, r) => { const m = st.header.__metadata__; m.spec = mutateText(m.spec, r); }],
  ["unknown tensor", (st, r) => { st.header[r.pick(["x", "G.9.kernel", "__proto__", "train.extra", "a\nb"])] = { dtype: "F32", shape: [0], data_offsets: [0, 0] }; }],
  ["many entries", (st, r) => { const n = r.pick([1000, 20000, 60000, 150000]); for (let i = 0; i < n; i++) st.header[`t${i}`] = { dtype: "F32", shape: [0], data_offsets: [0, 0] }; }],
  ["deep nesting in a tensor", (st, r) => { st.header[r.pick(tensors(st.header))].shape = JSON.parse(deep(r.pick([20, 60]))); }],
  ["header not an object", (st, r) => joinSt(JSON.stringify(r.pick([[st.header], "x", 1, null])), st.data)],
  ["deep JSON header", (st, r) => joinSt(`{"__metadata__": ${JSON.stringify(st.header.__metadata__)}, "x": ${deep(r.pick([65, 1000, 100000, 1000000]), r.chance(0.5))}}`, st.data)],
  ["deep JSON, never closed", (st, r) => joinSt(`{"__metadata__": {}, "x": ${"[".repeat(r.pick([100, 100000]))}`, st.data)],
  ["duplicate key", (st, r) => {
    const text = JSON.stringify(st.header), k = r.pick(tensors(st.header));
    const dup = `"${k}":{"dtype":"F32","shape":[${r.pick([1, 2, 1000])}],"data_offsets":[0,${r.pick([4, 8, 4000])}]},`;
    return joinSt(text.replace("{", `{${dup}`), st.data);
  }],
  ["data value with the CRC fixed", (st, r) => {
    const f = new Float32Array(st.data.buffer, st.data.byteOffset, st.data.length >> 2);
    const n = 1 + r.int(4);
    for (let i = 0; i < n; i++) f[r.int(f.length)] = r.pick([NaN, Infinity, -Infinity, 1e38, 0, -1, 3.5e-42]);
    fixCrc(st);
  }],
  ["data bytes with the CRC fixed", (st, r) => { st.data = bitFlips.apply(st.data, r); fixCrc(st); }],
  ["data truncated with the CRC fixed", (st, r) => { st.data = st.data.slice(0, r.int(st.data.length)); fixCrc(st); }],
];

export const ST_MUTATIONS: Mutation[] = [
  ...ST_EDITS.map(([name, edit]): Mutation => ({ name: `header: ${name}`, apply: (b, r) => {
    const st = splitSt(b);
    return edit(st, r, b) ?? joinSt(JSON.stringify(st.header), st.data);
  } })),
  { name: "header length field", apply: (b, r) => {
    const st = splitSt(b), n = new TextEncoder().encode(JSON.stringify(st.header)).length;
    const len = r.pick([0n, 1n, BigInt(n - 1), BigInt(n + 1), BigInt(n + 8), BigInt(b.length), 2n ** 31n, 2n ** 32n, 2n ** 53n, 2n ** 63n, 2n ** 64n - 1n, 4n * 1024n * 1024n + 1n]);
    return joinSt(JSON.stringify(st.header), st.data, len);
  } },
  truncateAt((b) => {
    const st = splitSt(b), n = Number(new DataView(b.buffer, b.byteOffset).getBigUint64(0, true));
    return [0, 4, 8, 9, 8 + n, b.length - 4, ...tensors(st.header).flatMap((k) => st.header[k].data_offsets.map((o: number) => 8 + n + o))];
  }),
];

// ---- specs ----
const LAYER_TYPES_BAD = ["conv3d", "Dense", "", "__proto__", "constructor", "toString", "lstm", 7, null];
const SPEC_VALUES: unknown[] = [0, -1, -3, 0.5, 1.5, 65536, 65537, 4096, 4097, 1 << 24, 2 ** 31, 1e9, 1e308, "NaN", "7", "", null, true, [], {}, [1e9, 1e9], [-1, 2], [0]];
type Path = (string | number)[];
function paths(v: unknown, at: Path = [], out: Path[] = []): Path[] {
  if (at.length) out.push(at);
  if (v && typeof v === "object") for (const [k, c] of Object.entries(v)) paths(c, [...at, Array.isArray(v) ? Number(k) : k], out);
  return out;
}
function objects(v: unknown, out: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (v && typeof v === "object") {
    if (!Array.isArray(v)) out.push(v as Record<string, unknown>);
    for (const c of Object.values(v)) objects(c, out);
  }
  return out;
}
function parentOf(o: any, p: Path): [any, string | number] {
  let x = o;
  for (const k of p.slice(0, -1)) x = x[k];
  return [x, p.at(-1)!];
}
const layerLists = (s: any): any[][] => [s.generator, s.discriminator, ...Object.values(s.nets ?? {})].filter(Array.isArray);

type SpecEdit = (s: any, r: Rand) => void;
const SPEC_EDITS: [string, SpecEdit][] = [
  ["a value", (s, r) => { const [o, k] = parentOf(s, r.pick(paths(s))); o[k] = r.pick(SPEC_VALUES); }],
  ["a dropped key", (s, r) => { const [o, k] = parentOf(s, r.pick(paths(s))); if (Array.isArray(o)) o.splice(Number(k), 1); else delete o[k]; }],
  ["an unknown key", (s, r) => { r.pick(objects(s))[r.pick(["extra", "__proto__", "units", "inputs", "name", "a\nb", "\u2028"])] = r.pick(SPEC_VALUES); }],
  ["an unknown layer type", (s, r) => { const l = r.pick(layerLists(s)); if (l.length) l[r.int(l.length)].type = r.pick(LAYER_TYPES_BAD); }],
  ["huge units / filters", (s, r) => { const l = r.pick(layerLists(s)); const x = l[r.int(l.length)]; if (x) { x.units = r.pick([65536, 60000, 30000]); x.filters = r.pick([4096, 4000]); } }],
  ["huge data shape", (s, r) => { s.dataShape = r.pick([[65536], [65536, 65536, 3], [4096, 4096, 1], [1 << 24]]); }],
  ["negative size", (s, r) => { const l = r.pick(layerLists(s)); const x = l[r.int(l.length)]; if (x) x[r.pick(["units", "filters", "kernelSize", "strides", "groupSize"])] = r.pick([-1, -64, 0]); }],
  ["a cycle", (s, r) => {
    const l = r.pick(layerLists(s)); if (l.length < 2) return;
    l.forEach((x, i) => { x.name = `L${i}`; });
    const i = r.int(l.length), j = r.pick([i, i + r.int(l.length - i)]);
    l[i].inputs = [`L${j}`, ...(r.chance(0.5) ? ["input"] : [])];
  }],
  ["a duplicated layer", (s, r) => { const l = r.pick(layerLists(s)); if (l.length) l.splice(r.int(l.length), 0, structuredClone(l[r.int(l.length)])); }],
  ["huge reshape", (s, r) => { const l = r.pick(layerLists(s)); l.push({ type: "reshape", targetShape: r.pick([[1 << 24, 1 << 24, 1 << 24], [1 << 24], [0, 4]]) }); }],
  ["deep nesting", (s, r) => { const [o, k] = parentOf(s, r.pick(paths(s))); o[k] = JSON.parse(deep(r.pick([10, 50]))); }],
];

export function mutateSpec(spec: unknown, r: Rand): unknown {
  const s = structuredClone(spec) as any;
  const n = 1 + r.int(2);
  for (let i = 0; i < n; i++) r.pick(SPEC_EDITS)[1](s, r);
  return s;
}
export const SPEC_EDIT_NAMES = SPEC_EDITS.map(([n]) => n);

export function mutateText(text: string, r: Rand): string {
  const k = r.int(4);
  if (k === 0) return text.slice(0, r.int(text.length));
  if (k === 1) { const at = r.int(text.length); return text.slice(0, at) + String.fromCharCode(text.charCodeAt(at) ^ (1 << r.int(7))) + text.slice(at + 1); }
  if (k === 2) return `${"[".repeat(r.pick([65, 5000, 200000]))}${text}`;
  return text.replace(/\d+/, () => r.pick(["1e999", "-0", "99999999999999999999", "0x10", "1.5e3"]));
}

// spec mutations as byte mutations of the JSON text
export const SPEC_MUTATIONS: Mutation[] = [
  ...SPEC_EDITS.map(([name, edit]): Mutation => ({ name: `spec: ${name}`, apply: (b, r) => {
    const s = JSON.parse(new TextDecoder().decode(b));
    edit(s, r);
    return new TextEncoder().encode(JSON.stringify(s));
  } })),
  { name: "spec: text", apply: (b, r) => new TextEncoder().encode(mutateText(new TextDecoder().decode(b), r)) },
];
