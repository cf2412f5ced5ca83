// Mode metrics on hand-made sample sets whose answers are known.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mixtureMetrics, ring8 } from "../../src/index.ts";

const centres = new Float32Array([0, 0, 10, 0, 0, 10, 10, 10]);
const info = { centres, std: 0.1 };

test("counts high-quality samples within 3 std and modes that hold them", () => {
  // 2 at mode 0 (one at 2.9 std), 1 at mode 1, 1 outside 3 std of everything (3.1 std from mode 3)
  const s = new Float32Array([0, 0, 0.29, 0, 10, 0.05, 10.31, 10]);
  const m = mixtureMetrics(s, info);
  assert.is(m.samples, 4);
  assert.is(m.modes, 2);
  assert.is(m.highQuality, 0.75);
  assert.equal(m.perMode, [2, 1, 0, 0]);
  // KL of (2/3, 1/3, 0, 0) from uniform over 4
  assert.ok(Math.abs(m.kl - ((2 / 3) * Math.log((2 / 3) * 4) + (1 / 3) * Math.log((1 / 3) * 4))) < 1e-12);
  assert.is(mixtureMetrics(s, info, 2).modes, 1, "minPerMode 2");
});

test("the data itself scores all modes, 98.9% high quality, KL near 0; a collapse scores 1 mode", async () => {
  const d = await ring8({ count: 2500, seed: 1 });
  const m = mixtureMetrics(d.x, d.mixture!);
  assert.is(m.modes, 8);
  // a 2-D Gaussian lies within 3 std (radially) with probability 1 − e^(−9/2) = 0.98889
  assert.ok(Math.abs(m.highQuality - 0.98889) < 4 * Math.sqrt(0.98889 * 0.01111 / 2500), `hq ${m.highQuality}`);
  assert.ok(m.kl < 0.01, `kl ${m.kl}`);
  const collapsed = new Float32Array(5000).map((_, i) => (i % 2 === 0 ? 2 : 0));
  const c = mixtureMetrics(collapsed, d.mixture!);
  assert.is(c.modes, 1);
  assert.ok(Math.abs(c.kl - Math.log(8)) < 1e-9);
  assert.is(mixtureMetrics(new Float32Array([100, 100]), d.mixture!).kl, Infinity);
});

test.run();
