// Checkpoints: one file holding the spec, every net's weights, the optimisers' state, batch-norm
// running statistics, the training RNG state and the step count, so that a run resumed from it
// ends bit for bit where an uninterrupted run of the same length would (strict build).
//
// Format: safetensors (https://github.com/huggingface/safetensors), readable from Python with
// `safetensors.numpy.load_file(path)` (the tensors) and `safe_open(path, "np").metadata()`:
//   bytes [0, 8)        N: the header length, unsigned 64-bit little-endian
//   bytes [8, 8 + N)    the header: UTF-8 JSON, padded with spaces to a multiple of 8 bytes,
//                       {"__metadata__": {string: string}, "<tensor name>": {"dtype": "F32" | "U32",
//                        "shape": [...], "data_offsets": [begin, end]}, ...}
//   bytes [8 + N, end)  the data section: raw little-endian tensors back to back, no gaps, in the
//                       order below; data_offsets count bytes from the start of this section
// __metadata__ (values are strings, as safetensors requires):
//   format "wasm-gan-checkpoint", format_version "2", spec (the normalised spec, JSON, in the named
//   form: nets by name, objective, optimizer keyed by net name; src/model/spec.ts), step, seed,
//   engine (JSON: engine, simd build), created (ISO time), crc32 (8 hex digits: the CRC-32 (zlib's)
//   of the whole data section, so flipped bytes are caught), plus what the writer adds (the CLI
//   stores its run settings as `run`, JSON).
// Tensors (<net>: a net's name in spec.nets; nets in the spec's order):
//   <net>.<layer>.<name>         F32  each parameter and state tensor of each net, as
//                                     src/model/layout.ts lays them out: <layer> is the layer's
//                                     `name` when the spec gives one, its index in the net's layer
//                                     list otherwise; <name> = kernel, bias, gamma, beta,
//                                     running_mean, running_var (tfjs layouts, images NHWC);
//                                     e.g. generator.0.kernel, G.block1.bias
//   optimizer.<net>.exp_avg, optimizer.<net>.exp_avg_sq     F32 [P]  adam (first, second moment)
//   optimizer.<net>.momentum_buffer                         F32 [P]  sgd
//   optimizer.<net>.square_avg                              F32 [P]  rmsprop
//       (P = the net's parameter count: its parameter tensors above concatenated in layer order,
//        kernel before bias, gamma before beta)
//   <net>.average                F32 [P]  the generator's moving average (<net>: the net of
//                                         spec.objective.generator), when one is kept
//   train.rng                    U32 [4]  xoshiro128** state of the training stream
//   train.counters               U32 [1 + nets]  steps done, then each net's optimiser updates,
//                                         nets in the spec's order
//   train.stats                  F32 [8]  the last step's statistics block, slots named in
//                                         src/model/stats.ts (D.loss, G.loss, D.real, D.fake,
//                                         D.gradNorm, G.gradNorm, D.penalty, 0)
// Net names are identifiers ([A-Za-z][A-Za-z0-9_]*, not "optimizer" or "train") and layer names
// start with a letter or "_", so no two tensors' names can meet. A spec in the shorthand
// (`generator` / `discriminator` layer arrays: nets named generator and discriminator) with
// unnamed layers gives exactly version 1's tensor names.
// Version 1 (wasm-gan before named nets) differs only in this: the spec is the shorthand
// (generator, discriminator, optimizer.{generator, discriminator}), the nets are generator and
// discriminator, and every layer is named by its index, named layers too. Version 1 files load
// (into the named form); saving writes version 2.
// The file functions (readCheckpoint, saveCheckpoint, loadCheckpoint of a path) load node:fs
// on first use, so the main entry stays browser-safe; encodeCheckpoint / decodeCheckpoint are
// bytes in, bytes out, anywhere.
// Reading validates everything and throws a one-line CheckpointError naming the file and the
// problem: truncation, a header lying about sizes or offsets, bad JSON, a checksum mismatch,
// missing or misshapen tensors, NaN or infinite values, a checkpoint of another spec. The file is
// untrusted (src/io/limits.ts): every length, offset, dtype and shape is checked before it is
// read, JSON's depth before it is parsed, and a spec whose nets would need more than
// maxTensorBytes (1 GiB by default) is refused before anything of its size is allocated.
import { nodeFs } from "./node_only.ts";
import { encodeSafetensors, parseSafetensors, tensorData, show, type DType, type Tensor } from "./safetensors.ts";
import { writeFileAtomic, type AtomicWriteOptions } from "./files.ts";
import { ModelFileError, loadLimits, label, showBytes, type LoadLimits } from "./limits.ts";
import { specOfFile } from "./spec_file.ts";
import { validateSpec, type NormalisedSpec } from "../model/spec.ts";
import { modelLayout, tensorKey, tensorView } from "../model/layout.ts";
import { netRole } from "../model/nets.ts";
import { createGAN, type CreateOptions, type WasmGAN } from "../engine/wasm_engine.ts";
import type { Engine, GanState, NetTrainState } from "../engine/engine.ts";
import type { TfjsGAN, TfjsCreateOptions } from "../engine/tfjs/tfjs_engine.ts";

