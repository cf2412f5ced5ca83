// CycleGAN checkpoints: the whole training state of a CycleGAN (src/engine/cycle_engine.ts's
// CycleState) in the safetensors container (src/io/safetensors.ts), so a run resumed from one
// ends with the same bits as an uninterrupted run. __metadata__: format "wasm-gan-cyclegan",
// format_version "1", spec (the normalised CycleGAN spec, JSON), seed, step, crc32, and any extra
// string entries (the CLI's run settings). Tensors:
//   <net>.<layer>.<name>          every net's parameters and state, named and shaped by the one
//                                 parameter layout (src/model/layout.ts), as GAN checkpoints
//   optimizer.<net>.m, .v         the optimiser's two moment blocks (flat, the arena's layout)
//   train.<net>.updates  U32 [1]  the optimiser's update count (Adam's bias correction)
//   train.rng            U32 [4]  the training stream
//   train.poolA, train.poolB      the pools' images [poolSize, h, w, c]; train.poolCounts U32 [2]
import { encodeSafetensors, parseSafetensors, tensorData, show, type Tensor } from "./safetensors.ts";
import { netLayout, tensorKey, tensorView } from "../model/layout.ts";
import { validateCycleSpec, CYCLE_ROLES, type CycleSpec } from "../model/cyclegan_spec.ts";
import type { CycleState, CycleNetState } from "../engine/cycle_engine.ts";
import { CheckpointError } from "./checkpoint.ts";
import { writeFileAtomic } from "./files.ts";
import { nodeFs } from "./node_only.ts";

export const CYCLE_CHECKPOINT_FORMAT = "wasm-gan-cyclegan";
export const CYCLE_CHECKPOINT_VERSION = "1";

export interface CycleCheckpoint { path: string; spec: CycleSpec; seed: number; step: number; state: CycleState; metadata: Record<string, string> }

export function encodeCycleCheckpoint(spec: CycleSpec, seed: number, state: CycleState, metadata: Record<string, string> = {}, path = "checkpoint"): Uint8Array {
  const tensors: Tensor[] = [];
  const f32 = (name: string, shape: number[], data: Float32Array) => {
    for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) throw new CheckpointError(path, `not saved: tensor ${name} holds ${data[i]} at index ${i} at step ${state.step} (the run has diverged)`);
    tensors.push({ name, dtype: "F32", shape, data });
  };
  for (const r of CYCLE_ROLES) {
    const net = spec.objective[r], s = state.nets[net];
    const layout = netLayout(spec.nets[net], spec.dataShape);
    for (const t of layout.params) f32(tensorKey(net, t), t.shape, tensorView(s.params, t).slice());
    for (const t of layout.state) f32(tensorKey(net, t), t.shape, tensorView(s.state, t).slice());
    f32(`optimizer.${net}.m`, [s.opt1.length], s.opt1);
    f32(`optimizer.${net}.v`, [s.opt2.length], s.opt2);
    tensors.push({ name: `train.${net}.updates`, dtype: "U32", shape: [1], data: new Uint32Array([s.t]) });
  }
  tensors.push({ name: "train.rng", dtype: "U32", shape: [4], data: state.rng });
  const poolShape = [Math.max(spec.poolSize, 1), ...spec.dataShape];
  f32("train.poolA", poolShape, state.poolA.images);
  f32("train.poolB", poolShape, state.poolB.images);
  tensors.push({ name: "train.poolCounts", dtype: "U32", shape: [2], data: new Uint32Array([state.poolA.count, state.poolB.count]) });
  return encodeSafetensors(tensors, (crc) => ({
    format: CYCLE_CHECKPOINT_FORMAT, format_version: CYCLE_CHECKPOINT_VERSION, spec: JSON.stringify(spec),
    seed: String(seed), step: String(state.step), created: new Date().toISOString(), ...metadata, crc32: crc,
  }));
}

