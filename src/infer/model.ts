// A trained generator from model bytes, ready for the inference module: either file the project
// writes, read with the project's own decoders (so their checks guard this loader too):
//   - a training checkpoint (format wasm-gan-checkpoint: decodeCheckpoint, src/io/checkpoint.ts),
//     through the export path (src/export/generator.ts: EMA weights by default when kept,
//     spectral normalisation folded, batch norm's running statistics)
//   - the generator export (format wasm-gan-generator: `wasm-gan export --format safetensors`,
//     src/export/safetensors_export.ts), parsed by parseSafetensors and its spec by validateSpec
// Either way the result is the generator's layers with spectralNorm and equalizedLr dropped (the
// kernels hold W/σ and c·W already) and every tensor's little-endian float32 bytes with its place in that net's
// parameter or state block (src/model/layout.ts). Bytes, not arrays: the generator copies them
// straight into the module's memory (little-endian on every host, as the file is), with no
// intermediate copy of the weights (a shorter cold start).
import { decodeCheckpoint, CHECKPOINT_FORMAT } from "../io/checkpoint.ts";
import { parseSafetensors, show } from "../io/safetensors.ts";
import { DEFAULT_LIMITS } from "../io/limits.ts";
import { validateSpec, type LayerSpec, type NormalisedSpec } from "../model/spec.ts";
import { roleNet } from "../model/nets.ts";
import { netLayout, tensorKey, type NetLayout } from "../model/layout.ts";
import { generatorNet, type WeightChoice } from "../export/generator.ts";
import { GENERATOR_FORMAT } from "../export/safetensors_export.ts";

export class InferError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InferError";
  }
}

export interface InferModel {
  format: typeof CHECKPOINT_FORMAT | typeof GENERATOR_FORMAT;
  spec: NormalisedSpec;
  net: string;              // the generator's name in spec.nets
  layers: LayerSpec[];      // the generator's layers, spectralNorm dropped (folded into the kernels)
  input: number[];          // [latentDim + numClasses]
  layout: NetLayout;        // of `layers` on `input`
  tensors: ModelTensor[];   // every tensor of the layout (parameters, then batch norm's running statistics)
  weights: WeightChoice;    // which of the trained parameters these are
  // the generator export's CRC-32, still to be checked (where set): over `tensors` in file order
  // (their bytes are the whole data section, without gaps), once they are in the module's memory;
  // `fail` reports a mismatch (checksumProblem) as this file's error
  checksum?: { expected: string; fail: (problem: string) => never };
}
export interface ModelTensor { key: string; block: "params" | "state"; offset: number; bytes: Uint8Array; fileOffset?: number } // offset in floats; bytes: f32 LE; fileOffset: where they begin in the data section

// A value that stops parseSafetensors right after the metadata (the format decides the decoder)
class Format { constructor(readonly format: unknown) {} }

export async function decodeModel(bytes: Uint8Array, name: string, weights?: WeightChoice): Promise<InferModel> {
  const fail = (problem: string): never => { throw new InferError(`${name}: ${problem}`); };
  let format: unknown;
  try {
    parseSafetensors(bytes, fail, (md) => { throw new Format(md.format); });
  } catch (e) {
    if (!(e instanceof Format)) throw e;
    format = e.format;
  }
  if (weights !== undefined && weights !== "ema" && weights !== "raw") fail(`weights must be "ema" or "raw" (got ${show(weights)})`);
  if (format === CHECKPOINT_FORMAT) return fromCheckpoint(bytes, name, weights);
  if (format === GENERATOR_FORMAT) return fromExport(bytes, name, fail, weights);
  return fail(`not a wasm-gan model: __metadata__.format is ${format === undefined ? "absent" : show(format)}, expected ${show(GENERATOR_FORMAT)} (wasm-gan export --format safetensors) or ${show(CHECKPOINT_FORMAT)}`);
}

const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
const swap32 = (b: Uint8Array) => { const o = b.slice(); for (let i = 0; i < o.length; i += 4) o.subarray(i, i + 4).reverse(); return o; };

// spectral normalisation and equalised learning rate are folded into the kernels by the export path
const stripped = (layers: LayerSpec[]) => layers.map(({ spectralNorm: _, equalizedLr: __, ...l }) => l as LayerSpec);

