// wasm-gan train --preset pggan-mnist32: progressive growing (src/train/progressive.ts) on the
// bundled digits padded to 32×32, from the CLI. The phases fix the nets, batch and rates, so of
// train's flags only --steps (stop at that global step; default: the whole schedule), --seed,
// --loss (non-saturating with R1, the preset's, or wasserstein: WGAN-GP + drift, the paper's),
// --threads, --out, --resume, --force and --quiet apply. The output folder:
//   samples-phase<k>-<res>[-fade].png  the EMA generator's grid (latent seed 12345) at each phase's end
//   metrics.jsonl   the step statistics (every steps/200) and one {"phase": …} line per finished
//                   phase: its time, steps/s and the digit classifier's verdict on 1,000 samples
//                   upsampled to 32×32 and centre-cropped to 28×28
//   checkpoint.safetensors  at each phase's end, at the end and on Ctrl-C: the phase's spec with
//                   its α, and __metadata__.progressive (resume continues bit for bit)
//   report.html, curves.svg  the curves with the phases shaded and α under them, every grid
//   summary.json
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { mnist } from "../data/mnist.ts";
import { padImages, judgeFrame } from "../data/progressive_data.ts";
import { pgganMnist32, phaseRegions, alphaCurve, type ProgressiveConfig, type Phase } from "../model/progressive.ts";
import { ProgressiveRun, type ProgressiveCheckpoint } from "../train/progressive.ts";
import { CheckpointError, CHECKPOINT_FILE, encodeCheckpoint, type Checkpoint } from "../io/checkpoint.ts";
import { writeFileAtomic, removeStaleTemporaries } from "../io/files.ts";
import { imageGrid } from "../io/image_grid.ts";
import { trainingCurvesSvg, type CurvePoint } from "../io/loss_plot.ts";
import { reportHtml } from "../io/report.ts";
import { digitQuality } from "../eval/digit_classifier.ts";
import { prepareRunFolder } from "./out_paths.ts";
import { UsageError, intFlag } from "./args.ts";
import { progressLine } from "./run_outputs.ts";
import type { GAN, Threads } from "../worker/gan_api.ts";
import type { StepStats } from "../engine/engine.ts";

export const PROGRESSIVE_PRESETS: Record<string, (loss: ProgressiveLoss) => ProgressiveConfig> = { "pggan-mnist32": pgganMnist32 };
const APPLIES = ["preset", "steps", "seed", "loss", "threads", "out", "resume", "force", "quiet", "help"];
const LOSSES = ["non-saturating", "wasserstein"] as const;
type ProgressiveLoss = (typeof LOSSES)[number];