export const CHECKPOINT_FILE = "checkpoint.safetensors";
export const CHECKPOINT_FORMAT = "wasm-gan-checkpoint";
export const CHECKPOINT_VERSION = "2";   // what encodeCheckpoint writes
const READ_VERSIONS = ["1", "2"];        // what decodeCheckpoint reads

export class CheckpointError extends ModelFileError {
  constructor(file: string, problem: string) {
    super(file, problem);
    this.name = "CheckpointError";
  }
}

export interface Checkpoint {
  path: string;
  spec: NormalisedSpec;            // in the named form, whatever the file's version
  formatVersion: number;           // the file's format_version (1 or 2)
  seed: number;
  step: number;
  state: GanState;
  metadata: Record<string, string>; // the whole __metadata__
  bytes: number;                    // file size
}


const OPT_NAMES: Record<string, [string] | [string, string]> = {
  adam: ["exp_avg", "exp_avg_sq"], sgd: ["momentum_buffer"], rmsprop: ["square_avg"],
};

// The tensors a checkpoint of this spec holds (src/model/layout.ts: each net's parameter and
// state tensors, by net name), and each net's optimiser state names.
function layout(spec: NormalisedSpec) {
  const nets = modelLayout(spec);
  const optNames = (net: string) => OPT_NAMES[spec.optimizer[net].type] ?? ["state1", "state2"];
  return { nets, names: Object.keys(spec.nets), optNames };
}

// how many tensors a checkpoint of this spec holds at most (with the generator's average)
function tensorCount(spec: NormalisedSpec): number {
  const { nets, names, optNames } = layout(spec);
  return names.reduce((a, n) => a + nets[n].params.length + nets[n].state.length + optNames(n).length, 0) + 1 + 3;
}

// GanState keeps the gan objective's two nets by role; a net's state is its role's
const netState = (spec: NormalisedSpec, state: GanState, net: string): NetTrainState => state[netRole(spec, net)];

