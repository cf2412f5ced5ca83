// Stacked MNIST (VEEGAN, Srivastava et al. 2017; PacGAN, Lin et al. 2018): the modes covered of
// 1,000 and KL(mode histogram || uniform) on 26,000 samples, as the papers count them
// (src/eval/stacked_modes.ts), for
//   (1) real stacked samples: the floor the digit classifier's errors set, on digits from all
//       10,000 bundled ones (8,000 of which the classifier trained on) and from the held-out
//       8,000..9,999 only (the honest floor);
//   (2) the plain dcgan-stacked-mnist preset, STEPS = 2,000 steps (fixed before any run: 128,000
//       images, 5 passes over the 25,600 training samples), 2 threads, seeds SEEDS; counted at
//       1,000 and 2,000 steps; the health monitor watches the run as the CLI's does (snapshots
//       every 250 steps: the mode count on 2,600 samples).
// Results merge into bench/stacked-mnist-results.json (per seed), so seeds can be run apart:
//   node --import tsx bench/experiments/stacked_mnist.ts                 # real part + seeds 1..5
//   PARTS=train SEEDS=2,3 node --import tsx bench/experiments/stacked_mnist.ts
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createGAN, preset, runTraining, snapshotter, healthMetrics } from "../../src/index.ts";
import { stackedMnist } from "../../src/data/stacked_mnist.ts";
import { stackedModes, STACKED_EVAL_SAMPLES, type StackedModes } from "../../src/eval/stacked_modes.ts";
import { evaluate } from "../../src/eval/evaluate.ts";
import { HealthMonitor } from "../../src/health/monitor.ts";

const STEPS = 2000, HALF = 1000, SAMPLE_EVERY = 250, THREADS = 2, N = STACKED_EVAL_SAMPLES, EVAL_SEED = 1;
const SEEDS = (process.env.SEEDS ?? "1,2,3,4,5").split(",").map(Number);
const PARTS = (process.env.PARTS ?? "real,train").split(",");
const path = new URL("../stacked-mnist-results.json", import.meta.url);
const results = existsSync(path) ? JSON.parse(readFileSync(path, "utf8")) : {};
results.setup = { steps: STEPS, half: HALF, threads: THREADS, evalSamples: N, evalSeed: EVAL_SEED, trainingSamples: 25_600, preset: "dcgan-stacked-mnist", judge: "src/eval/digit_classifier.ts (98.05% on held-out 8000..9999)" };
results.runs ??= {};
const save = () => writeFileSync(path, JSON.stringify(results, null, 1) + "\n");
const brief = (m: StackedModes) => ({ modes: m.modes, kl: +m.kl.toFixed(4), confidentShare: +m.confidentShare.toFixed(4), count: m.count });

if (PARTS.includes("real")) {
  const t0 = performance.now();
  const all = await stackedMnist({ count: N, seed: 2017 });
  const held = await stackedMnist({ count: N, seed: 2018, offset: 8000 });
  // the same triples' true classes (the labels): what a perfect classifier would count
  const trueModes = (d: { labels?: Int32Array }) => { const c = new Array(1000).fill(0); for (const l of d.labels!) c[l]++; return c; };
  const { klFromUniform } = await import("../../src/eval/stacked_modes.ts");
  results.real = {
    allDigits: { ...brief(stackedModes(all.x, all.count)), trueLabels: { modes: trueModes(all).filter((c) => c > 0).length, kl: +klFromUniform(trueModes(all)).toFixed(4) } },
    heldOutDigits: { ...brief(stackedModes(held.x, held.count)), trueLabels: { modes: trueModes(held).filter((c) => c > 0).length, kl: +klFromUniform(trueModes(held)).toFixed(4) } },
    seconds: +((performance.now() - t0) / 1000).toFixed(1),
  };
  console.log("real", JSON.stringify(results.real));
  save();
}

