// The parameter layout (src/model/layout.ts) against what the engines lay out:
//  - the WASM engine: parameter and state counts, each layer's parameter offset, and the order of
//    the tensors inside a layer (read off the DCGAN initialisation, which makes every bias and
//    beta exactly 0, every gamma N(1, 0.02), every kernel N(0, 0.02); running means 0, variances 1);
//  - the tfjs engine's TfNet: its variables have the layout's shapes, in the layout's order;
//  - version-1 checkpoints (tests/fixtures/, written before the layout existed) still decode to
//    the weights their training run gives today, bit for bit, and re-encode to the same tensors.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { createWasmGAN, preset, presets, validateSpec, roleNet, type GanSpec, type LayerSpec, type GanState } from "../../src/index.ts";
import { modelLayout, netLayout, tensorKey, type NetLayout } from "../../src/model/layout.ts";
import { decodeCheckpoint, encodeCheckpoint, checkpointHeader, loadCheckpoint } from "../../src/io/checkpoint.ts";
import { TfNet } from "../../src/engine/tfjs/tfjs_nets.ts";
import { tfCpu } from "../util/tfjs.ts";
import { fixtures, dataset } from "../fixtures/v1_fixtures.ts";
import { smallDcganGenerator, smallDcganDiscriminator } from "../util/small_gans.ts";
import { stateDifference } from "../util/state.ts";

const dense = (units: number): LayerSpec => ({ type: "dense", units });
const conv = (type: "conv2d" | "conv2d_transpose", filters: number, k: number | [number, number], strides: number, padding: "same" | "valid" = "same"): LayerSpec =>
  ({ type, filters, kernelSize: k, strides, padding });
const adam = { type: "adam" as const, lr: 1e-3 };

// hand-made specs: one of each layer with parameters, with conditioning and packing
const handMade: GanSpec[] = [
  { name: "dense", latentDim: 3, dataShape: [5], batchSize: 4, loss: "hinge",
    generator: [dense(7), { type: "relu" }, dense(5)], discriminator: [dense(6), { type: "tanh" }, dense(1)],
    optimizer: { generator: adam, discriminator: adam } },
  { name: "conv", latentDim: 4, dataShape: [7, 5, 2], batchSize: 3, loss: "non-saturating",
    generator: [dense(70), { type: "reshape", targetShape: [7, 5, 2] }],
    discriminator: [conv("conv2d", 3, [3, 2], 2), { type: "leaky_relu" }, conv("conv2d", 4, 2, 1, "valid"), { type: "flatten" }, dense(1)],
    optimizer: { generator: adam, discriminator: adam } },
  { name: "conv-transpose", latentDim: 2, dataShape: [8, 6, 3], batchSize: 2, loss: "least-squares",
    generator: [dense(24), { type: "reshape", targetShape: [4, 3, 2] }, conv("conv2d_transpose", 5, [3, 2], 2), { type: "relu" }, conv("conv2d_transpose", 3, 1, 1, "valid")],
    discriminator: [{ type: "flatten" }, dense(1)],
    optimizer: { generator: adam, discriminator: adam } },
  { name: "batch-norm", latentDim: 3, dataShape: [6, 6, 1], batchSize: 4, loss: "minimax",
    generator: smallDcganGenerator, discriminator: [...smallDcganDiscriminator.slice(0, 2), { type: "batch_norm" }, ...smallDcganDiscriminator.slice(2)],
    optimizer: { generator: adam, discriminator: adam } },
  { name: "conditional images", latentDim: 3, dataShape: [6, 6, 1], numClasses: 4, batchSize: 4, loss: "non-saturating",
    generator: smallDcganGenerator, discriminator: smallDcganDiscriminator,
    optimizer: { generator: adam, discriminator: adam } },
  { name: "packed", latentDim: 2, dataShape: [3], pack: 3, batchSize: 6, loss: "wasserstein", gradientPenalty: true,
    generator: [dense(8), { type: "tanh" }, dense(3)], discriminator: [dense(4), { type: "relu" }, dense(1)],
    optimizer: { generator: adam, discriminator: adam } },
  { name: "spectral norm", latentDim: 2, dataShape: [8, 6, 3], batchSize: 2, loss: "hinge",
    generator: [{ ...dense(24), spectralNorm: true }, { type: "reshape", targetShape: [4, 3, 2] }, { ...conv("conv2d_transpose", 5, [3, 2], 2), spectralNorm: true }, { type: "batch_norm" }, conv("conv2d_transpose", 3, 1, 1, "valid")],
    discriminator: [{ ...conv("conv2d", 3, [3, 2], 2), spectralNorm: true }, { type: "leaky_relu" }, { type: "flatten" }, { ...dense(1), spectralNorm: true }],
    optimizer: { generator: adam, discriminator: adam } },
];
const specs: GanSpec[] = [...Object.keys(presets).map((n) => preset(n) as GanSpec), ...handMade];