function toTensors(spec: NormalisedSpec, state: GanState): Tensor[] {
  const { nets, names, optNames } = layout(spec);
  const out: Tensor[] = [];
  for (const net of names) {
    const l = nets[net], s = netState(spec, state, net);
    if (s.params.length !== l.paramCount || s.state.length !== l.stateCount) {
      throw new Error(`internal: the net ${net} holds ${s.params.length} parameters and ${s.state.length} state values, the spec's layout ${l.paramCount} and ${l.stateCount}`);
    }
    for (const t of l.params) out.push({ name: tensorKey(net, t), dtype: "F32", shape: t.shape, data: tensorView(s.params, t) });
    for (const t of l.state) out.push({ name: tensorKey(net, t), dtype: "F32", shape: t.shape, data: tensorView(s.state, t) });
  }
  for (const net of names) {
    const moments = optNames(net), s = netState(spec, state, net);
    out.push({ name: `optimizer.${net}.${moments[0]}`, dtype: "F32", shape: [s.opt1.length], data: s.opt1 });
    if (moments[1]) out.push({ name: `optimizer.${net}.${moments[1]}`, dtype: "F32", shape: [s.opt2.length], data: s.opt2 });
  }
  const average = state.generator.average;
  if (average) out.push({ name: `${spec.objective.generator}.average`, dtype: "F32", shape: [average.length], data: average });
  out.push({ name: "train.rng", dtype: "U32", shape: [4], data: state.rng });
  const counters = [state.step, ...names.map((net) => netState(spec, state, net).updates)];
  out.push({ name: "train.counters", dtype: "U32", shape: [counters.length], data: new Uint32Array(counters) });
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
  for (const [k, v] of Object.entries(options.metadata ?? {})) {
    if (typeof v !== "string") throw new TypeError(`checkpoint metadata ${k}: must be a string (got ${typeof v})`);
  }
  return encodeSafetensors(tensors, (crc) => ({
    format: CHECKPOINT_FORMAT,
    format_version: CHECKPOINT_VERSION,
    spec: JSON.stringify(spec),
    step: String(state.step),
    seed: String(options.seed ?? 0),
    engine: JSON.stringify(options.engine ?? { engine: "wasm" }),
    created: new Date().toISOString(),
    ...options.metadata,
    crc32: crc,
  }));
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

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

// and the limits on what a load allocates (maxTensorBytes, maxHeaderBytes, maxJsonDepth: src/io/limits.ts)
export interface DecodeOptions extends LoadLimits {
  spec?: unknown; // the spec the caller expects: a checkpoint of another spec is refused, the difference named
}

// Parses and validates a checkpoint's bytes; `path` names the file in errors.
export function decodeCheckpoint(bytes: Uint8Array, path = "checkpoint", options: DecodeOptions = {}): Checkpoint {
  const fail = (problem: string): never => { throw new CheckpointError(path, problem); };
  const limits = loadLimits(options);
  // the spec (its nets' size capped by maxTensorBytes) is read before the tensor table: a header
  // listing more tensors than it holds is refused before they are walked
  let spec: NormalisedSpec | undefined;
  const { metadata: md, table, data } = parseSafetensors(bytes, fail, (md) => {
    if (md.format !== CHECKPOINT_FORMAT) fail(`not a wasm-gan checkpoint: __metadata__.format is ${md.format === undefined ? "absent" : show(md.format)}, expected ${show(CHECKPOINT_FORMAT)}`);
    if (!READ_VERSIONS.includes(md.format_version)) fail(`checkpoint format version ${show(md.format_version)} is not supported (this wasm-gan reads versions ${READ_VERSIONS.join(" and ")})`);
    spec = specOfFile(md.spec, limits, fail);
    return tensorCount(spec);
  }, limits);
  if (!spec) return fail("internal: no spec");
  if (options.spec !== undefined) {
    const here = validateSpec(options.spec);
    const d = specDifference(spec, here);
    if (d) fail(`a checkpoint of another spec: ${d}`);
  }
  const formatVersion = Number(md.format_version), byIndex = formatVersion === 1; // v1: every layer by index
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
    const v = tensorData(data, t);
    if (dtype === "U32") return v;
    const f = v as Float32Array;
    const i = firstNonFinite(f);
    if (i >= 0) fail(`tensor ${name} holds ${f[i]} at index ${i}`);
    return f;
  };
  const { nets, names, optNames } = layout(spec);
  const netTrainState = (net: string): NetTrainState => {
    const l = nets[net];
    const params = new Float32Array(l.paramCount), state = new Float32Array(l.stateCount);
    for (const t of l.params) params.set(read(tensorKey(net, t, byIndex), "F32", t.shape) as Float32Array, t.offset);
    for (const t of l.state) state.set(read(tensorKey(net, t, byIndex), "F32", t.shape) as Float32Array, t.offset);
    const moments = optNames(net), P = l.paramCount;
    const opt1 = read(`optimizer.${net}.${moments[0]}`, "F32", [P]) as Float32Array;
    const opt2 = moments[1] ? read(`optimizer.${net}.${moments[1]}`, "F32", [P]) as Float32Array : new Float32Array(P);
    return { params, opt1, opt2, updates: 0, state };
  };
  const byNet = new Map(names.map((net) => [net, netTrainState(net)]));
  const gen = spec.objective.generator;
  const generator = byNet.get(gen)!, discriminator = byNet.get(spec.objective.discriminator)!;
  if (byName.has(`${gen}.average`)) generator.average = read(`${gen}.average`, "F32", [nets[gen].paramCount]) as Float32Array;
  const rng = read("train.rng", "U32", [4]) as Uint32Array;
  if (rng.every((x) => x === 0)) fail("tensor train.rng is all zeros (not a valid generator state)");
  const counters = read("train.counters", "U32", [1 + names.length]) as Uint32Array;
  const stats = byName.get("train.stats");
  const statsData = read("train.stats", "F32", [stats?.shape[0] ?? 8]) as Float32Array;
  for (const t of table) if (!used.has(t.name)) fail(`unexpected tensor ${label(t.name)} (not part of this spec's checkpoint)`);
  if (counters[0] !== step) fail(`header and data disagree: __metadata__.step is ${step}, train.counters says ${counters[0]}`);
  if (counters.some((c) => c > 0x7fffffff)) fail(`tensor train.counters holds an impossible count (${Array.from(counters).join(", ")})`);
  names.forEach((net, k) => { byNet.get(net)!.updates = counters[1 + k]; });
  const state: GanState = { step, rng, stats: statsData, generator, discriminator };
  return { path, spec, formatVersion, seed, step, state, metadata: md, bytes: bytes.length };
}

