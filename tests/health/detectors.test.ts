// The health detectors on synthetic statistics (src/health/): each one's thresholds, exactly, on
// sequences built to sit on either side of them, and the monitor's events, intervals and flag.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { HealthMonitor, healthIntervals, VanishingGradients, ModeCollapse, Instability, VANISHING, COLLAPSE, INSTABILITY, effectiveModes, sampleSpread, neighbourSpread, meanNeighbourDistance, mnist, type StepStats } from "../../src/index.ts";
import { digitClassifier } from "../../src/eval/digit_classifier.ts";

const stat = (step: number, o: Partial<StepStats> = {}): StepStats =>
  ({ step, dLoss: 1.3, gLoss: 0.8, dReal: 0.55, dFake: 0.45, dGradNorm: 2, gGradNorm: 3, penalty: 0, ...o });
// n reports, 50 steps apart, from `from`
const reports = (from: number, n: number, o: (i: number) => Partial<StepStats>) => Array.from({ length: n }, (_, i) => stat(from + 50 * i, o(i)));

test("vanishing-G: D winning for the window with G's gradient 100x below its early peak fires; 10x is a warning; a healthy run stays ok", () => {
  const run = (loss: "minimax" | "non-saturating", gLate: number, fake = 1e-4) => {
    const d = new VanishingGradients({ loss });
    const seq = [...reports(50, 10, () => ({ gGradNorm: 5 })), ...reports(550, VANISHING.window, () => ({ dFake: fake, dReal: 0.9999, dLoss: 2e-4, gGradNorm: gLate }))];
    return seq.map((s) => d.step(s)?.state ?? "-").at(-1);
  };
  assert.is(run("minimax", 5 * 0.99e-2), "firing", "ratio 0.0099 < 1e-2 fires");
  assert.is(run("minimax", 5 * 1.01e-2), "warning", "ratio 0.0101: a warning (D wins, gradient 99x down)");
  assert.is(run("non-saturating", 5), "warning", "D wins with G's gradient intact: a warning for BCE losses");
  assert.is(run("minimax", 5e-4, 0.06), "ok", "D(G(z)) 0.06 >= 0.05: D does not win");
  const d = new VanishingGradients({ loss: "minimax" });
  const states = reports(50, 100, (i) => ({ gGradNorm: 1 + (i % 7), dFake: 0.4 + 0.01 * (i % 5) })).map((s) => d.step(s)?.state ?? "ok");
  assert.ok(states.every((s) => s === "ok"), "healthy statistics: ok throughout");
  assert.is(new VanishingGradients({ loss: "wasserstein" }).step(stat(1)), undefined, "wasserstein: not judged");
});

test("vanishing-G: D must win on >= 90% of the window (18 of 20 reports)", () => {
  for (const [wins, want] of [[18, "firing"], [17, "ok"]] as const) {
    const d = new VanishingGradients({ loss: "minimax" });
    const seq = [...reports(50, 10, () => ({ gGradNorm: 5 })), ...reports(550, 20, (i) => (i < wins ? { dFake: 1e-5, dLoss: 1e-4, gGradNorm: 1e-5 } : { gGradNorm: 1e-5 }))];
    assert.is(seq.map((s) => d.step(s)?.state).at(-1), want, `${wins}/20 reports with D winning`);
  }
});

test("mode collapse: spread below 0.4 or effective modes below a quarter warn, twice in a row fire; recovered is ok; too few samples on modes or digits: not judged", () => {
  const c = new ModeCollapse();
  const ring = (perMode: number[], hq: number, spread = 1) => ({ modes: perMode.filter((x) => x > 0).length, totalModes: 8, highQuality: hq, perMode, spread });
  assert.is(c.sample(500, ring([300, 300, 300, 300, 300, 300, 300, 300], 0.96))!.state, "ok");
  assert.is(c.sample(1000, ring([0, 0, 0, 0, 0, 0, 0, 0], 0, 0.39))!.state, "warning", "spread 0.39");
  assert.is(c.sample(1500, ring([2000, 0, 0, 0, 0, 0, 0, 0], 0.8, 0.9))!.state, "firing", "effective modes 1 (spread fine)");
  assert.is(c.sample(2000, ring([1000, 1000, 0, 0, 0, 0, 0, 0], 0.8, 0.9))!.state, "ok", "effective modes exactly 2 = 8/4 is not below");
  assert.is(c.sample(2500, ring([1990, 10, 0, 0, 0, 0, 0, 0], 0.1, 0.9))!.state, "ok", "highQuality 0.1 < 0.2: mode counts not judged, spread fine");
  assert.is(effectiveModes([1, 1, 1, 1]), 4);
  assert.is(+effectiveModes([3, 1]).toFixed(6), +Math.exp(-(0.75 * Math.log(0.75) + 0.25 * Math.log(0.25))).toFixed(6));
  const m = new ModeCollapse();
  const digits = (maxClassShare: number, classesPresent: number, confidentShare = 0.5) => ({ maxClassShare, classesPresent, confidentShare });
  assert.is(m.sample(1000, digits(0.9, 2, 0.1)), undefined, "10% confident digits: not judged");
  assert.is(m.sample(1000, digits(0.51, 10))!.state, "warning", "largest class 51%");
  assert.is(m.sample(1500, digits(0.2, 5))!.state, "firing", "5 classes");
  assert.is(m.sample(2000, digits(0.5, 6))!.state, "ok", "50% and 6 classes: at the thresholds, not past them");
  assert.ok(COLLAPSE.fireAfter === 2);
  const n = new ModeCollapse();
  assert.is(n.sample(1000, { neighbourSpread: 0.31 })!.state, "ok", "nearest-neighbour spread 0.31 >= 0.3, no class verdict");
  assert.is(n.sample(1500, { neighbourSpread: 0.29 })!.state, "warning", "nearest-neighbour spread 0.29 < 0.3");
  assert.is(n.sample(2000, { neighbourSpread: 0.05, ...digits(0.2, 10, 0.1) })!.state, "firing", "near-duplicates with few confident digits: judged by the spread alone");
  assert.is(n.sample(2500, { neighbourSpread: null }), undefined, "no spread measured (null) and no other verdict: not judged, the state stays");
  assert.is(COLLAPSE.neighbourBelow, 0.3);
});

