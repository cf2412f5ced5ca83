// pggan-mnist32 (src/model/progressive.ts: 4×4 → 32×32 on the bundled digits padded to 32×32)
// trained through every phase and measured as it grows. At each phase's start and end, and every
// `evalEvery` steps (default: each quarter of a phase), the EMA generator's samples (latent
// seed 99), upsampled to 32×32 and centre-cropped to 28×28 (judgeFrame: the digits' own frame),
// are judged like the DCGAN's: the digit classifier's share with confidence >= 0.9, classes
// present, largest class share (1,000 samples), and FID (src/eval, n samples, default 2,000).
// Per phase: wall time, steps/s, and a grid of 64 samples (latent seed 12345) at the phase's
// resolution; report.html: the training curves with the phases shaded and α under them, the
// evaluations likewise, the grids of every phase. Across each resolution change: the largest fall of the classifier share and the
// largest rise of FID from the last evaluation before the fade to any evaluation up to the end
// of the following stable phase's first quarter.
//   npx tsx bench/experiments/pggan_mnist.ts [seed] [imagesScale] [outDir] [threads] [evalN] [config overrides as JSON]
// imagesScale multiplies every phase's images (1: the preset's 16,000 a phase, 112,000 the last).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { mnist } from "../../src/data/mnist.ts";
import { padImages, judgeFrame } from "../../src/data/progressive_data.ts";
import { pgganMnist32, phaseRegions, alphaCurve, type Phase } from "../../src/model/progressive.ts";
import { ProgressiveRun } from "../../src/train/progressive.ts";
import { digitQuality } from "../../src/eval/digit_classifier.ts";
import { evaluateImages } from "../../src/eval/evaluate.ts";
import { imageGrid } from "../../src/io/image_grid.ts";
import { trainingCurvesSvg, lineChartSvg, type CurvePoint } from "../../src/io/loss_plot.ts";
import { reportHtml } from "../../src/io/report.ts";
import type { GAN } from "../../src/worker/gan_api.ts";

const seed = Number(process.argv[2] ?? 1), scale = Number(process.argv[3] ?? 1);
const out = process.argv[4] ?? `out/pggan-mnist32-s${seed}`;
const threads = Number(process.argv[5] ?? 1), evalN = Number(process.argv[6] ?? 2000);
const overrides = JSON.parse(process.argv[7] ?? "{}");
const base = pgganMnist32(overrides.loss ?? "non-saturating"); // {"loss": "wasserstein"}: the paper's WGAN-GP + drift, no R1
const config = { ...base, fadeImages: base.fadeImages * scale, stableImages: base.stableImages * scale, finalImages: base.finalImages! * scale, ...overrides };
mkdirSync(out, { recursive: true });
const round = (v: number, d = 3) => +v.toFixed(d);

const data = padImages(await mnist(), 32);
const rows: Record<string, unknown>[] = [];
const phaseRows: Record<string, unknown>[] = [];
let run: ProgressiveRun;
const t0 = performance.now();

async function judge(gan: GAN, p: Phase, step: number, where: string) {
  const n = Math.max(evalN, 1000), R = p.resolution;
  const x = judgeFrame(await gan.sample(n, { seed: 99, average: true }), n, R);
  const q = digitQuality(x.subarray(0, 1000 * 784), 1000);
  const live = digitQuality(judgeFrame(await gan.sample(1000, { seed: 99 }), 1000, R), 1000);
  const fid = (await evaluateImages(x, n, { metrics: ["fid"] })).fid!;
  const row = { seed, step, where, phase: p.index, resolution: R, kind: p.kind, alpha: round(await run.alpha()), sec: round((performance.now() - t0) / 1000, 1),
    confident: round(q.confidentShare), classes: q.classesPresent, maxShare: round(q.maxClassShare), fid: round(fid, 1), liveConfident: round(live.confidentShare) };
  rows.push(row);
  console.log(JSON.stringify(row));
}

