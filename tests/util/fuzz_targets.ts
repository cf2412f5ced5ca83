// What the fuzz harness (tests/util/fuzz.ts) throws its mutations at: each target holds real
// files and loads one mutated file through the library's own loader. A load that succeeds returns
// a proof to run: a valid model generates (the WASM engine, strict build), a valid data set's
// values are checked.
//   checkpoint   decodeCheckpoint, then checkpointEngine + sample(4); files: checkpoints of a tiny
//                trained MLP GAN (with the generator's moving average) and a tiny DCGAN (batch norm)
//   generator    decodeGeneratorFile (wasm-gan-generator exports of the same two), then the
//                weights into an engine of the spec + sample(4)
//   spec         parseSpecJson of the ring8 and dcgan-mnist presets' JSON, then createGAN + sample(2)
//   idx          gunzipIfNeeded + idxDataset (images and labels; plain and gzipped), including a
//                gzipped IDX that inflates to 65 MiB (its pixels as floats: 260 MiB, above the
//                fuzz's 64 MiB cap: a gzip bomb, stopped at 16 MiB)
//   npy          decodeNpy
//   png          pngDataset (the image-folder loader on files in memory), including a 1x1 PNG
//                whose pixel data inflates to 8 MiB (a decompression bomb)
import { deflateSync, gzipSync } from "node:zlib";
import { encode as encodePngImage } from "fast-png";
import { createGAN, type WasmGAN } from "../../src/engine/wasm_engine.ts";
import { decodeCheckpoint, encodeCheckpoint, checkpointEngine } from "../../src/io/checkpoint.ts";
import { decodeGeneratorFile } from "../../src/export/generator_file.ts";
import { generatorNet } from "../../src/export/generator.ts";
import { generatorSafetensors } from "../../src/export/safetensors_export.ts";
import { parseSpecJson } from "../../src/io/spec_file.ts";
import { idxDataset, encodeIdx, gunzipIfNeeded, idxInflateCap } from "../../src/data/idx.ts";
import { decodeNpy, encodeNpy } from "../../src/io/npy.ts";
import { pngDataset } from "../../src/data/image_folder.ts";
import { crc32 } from "../../src/io/crc32.ts";
import { ring8 as ring8Spec, dcganMnist } from "../../src/model/presets.ts";
import { ring8 } from "../../src/data/mixtures.ts";
import type { LoadLimits } from "../../src/io/limits.ts";
import { smallMlpGenerator, smallMlpDiscriminator, smallDcganGenerator, smallDcganDiscriminator, randomImages } from "./small_gans.ts";
import { BYTE_MUTATIONS, ST_MUTATIONS, SPEC_MUTATIONS, truncateAt, Rand, type Mutation } from "./fuzz_mutate.ts";

export interface Target {
  name: string;
  files: { name: string; bytes: Uint8Array }[];
  mutations: Mutation[];
  // decodes; on success returns the proof that the result is usable
  load(bytes: Uint8Array, name: string, limits: LoadLimits): Promise<() => Promise<void>>;
}

const prod = (s: number[]) => s.reduce((a, b) => a * b, 1);
function expectSamples(out: Float32Array, n: number, shape: number[]): void {
  if (out.length !== n * prod(shape)) throw new Error(`proof failed: ${out.length} values from ${n} samples of [${shape}]`);
}
async function withGan<T>(make: () => Promise<WasmGAN>, use: (g: WasmGAN) => T): Promise<T> {
  const g = await make();
  try { return use(g); } finally { g.dispose(); }
}

// the tiny trained models: [name, WasmGAN]
async function models(): Promise<[string, WasmGAN][]> {
  const mlp = await createGAN({ latentDim: 3, dataShape: [2], generator: smallMlpGenerator, discriminator: smallMlpDiscriminator, loss: "non-saturating", batchSize: 8,
    optimizer: { generator: { type: "adam", lr: 1e-3 }, discriminator: { type: "adam", lr: 1e-3 } } }, { seed: 1 });
  mlp.averageGenerator(0.9);
  await mlp.train(await ring8({ count: 64, seed: 1 }), { steps: 3 });
  const dc = await createGAN({ latentDim: 3, dataShape: [6, 6, 1], generator: smallDcganGenerator, discriminator: smallDcganDiscriminator, loss: "non-saturating", batchSize: 4,
    optimizer: { generator: { type: "sgd", lr: 0.1 }, discriminator: { type: "rmsprop", lr: 1e-3 } } }, { seed: 2 });
  await dc.train(randomImages().x, { steps: 2 });
  return [["mlp", mlp], ["dcgan", dc]];
}

