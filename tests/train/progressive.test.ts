// Progressive growing's run (src/train/progressive.ts, src/train/grow.ts, src/model/progressive.ts)
// on a tiny config: 4×4 → 8×8 (phases: 4 stable, 8 fade, 8 stable; 4 steps each, batch 4) on 64
// bundled digits padded to 32×32 and pooled to 8×8 (src/data/progressive_data.ts).
//  (1) the phase specs validate, and moving to the next phase carries every tensor of a named
//      layer over exactly (parameters and the generator's average, bit for bit), starts the new
//      layers' average at their initial weights, and resets Adam (zero moments and update count,
//      the official code's reset_opt_for_new_lod); carryOptimizer keeps the moments by name.
//  (2) α ramps linearly over a fade: α = k / steps before the phase's k-th step (every step here),
//      1 at its end, and the reals follow it; the generator's samples at a fade's start (α 0) are
//      the phase before's upsampled and at its end (α 1) the next phase's, bit for bit.
//  (3) a run stopped and resumed from its checkpoint ends with the bits of one that never stopped:
//      stopped mid-fade (step 6), and stopped before a resolution change (step 3, the resumed run
//      crossing 4×4 → 8×8 itself).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mnist } from "../../src/data/mnist.ts";
import { padImages, atResolution, fadeReals, double } from "../../src/data/progressive_data.ts";
import { phases, phaseSpec, fadeAlpha, pgganMnist32, type ProgressiveConfig } from "../../src/model/progressive.ts";
import { validateSpec } from "../../src/model/spec.ts";
import { modelLayout, tensorKey, tensorView } from "../../src/model/layout.ts";
import { ProgressiveRun, type ProgressiveCheckpoint } from "../../src/train/progressive.ts";
import { encodeCheckpoint, decodeCheckpoint } from "../../src/io/checkpoint.ts";
import type { GanState } from "../../src/engine/engine.ts";
import { expectBitIdentical } from "../util/check.ts";

const config: ProgressiveConfig = {
  name: "tiny", latentDim: 8, imageChannels: 1, resolutions: [4, 8], channels: { 4: 4, 8: 3 },
  batchSize: 4, fadeImages: 16, stableImages: 16, alphaEvery: 1, emaDecay: 0.9,
};
const digits = padImages(await mnist({ count: 64 }), 32);
const data = { ...atResolution(digits, 8), name: "mnist-8" };
const inProcess = { seed: 5, mode: "in-process" as const };

test("the phases: 4 stable, 8 fade, 8 stable, 4 steps each; every phase's spec validates; α = k / steps", () => {
  const ps = phases(config);
  assert.equal(ps.map((p) => [p.resolution, p.kind, p.start, p.steps]), [[4, "stable", 0, 4], [8, "fade", 4, 4], [8, "stable", 8, 4]]);
  for (const p of ps) validateSpec(phaseSpec(config, p));
  assert.equal(phases({ ...config, finalImages: 40 }).map((p) => p.steps), [4, 4, 10], "finalImages: the last stable phase only");
  assert.throws(() => phases({ ...config, finalImages: 6 }), /^progressive\.finalImages: must be a positive multiple of batchSize 4 \(got 6\)$/);
  const ns = { ...config, loss: "non-saturating" as const, r1: 10 };
  for (const p of phases(ns)) assert.equal([validateSpec(phaseSpec(ns, p)).r1, validateSpec(phaseSpec(ns, p)).gradientPenalty], [10, undefined], "non-saturating + R1");
  assert.throws(() => phases({ ...config, r1: 10 }), /^progressive\.r1: is for the non-saturating loss; the wasserstein loss takes gradientPenalty$/);
  assert.equal([4, 5, 6, 7, 8].map((s) => fadeAlpha(ps[1], s)), [0, 0.25, 0.5, 0.75, 1], "α before each fade step");
  assert.equal([4, 5, 6, 7, 8].map((s) => fadeAlpha(ps[1], s, 2)), [0, 0, 0.5, 0.5, 1], "alphaEvery 2");
  assert.equal([4, 7, 8].map((s) => fadeAlpha(ps[1], s, 5)), [0, 0, 1], "alphaEvery 5 > the phase: 0 throughout, 1 at its end");
  const blend = fadeReals(atResolution(digits, 8))(0.25), full = atResolution(digits, 8), low = atResolution(digits, 4);
  // pixel (0, 0) of sample 0 at α = 0.25: 0.25·x8 + 0.75·x4 (upsampled: the 4×4 pixel covering it)
  assert.ok(Math.abs(blend.x[0] - (0.25 * full.x[0] + 0.75 * low.x[0])) < 1e-6, "the reals follow α");
});

