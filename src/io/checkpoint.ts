// Checkpoints: one file holding the spec, both nets' weights, the optimisers' state, batch-norm
// running statistics, the training RNG state and the step count, so that a run resumed from it
// ends bit for bit where an uninterrupted run of the same length would (strict build).
//
// Format: safetensors (https://github.com/huggingface/safetensors), readable from Python with
// `safetensors.numpy.load_file(path)` (the tensors) and `safe_open(path, "np").metadata()`:
//   bytes [0, 8)        N: the header length, unsigned 64-bit little-endian
//   bytes [8, 8 + N)    the header: UTF-8 JSON, padded with spaces to a multiple of 8 bytes,
//                       {"__metadata__": {string: string}, "<tensor name>": {"dtype": "F32" | "U32",
//                        "shape": [...], "data_offsets": [begin, end]}, ...}
//   bytes [8 + N, end)  the data section: raw little-endian tensors back to back, no gaps;
//                       data_offsets count bytes from the start of this section
// __metadata__ (values are strings, as safetensors requires):
//   format "wasm-gan-checkpoint", format_version "1", spec (the normalised spec, JSON), step,
//   seed, engine (JSON: engine, simd build), created (ISO time), crc32 (8 hex digits: the CRC-32
//   (zlib's) of the whole data section, so flipped bytes are caught), plus what the writer adds
//   (the CLI stores its run settings as `run`, JSON).
// Tensors (i = the layer's index in spec.generator / spec.discriminator; activations, reshape
// and flatten have none; tfjs layouts, images NHWC):
//   generator.<i>.kernel         F32  dense [in, units]; conv2d [kh, kw, cin, filters];
//                                     conv2d_transpose [kh, kw, filters, cin] (tfjs conv2dTranspose)
//   generator.<i>.bias           F32  [units] or [filters]
//   generator.<i>.gamma, .beta   F32  batch_norm [channels]
//   generator.<i>.running_mean, generator.<i>.running_var   F32  batch_norm [channels]
//   discriminator.<i>.…          the same for D
//   optimizer.<net>.exp_avg, optimizer.<net>.exp_avg_sq     F32 [P]  adam (first, second moment)
//   optimizer.<net>.momentum_buffer                         F32 [P]  sgd
//   optimizer.<net>.square_avg                              F32 [P]  rmsprop
//       (<net> = generator | discriminator; P = the net's parameter count, its parameter
//        tensors above concatenated in layer order, kernel before bias, gamma before beta)
//   generator.average            F32 [P]  the generator's moving average, when one is kept
//   train.rng                    U32 [4]  xoshiro128** state of the training stream
//   train.counters               U32 [3]  steps done, generator and discriminator optimiser updates
//   train.stats                  F32 [8]  the last step's statistics (dLoss, gLoss, dReal, dFake,
//                                         dGradNorm, gGradNorm, penalty, 0)
// The file functions (readCheckpoint, saveCheckpoint, loadCheckpoint of a path) load node:fs
// on first use, so the main entry stays browser-safe; encodeCheckpoint / decodeCheckpoint are
// bytes in, bytes out, anywhere.
// Reading validates everything and throws a one-line CheckpointError naming the file and the
// problem: truncation, a header lying about sizes or offsets, bad JSON, a checksum mismatch,
// missing or misshapen tensors, NaN or infinite values, a checkpoint of another spec.
import { crc32 } from "./crc32.ts";
import { writeFileAtomic, type AtomicWriteOptions } from "./files.ts";
import { validateSpec, generatorInputShape, discriminatorInputShape, type LayerSpec, type NormalisedSpec } from "../model/spec.ts";
import { convGeometry, layerInputShapes } from "../model/shapes.ts";
import { createGAN, type CreateOptions, type GanState, type NetTrainState, type WasmGAN } from "../engine/wasm_engine.ts";

export const CHECKPOINT_FILE = "checkpoint.safetensors";
export const CHECKPOINT_FORMAT = "wasm-gan-checkpoint";
export const CHECKPOINT_VERSION = "1";
const MAX_HEADER = 100 * 1024 * 1024; // safetensors' own limit

