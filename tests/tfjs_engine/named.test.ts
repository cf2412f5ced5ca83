// The tfjs engine on the named form (src/model/nets.ts): a spec whose nets are named gen and
// critic, listed critic first, with a different optimiser per net, trains to the same bits as the
// same spec in the shorthand (tfjs CPU backend; the engine finds each role's net by name), and a
// version-2 checkpoint of it written by the WASM engine loads into the tfjs engine bit for bit.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ring8, preset, type ShorthandSpec } from "../../src/index.ts";
import { WasmGAN } from "../../src/engine/wasm_engine.ts";
import { TfjsGAN } from "../../src/engine/tfjs/tfjs_engine.ts";
import { encodeCheckpoint, decodeCheckpoint, checkpointEngine, checkpointHeader } from "../../src/io/checkpoint.ts";
import { expectBitIdentical } from "../util/check.ts";
import { namedForm } from "../util/named_spec.ts";

const labelled = { ...(await ring8({ count: 4096, seed: 3 })), numClasses: 8 };
// cond-ring8's nets at batch 16; sgd with momentum for G, adam for D (a swap would show)
const shorthand: ShorthandSpec = {
  ...preset("cond-ring8"), batchSize: 16, dSteps: 2,
  optimizer: { generator: { type: "sgd", lr: 0.05, momentum: 0.9 }, discriminator: { type: "adam", lr: 1e-3 } },
};
const named = namedForm(shorthand, "gen", "critic", true);

test("tfjs: the named form (critic listed first) trains to the shorthand's bits", async () => {
  const a = await TfjsGAN.create(shorthand, { seed: 5, backend: "cpu" }), b = await TfjsGAN.create(named, { seed: 5, backend: "cpu" });
  try {
    assert.equal(Object.keys(b.spec.nets), ["critic", "gen"]);
    await a.train(labelled, { steps: 4 });
    await b.train(labelled, { steps: 4 });
    const sa = a.saveState(), sb = b.saveState();
    expectBitIdentical("G weights after 4 steps", sb.generator.params, sa.generator.params);
    expectBitIdentical("D weights after 4 steps", sb.discriminator.params, sa.discriminator.params);
    expectBitIdentical("G momentum buffer", sb.generator.opt1, sa.generator.opt1);
    expectBitIdentical("D Adam second moment", sb.discriminator.opt2, sa.discriminator.opt2);
    expectBitIdentical("statistics", sb.stats, sa.stats);
    assert.equal([sb.generator.updates, sb.discriminator.updates], [4, 8]);
  } finally {
    a.dispose();
    b.dispose();
  }
});

test("a version-2 checkpoint of the named form, written by the WASM engine, loads into the tfjs engine bit for bit", async () => {
  const w = await WasmGAN.create(named, { seed: 6 });
  await w.train(labelled, { steps: 3 });
  const bytes = encodeCheckpoint(w.spec, w.saveState(), { seed: 6, engine: w.engineInfo() });
  const h = checkpointHeader(bytes);
  assert.ok("critic.0.kernel" in h && "gen.0.kernel" in h && "optimizer.gen.momentum_buffer" in h && "optimizer.critic.exp_avg" in h, "tensors by net name");
  const t = await checkpointEngine(decodeCheckpoint(bytes, "v2"), { engine: "tfjs", backend: "cpu" });
  try {
    const sw = w.saveState(), st = t.saveState();
    for (const net of ["generator", "discriminator"] as const) {
      for (const k of ["params", "opt1", "opt2"] as const) expectBitIdentical(`${net}.${k}`, st[net][k], sw[net][k]);
      assert.is(st[net].updates, sw[net].updates, `${net} updates`);
    }
    assert.equal(Array.from(st.rng), Array.from(sw.rng), "rng words");
    assert.is(st.step, 3);
  } finally {
    t.dispose();
  }
});

test.run();