test("neighbourSpread on the digit classifier's features: a second real set ~1; 10 digits repeated 0; 100 digits with small noise below the detector's 0.3", async () => {
  const data = await mnist(), net = digitClassifier(), F = net.featureSize, px = 784, k = 1000;
  const feats = (x: Float32Array) => net.forward(x, k).features;
  const real = meanNeighbourDistance(feats(data.x.subarray(0, k * px)), F);
  const second = neighbourSpread(feats(data.x.subarray(5000 * px, (5000 + k) * px)), real, F);
  assert.ok(Math.abs(second - 1) < 0.1, `digits 5000..5999 against 0..999: ${second.toFixed(3)}, within 0.1 of 1`);
  const repeated = new Float32Array(k * px), noisy = new Float32Array(k * px);
  let u = 12345;
  for (let i = 0; i < k; i++) {
    repeated.set(data.x.subarray((i % 10) * px, (i % 10 + 1) * px), i * px);
    for (let j = 0; j < px; j++) {
      u = (Math.imul(u, 1103515245) + 12345) >>> 0;
      noisy[i * px + j] = Math.max(-1, Math.min(1, data.x[(i % 100) * px + j] + 0.05 * (u / 2 ** 31 - 1)));
    }
  }
  assert.is(neighbourSpread(feats(repeated), real, F), 0, "10 digits repeated: exact duplicates");
  const nearCopies = neighbourSpread(feats(noisy), real, F);
  assert.ok(nearCopies < COLLAPSE.neighbourBelow / 2, `100 digits + uniform noise of 0.05: ${nearCopies.toFixed(3)} < 0.15`);
  assert.ok(sampleSpread(feats(repeated), feats(data.x.subarray(0, k * px)), F) > 0.5, "while their mean pair distance stays above half the data's (why the nearest neighbour is the measure)");
});

test("sampleSpread: 1 for the data itself, the scale of a shrunk copy, 0 for one point", () => {
  const real = new Float32Array(4000).map((_, i) => Math.sin(i * 12.9898) * 3);
  assert.is(sampleSpread(real, real, 2), 1);
  assert.ok(Math.abs(sampleSpread(real.map((v) => v * 0.1), real, 2) - 0.1) < 1e-6, "a copy shrunk 10x: 0.1");
  assert.is(sampleSpread(new Float32Array(4000).fill(0.5), real, 2), 0);
});

test("unstable: dead gradients (5 reports at exactly 0) and non-finite statistics fire; one spike warns, three fire; D swinging fires", () => {
  const last = (d: Instability, seq: StepStats[]) => seq.map((s) => d.step(s)!.state).at(-1);
  assert.is(last(new Instability({ loss: "non-saturating" }), [...reports(50, 10, () => ({})), ...reports(550, 4, () => ({ gGradNorm: 0 }))]), "ok", "4 dead reports");
  assert.is(last(new Instability({ loss: "non-saturating" }), [...reports(50, 10, () => ({})), ...reports(550, 5, () => ({ gGradNorm: 0 }))]), "firing", "5 dead reports");
  assert.is(new Instability({ loss: "hinge" }).step(stat(50, { dLoss: NaN }))!.state, "firing", "NaN");
  const base = reports(50, 20, () => ({}));
  assert.is(last(new Instability({ loss: "minimax" }), [...base, stat(1050, { dGradNorm: 2 * 49 })]), "ok", "49x the median: no spike");
  assert.is(last(new Instability({ loss: "minimax" }), [...base, stat(1050, { dGradNorm: 2 * 51 })]), "warning", "51x the median: a spike");
  const spikes = [...base, stat(1050, { gGradNorm: 300 }), stat(1100), stat(1150, { gGradNorm: 300 }), stat(1200), stat(1250, { gGradNorm: 300 })];
  assert.is(last(new Instability({ loss: "minimax" }), spikes), "firing", "three spikes in the window");
  // spikes leave the window after 20 reports
  const d = new Instability({ loss: "minimax" });
  assert.is(last(d, [...base, stat(1050, { gGradNorm: 300 })]), "warning");
  assert.is(last(d, reports(1100, INSTABILITY.window, () => ({}))), "ok", "the spike has left the window");
  // D swinging: certain (gap > 0.9) and at chance (gap < 0.1) three times each
  const swing = reports(50, 20, (i) => (i % 4 === 3 ? { dReal: 0.99, dFake: 0.01 } : i % 4 === 1 ? { dReal: 0.52, dFake: 0.48 } : { dReal: 0.7, dFake: 0.4 }));
  assert.is(last(new Instability({ loss: "non-saturating" }), swing), "firing", "D swinging between chance and certainty");
  assert.is(last(new Instability({ loss: "wasserstein" }), swing), "ok", "critic values are not probabilities: no swing sign");
});