export class CheckpointError extends Error {
  constructor(public readonly file: string, public readonly problem: string) {
    super(`${file}: ${problem}`);
    this.name = "CheckpointError";
  }
}

export interface Checkpoint {
  path: string;
  spec: NormalisedSpec;
  seed: number;
  step: number;
  state: GanState;
  metadata: Record<string, string>; // the whole __metadata__
  bytes: number;                    // file size
}

type DType = "F32" | "U32";
interface Slot { name: string; shape: number[]; offset: number; size: number }
interface Tensor { name: string; dtype: DType; shape: number[]; data: Float32Array | Uint32Array }

const prod = (s: number[]) => s.reduce((a, b) => a * b, 1);
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

// Where each named parameter and state tensor of a net lives in its arena (in floats).
function netSlots(prefix: string, layers: LayerSpec[], input: number[]): { params: Slot[]; state: Slot[]; paramCount: number; stateCount: number } {
  const inShapes = layerInputShapes(layers, input); // each layer's input (the layer graph)
  const params: Slot[] = [], state: Slot[] = [];
  let p = 0, st = 0;
  const param = (name: string, shape: number[]) => { params.push({ name, shape, offset: p, size: prod(shape) }); p += prod(shape); };
  layers.forEach((l, i) => {
    const s = inShapes[i];
    const at = `${prefix}.${i}`;
    switch (l.type) {
      case "dense":
        param(`${at}.kernel`, [prod(s), l.units!]);
        param(`${at}.bias`, [l.units!]);
        break;
      case "conv2d": case "conv2d_transpose": {
        const g = convGeometry(l, s); // the filter is the conv's [kh, kw, cin, cout] in both cases
        param(`${at}.kernel`, [g.kh, g.kw, g.cin, g.cout]);
        param(`${at}.bias`, [l.type === "conv2d" ? g.cout : g.cin]);
        break;
      }
      case "batch_norm": {
        const c = s.at(-1)!;
        param(`${at}.gamma`, [c]);
        param(`${at}.beta`, [c]);
        state.push({ name: `${at}.running_mean`, shape: [c], offset: st, size: c });
        state.push({ name: `${at}.running_var`, shape: [c], offset: st + c, size: c });
        st += 2 * c;
        break;
      }
    }
  });
  return { params, state, paramCount: p, stateCount: st };
}

const OPT_NAMES: Record<string, [string] | [string, string]> = {
  adam: ["exp_avg", "exp_avg_sq"], sgd: ["momentum_buffer"], rmsprop: ["square_avg"],
};

// The tensors a checkpoint of this spec holds, with their shapes (in file order), and how to map
// a GanState onto them and back.
function layout(spec: NormalisedSpec) {
  const nets = {
    generator: netSlots("generator", spec.generator, generatorInputShape(spec)),
    discriminator: netSlots("discriminator", spec.discriminator, discriminatorInputShape(spec)),
  };
  const optNames = (net: "generator" | "discriminator") => OPT_NAMES[spec.optimizer[net].type] ?? ["state1", "state2"];
  return { nets, optNames };
}

function toTensors(spec: NormalisedSpec, state: GanState): Tensor[] {
  const { nets, optNames } = layout(spec);
  const out: Tensor[] = [];
  for (const net of ["generator", "discriminator"] as const) {
    const slots = nets[net], s = state[net];
    if (s.params.length !== slots.paramCount || s.state.length !== slots.stateCount) {
      throw new Error(`internal: the ${net} holds ${s.params.length} parameters and ${s.state.length} state values, the spec's layout ${slots.paramCount} and ${slots.stateCount}`);
    }
    for (const t of slots.params) out.push({ name: t.name, dtype: "F32", shape: t.shape, data: s.params.subarray(t.offset, t.offset + t.size) });
    for (const t of slots.state) out.push({ name: t.name, dtype: "F32", shape: t.shape, data: s.state.subarray(t.offset, t.offset + t.size) });
  }
  for (const net of ["generator", "discriminator"] as const) {
    const names = optNames(net), s = state[net];
    out.push({ name: `optimizer.${net}.${names[0]}`, dtype: "F32", shape: [s.opt1.length], data: s.opt1 });
    if (names[1]) out.push({ name: `optimizer.${net}.${names[1]}`, dtype: "F32", shape: [s.opt2.length], data: s.opt2 });
  }
  if (state.generator.average) out.push({ name: "generator.average", dtype: "F32", shape: [state.generator.average.length], data: state.generator.average });
  out.push({ name: "train.rng", dtype: "U32", shape: [4], data: state.rng });
  out.push({ name: "train.counters", dtype: "U32", shape: [3], data: new Uint32Array([state.step, state.generator.updates, state.discriminator.updates]) });
  out.push({ name: "train.stats", dtype: "F32", shape: [state.stats.length], data: state.stats });
  return out;
}