export async function trainProgressive(values: Record<string, string | boolean | undefined>, threads: Threads, resume?: Checkpoint): Promise<number> {
  for (const [k, v] of Object.entries(values)) {
    if (v !== undefined && !APPLIES.includes(k)) throw new UsageError(`--${k} does not apply to a progressive-growing run (its phases fix the nets, batch and rates; it takes ${APPLIES.filter((f) => f !== "help").map((f) => `--${f}`).join(", ")})`);
  }
  let prior: { preset: string; steps: number; seed: number; loss?: ProgressiveLoss } | undefined;
  if (resume) {
    try { prior = JSON.parse(resume.metadata.run ?? "null"); } catch { /* refused below */ }
    if (!prior || !PROGRESSIVE_PRESETS[prior.preset]) throw new CheckpointError(resume.path, "cannot resume: the checkpoint holds no valid progressive run settings (__metadata__.run)");
    if (values.preset !== undefined && values.preset !== prior.preset) throw new CheckpointError(resume.path, `a checkpoint of another run: preset ${prior.preset}, not ${values.preset}`);
  }
  const name = (values.preset as string | undefined) ?? prior!.preset;
  const asked = values.loss as string | undefined;
  if (asked !== undefined && !(LOSSES as readonly string[]).includes(asked)) throw new UsageError(`--loss for ${name} must be ${LOSSES.join(" or ")} (got ${JSON.stringify(asked)})`);
  // a checkpoint written before --loss existed was trained with the then preset's wasserstein loss
  const priorLoss: ProgressiveLoss | undefined = prior ? prior.loss ?? "wasserstein" : undefined;
  if (resume && asked !== undefined && asked !== priorLoss) throw new CheckpointError(resume.path, `a checkpoint of another run: it was trained with --loss ${priorLoss}, not ${asked}`);
  const loss = (asked as ProgressiveLoss | undefined) ?? priorLoss ?? "non-saturating";
  const config = PROGRESSIVE_PRESETS[name](loss);
  const seed = intFlag(values.seed as string | undefined, "seed", prior?.seed ?? 1);
  if (resume && seed !== resume.seed) throw new CheckpointError(resume.path, `a checkpoint of another run: it was trained with --seed ${resume.seed}, not ${seed}`);
  const data = padImages(await mnist(), 32);
  const out = (values.out as string | undefined) ?? (resume ? join(resume.path, "..") : join("out", name));
  await prepareRunFolder(out, { resumeDir: resume ? join(resume.path, "..") : undefined, force: !!values.force });
  const lines: string[] = [];
  const phaseLines: Record<string, unknown>[] = [];
  const onPhaseEnd = async (p: Phase, gan: GAN, seconds: number) => {
    const x = await gan.sample(1000, { seed: 99, average: true });
    const q = digitQuality(judgeFrame(x, 1000, p.resolution), 1000);
    const png = imageGrid(await gan.sample(64, { seed: 12345, average: true }), 64, p.resolution, p.resolution, 1, { cols: 8, scale: Math.max(1, 64 / p.resolution) });
    await writeFileAtomic(join(out, `samples-phase${p.index}-${p.resolution}${p.kind === "fade" ? "-fade" : ""}.png`), png);
    const rec = { index: p.index, resolution: p.resolution, kind: p.kind, step: p.start + p.steps, seconds: +seconds.toFixed(1), stepsPerSecond: +(p.steps / seconds).toFixed(2), confidentShare: q.confidentShare, classesPresent: q.classesPresent, maxClassShare: q.maxClassShare };
    phaseLines.push(rec);
    lines.push(JSON.stringify({ phase: rec }));
    if (!values.quiet) console.log(`\nphase ${p.index} (${p.resolution}×${p.resolution}${p.kind === "fade" ? " fade" : ""}) done at step ${rec.step} in ${rec.seconds} s (${rec.stepsPerSecond} steps/s): ${(100 * q.confidentShare).toFixed(1)}% confident digits, ${q.classesPresent}/10 classes`);
    await save();
  };
  const options = { seed, threads, onPhaseEnd };
  const run = resume
    ? await ProgressiveRun.resume(config, data, { spec: resume.spec, state: resume.state, metadata: resume.metadata } as ProgressiveCheckpoint, options)
    : await ProgressiveRun.start(config, data, options);
  const steps = Math.min(intFlag(values.steps as string | undefined, "steps", prior?.steps ?? run.steps), run.steps);
  const start = await run.step();
  if (start > steps) throw new UsageError(`--steps ${steps} is behind the checkpoint, which is at step ${start}`);
  const ckptPath = join(out, CHECKPOINT_FILE);
  await removeStaleTemporaries(ckptPath);
  if (resume) { // the metrics of the steps before the resume
    const old = await readFile(join(out, "metrics.jsonl"), "utf8").catch(() => "");
    for (const l of old.split("\n")) {
      // (a phase that ended at `start` reports again as the resumed run crosses into the next)
      try { const j = l && JSON.parse(l); if (l && (j.phase ? j.phase.step < start : j.step <= start)) lines.push(l); } catch { /* a torn line */ }
    }
  }
  async function save(): Promise<void> {
    const c = await run.checkpoint();
    const bytes = encodeCheckpoint(c.spec, c.state, { seed, engine: run.gan.engineInfo(), metadata: { ...c.metadata, run: JSON.stringify({ preset: name, steps, seed, loss }) } }, ckptPath);
    await writeFileAtomic(ckptPath, bytes);
    await writeFileAtomic(join(out, "metrics.jsonl"), lines.length ? lines.join("\n") + "\n" : "");
  }
  console.log(`wasm-gan: ${resume ? `resuming ${name} at step ${start}` : `training ${name}`} to step ${steps} of ${run.steps} (${run.phases.map((p) => `${p.resolution}²${p.kind === "fade" ? " fade" : ""}`).join(", ")}; ${loss} loss; seed ${seed}) -> ${out}/`);
  const logEvery = Math.max(1, Math.floor(steps / 200)), t0 = Date.now();
  const progress = progressLine({ steps, start, t0, tty: !!process.stdout.isTTY && !values.quiet, quiet: !!values.quiet });
  const ac = new AbortController();
  const onSigint = () => { process.stderr.write("\nwasm-gan: interrupted: saving a checkpoint at the next step boundary\n"); ac.abort(); };
  process.once("SIGINT", onSigint);
  try {
    await run.runTo(steps, { every: logEvery, signal: ac.signal, onStep: (s: StepStats) => { if (s.step % logEvery === 0 || s.step === steps) lines.push(JSON.stringify(s)); progress(s); } });
  } finally {
    process.off("SIGINT", onSigint);
  }
  const done = await run.step();
  await save();
  const curve: CurvePoint[] = lines.map((l) => JSON.parse(l)).filter((l) => !l.phase);
  const svg = trainingCurvesSvg(curve, { steps: run.steps, outputLabel: "mean critic value (logit)", phases: phaseRegions(run.phases), alpha: alphaCurve(run.phases, run.alphaEvery) });
  await writeFileAtomic(join(out, "curves.svg"), svg);
  const last = phaseLines.at(-1);
  const note = last ? `phase ${last.index} (${last.resolution}²): ${(100 * (last.confidentShare as number)).toFixed(1)}% of 1,000 samples classified as digits with confidence >= 0.9, ${last.classesPresent}/10 classes, largest class ${(100 * (last.maxClassShare as number)).toFixed(1)}%` : `step ${done}`;
  await writeFileAtomic(join(out, "report.html"), reportHtml({
    title: `wasm-gan: ${name}, step ${done.toLocaleString("en")} of ${run.steps.toLocaleString("en")}`, note,
    facts: [["loss", loss === "wasserstein" ? `WGAN-GP (λ ${config.gradientPenalty}) + drift ${config.drift}` : `non-saturating + R1 (γ ${config.r1})`], ["phases", run.phases.map((p) => `${p.resolution}²${p.kind === "fade" ? " fade" : ""} (${p.steps} steps)`).join(", ")],
      ...phaseLines.map((r) => [`phase ${r.index} (${r.resolution}² ${r.kind})`, `${r.seconds} s, ${r.stepsPerSecond} steps/s`] as [string, string]),
      ["checkpoint", `${CHECKPOINT_FILE} at step ${done}`]],
    curvesSvg: svg, snapshots: await phaseGrids(out, run.phases),
  }));
  await writeFileAtomic(join(out, "summary.json"), JSON.stringify({ preset: name, steps, seed, step: done, seconds: (Date.now() - t0) / 1000, loss, phases: phaseLines, last: await run.gan.stats() }, null, 2));
  await run.dispose();
  if (done < steps) { console.log(`wasm-gan: interrupted at step ${done}: checkpoint saved to ${ckptPath} (continue with: wasm-gan train --resume ${out})`); return 130; }
  console.log(`done: ${note}; wrote ${out}/report.html, ${CHECKPOINT_FILE}`);
  return 0;
}

// every finished phase's grid in the folder (this session's and a resumed run's earlier ones)
async function phaseGrids(out: string, phases: Phase[]): Promise<{ step: number; png: Uint8Array }[]> {
  const found: { step: number; png: Uint8Array }[] = [];
  for (const p of phases) {
    const png = await readFile(join(out, `samples-phase${p.index}-${p.resolution}${p.kind === "fade" ? "-fade" : ""}.png`)).catch(() => undefined);
    if (png) found.push({ step: p.start + p.steps, png: new Uint8Array(png) });
  }
  return found;
}
