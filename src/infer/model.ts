// A trained generator from model bytes, ready for the inference module: either file the project
// writes, read with the project's own decoders (so their checks guard this loader too):
//   - a training checkpoint (format wasm-gan-checkpoint: decodeCheckpoint, src/io/checkpoint.ts),
//     through the export path (src/export/generator.ts: EMA weights by default when kept,
//     spectral normalisation folded, batch norm's running statistics)
//   - the generator export (format wasm-gan-generator: `wasm-gan export --format safetensors`,
//     src/export/safetensors_export.ts), parsed by parseSafetensors and its spec by validateSpec
// Either way the result is the generator's layers with spectralNorm dropped (the kernels hold
// W/σ already) and its parameter and state blocks in that net's layout (src/model/layout.ts).
import { decodeCheckpoint, CHECKPOINT_FORMAT } from "../io/checkpoint.ts";
import { parseSafetensors, tensorData, show } from "../io/safetensors.ts";
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
  params: Float32Array;     // [layout.paramCount]
  state: Float32Array;      // [layout.stateCount]: batch norm's running statistics
  weights: WeightChoice;    // which of the trained parameters these are
}

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

const stripped = (layers: LayerSpec[]) => layers.map(({ spectralNorm: _, ...l }) => l as LayerSpec);

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
  const params = new Float32Array(layout.paramCount), state = new Float32Array(layout.stateCount);
  for (const t of [...layout.params, ...layout.state]) {
    (t.block === "params" ? params : state).set(g.tensor(t.layer, t.name as never), t.offset);
  }
  return { format: CHECKPOINT_FORMAT, spec: cp.spec, net: g.net, layers, input, layout, params, state, weights: g.weights };
}

function fromExport(bytes: Uint8Array, name: string, fail: (p: string) => never, weights?: WeightChoice): InferModel {
  const { metadata: md, table, data } = parseSafetensors(bytes, fail, (md) => {
    if (md.format_version !== "1") fail(`generator format version ${show(md.format_version)} is not supported (this wasm-gan reads version 1)`);
  });
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
  const params = new Float32Array(layout.paramCount), state = new Float32Array(layout.stateCount);
  for (const t of [...layout.params, ...layout.state]) {
    const key = tensorKey(g.name, t);
    const e = byName.get(key);
    if (!e) fail(`tensor ${key} is missing (the spec needs it)`);
    byName.delete(key);
    if (e!.dtype !== "F32") fail(`tensor ${key} is ${e!.dtype}, expected F32`);
    if (e!.shape.join() !== t.shape.join()) fail(`tensor ${key} has shape [${e!.shape.join(", ")}], the spec needs [${t.shape.join(", ")}]`);
    const v = tensorData(data, e!) as Float32Array;
    for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) fail(`tensor ${key} holds ${v[i]} at index ${i}`);
    (t.block === "params" ? params : state).set(v, t.offset);
  }
  for (const key of byName.keys()) fail(`unexpected tensor ${key} (not part of this generator)`);
  return { format: GENERATOR_FORMAT, spec, net: g.name, layers, input: g.input, layout, params, state, weights: md.weights };
}
