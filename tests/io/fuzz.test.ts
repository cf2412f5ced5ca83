// Untrusted files (issue 16, item 4): the short fuzz of every loader (tests/util/fuzz.ts; the long
// one is scripts/fuzz_loaders.ts), and one regression test for each class of bug it found.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { encode as encodePngImage } from "fast-png";
import { runFuzz } from "../util/fuzz.ts";
import { fuzzTargets, pngBomb, idxBomb } from "../util/fuzz_targets.ts";
import { splitSt, joinSt, deep } from "../util/fuzz_mutate.ts";
import { decodeCheckpoint, readCheckpoint, CheckpointError } from "../../src/io/checkpoint.ts";
import { readConfig, UsageError } from "../../src/cli/args.ts";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeGeneratorFile, GeneratorFileError } from "../../src/export/generator_file.ts";
import { parseSpecJson } from "../../src/io/spec_file.ts";
import { ModelFileError, jsonDepth } from "../../src/io/limits.ts";
import { validateSpec, SpecError } from "../../src/model/spec.ts";
import { createGAN } from "../../src/engine/wasm_engine.ts";
import { ring8 } from "../../src/model/presets.ts";
import { decodeNpy, encodeNpy, NpyError } from "../../src/io/npy.ts";
import { pngDataset } from "../../src/data/image_folder.ts";
import { gunzipIfNeeded } from "../../src/data/idx.ts";
import { DataError } from "../../src/data/errors.ts";
import { crc32 } from "../../src/io/crc32.ts";

const targets = await fuzzTargets();
const file = (target: string, name: string) => targets.find((t) => t.name === target)!.files.find((f) => f.name === name)!.bytes;
const checkpoint = file("checkpoint", "mlp.checkpoint.safetensors"), generator = file("generator", "dcgan.generator.safetensors");

function refuses(f: () => unknown, cls: Function, pattern: RegExp, label: string): void {
  try {
    f();
  } catch (e) {
    assert.instance(e, cls, `${label}: a ${cls.name} (got ${(e as Error).name}: ${(e as Error).message.slice(0, 200)})`);
    assert.match((e as Error).message, pattern, label);
    assert.not.match((e as Error).message, /\n/, `${label}: one line`);
    return;
  }
  assert.unreachable(`${label}: accepted`);
}
async function rejects(f: () => Promise<unknown>, cls: Function, pattern: RegExp, label: string): Promise<void> {
  let err: unknown;
  try { await f(); } catch (e) { err = e; }
  refuses(() => { if (err) throw err; }, cls, pattern, label);
}

test("short fuzz: 1,200 mutated checkpoints, generator exports, specs, IDX, NPY and PNG files (seed 1) each end in a recognised one-line error or a valid load that generates; no load over 1 s of CPU (5 s wall); decode growth under the cap", async () => {
  const r = await runFuzz({ seed: 1, cases: 1200, targets });
  const summary = `${r.cases} cases, ${r.valid} valid, errors ${JSON.stringify(r.errors)}, slowest load ${r.worstMs.toFixed(0)} ms wall (${r.worstCase}), ${r.worstCpuMs.toFixed(0)} ms CPU (${r.worstCpuCase}), with proof ${r.worstTotalMs.toFixed(0)} ms, arrayBuffers +${(r.worstArrayBuffersBytes / 2 ** 20).toFixed(2)} MiB, ${r.seconds.toFixed(1)} s`;
  assert.equal(r.failures, [], summary);
  assert.is(r.cases, 1200);
  for (const t of ["checkpoint", "generator", "spec", "idx", "npy", "png"]) {
    assert.ok(r.byTarget[t]?.valid > 0, `${t}: some valid loads (the baselines at least): ${summary}`);
    assert.ok(r.byTarget[t].cases > r.byTarget[t].valid, `${t}: some refusals`);
  }
  assert.ok(r.worstArrayBuffersBytes < r.limits.maxTensorBytes!, `worst arrayBuffers growth across a decode below the cap: ${summary}`);
});

