// createGAN's engine choice: auto falls back to WASM without a GPU and says why; engine "tfjs"
// runs the same async API on the tfjs engine; bad combinations are refused.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createGAN } from "../../src/worker/create_gan.ts";
import { preset } from "../../src/model/presets.ts";
import { ring8 } from "../../src/data/mixtures.ts";
import type { EngineInfo } from "../../src/engine/wasm_engine.ts";
import type { TfjsEngineInfo } from "../../src/engine/tfjs/tfjs_engine.ts";

const data = await ring8({ count: 2048, seed: 1 });
const spec = { ...preset("mlp-ring8"), batchSize: 16 };

test("auto: no GPU here, so the WASM engine, with the reasons in engineInfo().selection", async () => {
  const gan = await createGAN(spec, { seed: 1, threads: 1 });
  const info = gan.engineInfo() as EngineInfo;
  assert.is(info.engine, "wasm");
  assert.ok(info.selection!.some((r) => /^webgpu: /.test(r)), info.selection!.join("; "));
  assert.match(info.selection!.at(-1)!, /the WASM engine$/);
  await gan.dispose();
});

test("engine tfjs on the cpu backend: the async API trains, samples and saves like the WASM engine's", async () => {
  const tfjs = await createGAN(spec, { seed: 3, engine: "tfjs", backend: "cpu" });
  const wasm = await createGAN(spec, { seed: 3, threads: 1, engine: "wasm" });
  const info = tfjs.engineInfo() as TfjsEngineInfo;
  assert.is(info.engine, "tfjs");
  assert.is(info.backend, "cpu");
  assert.is(info.gpu, false);
  const [a, b] = [await tfjs.train(data, { steps: 5 }), await wasm.train(data, { steps: 5 })];
  assert.is(a.step, 5);
  assert.ok(Math.abs(a.dLoss - b.dLoss) <= 1e-4 + 1e-3 * Math.abs(b.dLoss), `D loss ${a.dLoss} vs ${b.dLoss}`);
  assert.is(await tfjs.step(), 5);
  assert.is((await tfjs.sample(10)).length, 20);
  const s = await tfjs.saveState();
  assert.equal(Array.from(s.rng), Array.from((await wasm.saveState()).rng), "same batches drawn");
  await tfjs.dispose();
  await wasm.dispose();
});

test("refused: a backend with engine wasm, an unknown engine or backend", async () => {
  const err = (p: Promise<unknown>) => p.then(() => "", (e) => String(e?.message));
  assert.match(await err(createGAN(spec, { engine: "wasm", backend: "webgl" })), /backend 'webgl' applies to the tfjs engine/);
  assert.match(await err(createGAN(spec, { engine: "gpu" as any })), /unknown engine "gpu"/);
  assert.match(await err(createGAN(spec, { engine: "tfjs", backend: "metal" as any })), /unknown tfjs backend "metal"/);
});

test.run();