// The engine builds one layer per spec layer but reshape and flatten (src/engine/net_builder.ts).
const engineLayers = (l: NetLayout) => l.layers.filter((x) => x.type !== "reshape" && x.type !== "flatten");

const mean = (v: Float32Array) => v.reduce((a, b) => a + b, 0) / v.length;

test("the layout's counts and offsets are the WASM engine's, for every preset and the hand-made specs", async () => {
  for (const input of specs) {
    const spec = validateSpec(input);
    const layout = modelLayout(spec);
    const gan = await createWasmGAN({ ...input, init: "dcgan" }, { seed: 3 });
    const { wasm, G, D } = gan.raw;
    const weights = gan.getWeights(), st = gan.saveState();
    for (const [net, h] of [["generator", G], ["discriminator", D]] as const) {
      const l = layout[roleNet(spec, net).name], at = `${spec.name} ${net}`;
      assert.is(wasm.netParamCount(h), l.paramCount, `${at}: parameter count`);
      assert.is(wasm.netStateCount(h), l.stateCount, `${at}: state count`);
      engineLayers(l).forEach((x, k) => assert.is(wasm.netLayerParamOffset(h, k), x.paramOffset, `${at}: layer ${x.index} (${x.type}) parameter offset`));
      // the blocks are covered without gaps, in order
      let p = 0, s = 0;
      for (const t of l.params) { assert.is(t.offset, p, `${at}: ${tensorKey(net, t)} offset`); p += t.size; }
      for (const t of l.state) { assert.is(t.offset, s, `${at}: ${tensorKey(net, t)} offset`); s += t.size; }
      assert.is(p, l.paramCount);
      assert.is(s, l.stateCount);
      // which floats are which, from the DCGAN initialisation
      for (const t of [...l.params, ...l.state]) {
        const v = (t.block === "params" ? weights[net] : st[net].state).subarray(t.offset, t.offset + t.size), key = `${at}: ${tensorKey(net, t)}`;
        if (t.name === "bias" || t.name === "beta" || t.name === "running_mean") assert.ok(v.every((x) => x === 0), `${key}: all 0`);
        else if (t.name === "running_var") assert.ok(v.every((x) => x === 1), `${key}: all 1`);
        else if (t.name === "sn_u" || t.name === "sn_v") {
          // spectral normalisation's vectors: unit length, of the kernel's [R, C] sides
          const k = l.layers[t.layer].tensors.find((x) => x.name === "kernel")!, C = k.shape.at(-1)!;
          assert.is(t.size, t.name === "sn_u" ? C : k.size / C, `${key}: length`);
          assert.ok(Math.abs(Math.hypot(...v) - 1) < 1e-6, `${key}: unit length (${Math.hypot(...v)})`);
        }
        else {
          // kernel N(0, 0.02), gamma N(1, 0.02): every value within 6 std of its mean (P(miss) < 1e-8 a value), and not all equal
          const centre = t.name === "gamma" ? 1 : 0;
          assert.ok(v.every((x) => Math.abs(x - centre) < 0.12) && v.some((x) => x !== centre), `${key}: N(${centre}, 0.02) values (mean ${mean(v)})`);
        }
      }
    }
  }
});

test("TfNet builds its variables with the layout's shapes, in the layout's order", async () => {
  const tf = await tfCpu();
  for (const input of specs) {
    const spec = validateSpec(input);
    for (const [net, l] of Object.entries(modelLayout(spec))) {
      const layers = spec.nets[net];
      const n = new TfNet(tf, layers, l.input, new Float32Array(l.paramCount), new Float32Array(l.stateCount));
      try {
        assert.equal(n.params.map((v) => v.shape), l.params.map((t) => t.shape), `${spec.name} ${net}: parameter shapes`);
        assert.equal(n.stateVars.map((v) => v.shape), l.state.map((t) => t.shape), `${spec.name} ${net}: state shapes`);
      } finally {
        n.dispose();
      }
    }
  }
});