function firstNonFinite(v: Float32Array): number {
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) return i;
  return -1;
}

export interface EncodeOptions {
  seed?: number;
  engine?: unknown;
  metadata?: Record<string, string>; // extra __metadata__ entries (string values)
}

// The checkpoint's bytes. Refuses (CheckpointError naming `path`) a state holding NaN or
// infinite values: a diverged run must not overwrite its last good checkpoint.
export function encodeCheckpoint(spec: NormalisedSpec, state: GanState, options: EncodeOptions = {}, path = "checkpoint"): Uint8Array {
  const tensors = toTensors(spec, state);
  for (const t of tensors) {
    if (t.dtype !== "F32") continue;
    const i = firstNonFinite(t.data as Float32Array);
    if (i >= 0) throw new CheckpointError(path, `not saved: tensor ${t.name} holds ${t.data[i]} at index ${i} at step ${state.step} (the run has diverged)`);
  }
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
  for (const [k, v] of Object.entries(options.metadata ?? {})) {
    if (typeof v !== "string") throw new TypeError(`checkpoint metadata ${k}: must be a string (got ${typeof v})`);
  }
  const metadata: Record<string, string> = {
    format: CHECKPOINT_FORMAT,
    format_version: CHECKPOINT_VERSION,
    spec: JSON.stringify(spec),
    step: String(state.step),
    seed: String(options.seed ?? 0),
    engine: JSON.stringify(options.engine ?? { engine: "wasm" }),
    created: new Date().toISOString(),
    ...options.metadata,
    crc32: crc.toString(16).padStart(8, "0"),
  };
  let header = new TextEncoder().encode(JSON.stringify({ __metadata__: metadata, ...entries }));
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

function swap32(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += 4) { out[i] = bytes[i + 3]; out[i + 1] = bytes[i + 2]; out[i + 2] = bytes[i + 1]; out[i + 3] = bytes[i]; }
  return out;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const show = (v: unknown) => JSON.stringify(v) ?? String(v);

// The first difference between two normalised specs, as "spec.batchSize is 256 in the
// checkpoint, 128 here"; undefined when they are equal.
export function specDifference(checkpoint: unknown, here: unknown, path = "spec"): string | undefined {
  if (Array.isArray(checkpoint) && Array.isArray(here)) {
    for (let i = 0; i < Math.max(checkpoint.length, here.length); i++) {
      if (i >= checkpoint.length) return `${path} has ${checkpoint.length} entries in the checkpoint, ${here.length} here`;
      if (i >= here.length) return `${path} has ${checkpoint.length} entries in the checkpoint, ${here.length} here`;
      const d = specDifference(checkpoint[i], here[i], `${path}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  if (isObject(checkpoint) && isObject(here)) {
    const keys = [...new Set([...Object.keys(checkpoint), ...Object.keys(here)])];
    for (const k of keys) {
      const d = specDifference(checkpoint[k], here[k], `${path}.${k}`);
      if (d) return d;
    }
    return undefined;
  }
  if (checkpoint === here) return undefined;
  return `${path} is ${checkpoint === undefined ? "absent" : show(checkpoint)} in the checkpoint, ${here === undefined ? "absent" : show(here)} here`;
}

export interface DecodeOptions {
  spec?: unknown; // the spec the caller expects: a checkpoint of another spec is refused, the difference named
}

// Parses and validates a checkpoint's bytes; `path` names the file in errors.
export function decodeCheckpoint(bytes: Uint8Array, path = "checkpoint", options: DecodeOptions = {}): Checkpoint {
  const fail = (problem: string): never => { throw new CheckpointError(path, problem); };
  if (bytes.length < 8) fail(`not a checkpoint: ${bytes.length} bytes, too short to hold a safetensors header length (8 bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n64 = view.getBigUint64(0, true);
  if (n64 > BigInt(bytes.length - 8) || n64 > BigInt(MAX_HEADER)) {
    fail(`not a safetensors checkpoint, or truncated: its header length field says ${n64} bytes, the file holds ${bytes.length} in all`);
  }
  const N = Number(n64);
  if (N < 2 || bytes[8] !== 0x7b /* { */) fail(`not a safetensors checkpoint: the header does not start with "{" (wrong magic)`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + N)));
  } catch (e) {
    fail(`corrupted header: not valid JSON (${(e as Error).message.split("\n")[0]})`);
  }
  if (!isObject(header)) return fail("corrupted header: not a JSON object");
  const meta = header.__metadata__;
  if (!isObject(meta)) fail("not a wasm-gan checkpoint: the header has no __metadata__ object");
  const metadata = meta as Record<string, unknown>;
  for (const [k, v] of Object.entries(metadata)) if (typeof v !== "string") fail(`corrupted header: __metadata__.${k} is not a string`);
  const md = metadata as Record<string, string>;
  if (md.format !== CHECKPOINT_FORMAT) fail(`not a wasm-gan checkpoint: __metadata__.format is ${md.format === undefined ? "absent" : show(md.format)}, expected ${show(CHECKPOINT_FORMAT)}`);
  if (md.format_version !== CHECKPOINT_VERSION) fail(`checkpoint format version ${show(md.format_version)} is not supported (this wasm-gan reads version ${CHECKPOINT_VERSION})`);

  // the tensor table: every entry well formed, sizes matching dtype × shape, offsets inside the
  // data section, no overlaps, no gaps
  const dataStart = 8 + N, dataLen = bytes.length - dataStart;
  const table: { name: string; dtype: DType; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, e] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    if (!isObject(e)) fail(`corrupted header: tensor ${name} is not an object`);
    const t = e as Record<string, unknown>;
    if (t.dtype !== "F32" && t.dtype !== "U32") fail(`tensor ${name}: dtype ${show(t.dtype)} is not one this checkpoint uses (F32, U32)`);
    const shape = t.shape, offs = t.data_offsets;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) fail(`corrupted header: tensor ${name} has shape ${show(shape)}, not a list of non-negative integers`);
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((d) => Number.isSafeInteger(d) && d >= 0) || offs[0] > offs[1]) {
      fail(`corrupted header: tensor ${name} has data_offsets ${show(offs)}, not [begin, end] with 0 <= begin <= end`);
    }
    const [begin, end] = offs as number[];
    const need = prod(shape as number[]) * 4;
    if (end - begin !== need) fail(`header lies about sizes: tensor ${name} is ${t.dtype} of shape [${(shape as number[]).join(", ")}] (${need} bytes) but its data_offsets span ${end - begin} bytes`);
    table.push({ name, dtype: t.dtype as DType, shape: shape as number[], begin, end });
  }
  table.sort((a, b) => a.begin - b.begin || a.end - b.end);
  const described = table.length ? Math.max(...table.map((t) => t.end)) : 0;
  if (described > dataLen) fail(`truncated: the header describes ${described} bytes of tensor data, the file holds ${dataLen} after its header`);
  let at = 0;
  for (let i = 0; i < table.length; i++) {
    const t = table[i];
    if (t.begin < at) fail(`header lies about offsets: tensors ${table[i - 1].name} and ${t.name} overlap (bytes ${t.begin} to ${at})`);
    if (t.begin > at) fail(`header lies about offsets: ${t.begin - at} bytes before tensor ${t.name} (at ${at}) belong to no tensor`);
    at = t.end;
  }
  if (at < dataLen) fail(`header lies about sizes: ${dataLen - at} bytes after the last tensor belong to no tensor (data section ${dataLen} bytes, tensors ${at})`);

  const data = bytes.subarray(dataStart);
  if (md.crc32 === undefined || !/^[0-9a-f]{8}$/.test(md.crc32)) fail(`corrupted header: __metadata__.crc32 is ${md.crc32 === undefined ? "absent" : show(md.crc32)}, expected 8 hex digits`);
  const crc = crc32(data).toString(16).padStart(8, "0");
  if (crc !== md.crc32) fail(`corrupted: the tensor data's CRC-32 is ${crc}, the header says ${md.crc32} (flipped or overwritten bytes)`);

  // the spec, and the tensors it needs
  let spec: NormalisedSpec;
  try {
    spec = validateSpec(JSON.parse(md.spec ?? "null"));
  } catch (e) {
    return fail(`__metadata__.spec is not a valid spec: ${(e as Error).message}`);
  }
  if (options.spec !== undefined) {
    const here = validateSpec(options.spec);
    const d = specDifference(spec, here);
    if (d) fail(`a checkpoint of another spec: ${d}`);
  }
  const step = Number(md.step), seed = Number(md.seed);
  if (!Number.isSafeInteger(step) || step < 0) fail(`corrupted header: __metadata__.step is ${show(md.step)}`);
  if (!Number.isSafeInteger(seed) || seed < 0 || seed > 0xffffffff) fail(`corrupted header: __metadata__.seed is ${show(md.seed)}`);

  const byName = new Map(table.map((t) => [t.name, t]));
  const used = new Set<string>();
  const read = (name: string, dtype: DType, shape: number[]): Float32Array | Uint32Array => {
    const t = byName.get(name);
    if (!t) return fail(`tensor ${name} is missing (the spec needs it)`);
    if (t.dtype !== dtype) fail(`tensor ${name} is ${t.dtype}, expected ${dtype}`);
    if (t.shape.join() !== shape.join()) fail(`tensor ${name} has shape [${t.shape.join(", ")}], the spec needs [${shape.join(", ")}]`);
    used.add(name);
    const raw = data.slice(t.begin, t.end); // a copy: aligned, and safe to keep
    const le = LITTLE_ENDIAN ? raw : swap32(raw);
    if (dtype === "U32") return new Uint32Array(le.buffer, le.byteOffset, le.length / 4);
    const f = new Float32Array(le.buffer, le.byteOffset, le.length / 4);
    const i = firstNonFinite(f);
    if (i >= 0) fail(`tensor ${name} holds ${f[i]} at index ${i}`);
    return f;
  };
  const { nets, optNames } = layout(spec);
  const net = (which: "generator" | "discriminator"): NetTrainState => {
    const slots = nets[which];
    const params = new Float32Array(slots.paramCount), state = new Float32Array(slots.stateCount);
    for (const t of slots.params) params.set(read(t.name, "F32", t.shape) as Float32Array, t.offset);
    for (const t of slots.state) state.set(read(t.name, "F32", t.shape) as Float32Array, t.offset);
    const names = optNames(which), P = slots.paramCount;
    const opt1 = read(`optimizer.${which}.${names[0]}`, "F32", [P]) as Float32Array;
    const opt2 = names[1] ? read(`optimizer.${which}.${names[1]}`, "F32", [P]) as Float32Array : new Float32Array(P);
    return { params, opt1, opt2, updates: 0, state };
  };
  const generator = net("generator"), discriminator = net("discriminator");
  if (byName.has("generator.average")) generator.average = read("generator.average", "F32", [nets.generator.paramCount]) as Float32Array;
  const rng = read("train.rng", "U32", [4]) as Uint32Array;
  if (rng.every((x) => x === 0)) fail("tensor train.rng is all zeros (not a valid generator state)");
  const counters = read("train.counters", "U32", [3]) as Uint32Array;
  const stats = byName.get("train.stats");
  const statsData = read("train.stats", "F32", [stats?.shape[0] ?? 8]) as Float32Array;
  for (const t of table) if (!used.has(t.name)) fail(`unexpected tensor ${t.name} (not part of this spec's checkpoint)`);
  if (counters[0] !== step) fail(`header and data disagree: __metadata__.step is ${step}, train.counters says ${counters[0]}`);
  if (counters.some((c) => c > 0x7fffffff)) fail(`tensor train.counters holds an impossible count (${Array.from(counters).join(", ")})`);
  generator.updates = counters[1];
  discriminator.updates = counters[2];
  const state: GanState = { step, rng, stats: statsData, generator, discriminator };
  return { path, spec, seed, step, state, metadata: md, bytes: bytes.length };
}

