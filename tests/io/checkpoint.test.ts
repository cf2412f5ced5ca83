// Checkpoints (src/io/checkpoint.ts): the safetensors layout, bit-exact resume through a file for
// every optimiser and batch norm, and one-line CheckpointErrors for each kind of damage.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crc32 as zlibCrc32 } from "node:zlib";
import { createWasmGAN as createGAN, ring8, type GanSpec } from "../../src/index.ts";
import { CheckpointError, decodeCheckpoint, encodeCheckpoint, readCheckpoint, saveCheckpoint, loadCheckpoint, checkpointHeader, specDifference } from "../../src/io/checkpoint.ts";
import { crc32 } from "../../src/io/crc32.ts";
import { encodeNpy, decodeNpy } from "../../src/io/npy.ts";
import type { GanState } from "../../src/engine/wasm_engine.ts";

const data = await ring8({ count: 2048, seed: 5 });
const images = (() => {
  const x = new Float32Array(64 * 8 * 8);
  for (let i = 0; i < x.length; i++) x[i] = Math.sin(i * 0.37) * 0.9;
  return x;
})();

// 2-D points: adam for G, rmsprop for D, packing
const mlpSpec: GanSpec = {
  name: "tiny-mlp", latentDim: 3, dataShape: [2], batchSize: 16, loss: "non-saturating", pack: 2,
  lrSchedule: { type: "linear", steps: 40 },
  generator: [{ type: "dense", units: 12 }, { type: "relu" }, { type: "dense", units: 2 }],
  discriminator: [{ type: "dense", units: 10 }, { type: "leaky_relu" }, { type: "dense", units: 1 }],
  optimizer: { generator: { type: "adam", lr: 1e-3 }, discriminator: { type: "rmsprop", lr: 1e-3 } },
};
// images: batch norm in both nets (running statistics), conv and transposed conv, sgd with momentum
const convSpec: GanSpec = {
  name: "tiny-conv", latentDim: 4, dataShape: [8, 8, 1], batchSize: 6, loss: "non-saturating", init: "dcgan",
  generator: [
    { type: "dense", units: 32 }, { type: "batch_norm" }, { type: "relu" }, { type: "reshape", targetShape: [4, 4, 2] },
    { type: "conv2d_transpose", filters: 3, kernelSize: 3, strides: 2 }, { type: "batch_norm" }, { type: "relu" },
    { type: "conv2d", filters: 1, kernelSize: 3 }, { type: "tanh" },
  ],
  discriminator: [
    { type: "conv2d", filters: 4, kernelSize: 3, strides: 2 }, { type: "batch_norm" }, { type: "leaky_relu" },
    { type: "flatten" }, { type: "dense", units: 1 },
  ],
  optimizer: { generator: { type: "sgd", lr: 0.01, momentum: 0.9 }, discriminator: { type: "adam", lr: 2e-4 } },
};
const cases = [{ spec: mlpSpec, x: data.x }, { spec: convSpec, x: images }];

const bitsEqual = (a: ArrayLike<number> & { buffer: ArrayBufferLike; byteOffset: number; byteLength: number }, b: typeof a) =>
  a.byteLength === b.byteLength && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;
function sameState(a: GanState, b: GanState): string | undefined {
  if (a.step !== b.step) return `step ${a.step} vs ${b.step}`;
  if (!bitsEqual(a.rng, b.rng)) return "rng";
  if (!bitsEqual(a.stats, b.stats)) return "stats";
  for (const net of ["generator", "discriminator"] as const) {
    for (const k of ["params", "opt1", "opt2", "state"] as const) if (!bitsEqual(a[net][k], b[net][k])) return `${net}.${k}`;
    if (a[net].updates !== b[net].updates) return `${net}.updates`;
  }
  return undefined;
}

test("crc32 matches zlib's", () => {
  const bytes = Uint8Array.from({ length: 1031 }, (_, i) => (i * 7919) & 255);
  for (const n of [0, 1, 3, 4, 5, 1031]) assert.is(crc32(bytes.subarray(0, n)), zlibCrc32(bytes.subarray(0, n)), `length ${n}`);
  assert.is(crc32(bytes.subarray(5)), crc32(bytes.subarray(9), crc32(bytes.subarray(5, 9))), "running value");
});

