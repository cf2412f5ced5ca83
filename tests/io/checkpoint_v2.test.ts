// Checkpoint format version 2 (src/io/checkpoint.ts): tensors named by net and by layer name
// (index for unnamed layers), optimiser state by net name, the generator's average under its net,
// train.counters in the spec's net order; round trip and resume bit for bit; version-1 files of
// a spec with named layers (index-named tensors) still load.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createWasmGAN, ring8, validateSpec, type NamedSpec, type GanState, type LayerSpec } from "../../src/index.ts";
import { CheckpointError, decodeCheckpoint, encodeCheckpoint, checkpointEngine, checkpointHeader } from "../../src/io/checkpoint.ts";
import { crc32 } from "../../src/io/crc32.ts";
import { smallMlpGenerator } from "../util/small_gans.ts";
import { stateDifference } from "../util/state.ts";

const data = await ring8({ count: 2048, seed: 5 });

// a residual critic with named layers, listed before the generator; adam for the critic, sgd with
// momentum for the generator; 2 critic updates a step, so the counters differ
const residualD: LayerSpec[] = [
  { type: "dense", units: 8, name: "h" }, { type: "relu" }, { type: "dense", units: 8, name: "f" },
  { type: "add", inputs: ["h", "f"] }, { type: "leaky_relu", alpha: 0.2 }, { type: "dense", units: 1, name: "logit" },
];
const spec: NamedSpec = {
  name: "named-v2", latentDim: 3, dataShape: [2], batchSize: 16, loss: "non-saturating", dSteps: 2,
  nets: { critic: residualD, gen: smallMlpGenerator },
  objective: { type: "gan", generator: "gen", discriminator: "critic" },
  optimizer: { critic: { type: "adam", lr: 1e-3 }, gen: { type: "sgd", lr: 0.01, momentum: 0.9 } },
};