export function decodeCycleCheckpoint(bytes: Uint8Array, path = "checkpoint"): CycleCheckpoint {
  const fail = (problem: string): never => { throw new CheckpointError(path, problem); };
  const { metadata: md, table, data } = parseSafetensors(bytes, fail, (md) => {
    if (md.format !== CYCLE_CHECKPOINT_FORMAT) fail(`not a CycleGAN checkpoint: __metadata__.format is ${md.format === undefined ? "absent" : show(md.format)}, expected ${show(CYCLE_CHECKPOINT_FORMAT)}`);
    if (md.format_version !== CYCLE_CHECKPOINT_VERSION) fail(`CycleGAN checkpoint format version ${show(md.format_version)} is not supported (this wasm-gan reads version ${CYCLE_CHECKPOINT_VERSION})`);
  });
  let spec: CycleSpec;
  try {
    spec = validateCycleSpec(JSON.parse(md.spec ?? "null"));
  } catch (e) {
    return fail(`its spec is not a valid CycleGAN spec (${(e as Error).message})`);
  }
  const seed = Number(md.seed), step = Number(md.step);
  if (!Number.isSafeInteger(seed) || seed < 0 || seed > 0xffffffff) fail(`__metadata__.seed is ${show(md.seed)}, not a seed`);
  if (!Number.isSafeInteger(step) || step < 0 || step > 0x7fffffff) fail(`__metadata__.step is ${show(md.step)}, not a step count`);
  const byName = new Map(table.map((t) => [t.name, t]));
  const used = new Set<string>();
  const get = (name: string, dtype: "F32" | "U32", shape: number[]) => {
    const t = byName.get(name) ?? fail(`tensor ${name} is missing`);
    if (t.dtype !== dtype || t.shape.join() !== shape.join()) fail(`tensor ${name} is ${t.dtype} [${t.shape.join(", ")}], expected ${dtype} [${shape.join(", ")}]`);
    used.add(name);
    return tensorData(data, t);
  };
  const nets: Record<string, CycleNetState> = {};
  for (const r of CYCLE_ROLES) {
    const net = spec.objective[r], layout = netLayout(spec.nets[net], spec.dataShape);
    const params = new Float32Array(layout.paramCount), state = new Float32Array(layout.stateCount);
    for (const t of layout.params) params.set(get(tensorKey(net, t), "F32", t.shape) as Float32Array, t.offset);
    for (const t of layout.state) state.set(get(tensorKey(net, t), "F32", t.shape) as Float32Array, t.offset);
    nets[net] = {
      params, state, opt1: get(`optimizer.${net}.m`, "F32", [layout.paramCount]) as Float32Array,
      opt2: get(`optimizer.${net}.v`, "F32", [layout.paramCount]) as Float32Array, t: get(`train.${net}.updates`, "U32", [1])[0],
    };
  }
  const poolShape = [Math.max(spec.poolSize, 1), ...spec.dataShape];
  const counts = get("train.poolCounts", "U32", [2]);
  if (counts[0] > spec.poolSize || counts[1] > spec.poolSize) fail(`tensor train.poolCounts holds ${Array.from(counts).join(", ")}, more than the pool's ${spec.poolSize}`);
  const state: CycleState = {
    step, rng: get("train.rng", "U32", [4]) as Uint32Array, nets,
    poolA: { images: get("train.poolA", "F32", poolShape) as Float32Array, count: counts[0] },
    poolB: { images: get("train.poolB", "F32", poolShape) as Float32Array, count: counts[1] },
  };
  for (const t of table) if (!used.has(t.name)) fail(`tensor ${t.name} belongs to no part of this CycleGAN`);
  return { path, spec, seed, step, state, metadata: md };
}

// the format a checkpoint's bytes name (undefined: not a safetensors file with one)
export function checkpointFormat(bytes: Uint8Array): string | undefined {
  try {
    const n = Number(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0, true));
    if (n > bytes.length - 8) return undefined;
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    return typeof header?.__metadata__?.format === "string" ? header.__metadata__.format : undefined;
  } catch {
    return undefined;
  }
}

export async function saveCycleCheckpoint(path: string, gan: { spec: CycleSpec; seed: number; saveState(): CycleState }, metadata: Record<string, string> = {}): Promise<number> {
  const bytes = encodeCycleCheckpoint(gan.spec, gan.seed, gan.saveState(), metadata, path);
  await writeFileAtomic(path, bytes, { fsync: true });
  return bytes.length;
}

export async function readCycleCheckpoint(file: string): Promise<CycleCheckpoint> {
  const { readFile } = await nodeFs(`reading the checkpoint ${file}`, "use decodeCycleCheckpoint(bytes)");
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new CheckpointError(file, code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : (e as Error).message);
  }
  return decodeCycleCheckpoint(bytes, file);
}
