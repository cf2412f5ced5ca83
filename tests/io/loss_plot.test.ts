// The training-curves chart on degenerate input: no points, one point, a run of 0 steps, flat
// curves. Each once looped forever in its tick loop (niceStep(0) -> a tick spacing of 0); now
// every one ends with a whole SVG.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { trainingCurvesSvg, niceStep } from "../../src/io/loss_plot.ts";
import { phases, phaseRegions, alphaCurve, type ProgressiveConfig } from "../../src/model/progressive.ts";

const pt = (step: number, v = 0.5) => ({ step, dLoss: v, gLoss: v, dReal: v, dFake: v });

test("niceStep: 1, 2 or 5 times a power of ten; 1 for a range of 0, a negative or a non-finite one", () => {
  assert.is(niceStep(1000, 5), 200);
  assert.is(niceStep(7, 6), 1);
  assert.is(niceStep(0.03, 5), 0.005);
  for (const r of [0, -3, NaN, Infinity]) assert.is(niceStep(r, 5), 1, `range ${r}`);
});

test("trainingCurvesSvg ends on a run of 0 steps, no points, one point and flat curves", () => {
  for (const [what, points, steps] of [["steps 0, no points", [], 0], ["steps 0, the step-0 point", [pt(0)], 0], ["one point", [pt(10)], 10], ["flat curves", [pt(0), pt(5), pt(10)], 10]] as const) {
    const svg = trainingCurvesSvg([...points], { steps });
    assert.ok(svg.startsWith("<svg") && svg.trimEnd().endsWith("</svg>"), `${what}: a whole SVG`);
  }
});

test("progressive growing's curves: each fade shaded and labelled, each phase's start dashed, an α panel", () => {
  const c = { name: "t", latentDim: 4, imageChannels: 1, resolutions: [4, 8], channels: { 4: 2, 8: 2 }, batchSize: 4, fadeImages: 40, stableImages: 40 } as ProgressiveConfig;
  const ps = phases(c); // 4² 0-10, 8² fade 10-20, 8² 20-30
  const alpha = alphaCurve(ps, 5);
  assert.equal(alpha.filter(([s]) => s >= 10 && s <= 20), [[10, 1], [10, 0], [15, 0], [15, 0.5], [20, 0.5], [20, 1], [20, 1]], "α steps up every 5 steps and is 1 at the fade's end");
  const svg = trainingCurvesSvg([pt(0), pt(15), pt(30)], { steps: 30, phases: phaseRegions(ps), alpha });
  assert.is(svg.match(/fill="#e8f0fb"/g)?.length, 3, "the fade shaded on each of the 3 panels");
  assert.is(svg.match(/stroke-dasharray/g)?.length, 6, "2 phase starts dashed on each panel");
  for (const label of ["4²", "8² fade", "8²", "fade α"]) assert.ok(svg.includes(`>${label}`), `labelled ${label}`);
});

test.run();
