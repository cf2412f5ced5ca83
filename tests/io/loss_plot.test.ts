// The training-curves chart on degenerate input: no points, one point, a run of 0 steps, flat
// curves. Each once looped forever in its tick loop (niceStep(0) -> a tick spacing of 0); now
// every one ends with a whole SVG.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { trainingCurvesSvg, niceStep } from "../../src/io/loss_plot.ts";

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

test.run();