test("netLayout names the tensors of each layer type in tfjs layouts", () => {
  // normalised layers (validateSpec makes kernelSize and strides pairs)
  const l = netLayout([
    { type: "conv2d", filters: 5, kernelSize: [3, 2], strides: [2, 2], padding: "same" },
    { type: "conv2d_transpose", filters: 7, kernelSize: [3, 3], strides: [2, 2], padding: "same" },
    { type: "batch_norm" }, { type: "flatten" }, dense(4),
  ], [6, 4, 3]);
  assert.equal(l.params.map((t) => [tensorKey("net", t), t.shape]), [
    ["net.0.kernel", [3, 2, 3, 5]], ["net.0.bias", [5]],
    ["net.1.kernel", [3, 3, 7, 5]], ["net.1.bias", [7]],
    ["net.2.gamma", [7]], ["net.2.beta", [7]],
    ["net.4.kernel", [6 * 4 * 7, 4]], ["net.4.bias", [4]],
  ]);
  assert.equal(l.state.map((t) => [tensorKey("net", t), t.shape, t.offset]), [["net.2.running_mean", [7], 0], ["net.2.running_var", [7], 7]]);
  assert.equal(l.layers.map((x) => x.paramOffset), [0, 95, 95 + 322, 95 + 322 + 14, 95 + 322 + 14]);
  assert.is(l.paramCount, 95 + 322 + 14 + 6 * 4 * 7 * 4 + 4);
  assert.equal(l.output, [4]);
  // spectral normalisation: u [C] and v [R] of the kernel read as [R, C], after the layer's own state
  const s = netLayout([{ type: "conv2d", filters: 5, kernelSize: [3, 2], strides: [2, 2], padding: "same", spectralNorm: true },
    { type: "conv2d_transpose", filters: 7, kernelSize: [3, 3], strides: [2, 2], padding: "same", spectralNorm: true }, { type: "batch_norm" },
    { type: "flatten" }, { ...dense(4), spectralNorm: true }], [6, 4, 3]);
  assert.equal(s.params, l.params, "the parameters do not move");
  assert.equal(s.state.map((t) => [tensorKey("net", t), t.shape, t.offset]), [
    ["net.0.sn_u", [5], 0], ["net.0.sn_v", [18], 5], ["net.1.sn_u", [5], 23], ["net.1.sn_v", [63], 28],
    ["net.2.running_mean", [7], 91], ["net.2.running_var", [7], 98], ["net.4.sn_u", [4], 105], ["net.4.sn_v", [168], 109]]);
});

test("tensorKey: a named layer by its name, an unnamed one by its index; byIndex (version 1) names every layer by index", () => {
  const l = netLayout([dense(4), { type: "relu", name: "a" }, { ...dense(3), name: "out" }, { type: "batch_norm", name: "bn" }], [2]);
  assert.equal(l.params.map((t) => tensorKey("G", t)), ["G.0.kernel", "G.0.bias", "G.out.kernel", "G.out.bias", "G.bn.gamma", "G.bn.beta"]);
  assert.equal(l.state.map((t) => tensorKey("G", t)), ["G.bn.running_mean", "G.bn.running_var"]);
  assert.equal(l.params.map((t) => tensorKey("G", t, true)), ["G.0.kernel", "G.0.bias", "G.2.kernel", "G.2.bias", "G.3.gamma", "G.3.beta"]);
});

test("modelLayout lays out every net by name, each on its role's input", () => {
  const spec = validateSpec({ ...preset("cgan-mnist"), generator: undefined, discriminator: undefined, optimizer: { D: adam, G: adam },
    nets: { D: preset("cgan-mnist").discriminator, G: preset("cgan-mnist").generator }, objective: { type: "gan", generator: "G", discriminator: "D" } });
  const m = modelLayout(spec);
  assert.equal(Object.keys(m), ["D", "G"]);
  assert.equal(m.G.input, [110], "z(100) + one-hot(10)");
  assert.equal(m.D.input, [28, 28, 11], "the image with 10 one-hot channels");
  assert.equal(m.G.output, [28, 28, 1]);
});