// Rewrites a checkpoint's header (tensor names, metadata); the data section is kept, the CRC too.
function rewrite(bytes: Uint8Array, edit: (h: Record<string, any>) => Record<string, any>): Uint8Array {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const data = bytes.subarray(8 + n);
  const h = edit(checkpointHeader(bytes));
  h.__metadata__.crc32 = crc32(data).toString(16).padStart(8, "0");
  // the header padded with spaces to a multiple of 8 bytes, as the writer does (the data stay aligned)
  const json = JSON.stringify(h), head = new TextEncoder().encode(json.padEnd(json.length + ((8 - (json.length % 8)) % 8)));
  const out = new Uint8Array(8 + head.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  out.set(data, 8 + head.length);
  return out;
}
const refuses = (f: () => unknown, words: RegExp) => assert.throws(f, (e: Error) => e instanceof CheckpointError && !e.message.includes("\n") && words.test(e.message), `refused: ${words}`);

test("v2 names tensors by net and layer name, optimiser state by net, the average under the generator's net", async () => {
  const gan = await createWasmGAN(spec, { seed: 4 });
  gan.averageGenerator(0.9);
  await gan.train(data, { steps: 5 });
  const bytes = encodeCheckpoint(gan.spec, gan.saveState(), { seed: 4, engine: gan.engineInfo() });
  const h = checkpointHeader(bytes);
  assert.is(h.__metadata__.format_version, "2");
  assert.equal(JSON.parse(h.__metadata__.spec), validateSpec(spec), "the spec in the named form");
  const names = Object.keys(h).filter((k) => k !== "__metadata__");
  const P = gan.paramCounts();
  assert.equal(names, [
    // the nets in the spec's order: critic, then gen; named layers by name, unnamed by index
    "critic.h.kernel", "critic.h.bias", "critic.f.kernel", "critic.f.bias", "critic.logit.kernel", "critic.logit.bias",
    ...smallMlpGenerator.flatMap((l, i) => (l.type === "dense" ? [`gen.${i}.kernel`, `gen.${i}.bias`] : [])),
    "optimizer.critic.exp_avg", "optimizer.critic.exp_avg_sq", "optimizer.gen.momentum_buffer",
    "gen.average", "train.rng", "train.counters", "train.stats",
  ]);
  assert.equal(h["critic.f.kernel"].shape, [8, 8]);
  assert.equal(h["critic.logit.kernel"].shape, [8, 1]);
  assert.equal(h["optimizer.critic.exp_avg"].shape, [P.discriminator]);
  assert.equal(h["gen.average"].shape, [P.generator]);
  // train.counters: steps, then each net's updates in the spec's net order (critic 2 a step, gen 1)
  const n = Number(new DataView(bytes.buffer).getBigUint64(0, true)), c = h["train.counters"];
  assert.equal(c.shape, [3]);
  assert.equal([0, 1, 2].map((i) => new DataView(bytes.buffer).getUint32(8 + n + c.data_offsets[0] + 4 * i, true)), [5, 10, 5]);
  // decoded: the same state, bit for bit
  const back = decodeCheckpoint(bytes, "v2", { spec });
  assert.is(back.formatVersion, 2);
  assert.equal(back.spec, gan.spec);
  assert.is(stateDifference(back.state, gan.saveState()), undefined, "decoded == saved");
  assert.is(back.state.discriminator.updates, 10);
  assert.is(back.state.generator.updates, 5);
});

test("v2 round trip: 2N steps == N, encode, decode into a fresh engine, N (named nets, graph layers)", async () => {
  const straight = await createWasmGAN(spec, { seed: 9 });
  await straight.train(data, { steps: 12 });
  const first = await createWasmGAN(spec, { seed: 9 });
  await first.train(data, { steps: 6 });
  const c = decodeCheckpoint(encodeCheckpoint(first.spec, first.saveState(), { seed: 9 }), "v2");
  const second = await checkpointEngine(c);
  assert.is(stateDifference(second.saveState(), first.saveState()), undefined, "the loaded state equals the saved one");
  await second.train(data, { steps: 6 });
  assert.is(stateDifference(second.saveState(), straight.saveState()), undefined, "resumed == straight, bit for bit");
});

test("a version-1 file of a spec with named layers (tensors named by index) loads; re-saved it names them", async () => {
  // the shorthand with the same named layers, as the version-1 writer stored it
  const shorthand = { ...spec, nets: undefined, objective: undefined, generator: smallMlpGenerator, discriminator: residualD, optimizer: { generator: spec.optimizer.gen, discriminator: spec.optimizer.critic } };
  delete (shorthand as any).nets;
  delete (shorthand as any).objective;
  const gan = await createWasmGAN(shorthand, { seed: 2 });
  await gan.train(data, { steps: 3 });
  const v2 = encodeCheckpoint(gan.spec, gan.saveState(), { seed: 2 });
  assert.ok("discriminator.h.kernel" in checkpointHeader(v2), "v2: by layer name");
  const index: Record<string, string> = { h: "0", f: "2", logit: "5" };
  const v1 = rewrite(v2, (h) => {
    const out: Record<string, any> = { __metadata__: { ...h.__metadata__, format_version: "1", spec: JSON.stringify(shorthand) } };
    for (const [k, v] of Object.entries(h)) if (k !== "__metadata__") out[k.replace(/^discriminator\.(h|f|logit)\./, (_, n) => `discriminator.${index[n]}.`)] = v;
    return out;
  });
  assert.ok("discriminator.0.kernel" in checkpointHeader(v1) && !("discriminator.h.kernel" in checkpointHeader(v1)), "v1: by index");
  const c = decodeCheckpoint(v1, "v1");
  assert.is(c.formatVersion, 1);
  assert.equal(c.spec, gan.spec, "the v1 spec, normalised to the named form");
  assert.is(stateDifference(c.state, gan.saveState()), undefined, "v1 decodes to the same state");
  const again = encodeCheckpoint(c.spec, c.state, { seed: 2 });
  assert.equal(Object.keys(checkpointHeader(again)), Object.keys(checkpointHeader(v2)), "re-saved: version 2's names");
  // a v2 file with index names, or a v1 file with layer names: the tensor the version needs is missing
  refuses(() => decodeCheckpoint(rewrite(v1, (h) => ({ ...h, __metadata__: { ...h.__metadata__, format_version: "2" } })), "x"), /^x: tensor discriminator\.h\.kernel is missing \(the spec needs it\)$/);
  refuses(() => decodeCheckpoint(rewrite(v2, (h) => ({ ...h, __metadata__: { ...h.__metadata__, format_version: "1" } })), "x"), /^x: tensor discriminator\.0\.kernel is missing/);
});

test("v2 refusals: another version, a missing named tensor, a renamed layer, a spec of other net names", async () => {
  const gan = await createWasmGAN(spec, { seed: 4 });
  await gan.train(data, { steps: 2 });
  const bytes = encodeCheckpoint(gan.spec, gan.saveState(), { seed: 4 });
  refuses(() => decodeCheckpoint(rewrite(bytes, (h) => ({ ...h, __metadata__: { ...h.__metadata__, format_version: "3" } })), "x"), /^x: checkpoint format version "3" is not supported \(this wasm-gan reads versions 1 and 2\)$/);
  // a layer renamed: its tensors are missing
  refuses(() => decodeCheckpoint(rewrite(bytes, (h) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k.replace(/^critic\.f\./, "critic.g."), v]))), "x"), /^x: tensor critic\.f\.kernel is missing \(the spec needs it\)$/);
  const renamed = { ...spec, nets: { critic: residualD, G: smallMlpGenerator }, objective: { type: "gan" as const, generator: "G", discriminator: "critic" }, optimizer: { critic: spec.optimizer.critic, G: spec.optimizer.gen } };
  refuses(() => decodeCheckpoint(bytes, "x", { spec: renamed }), /^x: a checkpoint of another spec: spec\.nets\.gen is \[\{"type":"dense".*\] in the checkpoint, absent here$/);
});

test.run();