function pngFile(w: number, h: number, channels: number, data: Uint8Array): Uint8Array {
  return encodePngImage({ width: w, height: h, channels, depth: 8, data });
}
// a 1x1 grey PNG whose IDAT inflates to `bytes` (a valid zlib stream, CRCs right)
export function pngBomb(bytes: number): Uint8Array {
  const chunk = (type: string, body: Uint8Array) => {
    const out = new Uint8Array(12 + body.length), v = new DataView(out.buffer);
    v.setUint32(0, body.length);
    for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
    out.set(body, 8);
    v.setUint32(8 + body.length, crc32(out.subarray(4, 8 + body.length)));
    return out;
  };
  const ihdr = new Uint8Array(13), v = new DataView(ihdr.buffer);
  v.setUint32(0, 1); v.setUint32(4, 1); ihdr[8] = 8; ihdr[9] = 0;
  const parts = [Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a), chunk("IHDR", ihdr), chunk("IDAT", deflateSync(new Uint8Array(bytes))), chunk("IEND", new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
}

// a gzipped IDX of `mib` MiB of zero pixels ([mib·16384, 8, 8]): gzip members of 1 MiB each,
// concatenated (gunzip reads them as one stream), so that building it is cheap
export function idxBomb(mib: number): Uint8Array {
  const head = encodeIdx(new Uint8Array(0), [0, 8, 8]);
  new DataView(head.buffer).setUint32(4, mib * 16384, false);
  const member = gzipSync(new Uint8Array(1 << 20));
  const parts = [gzipSync(head), ...Array<Uint8Array>(mib).fill(member)];
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
}

// PNG: IHDR width / height / depth / colour type edits with its CRC fixed
const IHDR_EDIT: Mutation = { name: "png: IHDR edit, CRC fixed", apply: (b, r) => {
  const out = b.slice(), v = new DataView(out.buffer);
  const k = r.int(4);
  if (k === 0) v.setUint32(16, r.pick([0, 1, 3, 65535, 0x7fffffff, 0xffffffff]));
  else if (k === 1) v.setUint32(20, r.pick([0, 1, 3, 65535, 0x7fffffff, 0xffffffff]));
  else if (k === 2) out[24] = r.pick([0, 1, 2, 3, 4, 7, 8, 16, 32, 255]);
  else out[25] = r.pick([0, 1, 2, 3, 4, 5, 6, 7, 255]);
  if (r.chance(0.2)) out[28] = r.pick([1, 2]); // interlace
  v.setUint32(29, crc32(out.subarray(12, 29)));
  return out;
} };
// IDX: a dimension edited
const IDX_DIMS: Mutation = { name: "idx: dimension edit", apply: (b, r) => {
  const out = b.slice(), v = new DataView(out.buffer), nd = Math.min(out[3], (out.length - 4) >> 2);
  if (nd > 0) v.setUint32(4 + 4 * r.int(nd), r.pick([0, 1, 2, 27, 29, 60000, 2 ** 16, 2 ** 31, 2 ** 32 - 1]), false);
  if (r.chance(0.2)) out[3] = r.pick([0, 1, 2, 3, 4, 5, 255]);
  return out;
} };
const NPY_HEADER: Mutation = { name: "npy: header edit", apply: (b, r) => {
  const out = b.slice(), text = new TextDecoder("latin1").decode(out.subarray(10, 10 + new DataView(out.buffer).getUint16(8, true)));
  const shape = r.pick(["(-1, 4)", "(0.5, 8)", "(1e9,)", "(99999999999999999999,)", "(2, 2, 2, 2)", "()", "(a,)", "(4,2", "(8,)"]);
  const edited = text.replace(/\(.*\)/, shape).replace("<f4", r.chance(0.2) ? r.pick(["<f8", ">f4", "|u1"]) : "<f4");
  const bytes = Uint8Array.from(edited.padEnd(text.length, " ").slice(0, Math.max(text.length, edited.length)), (c) => c.charCodeAt(0) & 0xff);
  const res = new Uint8Array(10 + bytes.length + (out.length - 10 - text.length));
  res.set(out.subarray(0, 10)); res.set(bytes, 10); res.set(out.subarray(10 + text.length), 10 + bytes.length);
  new DataView(res.buffer).setUint16(8, r.chance(0.8) ? bytes.length : r.pick([0, 65535, bytes.length + 1]), true);
  if (r.chance(0.1)) res[6] = r.pick([0, 2, 3, 4, 255]);
  return res;
} };

export async function fuzzTargets(): Promise<Target[]> {
  const trained = await models();
  const checkpoints = trained.map(([n, g]) => ({ name: `${n}.checkpoint.safetensors`, bytes: encodeCheckpoint(g.spec, g.saveState(), { seed: g.seed }) }));
  const exports = await Promise.all(trained.map(async ([n, g]) => ({ name: `${n}.generator.safetensors`, bytes: generatorSafetensors(await generatorNet(g)) })));
  trained.forEach(([, g]) => g.dispose());

  const px = Uint8Array.from({ length: 5 * 4 * 4 }, (_, i) => (i * 37) & 0xff);
  const images = encodeIdx(px, [5, 4, 4]), labels = encodeIdx(Uint8Array.of(0, 1, 2, 1, 0), [5]);
  const IDX_PAIR = new Map<string, Uint8Array>([["images.idx", labels], ["images.idx.gz", labels], ["images4.idx", labels]]);

  const pngs = [pngFile(3, 2, 1, Uint8Array.of(0, 50, 100, 150, 200, 250)), pngFile(2, 2, 3, Uint8Array.from({ length: 12 }, (_, i) => i * 20))];

  return [
    {
      name: "checkpoint", files: checkpoints, mutations: [...BYTE_MUTATIONS, ...ST_MUTATIONS, ...ST_MUTATIONS],
      async load(bytes, name, limits) {
        const ck = decodeCheckpoint(bytes, name, limits);
        return async () => withGan(() => checkpointEngine(ck), (g) => expectSamples(g.sample(4), 4, ck.spec.dataShape));
      },
    },
    {
      name: "generator", files: exports, mutations: [...BYTE_MUTATIONS, ...ST_MUTATIONS, ...ST_MUTATIONS],
      async load(bytes, name, limits) {
        const f = decodeGeneratorFile(bytes, name, limits);
        return async () => withGan(() => createGAN(f.spec, { seed: 1 }), (g) => {
          const st = g.saveState(), params = new Float32Array(f.layout.paramCount), state = st.generator.state.slice();
          for (const t of f.tensors) {
            const slot = [...f.layout.params, ...f.layout.state].find((s) => s.layer === t.layer && s.name === t.name)!;
            (slot.block === "params" ? params : state).set(t.data, slot.offset);
          }
          g.loadState({ ...st, generator: { ...st.generator, params, state } });
          expectSamples(g.sample(4), 4, f.outputShape);
        });
      },
    },
    {
      name: "spec", files: [{ name: "ring8.json", bytes: new TextEncoder().encode(JSON.stringify(ring8Spec())) }, { name: "dcgan-mnist.json", bytes: new TextEncoder().encode(JSON.stringify(dcganMnist())) }],
      mutations: [...SPEC_MUTATIONS, ...SPEC_MUTATIONS, ...BYTE_MUTATIONS],
      async load(bytes, _name, limits) {
        const spec = parseSpecJson(new TextDecoder().decode(bytes), limits);
        return async () => withGan(() => createGAN(spec, { seed: 1 }), (g) => expectSamples(g.sample(2), 2, spec.dataShape));
      },
    },
    {
      name: "idx", files: [{ name: "images.idx", bytes: images }, { name: "images.idx.gz", bytes: gzipSync(images) }, { name: "labels.idx", bytes: labels }, { name: "images4.idx", bytes: encodeIdx(px, [5, 2, 4, 2]) }, { name: "bomb.idx.gz", bytes: idxBomb(65) }],
      mutations: [...BYTE_MUTATIONS, IDX_DIMS, IDX_DIMS, truncateAt(() => [0, 4, 8, 12, 16, 20])],
      async load(bytes, name, limits) {
        const b = await gunzipIfNeeded(bytes, name, idxInflateCap(limits.maxTensorBytes));
        const lab = IDX_PAIR.get(name);
        const ds = name === "labels.idx" ? idxDataset(images, b, { labelsFile: name, ...limits }) : idxDataset(b, lab, { imagesFile: name, ...limits });
        return async () => {
          expectSamples(ds.x, ds.count, ds.shape);
          if (!ds.x.every((v) => v >= -1 && v <= 1)) throw new Error("proof failed: pixel values outside [-1, 1]");
        };
      },
    },
    {
      name: "npy", files: [{ name: "x.npy", bytes: encodeNpy(Float32Array.from({ length: 8 }, (_, i) => i - 3.5), [4, 2]) }],
      mutations: [...BYTE_MUTATIONS, NPY_HEADER, NPY_HEADER, truncateAt((b) => [0, 6, 8, 10, 64, b.length - 4])],
      async load(bytes, _name, limits) {
        const a = decodeNpy(bytes, limits);
        return async () => expectSamples(a.data, 1, a.shape);
      },
    },
    {
      name: "png", files: [{ name: "a.png", bytes: pngs[0] }, { name: "b.png", bytes: pngs[1] }, { name: "bomb.png", bytes: pngBomb(8 << 20) }],
      mutations: [...BYTE_MUTATIONS, IHDR_EDIT, IHDR_EDIT, truncateAt(() => [0, 8, 16, 29, 33, 41])],
      async load(bytes, name, limits) {
        const ds = await pngDataset([{ path: `fuzz/${name}`, bytes }], "fuzz", limits);
        return async () => {
          expectSamples(ds.x, ds.count, ds.shape);
          if (!ds.x.every((v) => v >= -1 && v <= 1)) throw new Error("proof failed: pixel values outside [-1, 1]");
        };
      },
    },
  ];
}

export { Rand };