test("pggan-mnist32: 7 phases, 13,000 steps (the last 7,000); non-saturating + R1 by default, the paper's WGAN-GP + drift on request; on the package entry", async () => {
  const ps = phases(pgganMnist32());
  assert.equal(ps.map((p) => `${p.resolution}${p.kind[0]}${p.steps}`), ["4s1000", "8f1000", "8s1000", "16f1000", "16s1000", "32f1000", "32s7000"]);
  const last = ps.at(-1)!;
  assert.equal(last.start + last.steps, 13_000);
  const ns = validateSpec(phaseSpec(pgganMnist32(), last)), wgan = validateSpec(phaseSpec(pgganMnist32("wasserstein"), last));
  assert.equal([ns.loss, ns.r1, ns.gradientPenalty, ns.drift], ["non-saturating", 10, undefined, undefined]);
  assert.equal([wgan.loss, wgan.r1, wgan.gradientPenalty, wgan.drift], ["wasserstein", undefined, 10, 0.001]);
  const entry = await import("../../src/index.ts");
  assert.is(entry.ProgressiveRun, ProgressiveRun);
  assert.equal(entry.pgganMnist32(), pgganMnist32());
  assert.is(entry.progressivePhases, phases);
});

// the state of each phase at its last step, and the next one's at its first, on one run
async function phaseStates(carryOptimizer = false) {
  const seen: { spec: ReturnType<typeof validateSpec>; state: GanState; samples: Float32Array }[] = [];
  const record = async (gan: import("../../src/worker/gan_api.ts").GAN) => {
    seen.push({ spec: gan.spec, state: await gan.saveState(), samples: await gan.sample(8, { seed: 3, average: true }) });
  };
  const run = await ProgressiveRun.start(config, data, { ...inProcess, carryOptimizer, onPhase: (_p, gan) => record(gan), onPhaseEnd: (_p, gan) => record(gan) });
  await run.runTo(12);
  await run.dispose();
  return seen; // [start 0, end 0, start 1, end 1, start 2, end 2]
}

test("a phase change carries every named tensor exactly (weights and EMA), new layers' EMA = their initial weights, Adam reset", async () => {
  const seen = await phaseStates();
  assert.is(seen.length, 6);
  for (const [a, b] of [[1, 2], [3, 4]]) {
    const from = seen[a], to = seen[b];
    assert.is(to.state.step, from.state.step, "the step goes on");
    expectBitIdentical("the training stream goes on", new Float32Array(to.state.rng.buffer), new Float32Array(from.state.rng.buffer));
    const oldL = modelLayout(from.spec), newL = modelLayout(to.spec);
    let carried = 0, fresh = 0;
    for (const role of ["generator", "discriminator"] as const) {
      const olds = new Map(oldL[role].params.map((t) => [tensorKey(role, t), t]));
      for (const t of newL[role].params) {
        const key = tensorKey(role, t), o = olds.get(key);
        const nw = to.state[role];
        if (o) {
          carried++;
          expectBitIdentical(`${key}: carried`, tensorView(nw.params, t), tensorView(from.state[role].params, o));
          if (role === "generator") expectBitIdentical(`${key}: its EMA carried`, tensorView(nw.average!, t), tensorView(from.state[role].average!, o));
        } else {
          fresh++;
          if (role === "generator") expectBitIdentical(`${key}: a new layer's EMA starts at its weights`, tensorView(nw.average!, t), tensorView(nw.params, t));
        }
      }
      assert.ok(to.state[role].opt1.every((v) => v === 0) && to.state[role].opt2.every((v) => v === 0) && to.state[role].updates === 0, `${role}: Adam reset`);
      assert.ok(from.state[role].opt1.some((v) => v !== 0), `${role}: the old phase had moments`);
    }
    assert.ok(carried >= 6, `carried tensors (${carried})`);
    if (a === 1) assert.ok(fresh >= 4, `the fade adds layers (${fresh} new tensors)`);
    else assert.is(fresh, 0, "the stable phase adds nothing (it drops the old toRGB / fromRGB)");
  }
  // the EMA generator's samples: a fade at α 0 draws the old resolution's images upsampled, and a
  // fade's end (α 1) the next stable phase's, exactly
  expectBitIdentical("fade start (α 0) = the 4×4 phase's end, upsampled", seen[2].samples, double(seen[1].samples, 8, 4, 4, 1));
  expectBitIdentical("fade end (α 1) = the stable phase's start", seen[4].samples, seen[3].samples);
  const keep = await phaseStates(true);
  const t = modelLayout(keep[2].spec).generator.params.find((s) => s.layerName === "g4_conv" && s.name === "kernel")!;
  const o = modelLayout(keep[1].spec).generator.params.find((s) => s.layerName === "g4_conv" && s.name === "kernel")!;
  expectBitIdentical("carryOptimizer: Adam's moments carried by name", tensorView(keep[2].state.generator.opt1, t), tensorView(keep[1].state.generator.opt1, o));
  assert.is(keep[2].state.generator.updates, keep[1].state.generator.updates, "carryOptimizer: the update count kept");
});

