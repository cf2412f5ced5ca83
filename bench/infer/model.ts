// The dcgan-mnist generator the inference benches load (speed does not depend on the weights:
// 2 training steps, seed 1, strict build), written into DIR as every system takes it:
// generator.safetensors (the generator export, what wasm-gan/infer loads), generator.onnx
// (onnxruntime-node) and tfjs/model.json + tfjs/weights.bin (tfjs loadLayersModel).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createGAN } from "../../src/engine/wasm_engine.ts";
import { preset } from "../../src/model/presets.ts";
import { mnist } from "../../src/data/mnist.ts";
import { exportGenerator } from "../../src/export/index.ts";

export async function writeBenchModel(dir: string): Promise<{ params: number; bytes: number }> {
  const gan = await createGAN(preset("dcgan-mnist"), { seed: 1 });
  await gan.train(await mnist(), { steps: 2 });
  mkdirSync(join(dir, "tfjs"), { recursive: true });
  const st = (await exportGenerator(gan, "safetensors")).files[0].bytes;
  writeFileSync(join(dir, "generator.safetensors"), st);
  writeFileSync(join(dir, "generator.onnx"), (await exportGenerator(gan, "onnx")).files[0].bytes);
  for (const f of (await exportGenerator(gan, "tfjs")).files) writeFileSync(join(dir, "tfjs", f.name), f.bytes);
  const params = gan.paramCounts().generator;
  await gan.dispose();
  return { params, bytes: st.length };
}