// A path naming a run directory means the checkpoint inside it.
export async function checkpointPath(path: string): Promise<string> {
  const { stat, join } = await nodeFs(`reading the checkpoint ${path}`, "in a page or an edge function, fetch the file's bytes and use decodeCheckpoint(bytes) and checkpointEngine(checkpoint)");
  try {
    if ((await stat(path)).isDirectory()) return join(path, CHECKPOINT_FILE);
  } catch { /* reported by the read */ }
  return path;
}

export async function readCheckpoint(path: string, options: DecodeOptions = {}): Promise<Checkpoint> {
  const file = await checkpointPath(path);
  const { readFile, stat } = await nodeFs(`reading the checkpoint ${path}`, "use decodeCheckpoint(bytes)");
  let bytes: Uint8Array;
  try {
    // a file larger than any checkpoint the limits allow is refused before it is read
    const limits = loadLimits(options), most = 8 + limits.maxHeaderBytes + limits.maxTensorBytes, size = (await stat(file)).size;
    if (size > most) throw new CheckpointError(file, `too large: ${showBytes(size)}, above the ${showBytes(most)} the limits allow (options maxTensorBytes, maxHeaderBytes)`);
    bytes = await readFile(file);
  } catch (e) {
    if (e instanceof CheckpointError) throw e;
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

// Which engine a checkpoint loads into: "wasm" (the default: WasmGAN, options.deterministic
// picks the build), "tfjs" (TfjsGAN on options.backend, tfjs loaded only then), or a factory
// that builds an engine of the checkpoint's spec and seed.
export type EngineFactory<E extends Engine> = (spec: NormalisedSpec, seed: number) => Promise<E>;
export type LoadOptions = DecodeOptions & CreateOptions & Pick<TfjsCreateOptions, "backend">;

// An engine built from a read checkpoint's spec and seed, with its whole state restored (bytes in:
// no file system).
export function checkpointEngine(checkpoint: Checkpoint, options?: LoadOptions & { engine?: "wasm" }): Promise<WasmGAN>;
export function checkpointEngine(checkpoint: Checkpoint, options: LoadOptions & { engine: "tfjs" }): Promise<TfjsGAN>;
export function checkpointEngine<E extends Engine>(checkpoint: Checkpoint, options: LoadOptions & { engine: EngineFactory<E> }): Promise<E>;
export async function checkpointEngine(checkpoint: Checkpoint, options: LoadOptions & { engine?: "wasm" | "tfjs" | EngineFactory<Engine> } = {}): Promise<Engine> {
  const { spec, seed } = checkpoint, engine = options.engine ?? "wasm";
  let gan: Engine;
  if (typeof engine === "function") gan = await engine(spec, seed);
  else if (engine === "tfjs") {
    const { TfjsGAN } = await import("../engine/tfjs/tfjs_engine.ts");
    gan = await TfjsGAN.create(spec, { seed, backend: options.backend });
  } else if (engine === "wasm") gan = await createGAN(spec, { seed, deterministic: options.deterministic });
  else throw new RangeError(`engine must be "wasm", "tfjs" or a function (got ${JSON.stringify(engine)})`);
  try {
    restoreCheckpoint(gan, checkpoint);
  } catch (e) {
    gan.dispose();
    throw e;
  }
  return gan;
}

// A GAN built from the checkpoint file's spec and seed, with its whole state restored; options.engine
// as checkpointEngine (default: the WASM engine).
export function loadCheckpoint(path: string, options?: LoadOptions & { engine?: "wasm" }): Promise<{ gan: WasmGAN; checkpoint: Checkpoint }>;
export function loadCheckpoint(path: string, options: LoadOptions & { engine: "tfjs" }): Promise<{ gan: TfjsGAN; checkpoint: Checkpoint }>;
export function loadCheckpoint<E extends Engine>(path: string, options: LoadOptions & { engine: EngineFactory<E> }): Promise<{ gan: E; checkpoint: Checkpoint }>;
export async function loadCheckpoint(path: string, options: LoadOptions & { engine?: any } = {}): Promise<{ gan: Engine; checkpoint: Checkpoint }> {
  const checkpoint = await readCheckpoint(path, options);
  return { gan: await checkpointEngine(checkpoint, options), checkpoint };
}

// Restores a read checkpoint into an existing GAN of the same spec: at once for an engine
// (WasmGAN, TfjsGAN), through the returned promise for createGAN's asynchronous GAN.
export function restoreCheckpoint(gan: Engine, checkpoint: Checkpoint): void;
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