// --- version-1 checkpoints


for (const f of fixtures) {
  test(`v1 fixture ${f.file}: decodes to the weights its training run gives, bit for bit, and re-encodes to the same tensors`, async () => {
    const path = new URL(`../fixtures/${f.file}`, import.meta.url).pathname;
    const bytes = new Uint8Array(readFileSync(path));
    const c = decodeCheckpoint(bytes, path, { spec: f.spec });
    assert.is(c.step, f.steps);
    assert.is(c.seed, f.seed);
    // the same run today
    const gan = await createWasmGAN(f.spec, { seed: f.seed });
    if (f.average) gan.averageGenerator(f.average);
    await gan.train(dataset(f) as any, { steps: f.steps });
    assert.is(stateDifference(c.state, gan.saveState()), undefined, `${f.file}: the decoded state equals a fresh run's`);
    // loaded into an engine
    const { gan: loaded } = await loadCheckpoint(path);
    if (f.average) loaded.averageGenerator(f.average);
    loaded.loadState(c.state);
    assert.is(stateDifference(loaded.saveState(), c.state), undefined, `${f.file}: loadCheckpoint restores it`);
    // re-encoded (as version 2): the same tensor table and data section (a shorthand spec with
    // unnamed layers keeps version 1's tensor names); the metadata differs in `created`, the
    // version and the spec, now in the named form
    assert.is(c.formatVersion, 1);
    const again = encodeCheckpoint(c.spec, c.state, { seed: c.seed, engine: JSON.parse(c.metadata.engine), metadata: { fixture: c.metadata.fixture } });
    const h0 = checkpointHeader(bytes), h1 = checkpointHeader(again);
    const table = (h: Record<string, any>) => Object.entries(h).filter(([k]) => k !== "__metadata__");
    assert.equal(table(h1), table(h0), `${f.file}: tensor table`);
    const { created: _a, format_version: v0, spec: s0, ...m0 } = h0.__metadata__, { created: _b, format_version: v1, spec: s1, ...m1 } = h1.__metadata__;
    assert.equal([v0, v1], ["1", "2"], `${f.file}: format_version 1, re-saved as 2`);
    assert.equal(JSON.parse(s1), validateSpec(JSON.parse(s0)), `${f.file}: the spec, in the named form`);
    assert.ok("nets" in JSON.parse(s1) && !("generator" in JSON.parse(s1)), `${f.file}: v2 stores the named form`);
    assert.equal(m1, m0, `${f.file}: metadata but the creation time, version and spec`);
    const data = (b: Uint8Array) => Buffer.from(b.subarray(8 + Number(new DataView(b.buffer, b.byteOffset).getBigUint64(0, true))));
    assert.ok(data(again).equals(data(bytes)), `${f.file}: data section, byte for byte`);
  });

  test(`v1 fixture ${f.file}: loaded, saved as version 2, loaded again: the same state, bit for bit`, async () => {
    const path = new URL(`../fixtures/${f.file}`, import.meta.url).pathname;
    const v1 = decodeCheckpoint(new Uint8Array(readFileSync(path)), path);
    const { gan } = await loadCheckpoint(path);
    // the engine keeps a moving average only once asked to (as the fixture's run did)
    if (f.average) { gan.averageGenerator(f.average); gan.loadState(v1.state); }
    const v2bytes = encodeCheckpoint(gan.spec, gan.saveState(), { seed: gan.seed, engine: gan.engineInfo() });
    const v2 = decodeCheckpoint(v2bytes, "v2");
    assert.is(v2.formatVersion, 2);
    assert.is(checkpointHeader(v2bytes).__metadata__.format_version, "2");
    assert.equal(v2.spec, v1.spec, `${f.file}: the same normalised spec`);
    assert.is(v2.seed, v1.seed);
    assert.is(stateDifference(v2.state, v1.state), undefined, `${f.file}: v1 -> engine -> v2 -> decoded: the same state`);
    // and into a fresh engine: the state it saves is the v1 file's
    const fresh = await createWasmGAN(v2.spec, { seed: v2.seed });
    if (f.average) fresh.averageGenerator(f.average);
    fresh.loadState(v2.state);
    assert.is(stateDifference(fresh.saveState(), v1.state), undefined, `${f.file}: the v2 state loaded into a fresh engine`);
  });
}

test.run();