test("unstable: a critic's loss 100x its early level; modes hopping between snapshots (TV > 0.5)", () => {
  const d = new Instability({ loss: "wasserstein" });
  const seq = [...reports(50, 10, () => ({ dLoss: -2, gLoss: 1 })), stat(550, { dLoss: -199 }), stat(600, { dLoss: -201 })];
  assert.equal(seq.map((s) => d.step(s)!.state).slice(-2), ["ok", "warning"], "199x ok, 201x a sign");
  const h = new Instability({ loss: "non-saturating" });
  const snap = (perMode: number[]) => ({ perMode, highQuality: 0.9, totalModes: 8, modes: 8 });
  assert.is(h.sample(500, snap([100, 100, 0, 0, 0, 0, 0, 0]))!.state, "ok", "the first snapshot: nothing to compare");
  assert.is(h.sample(700, { ...snap([0, 0, 0, 0, 0, 0, 0, 1]), highQuality: 0.1 }), undefined, "10% of samples on modes: not judged, and the chain restarts");
  h.sample(800, snap([100, 100, 0, 0, 0, 0, 0, 0]));
  assert.is(h.sample(1000, snap([0, 100, 100, 0, 0, 0, 0, 0]))!.state, "ok", "TV 0.5: not past the threshold");
  assert.is(h.sample(1500, snap([0, 0, 100, 100, 1, 0, 0, 0]))!.state, "warning", "TV 0.5025: a hop");
  // Stacked MNIST's snapshot: 2,600 samples over 1,000 modes (2.6 a mode < 20): histogram noise, not judged
  const s = new Instability({ loss: "non-saturating" });
  const many = (shift: number) => ({ perMode: Array.from({ length: 1000 }, (_, i) => ((i + shift) % 1000 < 500 ? 5 : 0) + 0.2), highQuality: 0.9, totalModes: 1000, modes: 1000 });
  assert.is(s.sample(500, many(0)), undefined, "2,600 counted over 1,000 modes: not judged");
  assert.is(s.sample(1000, many(500)), undefined, "nor the next one, though its shares moved by a TV of ~0.96");
  assert.is(INSTABILITY.minPerMode, 20);
});

test("the monitor: one event per change of state with the step it began, the flag, intervals for the report's band", () => {
  const events: string[] = [];
  const mon = new HealthMonitor({ loss: "minimax", onHealth: (e) => events.push(`${e.step} ${e.detector} ${e.previous}->${e.state}`) });
  assert.is(mon.flag(), "");
  for (const s of reports(50, 10, () => ({ gGradNorm: 5 }))) mon.step(s);
  for (const s of reports(550, 25, () => ({ dFake: 1e-6, dReal: 1, dLoss: 1e-6, gGradNorm: 1e-5 }))) mon.step(s);
  assert.is(mon.sample(400, { spread: 0.01 }).length, 0, "a snapshot inside the grace steps is not judged");
  mon.sample(1000, { spread: 0.01 });
  // D stops winning (G's gradient still small, so no spike): ok once 3 of the 20 reports are not wins
  for (const s of reports(1800, 25, () => ({ gGradNorm: 1e-5 }))) mon.step(s);
  // 10 early reports, then the window (the last 20) holds 18 wins at the 28th report, step 1400
  assert.equal(events, ["1400 vanishing-G ok->firing", "1000 mode-collapse ok->warning", "1900 vanishing-G firing->ok"]);
  assert.is(mon.flag(), "⚠ mode-collapse");
  const r = mon.reports().find((x) => x.detector === "mode-collapse")!;
  assert.equal([r.state, r.since], ["warning", 1000]);
  assert.ok(r.advice.includes("packing"), r.advice);
  assert.equal(healthIntervals(mon.history(), 3000), [
    { detector: "vanishing-G", state: "firing", from: 1400, to: 1900 },
    { detector: "mode-collapse", state: "warning", from: 1000, to: 3000 },
  ]);
  assert.equal(JSON.parse(JSON.stringify(mon.history())), mon.history(), "events are JSON-safe");
});

test.run();
