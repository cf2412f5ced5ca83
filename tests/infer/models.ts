// The trained generators the inference tests share (tests/infer/*), each trained a few steps by
// the full engine (in-process WasmGAN, strict build, seed 1) so batch norm's running statistics
// and the moving average are not their initial values; each written as a checkpoint and as the
// generator export into one temporary folder, once per process.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createGAN, type WasmGAN } from "../../src/engine/wasm_engine.ts";
import { encodeCheckpoint } from "../../src/io/checkpoint.ts";
import { exportGenerator } from "../../src/export/index.ts";
import { preset } from "../../src/model/presets.ts";
import { mnist } from "../../src/data/mnist.ts";
import { ring8 } from "../../src/data/mixtures.ts";
import type { GanSpec, LayerSpec } from "../../src/model/spec.ts";
import { residualDense, blendNet, dense } from "../util/graph_nets.ts";
import { randomImages } from "../util/small_gans.ts";

const adam = { type: "adam" as const, lr: 0.01 };
const pointsD: LayerSpec[] = [dense(16), { type: "leaky_relu", alpha: 0.2 }, dense(1)];
const imageD: LayerSpec[] = [{ type: "conv2d", filters: 3, kernelSize: 3, strides: 2, padding: "same" }, { type: "leaky_relu", alpha: 0.2 }, { type: "flatten" }, dense(1)];
const points = (latentDim: number, generator: LayerSpec[]): GanSpec => ({
  latentDim, dataShape: [2], batchSize: 32, loss: "non-saturating", generator, discriminator: pointsD, optimizer: { generator: adam, discriminator: adam },
} as GanSpec);
// spectral normalisation in G (dense and transposed convs), batch norm, 6x6x1 images, batch 16
const snSpec = {
  latentDim: 3, dataShape: [6, 6, 1], batchSize: 16, loss: "non-saturating", optimizer: { generator: adam, discriminator: adam }, discriminator: imageD,
  generator: [
    dense(8, { spectralNorm: true }), { type: "batch_norm" }, { type: "reshape", targetShape: [2, 2, 2] },
    { type: "conv2d_transpose", filters: 3, kernelSize: 3, strides: 2, padding: "valid", spectralNorm: true }, { type: "relu" },
    { type: "conv2d", filters: 2, kernelSize: 3, strides: 1, padding: "valid" }, { type: "batch_norm" },
    { type: "conv2d_transpose", filters: 1, kernelSize: 2, strides: 2, padding: "same", spectralNorm: true }, { type: "tanh" },
  ],
} as GanSpec;

export interface TrainedModel { name: string; gan: WasmGAN; ema: boolean; checkpoint: string; generator: string; checkpointBytes: Uint8Array; generatorBytes: Uint8Array }
interface Case { name: string; spec: unknown; data: () => Promise<any>; steps: number; ema: boolean }
const ringData = () => ring8({ count: 2048, seed: 1 });
export const MODEL_CASES: Case[] = [
  { name: "dcgan-mnist", spec: preset("dcgan-mnist"), data: () => mnist(), steps: 2, ema: true },
  { name: "cgan-mnist", spec: preset("cgan-mnist"), data: () => mnist(), steps: 2, ema: false },
  { name: "spectralNorm + batch norm (6x6x1)", spec: snSpec, data: async () => randomImages().x, steps: 4, ema: true },
  { name: "residual add + batch norm (points)", spec: points(6, [...residualDense.slice(0, -1), dense(2)]), data: ringData, steps: 10, ema: false },
  { name: "blend α 0.3 (points)", spec: points(6, blendNet(0.3, 2)), data: ringData, steps: 10, ema: false },
];

let dir: string | undefined;
const cache = new Map<string, Promise<TrainedModel>>();
export function modelDir(): string {
  return (dir ??= mkdtempSync(join(tmpdir(), "wasm-gan-infer-")));
}

export function trainedModel(name: string): Promise<TrainedModel> {
  let p = cache.get(name);
  if (!p) {
    const c = MODEL_CASES.find((m) => m.name === name);
    if (!c) throw new Error(`no test model ${name}`);
    p = (async () => {
      const gan = await createGAN(c.spec, { seed: 1 });
      if (c.ema) gan.averageGenerator(0.9);
      await gan.train(await c.data(), { steps: c.steps });
      const checkpointBytes = encodeCheckpoint(gan.spec, gan.saveState(), { seed: 1, engine: gan.engineInfo() });
      const generatorBytes = (await exportGenerator(gan, "safetensors")).files[0].bytes;
      const base = join(modelDir(), name.replace(/[^a-z0-9]+/gi, "_"));
      writeFileSync(`${base}.checkpoint.safetensors`, checkpointBytes);
      writeFileSync(`${base}.generator.safetensors`, generatorBytes);
      return { name, gan, ema: c.ema, checkpoint: `${base}.checkpoint.safetensors`, generator: `${base}.generator.safetensors`, checkpointBytes, generatorBytes };
    })();
    cache.set(name, p);
  }
  return p;
}