// A path naming a run directory means the checkpoint inside it.
export async function checkpointPath(path: string): Promise<string> {
  const [{ stat }, { join }] = await Promise.all([import("node:fs/promises"), import("node:path")]);
  try {
    if ((await stat(path)).isDirectory()) return join(path, CHECKPOINT_FILE);
  } catch { /* reported by the read */ }
  return path;
}

export async function readCheckpoint(path: string, options: DecodeOptions = {}): Promise<Checkpoint> {
  const file = await checkpointPath(path);
  const { readFile } = await import("node:fs/promises");
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (e) {
    const code = (e as { code?: string }).code;
    const why = code === "ENOENT" ? "no such file" : code === "EACCES" ? "cannot read it (permission denied)" : code === "EISDIR" ? "is a directory" : (e as Error).message;
    throw new CheckpointError(file, why);
  }
  return decodeCheckpoint(bytes, file, options);
}

// Writes gan's whole training state to `path` (temporary file, fsync, rename: a crash mid-write
// leaves the previous checkpoint intact). Returns the file's size in bytes.
// `gan`: a WasmGAN, or the asynchronous GAN of createGAN (worker threads)
export interface SavableGan {
  spec: NormalisedSpec;
  seed: number;
  engineInfo(): { engine: string };
  saveState(): GanState | Promise<GanState>;
}

