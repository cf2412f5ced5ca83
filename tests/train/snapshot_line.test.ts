// A snapshot's line in words when no sample lies on a mode: the KL of the mode histogram is
// undefined then (mixtureMetrics gives Infinity); the line says so instead of "KL Infinity".
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createGAN, preset, ring8, snapshotter } from "../../src/index.ts";

test("an untrained mlp-ring8 generator (samples near the origin, none on the ring): 0/8 modes, KL undefined in words, null in the metrics", async () => {
  const data = await ring8({ count: 5000, seed: 1 });
  const gan = await createGAN(preset("mlp-ring8"), { seed: 1, mode: "in-process" });
  try {
    const s = await (await snapshotter(gan, data))(0);
    assert.ok(s.line.startsWith("0/8 modes, 0.0% high-quality samples"), s.line);
    assert.ok(s.line.includes("KL undefined (no sample within 3 std of a mode)"), s.line);
    assert.not.ok(/Infinity/.test(s.line), s.line);
    assert.is(s.metrics.kl, null, "JSON-safe: null");
  } finally { await gan.dispose(); }
});

test.run();
