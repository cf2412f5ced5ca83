// Quality, measured: the ring8 and grid25 presets trained for their full 10,000 steps from seed 1
// (the first seed, not a chosen one: README.md's quality table has seeds 1-3 and the plain
// reference settings side by side), scored with the literature's metrics on 2,500 samples.
// Targets: ring8 (the engine issue) all 8 modes and >= 90% high-quality samples; grid25 (the
// remedies issue's target, met by its R1 recipe on 4 of seeds 1-5: README "Remedies side by side")
// all 25 modes and >= 90% high quality. ~30 s (ring8) and ~60 s (grid25, R1's double backprop) on
// one idle core.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createWasmGAN as createGAN, preset, ring8, grid25, mixtureMetrics } from "../../src/index.ts";

for (const [name, makeData, minModes, minHq] of [["ring8", ring8, 8, 0.9], ["grid25", grid25, 25, 0.9]] as const) {
  test(`${name} preset, seed 1, 10,000 steps: >= ${minModes} modes${minHq ? `, >= ${100 * minHq}% high quality` : ""}`, async () => {
    const data = await makeData({ count: 100_000, seed: 1 });
    const gan = await createGAN(preset(name), { seed: 1 });
    const t0 = Date.now();
    await gan.train(data, { steps: 10_000 });
    const m = mixtureMetrics(gan.sample(2500, { seed: 7 }), data.mixture!);
    console.log(`  ${name}: ${m.modes}/${m.totalModes} modes, ${(100 * m.highQuality).toFixed(1)}% high quality, KL ${m.kl.toFixed(3)} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
    assert.ok(m.modes >= minModes, `${name}: ${m.modes} modes < ${minModes}`);
    assert.ok(m.highQuality >= minHq, `${name}: ${(100 * m.highQuality).toFixed(1)}% high quality < ${100 * minHq}%`);
  });
}

test.run();