function refuseLayers(layers: LayerSpec[], net: string, fail: (p: string) => never): void {
  const i = layers.findIndex((l) => l.type === "minibatch_std");
  if (i >= 0) fail(`spec.nets.${net}[${i}]: minibatch_std has no place in a generator (wasm-gan/infer runs generators only)`);
}

async function fromCheckpoint(bytes: Uint8Array, name: string, weights?: WeightChoice): Promise<InferModel> {
  let cp;
  try {
    cp = decodeCheckpoint(bytes, name);
  } catch (e) {
    throw new InferError((e as Error).message);
  }
  let g;
  try {
    g = await generatorNet(cp, weights ? { weights } : {});
  } catch (e) {
    throw new InferError(`${name}: ${(e as Error).message}`);
  }
  refuseLayers(g.layers, g.net, (p) => { throw new InferError(`${name}: ${p}`); });
  const layers = stripped(g.layers), input = [g.latentDim + g.numClasses];
  const layout = netLayout(layers, input);
  const tensors = [...layout.params, ...layout.state].map((t): ModelTensor => {
    const v = g.tensor(t.layer, t.name as never);
    const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
    return { key: tensorKey(g.net, t), block: t.block, offset: t.offset, bytes: LITTLE_ENDIAN ? bytes : swap32(bytes) };
  });
  return { format: CHECKPOINT_FORMAT, spec: cp.spec, net: g.net, layers, input, layout, tensors, weights: g.weights };
}

function fromExport(bytes: Uint8Array, name: string, fail: (p: string) => never, weights?: WeightChoice): InferModel {
  // the CRC-32 is left to the module (Generator), where the bytes go anyway: on a big-endian host
  // they are swapped on the way, so it is checked here
  const { metadata: md, table, data } = parseSafetensors(bytes, fail, (md) => {
    if (md.format_version !== "1") fail(`generator format version ${show(md.format_version)} is not supported (this wasm-gan reads version 1)`);
  }, DEFAULT_LIMITS, LITTLE_ENDIAN);
  let spec: NormalisedSpec;
  try {
    spec = validateSpec(JSON.parse(md.spec ?? "null"));
  } catch (e) {
    return fail(`__metadata__.spec is not a valid spec: ${(e as Error).message}`);
  }
  const g = roleNet(spec, "generator");
  if (md.net !== g.name) fail(`__metadata__.net is ${show(md.net)}, but the spec's generator is ${show(g.name)}`);
  if (md.weights !== "ema" && md.weights !== "raw") fail(`__metadata__.weights is ${show(md.weights)}, expected "ema" or "raw"`);
  if (weights !== undefined && weights !== md.weights) fail(`weights ${weights}: this generator file holds the ${md.weights} weights only`);
  refuseLayers(g.layers, g.name, fail);
  const layers = stripped(g.layers);
  const layout = netLayout(layers, g.input);
  const byName = new Map(table.map((t) => [t.name, t]));
  const tensors = [...layout.params, ...layout.state].map((t): ModelTensor => {
    const key = tensorKey(g.name, t);
    const e = byName.get(key);
    if (!e) fail(`tensor ${key} is missing (the spec needs it)`);
    byName.delete(key);
    if (e!.dtype !== "F32") fail(`tensor ${key} is ${e!.dtype}, expected F32`);
    if (e!.shape.join() !== t.shape.join()) fail(`tensor ${key} has shape [${e!.shape.join(", ")}], the spec needs [${t.shape.join(", ")}]`);
    // parseSafetensors checked that begin..end lies inside the data section; the values' finiteness
    // is checked in the module's memory (Generator)
    return { key, block: t.block, offset: t.offset, bytes: data.subarray(e!.begin, e!.end), fileOffset: e!.begin };
  });
  for (const key of byName.keys()) fail(`unexpected tensor ${key} (not part of this generator)`);
  return {
    format: GENERATOR_FORMAT, spec, net: g.name, layers, input: g.input, layout, tensors, weights: md.weights,
    ...(LITTLE_ENDIAN ? { checksum: { expected: md.crc32, fail } } : {}),
  };
}