export async function saveCheckpoint(path: string, gan: SavableGan, options: { metadata?: Record<string, string> } & AtomicWriteOptions = {}): Promise<number> {
  const bytes = encodeCheckpoint(gan.spec, await gan.saveState(), { seed: gan.seed, engine: gan.engineInfo(), metadata: options.metadata }, path);
  await writeFileAtomic(path, bytes, { fsync: true, ...options });
  return bytes.length;
}

// A GAN built from the checkpoint's spec and seed, with its whole state restored.
export async function loadCheckpoint(path: string, options: DecodeOptions & CreateOptions = {}): Promise<{ gan: WasmGAN; checkpoint: Checkpoint }> {
  const checkpoint = await readCheckpoint(path, options);
  const gan = await createGAN(checkpoint.spec, { seed: checkpoint.seed, deterministic: options.deterministic });
  restoreCheckpoint(gan, checkpoint);
  return { gan, checkpoint };
}

// Restores a read checkpoint into an existing GAN of the same spec: at once for a WasmGAN,
// through the returned promise for createGAN's asynchronous GAN.
export function restoreCheckpoint(gan: WasmGAN, checkpoint: Checkpoint): void;
export function restoreCheckpoint(gan: { spec: NormalisedSpec; loadState(s: GanState): Promise<void> }, checkpoint: Checkpoint): Promise<void>;
export function restoreCheckpoint(gan: { spec: NormalisedSpec; loadState(s: GanState): void | Promise<void> }, checkpoint: Checkpoint): void | Promise<void> {
  const d = specDifference(checkpoint.spec, gan.spec);
  if (d) throw new CheckpointError(checkpoint.path, `a checkpoint of another spec: ${d}`);
  const refuse = (e: unknown): never => { throw new CheckpointError(checkpoint.path, (e as Error).message); };
  try {
    const loading = gan.loadState(checkpoint.state);
    if (loading instanceof Promise) return loading.catch(refuse);
  } catch (e) {
    refuse(e);
  }
}

// Used by tests and tools: the safetensors header of a file's bytes (no validation).
export function checkpointHeader(bytes: Uint8Array): Record<string, any> {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0, true));
  return JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
}