test("found by the fuzz: JSON nested 100,000 deep (a header's shape, the header itself, a spec) is refused by the depth scan before JSON.parse, not a stack overflow", () => {
  const st = splitSt(checkpoint);
  const t = Object.keys(st.header).find((k) => k !== "__metadata__")!;
  const text = JSON.stringify(st.header).replace(`"${t}":{"dtype":"F32","shape":`, `"${t}":{"dtype":"F32","shape":${deep(100000)},"was":`);
  refuses(() => decodeCheckpoint(joinSt(text, st.data), "deep.safetensors"), CheckpointError, /^deep\.safetensors: corrupted header: its JSON nests more than 64 deep \(the limit, option maxJsonDepth\)$/, "deep shape");
  refuses(() => parseSpecJson(`{"name": ${deep(100000, true)}}`), SpecError, /^spec: the spec nests arrays and objects more than 64 deep/, "deep spec");
  assert.is(jsonDepth('{"a": "[[[[", "b": [[1]]}'), 3, "brackets in strings are not nesting");
  assert.is(jsonDepth('["\\"[[", [[]]]'), 3, "escaped quotes stay in the string");
});

test("found by the fuzz: a header of 150,000 tensor entries is refused with a message (no spread of 150,000 arguments, a RangeError before; no walk of entries the spec cannot hold: 60,000 took up to 1 s), and above maxHeaderBytes before JSON.parse", () => {
  const st = splitSt(checkpoint);
  for (let i = 0; i < 150000; i++) st.header[`t${i}`] = { dtype: "F32", shape: [0], data_offsets: [0, 0] };
  const bytes = joinSt(JSON.stringify(st.header), st.data);
  refuses(() => decodeCheckpoint(bytes, "many", { maxHeaderBytes: 32 << 20 }), CheckpointError, /^many: header lies about its contents: it lists 150020 tensors, the file's spec holds 20$/, "150,000 entries, the header allowed: refused by the count the spec gives, before the entries are walked");
  const g = splitSt(generator);
  g.header.extra = { dtype: "F32", shape: [0], data_offsets: [0, 0] };
  refuses(() => decodeGeneratorFile(joinSt(JSON.stringify(g.header), g.data), "g"), GeneratorFileError, /^g: header lies about its contents: it lists 9 tensors, the file's spec holds 8$/, "one tensor too many in an export");
  refuses(() => decodeCheckpoint(bytes, "many"), CheckpointError, /^many: header too large: \d+ bytes, above the limit of 4 MiB \(option maxHeaderBytes\)$/, "the default cap");
});

test("names from the file are quoted or escaped in messages, so a name holding a newline keeps the message one line (tensor names; spec keys and file names: found by the fuzz once it tried such keys)", () => {
  const st = splitSt(checkpoint);
  const k = Object.keys(st.header).find((k) => k !== "__metadata__")!;
  st.header["evil\nname"] = { ...st.header[k], dtype: "F16" };
  delete st.header[k];
  refuses(() => decodeCheckpoint(joinSt(JSON.stringify(st.header), st.data), "nl"), CheckpointError, /^nl: tensor "evil\\nname": dtype "F16" is not one/, "newline in a tensor name");
  refuses(() => parseSpecJson(JSON.stringify({ ...ring8(), optimizer: { ...ring8().optimizer, "x\ny": {} } })), SpecError, /^spec\.optimizer\.x\\ny: unknown field \(allowed: generator, discriminator\)$/, "newline in a spec key (SpecError escapes it)");
  assert.is(new DataError("a\nb.png", "bad").message, "a\\nb.png: bad", "DataError escapes a file name's newline");
});

test("found by the fuzz: .npy shapes must be non-negative integers ((-1, -4) and (0.5, 8) were accepted: 4 values 'of' those shapes)", () => {
  const npy = encodeNpy(new Float32Array(4), [4]);
  const withShape = (s: string) => {
    const b = npy.slice(), n = new DataView(b.buffer).getUint16(8, true);
    const t = new TextDecoder("latin1").decode(b.subarray(10, 10 + n)).replace("(4,)", s).padEnd(n);
    for (let i = 0; i < n; i++) b[10 + i] = t.charCodeAt(i);
    return b;
  };
  for (const s of ["(-1, -4)", "(0.5, 8)", "(1e9,)"]) refuses(() => decodeNpy(withShape(s)), NpyError, /unsupported \.npy header .*: the shape must be non-negative integers$/, `shape ${s}`);
  assert.equal(decodeNpy(withShape("(2, 2)")).shape, [2, 2], "(2, 2) still reads");
  refuses(() => decodeNpy(npy, { maxTensorBytes: 8 }), NpyError, /\.npy too large: 16 bytes of floats, above the limit of 8 bytes \(option maxTensorBytes\)/, "maxTensorBytes");
  const v2 = npy.slice(); v2[6] = 2; new DataView(v2.buffer).setUint32(8, 0xffffffff, true);
  refuses(() => decodeNpy(v2), NpyError, /truncated \.npy: its header length says 4294967295 bytes/, "a v2 header length beyond the file");
  assert.instance(new NpyError("x"), RangeError, "still a RangeError, as before");
});

test("found by the fuzz: a PNG whose IHDR says palette but holds no PLTE (or another depth / channel count than the decoder reads) is refused, not read past its pixels into NaN", async () => {
  const p = encodePngImage({ width: 3, height: 2, channels: 1, depth: 8, data: Uint8Array.of(0, 50, 100, 150, 200, 250) });
  p[25] = 3; // colour type: palette
  new DataView(p.buffer, p.byteOffset).setUint32(29, crc32(p.subarray(12, 29)));
  await rejects(() => pngDataset([{ path: "d/p.png", bytes: p }], "d"), DataError, /^d\/p\.png: cannot decode PNG: a palette image without a palette \(PLTE chunk\)$/, "palette without PLTE");
  const q = encodePngImage({ width: 2, height: 2, channels: 3, depth: 8, data: new Uint8Array(12) });
  q[25] = 6; // RGB data, header says RGBA
  new DataView(q.buffer, q.byteOffset).setUint32(29, crc32(q.subarray(12, 29)));
  await rejects(() => pngDataset([{ path: "d/q.png", bytes: q }], "d"), DataError, /^d\/q\.png: cannot decode PNG/, "RGB data under an RGBA header");
});

test("caps before allocation: a PNG of 65535x65535 (17 GiB of floats: allocated before), a 1x1 PNG inflating to 8 MiB, a gzipped IDX inflating past maxTensorBytes", async () => {
  const p = encodePngImage({ width: 2, height: 2, channels: 1, depth: 8, data: new Uint8Array(4) });
  const v = new DataView(p.buffer, p.byteOffset);
  v.setUint32(16, 65535); v.setUint32(20, 65535); v.setUint32(29, crc32(p.subarray(12, 29)));
  await rejects(() => pngDataset([{ path: "d/huge.png", bytes: p }], "d"), DataError, /^d: too large: 1 images of 65535x65535x1 need 16 GiB as floats, above the limit of 1 GiB \(option maxTensorBytes\)$/, "65535x65535");
  await rejects(() => pngDataset([{ path: "d/bomb.png", bytes: pngBomb(8 << 20) }], "d"), DataError, /^d\/bomb\.png: cannot decode PNG: its pixel data inflates to more than the 2 bytes a 1x1 8-bit grey image holds \(a decompression bomb\?\)$/, "PNG bomb");
  await rejects(() => gunzipIfNeeded(idxBomb(3), "bomb.gz", 2 << 20), DataError, /^bomb\.gz: too large: the gzip data inflates to more than 2 MiB, the limit \(a quarter of option maxTensorBytes: the pixels as floats\)$/, "gzip bomb");
});

test("a spec whose nets need more than maxBytes (default 1 GiB) is refused by validateSpec, before createGAN allocates; the presets are far below", async () => {
  const big = { ...ring8(), generator: [{ type: "dense", units: 65536 }, { type: "dense", units: 65536 }, { type: "dense", units: 2 }] };
  refuses(() => validateSpec(big), SpecError, /^spec\.nets\.generator: too large: the nets need at least 64\.13 GiB \(generator: 4295360514 parameters, 33554944 activation values per batch\), above the limit of 1 GiB/, "two dense layers of 65,536");
  await rejects(() => createGAN(big), SpecError, /too large/, "createGAN refuses it at once");
  refuses(() => validateSpec(ring8(), { maxBytes: 1 << 20 }), SpecError, /above the limit of 1 MiB/, "maxBytes lowers the cap");
  const ck = splitSt(checkpoint);
  ck.header.__metadata__.spec = JSON.stringify({ ...JSON.parse(ck.header.__metadata__.spec), batchSize: 65536 });
  refuses(() => decodeCheckpoint(joinSt(JSON.stringify(ck.header), ck.data), "c", { maxTensorBytes: 1 << 20 }), CheckpointError, /^c: __metadata__\.spec is not a valid spec: spec\.nets\.\w+: too large: .* above the limit of 1 MiB/, "a checkpoint's spec, maxTensorBytes");
});

test("a header length beyond the file, or above maxHeaderBytes, is refused before anything is allocated; a data section above maxTensorBytes likewise", () => {
  const st = splitSt(checkpoint), text = JSON.stringify(st.header);
  refuses(() => decodeCheckpoint(joinSt(text, st.data, 2n ** 63n), "len"), CheckpointError, /^len: not a safetensors checkpoint, or truncated: its header length field says 9223372036854775808 bytes/, "2^63");
  refuses(() => decodeCheckpoint(checkpoint, "small", { maxHeaderBytes: 64 }), CheckpointError, /^small: header too large: \d+ bytes, above the limit of 64 bytes \(option maxHeaderBytes\)$/, "maxHeaderBytes");
  refuses(() => decodeCheckpoint(checkpoint, "small", { maxTensorBytes: 64 }), CheckpointError, /^small: too large: [\d.]+ KiB of tensor data, above the limit of 64 bytes \(option maxTensorBytes\)$/, "maxTensorBytes");
  refuses(() => decodeCheckpoint(checkpoint, "x", { maxTensorBytes: -1 }), RangeError, /^maxTensorBytes must be a positive integer \(got -1\)$/, "a bad option is the caller's RangeError");
});

test("decodeGeneratorFile reads back an export (every tensor of G, SN-free, finite) and refuses one whose metadata disagrees with its spec, naming the key; its errors are ModelFileErrors", () => {
  const g = decodeGeneratorFile(generator, "g.safetensors");
  assert.is(g.net, "generator");
  assert.equal(g.outputShape, [6, 6, 1]);
  assert.equal(g.tensors.map((t) => t.key), ["generator.0.kernel", "generator.0.bias", "generator.1.gamma", "generator.1.beta", "generator.1.running_mean", "generator.1.running_var", "generator.4.kernel", "generator.4.bias"]);
  const st = splitSt(generator);
  st.header.__metadata__.latent_dim = "4";
  refuses(() => decodeGeneratorFile(joinSt(JSON.stringify(st.header), st.data), "g2"), GeneratorFileError, /^g2: header and spec disagree: __metadata__\.latent_dim is "4", the spec says "3"$/, "latent_dim");
  refuses(() => decodeGeneratorFile(checkpoint, "ck"), ModelFileError, /^ck: not a wasm-gan generator export: __metadata__\.format is "wasm-gan-checkpoint"/, "a checkpoint is not an export");
});

test("files: a checkpoint file larger than the limits allow is refused before it is read; a --config nested too deep is a one-line usage error", async () => {
  const dir = mkdtempSync(join(tmpdir(), "wasm-gan-fuzz-"));
  try {
    writeFileSync(join(dir, "c.safetensors"), checkpoint);
    await rejects(() => readCheckpoint(join(dir, "c.safetensors"), { maxTensorBytes: 64, maxHeaderBytes: 64 }), CheckpointError, /c\.safetensors: too large: [\d.]+ KiB, above the 136 bytes the limits allow \(options maxTensorBytes, maxHeaderBytes\)$/, "the file's size");
    assert.is((await readCheckpoint(join(dir, "c.safetensors"))).step, 3, "the same file within the default limits");
    writeFileSync(join(dir, "deep.json"), deep(10000));
    await rejects(() => readConfig(join(dir, "deep.json")), UsageError, /deep\.json: nests arrays and objects more than 64 deep \(the limit\)$/, "deep --config");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