if (PARTS.includes("train")) {
  for (const seed of SEEDS) {
    const data = await stackedMnist({ seed }); // what `wasm-gan train --preset dcgan-stacked-mnist --seed S` trains on
    const gan = await createGAN(preset("dcgan-stacked-mnist"), { seed, threads: THREADS, mode: "worker", engine: "wasm" });
    const take = await snapshotter(gan, data);
    const health = new HealthMonitor({ loss: gan.spec.loss });
    const row: Record<string, unknown> = { seed, points: [] as unknown[], snapshots: [] as unknown[], health: [] as unknown[] };
    const t0 = performance.now();
    let evalSec = 0;
    await runTraining(gan, data, {
      steps: STEPS, sampleEvery: SAMPLE_EVERY, checkpointEvery: 0, logEvery: Math.max(1, Math.floor(STEPS / 200)), health,
      onHealth: (e) => { (row.health as unknown[]).push({ step: e.step, detector: e.detector, state: e.state, evidence: e.evidence }); console.log(`seed ${seed} health`, e.step, e.detector, e.state); },
      onSnapshot: async (step) => {
        const t1 = performance.now();
        const snap = await take(step);
        (row.snapshots as unknown[]).push({ step, line: snap.line });
        if (step % HALF === 0) {
          const e = await evaluate(gan, { n: N, seed: EVAL_SEED });
          if (e.kind !== "stacked") throw new Error("expected a Stacked MNIST evaluation");
          (row.points as unknown[]).push({ step, ...brief(e), trainSec: +((performance.now() - t0) / 1000 - evalSec).toFixed(1) });
          console.log(`seed ${seed} step ${step}: ${e.modes} modes, KL ${e.kl.toFixed(3)}, confident ${(100 * e.confidentShare).toFixed(1)}%`);
        }
        evalSec += (performance.now() - t1) / 1000;
        return healthMetrics(snap, data);
      },
    });
    row.seconds = +((performance.now() - t0) / 1000).toFixed(1);
    row.healthAtEnd = health.reports().map((r) => ({ detector: r.detector, state: r.state, since: r.since }));
    results.runs[seed] = row;
    save();
    await gan.dispose();
  }
}

// the table, beside the papers' rows (PacGAN Table 2; its first four rows are VEEGAN's Table)
const fmt = (v: number[], d: number) => v.length === 1 ? v[0].toFixed(d) : `${mean(v).toFixed(d)} ± ${std(v).toFixed(d)}`;
function mean(v: number[]) { return v.reduce((a, b) => a + b, 0) / v.length; }
function std(v: number[]) { const m = mean(v); return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, v.length - 1)); }
const lines = ["| | modes (of 1,000) | KL | source |", "|---|---|---|---|"];
if (results.real) {
  lines.push(`| real stacked digits, all 10,000 (classifier floor) | ${results.real.allDigits.modes} | ${results.real.allDigits.kl.toFixed(3)} | this project |`);
  lines.push(`| real stacked digits, held-out 2,000 only (honest floor) | ${results.real.heldOutDigits.modes} | ${results.real.heldOutDigits.kl.toFixed(3)} | this project |`);
}
for (const step of [HALF, STEPS]) {
  const pts = Object.values(results.runs as Record<string, { seed: number; points: { step: number; modes: number; kl: number }[] }>)
    .map((r) => r.points.find((p) => p.step === step)).filter((p): p is { step: number; modes: number; kl: number } => !!p);
  if (pts.length) lines.push(`| dcgan-stacked-mnist, ${step.toLocaleString("en")} steps (${pts.length} seed${pts.length > 1 ? "s" : ""}) | ${fmt(pts.map((p) => p.modes), 1)} | ${fmt(pts.map((p) => p.kl), 2)} | this project |`);
}
lines.push("| DCGAN | 99.0 | 3.40 | VEEGAN, via PacGAN Table 2 |", "| DCGAN (PacGAN's implementation) | 78.9 ± 6.46 | 4.50 ± 0.127 | PacGAN Table 2 |", "| PacDCGAN2 | 1000.0 ± 0.00 | 0.06 ± 0.003 | PacGAN Table 2 |");
results.table = lines;
save();
console.log(lines.join("\n"));
