// Checkpoints cross engines: train 100 steps on one engine, write the checkpoint's bytes
// (src/io/checkpoint.ts encodeCheckpoint, safetensors), read them back, continue 100 steps on the
// other engine, and compare with 200 steps on one engine. The state that must carry over:
// weights, Adam moments and update counts (bias correction, the linear schedule), batch-norm
// running statistics, the generator's moving average, the training stream's rng words and the
// step count. Checked:
//   - the rng words and step/update counts after the continuation equal the 200-step run's
//     exactly (same number of draws: the same batches);
//   - weights (non-gauge, see parity_util.ts) within 1e-2 of the distance travelled from the
//     checkpoint (‖Δ‖ / ‖w_200 − w_100‖), the moving average and batch-norm statistics within
//     1e-3 + 1e-2·|x|, samples from both within 1e-3 + 1e-2·|x| (measured: ~1e-6 relative);
//   - the checkpoint names the engine that wrote it.
// tfjs on its CPU backend; the small DCGAN (batch norm, conv, transposed conv; Adam, dcgan init,
// generator average) and the mlp-ring8 nets at batch 16 with a linear schedule.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ring8, preset, validateSpec, encodeCheckpoint, decodeCheckpoint, saveCheckpoint, loadCheckpoint, type GanSpec, type GanState } from "../../src/index.ts";
import { WasmGAN } from "../../src/engine/wasm_engine.ts";
import { TfjsGAN } from "../../src/engine/tfjs/tfjs_engine.ts";
import { expectClose } from "../util/check.ts";
import { smallDcganGenerator, smallDcganDiscriminator, randomImages } from "../util/small_gans.ts";
import { specGauges } from "./parity_util.ts";

const adam = { type: "adam" as const, lr: 2e-4, beta1: 0.5 };
const dcgan: GanSpec = {
  latentDim: 3, dataShape: [6, 6, 1], batchSize: 8, loss: "non-saturating", init: "dcgan",
  generator: smallDcganGenerator, discriminator: smallDcganDiscriminator, optimizer: { generator: adam, discriminator: adam },
};
const mlp: GanSpec = { ...preset("mlp-ring8"), batchSize: 16, lrSchedule: { type: "linear", steps: 300 } };
const images = randomImages().x;
const points = await ring8({ count: 4096, seed: 3 });

type Gan = TfjsGAN | WasmGAN;
const make = (engine: "wasm" | "tfjs", spec: GanSpec): Promise<Gan> =>
  engine === "wasm" ? WasmGAN.create(spec, { seed: 3 }) : TfjsGAN.create(spec, { seed: 3, backend: "cpu" });

// through the checkpoint file format and back
function viaCheckpoint(gan: Gan) {
  const bytes = encodeCheckpoint(gan.spec, gan.saveState(), { seed: gan.seed, engine: gan.engineInfo() });
  return decodeCheckpoint(bytes, "cross-engine.safetensors", { spec: gan.spec });
}

function relNorm(a: Float32Array, b: Float32Array, from: Float32Array, mask: Uint8Array): number {
  let d = 0, m = 0;
  for (let i = 0; i < a.length; i++) if (!mask[i]) { d += (a[i] - b[i]) ** 2; m += (b[i] - from[i]) ** 2; }
  return Math.sqrt(d / m);
}