test("resume through a checkpoint file is bit-exact: 2N steps == N, save, load into a fresh GAN, N", async () => {
  const dir = mkdtempSync(join(tmpdir(), "wasm-gan-ckpt-"));
  try {
    for (const { spec, x } of cases) {
      const straight = await createGAN(spec, { seed: 11 });
      await straight.train(x, { steps: 14 });
      const first = await createGAN(spec, { seed: 11 });
      await first.train(x, { steps: 7 });
      const file = join(dir, `${spec.name}.safetensors`);
      await saveCheckpoint(file, first);
      const { gan: second, checkpoint } = await loadCheckpoint(file);
      assert.is(checkpoint.step, 7);
      assert.is(checkpoint.seed, 11);
      assert.is(sameState(second.saveState(), first.saveState()), undefined, `${spec.name}: the loaded state equals the saved one`);
      await second.train(x, { steps: 7 });
      assert.is(sameState(second.saveState(), straight.saveState()), undefined, `${spec.name}: resumed == straight`);
      // and the generators agree in inference (batch-norm running statistics included)
      assert.ok(bitsEqual(second.sample(20, { seed: 3 }), straight.sample(20, { seed: 3 })), `${spec.name}: samples`);
    }
    assert.equal(readdirSync(dir).filter((f) => f.includes(".tmp-")), [], "no temporary files left");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the file is safetensors: 8-byte length, space-padded JSON header, contiguous little-endian tensors, documented names", async () => {
  const gan = await createGAN(convSpec, { seed: 2 });
  await gan.train(images, { steps: 3 });
  const bytes = encodeCheckpoint(gan.spec, gan.saveState(), { seed: 2, engine: gan.engineInfo(), metadata: { note: "hello" } });
  const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assert.is(n % 8, 0, "header padded to 8 bytes");
  const h = checkpointHeader(bytes);
  const meta = h.__metadata__;
  for (const v of Object.values(meta)) assert.type(v, "string");
  assert.is(meta.format, "wasm-gan-checkpoint");
  assert.is(meta.format_version, "2", "writes format version 2");
  assert.is(meta.step, "3");
  assert.is(meta.seed, "2");
  assert.is(meta.note, "hello");
  assert.is(JSON.parse(meta.spec).name, "tiny-conv");
  assert.is(meta.crc32, zlibCrc32(bytes.subarray(8 + n)).toString(16).padStart(8, "0"));
  const names = Object.keys(h).filter((k) => k !== "__metadata__");
  const shapes = Object.fromEntries(names.map((k) => [k, h[k].shape]));
  assert.equal(shapes["generator.0.kernel"], [4, 32]);
  assert.equal(shapes["generator.0.bias"], [32]);
  assert.equal(shapes["generator.1.gamma"], [32]);
  assert.equal(shapes["generator.1.running_var"], [32]);
  assert.equal(shapes["generator.4.kernel"], [3, 3, 3, 2], "conv2d_transpose: [kh, kw, filters, cin]");
  assert.equal(shapes["generator.4.bias"], [3]);
  assert.equal(shapes["generator.7.kernel"], [3, 3, 3, 1], "conv2d: [kh, kw, cin, filters]");
  assert.equal(shapes["discriminator.4.kernel"], [64, 1], "dense after flatten of [4, 4, 4]");
  const P = gan.paramCounts();
  assert.equal(shapes["optimizer.generator.momentum_buffer"], [P.generator]);
  assert.ok(!("optimizer.generator.exp_avg" in shapes));
  assert.equal(shapes["optimizer.discriminator.exp_avg_sq"], [P.discriminator]);
  assert.equal(shapes["train.rng"], [4]);
  assert.is(h["train.counters"].dtype, "U32");
  // back to back from 0 to the end of the file
  const spans = names.map((k) => h[k].data_offsets as [number, number]).sort((a, b) => a[0] - b[0]);
  let at = 0;
  for (const [b, e] of spans) { assert.is(b, at); at = e; }
  assert.is(8 + n + at, bytes.length);
  // the values: little-endian f32 in tfjs layout, matching getWeights()
  const w = gan.getWeights().generator;
  const [b0] = h["generator.0.kernel"].data_offsets;
  const dv = new DataView(bytes.buffer, 8 + n + b0);
  for (let i = 0; i < 10; i++) assert.is(dv.getFloat32(4 * i, true), w[i]);
  const c = h["train.counters"].data_offsets[0];
  assert.equal([0, 1, 2].map((i) => new DataView(bytes.buffer).getUint32(8 + n + c + 4 * i, true)), [3, 3, 3]);
});

// Rewrites a checkpoint: header and data may be changed; the CRC is recomputed unless told not to.
function rebuild(bytes: Uint8Array, edit: (h: Record<string, any>, data: Uint8Array) => Uint8Array | void, fixCrc = true): Uint8Array {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const h = checkpointHeader(bytes);
  let data: Uint8Array = bytes.slice(8 + n);
  data = edit(h, data) ?? data;
  if (fixCrc) h.__metadata__.crc32 = crc32(data).toString(16).padStart(8, "0");
  const head = new TextEncoder().encode(JSON.stringify(h));
  const out = new Uint8Array(8 + head.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  out.set(data, 8 + head.length);
  return out;
}

test("each kind of damage: a one-line CheckpointError naming the file and the problem", async () => {
  const gan = await createGAN(mlpSpec, { seed: 4 });
  await gan.train(data.x, { steps: 2 });
  const good = encodeCheckpoint(gan.spec, gan.saveState(), { seed: 4 });
  const n = Number(new DataView(good.buffer).getBigUint64(0, true));
  const h = checkpointHeader(good);
  const [kb, ke] = h["generator.0.kernel"].data_offsets;
  const flip = good.slice(); flip[8 + n + kb + 5] ^= 0x10;
  const png = Uint8Array.from([137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 1]);
  const cases: [string, Uint8Array, RegExp][] = [
    ["flipped byte", flip, /CRC-32 is [0-9a-f]{8}, the header says [0-9a-f]{8}/],
    ["cut short in the data", good.subarray(0, good.length - 100), /truncated: the header describes \d+ bytes of tensor data, the file holds \d+/],
    ["cut short in the header", good.subarray(0, 50), /header length field says \d+ bytes, the file holds 50/],
    ["too short", good.subarray(0, 5), /too short/],
    ["wrong magic: a PNG", png, /not a safetensors checkpoint/],
    ["header not starting with {", (() => { const b = good.slice(); b[8] = 0x5b; return b; })(), /does not start with "\{"/],
    ["header not JSON", (() => { const b = good.slice(); b[9] = 0x78; return b; })(), /not valid JSON/],
    ["another format", rebuild(good, (hh) => { hh.__metadata__.format = "other"; }), /not a wasm-gan checkpoint/],
    ["shape lies about size", rebuild(good, (hh) => { hh["generator.0.kernel"].shape = [3, 13]; }), /header lies about sizes: tensor generator.0.kernel is F32 of shape \[3, 13\] \(156 bytes\) but its data_offsets span 144 bytes/],
    ["overlapping offsets", rebuild(good, (hh) => { const t = hh["generator.0.bias"]; const len = t.data_offsets[1] - t.data_offsets[0]; t.data_offsets = [t.data_offsets[0] - 8, t.data_offsets[0] - 8 + len]; }), /overlap/],
    ["offsets past the end", rebuild(good, (hh) => { const t = hh["train.stats"]; t.data_offsets = [t.data_offsets[0] + 4000, t.data_offsets[1] + 4000]; }), /truncated/],
    ["a gap", rebuild(good, (hh, d) => { for (const k of Object.keys(hh)) if (k !== "__metadata__") hh[k].data_offsets = hh[k].data_offsets.map((o: number) => o + 4); const e = new Uint8Array(d.length + 4); e.set(d, 4); return e; }), /4 bytes before tensor .* belong to no tensor/],
    ["trailing bytes", rebuild(good, (_, d) => { const e = new Uint8Array(d.length + 8); e.set(d); return e; }), /8 bytes after the last tensor belong to no tensor/],
    ["missing tensor", rebuild(good, (hh) => { hh["generator.0.kernelx"] = hh["generator.0.kernel"]; delete hh["generator.0.kernel"]; }), /tensor generator.0.kernel is missing/],
    ["wrong dtype", rebuild(good, (hh) => { hh["generator.0.kernel"].dtype = "F16"; }), /dtype "F16" is not one this checkpoint uses/],
    ["NaN in weights", rebuild(good, (_, d) => { new DataView(d.buffer, d.byteOffset).setFloat32(kb + 8, NaN, true); }), /tensor generator.0.kernel holds NaN at index 2/],
    ["infinity in optimiser state", rebuild(good, (hh, d) => { new DataView(d.buffer, d.byteOffset).setFloat32(hh["optimizer.discriminator.square_avg"].data_offsets[0], Infinity, true); }), /optimizer.discriminator.square_avg holds Infinity at index 0/],
    ["step disagrees", rebuild(good, (hh) => { hh.__metadata__.step = "9"; }), /__metadata__.step is 9, train.counters says 2/],
    ["spec not valid", rebuild(good, (hh) => { hh.__metadata__.spec = JSON.stringify({ ...mlpSpec, batchSize: -3 }); }), /__metadata__.spec is not a valid spec: spec.batchSize: must be an integer/],
  ];
  assert.ok(ke > kb);
  for (const [what, bytes, re] of cases) {
    try {
      decodeCheckpoint(bytes, "/runs/x/checkpoint.safetensors");
      assert.unreachable(`${what}: accepted`);
    } catch (e) {
      assert.instance(e, CheckpointError, `${what}: ${(e as Error).message}`);
      const msg = (e as Error).message;
      assert.ok(msg.startsWith("/runs/x/checkpoint.safetensors: "), `${what}: names the file: ${msg}`);
      assert.not.match(msg, /\n/, `${what}: one line`);
      assert.match(msg, re, `${what}: ${msg}`);
    }
  }
  // the good one passes, and refuses another spec with the field named
  assert.is(decodeCheckpoint(good, "x").step, 2);
  assert.throws(() => decodeCheckpoint(good, "x", { spec: { ...mlpSpec, batchSize: 32 } }), (e: Error) => /a checkpoint of another spec: spec.batchSize is 16 in the checkpoint, 32 here/.test(e.message));
  assert.throws(() => decodeCheckpoint(good, "x", { spec: { ...mlpSpec, optimizer: { ...mlpSpec.optimizer, generator: { type: "adam", lr: 2e-3 } } } }),
    (e: Error) => /spec.optimizer.generator.lr is 0.001 in the checkpoint, 0.002 here/.test(e.message));
});

test("specDifference names the first differing field, or nothing", () => {
  assert.is(specDifference({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }), undefined);
  assert.is(specDifference({ a: [1, { b: 2 }] }, { a: [1, { b: 3 }] }), "spec.a[1].b is 2 in the checkpoint, 3 here");
  assert.is(specDifference({ a: 1 }, { a: 1, c: "x" }), 'spec.c is absent in the checkpoint, "x" here');
  assert.is(specDifference({ a: [1, 2] }, { a: [1] }), "spec.a has 2 entries in the checkpoint, 1 here");
});

test("a diverged state is not saved over the last good checkpoint", async () => {
  const dir = mkdtempSync(join(tmpdir(), "wasm-gan-ckpt-"));
  try {
    const gan = await createGAN(mlpSpec, { seed: 4 });
    const file = join(dir, "checkpoint.safetensors");
    await saveCheckpoint(file, gan);
    const before = readFileSync(file);
    const w = gan.getWeights();
    w.generator[3] = NaN;
    // setWeights refuses NaN; write it the low-level way, as a diverged update would
    const { wasm, G } = gan.raw;
    new Float32Array(wasm.memory.buffer, wasm.netParams(G), w.generator.length).set(w.generator);
    try {
      await saveCheckpoint(file, gan);
      assert.unreachable("saved");
    } catch (e) {
      assert.instance(e, CheckpointError);
      assert.match((e as Error).message, /not saved: tensor generator.0.kernel holds NaN at index 3 at step 0 \(the run has diverged\)/);
    }
    assert.ok(Buffer.compare(readFileSync(file), before) === 0, "the last good checkpoint is intact");
    assert.is((await readCheckpoint(dir)).step, 0, "a run directory names its checkpoint");
    assert.equal(readdirSync(dir), ["checkpoint.safetensors"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("reading: a missing file, a directory without a checkpoint", async () => {
  const dir = mkdtempSync(join(tmpdir(), "wasm-gan-ckpt-"));
  try {
    for (const p of [join(dir, "nope.safetensors"), dir]) {
      try {
        await readCheckpoint(p);
        assert.unreachable();
      } catch (e) {
        assert.instance(e, CheckpointError);
        assert.match((e as Error).message, /: no such file$/);
      }
    }
    writeFileSync(join(dir, "empty.safetensors"), "");
    await readCheckpoint(join(dir, "empty.safetensors")).then(() => assert.unreachable(), (e) => assert.match(e.message, /empty.safetensors: not a checkpoint: 0 bytes/));
    assert.ok(existsSync(dir));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test(".npy: version 1.0 header, 64-byte aligned, '<f4', round trip", () => {
  const x = Float32Array.from({ length: 24 }, (_, i) => i / 3 - 2);
  const bytes = encodeNpy(x, [3, 2, 4]);
  assert.equal([...bytes.subarray(0, 8)], [0x93, 78, 85, 77, 80, 89, 1, 0]);
  const hlen = new DataView(bytes.buffer).getUint16(8, true);
  assert.is((10 + hlen) % 64, 0);
  const header = new TextDecoder().decode(bytes.subarray(10, 10 + hlen));
  assert.match(header, /^\{'descr': '<f4', 'fortran_order': False, 'shape': \(3, 2, 4\), \} *\n$/);
  const back = decodeNpy(bytes);
  assert.equal(back.shape, [3, 2, 4]);
  assert.equal(Array.from(back.data), Array.from(x));
  assert.match(new TextDecoder().decode(encodeNpy(new Float32Array(5), [5]).subarray(10, 80)), /'shape': \(5,\)/);
});

test.run();