let phaseT = 0;
const grids: { step: number; png: Uint8Array }[] = [];
const curve: CurvePoint[] = [];
const onStep = (st: { step: number; dLoss: number; gLoss: number; dReal: number; dFake: number }) => curve.push({ step: st.step, dLoss: st.dLoss, gLoss: st.gLoss, dReal: st.dReal, dFake: st.dFake });
run = await ProgressiveRun.start(config, data, {
  seed, threads, carryOptimizer: false,
  onPhase: async (p, gan) => { phaseT = performance.now(); if (p.index > 0) await judge(gan, p, p.start, "phase start"); },
  onPhaseEnd: async (p, gan) => {
    const sec = (performance.now() - phaseT) / 1000; // training only: before this phase's evaluations
    phaseRows.push({ phase: p.index, resolution: p.resolution, kind: p.kind, steps: p.steps, images: p.steps * config.batchSize, sec: round(sec, 1), stepsPerSec: round(p.steps / sec, 2) });
    console.log(JSON.stringify(phaseRows.at(-1)));
    await judge(gan, p, p.start + p.steps, "phase end");
    const png = imageGrid(await gan.sample(64, { seed: 12345, average: true }), 64, p.resolution, p.resolution, 1, { cols: 8, scale: Math.max(1, 32 / p.resolution) });
    writeFileSync(join(out, `phase${p.index}-${p.resolution}${p.kind === "fade" ? "-fade" : ""}.png`), png);
    grids.push({ step: p.start + p.steps, png });
  },
});
const evalEvery = Number(process.env.EVAL_EVERY ?? run.phases[0].steps / 4);
// evaluations inside phases (phase starts and ends come from the hooks); time spent judging is
// excluded from each phase's training time
for (let s = evalEvery; s <= run.steps; s += evalEvery) {
  await run.runTo(s, { onStep, every: 10 });
  const p = run.phaseAt(s - 1);
  if (s !== p.start + p.steps) {
    const t = performance.now();
    await judge(run.gan, p, s, "in phase");
    phaseT += performance.now() - t;
  }
}
// across each resolution change: from the last evaluation of the stable phase before it
const changes = run.phases.filter((p) => p.kind === "fade").map((f) => {
  const before = rows.filter((r) => (r.phase as number) === f.index - 1).at(-1)!;
  const next = run.phases[f.index + 1];
  const after = rows.filter((r) => (r.phase as number) === f.index || ((r.phase as number) === next.index && (r.step as number) <= next.start + next.steps / 4));
  return { resolution: f.resolution, before: { confident: before.confident, fid: before.fid },
    worstConfidentFall: round(Math.max(0, ...after.map((r) => (before.confident as number) - (r.confident as number)))),
    worstFidRise: round(Math.max(0, ...after.map((r) => (r.fid as number) - (before.fid as number))), 1) };
});
const final = rows.at(-1);
const summary = { seed, scale, config, seconds: round((performance.now() - t0) / 1000, 1), phases: phaseRows, changes, final, rows };
writeFileSync(join(out, "results.json"), JSON.stringify(summary, null, 1));
const regions = phaseRegions(run.phases);
const evalSvg = lineChartSvg([
  { title: "classifier share with confidence >= 0.9 (1,000 EMA samples, 28×28 frame)", series: [{ name: "share", color: "#1f77b4", points: rows.map((r) => [r.step as number, r.confident as number]), marks: true }] },
  { title: `FID (n ${Math.max(evalN, 1000)})`, series: [{ name: "FID", color: "#d62728", points: rows.map((r) => [r.step as number, r.fid as number]), marks: true }] },
], { steps: run.steps, panelHeight: 160, regions });
writeFileSync(join(out, "report.html"), reportHtml({
  title: `${config.name}, seed ${seed}`,
  note: `final: ${(100 * (final!.confident as number)).toFixed(1)}% confident digits, ${final!.classes}/10 classes, largest ${(100 * (final!.maxShare as number)).toFixed(1)}%, FID ${final!.fid}`,
  facts: [["phases", run.phases.map((p) => `${p.resolution}²${p.kind === "fade" ? " fade" : ""} ${p.steps} steps`).join(", ")],
    ...phaseRows.map((r) => [`phase ${r.phase} (${r.resolution}² ${r.kind})`, `${r.sec} s, ${r.stepsPerSec} steps/s`] as [string, string])],
  curvesSvg: trainingCurvesSvg(curve, { steps: run.steps, outputLabel: "mean critic value", phases: regions, alpha: alphaCurve(run.phases, run.alphaEvery) }),
  evalSvg, snapshots: grids,
}));
console.log(JSON.stringify({ final, changes }));
await run.dispose();