async function finalState(stopAt?: number): Promise<GanState> {
  let run = await ProgressiveRun.start(config, data, inProcess);
  if (stopAt !== undefined) {
    await run.runTo(stopAt);
    const c = await run.checkpoint();
    // through the checkpoint file's bytes, as a resumed CLI run would read it
    const bytes = encodeCheckpoint(c.spec, c.state, { seed: 5, metadata: c.metadata });
    const back = decodeCheckpoint(bytes);
    await run.dispose();
    run = await ProgressiveRun.resume(config, data, { spec: back.spec, state: back.state, metadata: back.metadata } as ProgressiveCheckpoint, inProcess);
    if (stopAt === 6) assert.is(await run.alpha(), 0.5, "resumed mid-fade at α 0.5");
  }
  await run.runTo(12);
  const s = await run.gan.saveState();
  await run.dispose();
  return s;
}

test("straight == stopped and resumed: mid-fade (step 6, α 0.5) and before the resolution change (step 3)", async () => {
  const straight = await finalState();
  assert.is(straight.step, 12);
  for (const stop of [6, 3]) {
    const split = await finalState(stop);
    for (const role of ["generator", "discriminator"] as const) {
      expectBitIdentical(`stop at ${stop}: ${role} weights`, split[role].params, straight[role].params);
      expectBitIdentical(`stop at ${stop}: ${role} Adam m`, split[role].opt1, straight[role].opt1);
      expectBitIdentical(`stop at ${stop}: ${role} Adam v`, split[role].opt2, straight[role].opt2);
    }
    expectBitIdentical(`stop at ${stop}: generator EMA`, split.generator.average!, straight.generator.average!);
  }
});

test("a resumed checkpoint must be the run's: another phase's spec or α is refused in one line", async () => {
  const run = await ProgressiveRun.start(config, data, inProcess);
  await run.runTo(6);
  const c = await run.checkpoint();
  await run.dispose();
  const bad = async (cp: ProgressiveCheckpoint, re: RegExp) => {
    try { await ProgressiveRun.resume(config, data, cp, inProcess); assert.unreachable("accepted"); } catch (e) { assert.match((e as Error).message, re); }
  };
  await bad({ ...c, metadata: {} }, /holds no progressive phase/);
  await bad({ ...c, metadata: { progressive: JSON.stringify({ phase: 1, alpha: 0.75 }) } }, /α 0\.75 is not the schedule's 0\.5 at step 6/);
  await bad({ ...c, metadata: { progressive: JSON.stringify({ phase: 2, alpha: 1 }) } }, /step 6 is outside phase 2/);
});

test.run();
