// A snapshot's line in words when no sample lies on a mode: the KL of the mode histogram is
// undefined then (mixtureMetrics gives Infinity); the line says so instead of "KL Infinity".
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createGAN, preset, ring8, mnist, snapshotter } from "../../src/index.ts";

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

// A conditional digit model: the picture has a row of 10 per digit (row k asked for k), and the line
// and metrics say how often the digit asked for is drawn. Untrained, G ignores the label: the
// classifier calls nearly every sample one class, so the asked-for digit is drawn ~10% of the time.
test("cgan-mnist snapshot, untrained: 10 rows of 10 asked for digits 0-9, label accuracy per digit in the metrics and the line", async () => {
  const data = await mnist();
  const gan = await createGAN(preset("cgan-mnist"), { seed: 1, mode: "in-process" });
  try {
    const s = await (await snapshotter(gan, data))(0);
    assert.is(s.samples.length, 100 * 784, "100 samples shown");
    const png = new DataView(s.png.buffer, s.png.byteOffset);
    assert.is(png.getUint32(16), png.getUint32(20), "10 x 10: a square picture");
    const acc = s.metrics.labelAccuracy as number[];
    assert.is(acc.length, 10);
    const mean = acc.reduce((a, b) => a + b, 0) / 10;
    assert.ok(mean > 0.05 && mean < 0.2, `untrained: ~10% drawn as asked (got ${mean})`);
    assert.is(s.metrics.minLabelAccuracy, Math.min(...acc));
    assert.match(s.line, /the digit asked for drawn \d+\.\d% of the time \(lowest: digit \d, \d+\.\d%\)/);
  } finally { await gan.dispose(); }
});

test.run();