for (const [name, spec, data] of [["small DCGAN", dcgan, images], ["mlp-ring8 nets, batch 16, linear schedule", mlp, points]] as const) {
  for (const [first, second] of [["wasm", "tfjs"], ["tfjs", "wasm"]] as const) {
    test(`${name}: 100 steps on ${first}, checkpoint, 100 on ${second} = 200 on ${first}`, async () => {
      const g = specGauges(validateSpec(spec));
      const whole = await make(first, spec);
      whole.averageGenerator(0.99);
      await whole.train(data, { steps: 100 });
      const ckpt = viaCheckpoint(whole);
      assert.is(JSON.parse(ckpt.metadata.engine).engine, first, "the checkpoint names its engine");
      const at100 = whole.getWeights();
      await whole.train(data, { steps: 100 });
      const cont = await make(second, spec);
      cont.averageGenerator(0.99);
      cont.loadState(ckpt.state);
      assert.is(cont.step, 100);
      await cont.train(data, { steps: 100 });
      const a = cont.saveState(), b = whole.saveState();
      assert.is(a.step, 200);
      assert.equal(Array.from(a.rng), Array.from(b.rng), "rng words: the same draws");
      assert.is(a.generator.updates, b.generator.updates);
      assert.is(a.discriminator.updates, b.discriminator.updates);
      const wa = cont.getWeights(), wb = whole.getWeights();
      for (const net of ["generator", "discriminator"] as const) {
        const r = relNorm(wa[net], wb[net], at100[net], (net === "generator" ? g.G : g.D).mask);
        assert.ok(r <= 1e-2, `${net}: ‖Δ‖ / ‖w_200 − w_100‖ = ${r}`);
      }
      expectClose("generator average", a.generator.average!, b.generator.average!, 1e-3, 1e-2);
      expectClose("G batch-norm running statistics", a.generator.state, b.generator.state, 1e-3, 1e-2);
      expectClose("samples", cont.sample(16, { seed: 2 }), whole.sample(16, { seed: 2 }), 1e-3, 1e-2);
      expectClose("samples from the average", cont.sample(16, { seed: 2, average: true }), whole.sample(16, { seed: 2, average: true }), 1e-3, 1e-2);
      if (cont instanceof TfjsGAN) cont.dispose();
      if (whole instanceof TfjsGAN) whole.dispose();
    });
  }
}

// loadCheckpoint({engine}): the same file into either engine, or into one a factory builds; the
// state arrives whole, bit for bit (a copy in, a copy out: nothing is computed on the way)
const bits = (a: Float32Array | Uint32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
function expectSameState(label: string, a: GanState, b: GanState) {
  assert.is(a.step, b.step, `${label}: step`);
  assert.equal(bits(a.rng), bits(b.rng), `${label}: rng`);
  assert.equal(bits(a.stats), bits(b.stats), `${label}: stats`);
  for (const net of ["generator", "discriminator"] as const) {
    for (const k of ["params", "opt1", "opt2", "state"] as const) assert.equal(bits(a[net][k]), bits(b[net][k]), `${label}: ${net}.${k}`);
    assert.is(a[net].updates, b[net].updates, `${label}: ${net}.updates`);
  }
}

test("loadCheckpoint loads a file into the WASM engine (default), the tfjs engine, or an engine from a factory", async () => {
  const dir = mkdtempSync(join(tmpdir(), "wasm-gan-load-"));
  try {
    const gan = await WasmGAN.create(dcgan, { seed: 3 });
    await gan.train(images, { steps: 5 });
    const file = join(dir, "c.safetensors");
    await saveCheckpoint(file, gan);
    const saved = gan.saveState();
    const wasm = await loadCheckpoint(file);
    assert.instance(wasm.gan, WasmGAN);
    expectSameState("wasm", wasm.gan.saveState(), saved);
    const tfjs = await loadCheckpoint(file, { engine: "tfjs", backend: "cpu" });
    assert.instance(tfjs.gan, TfjsGAN);
    assert.is(tfjs.gan.engineInfo().backend, "cpu");
    expectSameState("tfjs", tfjs.gan.saveState(), saved);
    let asked: unknown[] = [];
    const made = await loadCheckpoint(file, { engine: (spec, seed) => { asked = [spec.latentDim, seed]; return TfjsGAN.create(spec, { seed, backend: "cpu" }); } });
    assert.equal(asked, [3, 3], "the factory gets the checkpoint's spec and seed");
    expectSameState("factory", made.gan.saveState(), saved);
    tfjs.gan.dispose();
    made.gan.dispose();
    try {
      await loadCheckpoint(file, { engine: "gpu" as any });
      assert.unreachable("an unknown engine was accepted");
    } catch (e) {
      assert.match((e as Error).message, /^engine must be "wasm", "tfjs" or a function \(got "gpu"\)$/);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
