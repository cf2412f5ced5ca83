// wasm-gan train: settings from flags (or a checkpoint to resume), the data set, the GAN, then
// the run (src/train/run.ts) with hooks that write the output folder (run_outputs.ts); with
// --eval-every, evaluations on the data's metrics and --keep-best's best checkpoint (train_eval.ts).
import { parseArgs } from "node:util";
import { join, dirname } from "node:path";
import { createGAN } from "../worker/create_gan.ts";
import type { GAN } from "../worker/gan_api.ts";
import { preset, presets } from "../model/presets.ts";
import { validateSpec, type NormalisedSpec } from "../model/spec.ts";
import { CheckpointError, readCheckpoint, restoreCheckpoint, specDifference, CHECKPOINT_FILE } from "../io/checkpoint.ts";
import { writeFileAtomic, removeStaleTemporaries } from "../io/files.ts";
import { runTraining, RunDivergedError } from "../train/run.ts";
import { snapshotter, type Snapshot } from "../train/snapshot.ts";
import { HealthMonitor } from "../health/monitor.ts";
import { healthMetrics } from "../health/sample_metrics.ts";
import { UsageError, intFlag, numFlag, threadsFlag, joinNegativeValues, readConfig } from "./args.ts";
import { dataFor, loadDataName, dataNameOf } from "./data_names.ts";
import { runSettings, type RunSettings } from "./run_settings.ts";
import { RunOutputs, progressLine } from "./run_outputs.ts";
import { evalSettings, priorBest, shortValue, BEST_FILE } from "./train_eval.ts";
import type { EvalMetrics } from "../eval/training_eval.ts";
import type { Dataset } from "../data/dataset.ts";
import { withMirrors } from "../data/augment.ts";
import { dcganFor } from "../model/image_preset.ts";
import { TFJS_BACKENDS } from "../engine/tfjs/backends.ts";
import type { Checkpoint } from "../io/checkpoint.ts";
import { prepareRunFolder } from "./out_paths.ts";
import { TRAIN_HELP } from "./help.ts";
import { PROGRESSIVE_PRESETS, trainProgressive } from "./train_progressive.ts";

// `--preset dcgan`: DCGAN nets derived from the shape of --data's images (src/model/image_preset.ts)
export const DERIVED_PRESET = "dcgan";

// --engine and --backend: known names, and a backend only where it is used (the tfjs engine)
function checkEngineFlags(engine: string | undefined, backend: string | undefined): void {
  if (engine !== undefined && !["auto", "wasm", "tfjs"].includes(engine)) throw new UsageError(`--engine must be auto, wasm or tfjs (got ${JSON.stringify(engine)})`);
  if (backend === undefined) return;
  if (backend !== "auto" && !(TFJS_BACKENDS as readonly string[]).includes(backend)) throw new UsageError(`--backend must be ${TFJS_BACKENDS.join(", ")} or auto (got ${JSON.stringify(backend)})`);
  if (engine !== "tfjs" && engine !== "auto") {
    throw new UsageError(`--backend ${backend} names a backend of the tfjs engine: add --engine tfjs to train on it${engine === "wasm" ? " (the wasm engine has no backends)" : ", or --engine auto to use it only where it is a real GPU"}`);
  }
}

// A linear learning-rate decay that ends before --steps. A fresh run trains on at rate 0 after
// a note (a --config's own schedule); a resumed run is refused unless --extend-schedule, which
// stretches the decay to --steps (the rates pick up at lr·(1 − step/steps) and reach 0 at the
// new end): training on at rate 0 would change nothing.
function scheduleFor(spec: NormalisedSpec, steps: number, resume: Checkpoint | undefined, extend: boolean): NormalisedSpec {
  const sch = spec.lrSchedule;
  if (sch.type !== "linear" || steps <= sch.steps) return spec;
  if (extend) return { ...spec, lrSchedule: { type: "linear", steps } };
  if (!resume) {
    console.error(`wasm-gan: note: the learning rates fall to 0 at step ${sch.steps} (spec.lrSchedule), before --steps ${steps}`);
    return spec;
  }
  const now = resume.step >= sch.steps ? `reached 0 at step ${sch.steps} (spec.lrSchedule), and the checkpoint is at step ${resume.step}` : `reach 0 at step ${sch.steps} (spec.lrSchedule)`;
  throw new UsageError(`the learning rates ${now}: steps past ${sch.steps} would change nothing. Pass --extend-schedule to stretch the decay to step ${steps} (the rates pick up at ${(1 - resume.step / steps).toFixed(3)} of their start and fall to 0 at ${steps}), or resume with --steps ${Math.max(sch.steps, resume.step)}`);
}

export class TrainingError extends Error {}

export async function train(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args: joinNegativeValues(args), strict: true, allowPositionals: false,
    options: {
      preset: { type: "string" }, config: { type: "string" }, steps: { type: "string" }, seed: { type: "string" }, batch: { type: "string" },
      loss: { type: "string" }, "lr-g": { type: "string" }, "lr-d": { type: "string" },
      "sample-every": { type: "string" }, "checkpoint-every": { type: "string" }, out: { type: "string" },
      resume: { type: "string" }, quiet: { type: "boolean" }, data: { type: "string" }, threads: { type: "string" },
      engine: { type: "string" }, backend: { type: "string" }, force: { type: "boolean" }, flip: { type: "boolean" },
      "extend-schedule": { type: "boolean" }, help: { type: "boolean", short: "h" },
      "eval-every": { type: "string" }, "eval-metrics": { type: "string" }, "eval-samples": { type: "string" }, "keep-best": { type: "string" },
    },
  });
  if (values.help) { console.log(TRAIN_HELP); return 0; }
  const threads = threadsFlag(values.threads);
  // progressive growing (src/cli/train_progressive.ts): its preset, or a checkpoint of its runs
  if (values.preset !== undefined && PROGRESSIVE_PRESETS[values.preset]) return trainProgressive(values, threads);
  if (values.resume !== undefined && values.preset === undefined) {
    const c = await readCheckpoint(values.resume);
    if (c.metadata.progressive !== undefined) return trainProgressive(values, threads, c);
  }
  const known = [...Object.keys(presets), DERIVED_PRESET];
  if (values.preset !== undefined && !known.includes(values.preset)) throw new UsageError(`unknown preset ${JSON.stringify(values.preset)} (known: ${known.join(", ")}); progressive growing: ${Object.keys(PROGRESSIVE_PRESETS).join(", ")}`);
  checkEngineFlags(values.engine, values.backend);
  // --resume takes the run's folder or its checkpoint file; the run continues in that folder
  const resume = values.resume !== undefined ? await readCheckpoint(values.resume) : undefined;
  const resumeDir = resume && dirname(resume.path);
  const prior = resume && runSettings(resume);
  const presetName = values.preset ?? prior?.preset ?? (values.config ? undefined : "ring8");
  if (presetName === DERIVED_PRESET && values.data === undefined && !prior) throw new UsageError(`--preset ${DERIVED_PRESET} derives its nets from your images: pass --data PATH (a folder of PNG images, or IDX files)`);
  const flip = !!(values.flip || prior?.flip);
  // the data set: the checkpoint's, --data's, or the preset's (known once the spec is: dataFor)
  let dataName = prior?.data ?? (values.data !== undefined ? dataNameOf(values.data) : undefined);
  let loaded: Promise<Dataset> | undefined;
  const derivedData = () => (loaded ??= (async () => {
    const d = await loadDataName(dataName!, seed);
    return flip ? withMirrors(d) : d;
  })());
  // default: a preset's decay length when it has one (grid25's recipe runs 30,000 steps), else 10,000
  const presetSchedule = !values.config && presetName && presetName !== DERIVED_PRESET && presets[presetName] ? preset(presetName).lrSchedule : undefined;
  const steps = intFlag(values.steps, "steps", prior?.steps ?? (presetSchedule?.type === "linear" ? presetSchedule.steps : 10_000));
  const seed = intFlag(values.seed, "seed", prior?.seed ?? 1);
  if (resume && seed !== resume.seed) throw new CheckpointError(resume.path, `a checkpoint of another run: it was trained with --seed ${resume.seed}, not ${seed}`);

  // the spec: the flags' (fresh run), or the checkpoint's, which flags given with --resume must match
  const specFlags = ["preset", "config", "batch", "loss", "lr-g", "lr-d"] as const;
  let spec: NormalisedSpec;
  if (!resume || specFlags.some((f) => values[f] !== undefined)) {
    const s = (values.config ? await readConfig(values.config)
      : !values.preset && resume ? structuredClone(resume.spec)
      : presetName === DERIVED_PRESET ? dcganFor((await derivedData()).shape, DERIVED_PRESET) : preset(presetName!)) as Record<string, any>;
    if (values.batch !== undefined) s.batchSize = intFlag(values.batch, "batch", 0, 1);
    if (values.loss !== undefined) s.loss = values.loss; // validated by the spec
    // a preset's decaying learning rate spans the whole run (on resume: the original run)
    if (!values.config && (values.preset || !resume) && s.lrSchedule?.type === "linear") s.lrSchedule = { type: "linear", steps: Math.max(1, prior?.steps ?? steps) };
    const lrG = numFlag(values["lr-g"], "lr-g"), lrD = numFlag(values["lr-d"], "lr-d");
    // the roles' nets: named in spec.objective, or the shorthand's generator and discriminator
    const gNet = s.objective?.generator ?? "generator", dNet = s.objective?.discriminator ?? "discriminator";
    if (lrG && s.optimizer?.[gNet]) s.optimizer[gNet].lr = lrG;
    if (lrD && s.optimizer?.[dNet]) s.optimizer[dNet].lr = lrD;
    spec = validateSpec(s);
    if (resume) {
      const d = specDifference(resume.spec, spec);
      if (d) throw new CheckpointError(resume.path, `a checkpoint of another spec: ${d}`);
    }
  } else spec = resume.spec;
  if (resume && resume.step > steps) throw new UsageError(`--steps ${steps} is behind the checkpoint, which is at step ${resume.step}`);
  spec = scheduleFor(spec, steps, resume, !!values["extend-schedule"]);

  const name = presetName ?? spec.name;
  dataName ??= dataFor(spec, presetName);
  const dataLabel: string = dataName;
  const sampleEvery = intFlag(values["sample-every"], "sample-every", prior?.sampleEvery ?? Math.max(1, Math.ceil(steps / 5)), 1);
  const checkpointEvery = intFlag(values["checkpoint-every"], "checkpoint-every", prior?.checkpointEvery ?? sampleEvery, 0);
  const out = values.out ?? resumeDir ?? join("out", name);
  // where the run writes, before any work: a folder, writable, not another run's (unless --force)
  await prepareRunFolder(out, { resumeDir, force: !!values.force });

  const data = await derivedData();
  if (data.shape.join() !== spec.dataShape.join()) {
    throw new UsageError(`the data set ${data.name} holds samples of shape [${data.shape.join(", ")}], but the spec (${name}) expects [${spec.dataShape.join(", ")}]`);
  }
  if (prior && data.count !== prior.dataCount) throw new CheckpointError(resume!.path, `the data set ${dataName} now holds ${data.count} samples, the run trained on ${prior.dataCount}`);
  const evaluation = evalSettings(values, data, prior?.eval);
  const engine = values.engine ?? "auto";
  const gan = await createGAN(spec, { seed, threads, engine: engine as "auto", backend: values.backend as "auto" | undefined });
  try {
    return await trainWith(gan);
  } finally {
    await gan.dispose(); // ends the worker threads
  }

  async function trainWith(gan: GAN): Promise<number> {
    // an extended schedule (--extend-schedule) is the one difference the checkpoint's spec may have
    if (resume) await restoreCheckpoint(gan, { ...resume, spec: { ...resume.spec, lrSchedule: spec.lrSchedule } });
    const run: RunSettings = { ...(presetName ? { preset: presetName } : {}), data: dataLabel, ...(flip ? { flip } : {}), dataCount: data.count, steps, seed, sampleEvery, checkpointEvery, ...(evaluation ? { eval: evaluation.settings } : {}) };
    const start = await gan.step();
    const info = gan.engineInfo();
    const engineLine = info.engine === "wasm"
      ? `the wasm engine, ${info.simd} SIMD, ${info.threads} thread${info.threads > 1 ? "s" : ""}${info.mode === "in-process" ? " (in-process)" : ""}`
      : `the tfjs engine, backend ${info.backend}${info.gpu ? " (GPU)" : " (not a GPU)"}`;
    const outputs = new RunOutputs(gan, out, run);
    await removeStaleTemporaries(outputs.ckptPath);
    console.log(resume
      ? `wasm-gan: resuming ${name} at step ${start} of ${steps} (batch ${spec.batchSize}, ${spec.loss}, seed ${seed}) on ${engineLine} -> ${out}/`
      : `wasm-gan: training ${name} for ${steps} steps (batch ${spec.batchSize}, ${spec.loss}, seed ${seed}) on ${engineLine} -> ${out}/`);
    if (resume) await outputs.keepMetricsUpTo(resumeDir!, start); // metrics of the steps before a resume
    // evaluations: one {"eval": {step, n, seed, ...}} line each; the best so far (a resumed run's
    // from its best.safetensors) replaced only by a better one
    const ev = evaluation?.settings, kind = evaluation?.kind;
    const evalKeys = ev && kind ? ev.metrics.flatMap((c) => kind.choices[c]) : undefined;
    const prevBest = resume && ev ? await priorBest(resume, out, ev, (m) => console.error(`wasm-gan: note: ${m}`)) : undefined;
    let best = prevBest && ev?.keepBest ? { metric: ev.keepBest, ...prevBest } : undefined;
    let lastEval: Record<string, number> | undefined;
    const evalNote = () => {
      if (!lastEval || !evalKeys) return "";
      const k = ev!.keepBest ?? evalKeys[0];
      return `${k} ${shortValue(lastEval[k])} @${lastEval.step}`;
    };

    const logEvery = Math.max(1, Math.floor(steps / 200));
    const t0 = Date.now();
    const tty = !!process.stdout.isTTY && !values.quiet;
    // the health monitor: one {"health": event} line in metrics.jsonl per change of a detector's
    // state, its flag on the progress line, its band in report.html
    const health = new HealthMonitor({ loss: spec.loss });
    const progress = progressLine({ steps, start, t0, tty, quiet: !!values.quiet, flag: () => health.flag(), note: evalNote });
    const report = (note: string) => outputs.writeReport({ note, name, dataName: dataLabel, spec, seed, steps, start, t0, engineLine, evalKeys, best });
    const take = await snapshotter(gan, data);
    let lastSnapshot: Snapshot | undefined;

    // Ctrl-C: stop at the next step boundary and save; a second Ctrl-C quits at once (the last
    // checkpoint is intact: it is replaced only by rename)
    const ac = new AbortController();
    const onSigint = () => {
      process.stderr.write(`${tty ? "\n" : ""}wasm-gan: interrupted: saving a checkpoint at the next step boundary (Ctrl-C again to quit without saving)\n`);
      ac.abort();
    };
    process.once("SIGINT", onSigint);
    let result;
    try {
      result = await runTraining(gan, data, {
        steps, sampleEvery, checkpointEvery, logEvery, signal: ac.signal,
        onStep: (s) => { if (s.step % logEvery === 0 || s.step === steps) outputs.metricsLines.push(JSON.stringify(s)); progress(s); },
        onSnapshot: async (step) => { lastSnapshot = await take(step); await outputs.writeSnapshot(lastSnapshot); return healthMetrics(lastSnapshot, data); },
        onCheckpoint: () => outputs.save(),
        health, onHealth: (e) => outputs.metricsLines.push(JSON.stringify({ health: e })),
        ...(ev ? {
          evalEvery: ev.every,
          onEval: async (step: number): Promise<EvalMetrics> => {
            const m = await kind!.evaluate(gan, data, { n: ev.samples, seed: ev.seed, choices: ev.metrics });
            lastEval = { step, n: ev.samples, seed: ev.seed, ...m };
            outputs.metricsLines.push(JSON.stringify({ eval: lastEval })); // NaN, Infinity: null
            return m;
          },
          keepBest: ev.keepBest ? {
            metric: ev.keepBest, best: prevBest,
            onBest: async (step: number, value: number) => {
              await outputs.saveBest({ metric: ev.keepBest!, step, value, n: ev.samples, seed: ev.seed });
              best = { metric: ev.keepBest!, step, value };
            },
          } : undefined,
        } : {}),
      });
    } catch (e) {
      if (!(e instanceof RunDivergedError)) throw e;
      if (tty) process.stdout.write("\n");
      await outputs.writeMetrics().catch(() => {});
      const saved = outputs.saved;
      throw new TrainingError(`${e.message.replace(/^.*?: not saved: /, "")}; ${saved ? `the last good checkpoint (step ${saved.step}) remains in ${outputs.ckptPath}` : resume ? `the checkpoint of step ${start} remains in ${resume.path}` : "no checkpoint was written"}`);
    } finally {
      process.off("SIGINT", onSigint);
    }
    if (tty) process.stdout.write("\n");

    const done = result.step;
    if (result.interrupted) {
      await report(`interrupted at step ${done}`);
      console.log(`wasm-gan: interrupted at step ${done} of ${steps}: checkpoint saved to ${outputs.ckptPath} (continue with: wasm-gan train --resume ${out})`);
      return 130;
    }
    const { samples, metrics, line } = lastSnapshot!;
    const seconds = (Date.now() - t0) / 1000;
    await outputs.writeMetrics();
    if (data.mixture) await writeFileAtomic(join(out, "samples.json"), JSON.stringify(Array.from(samples)));
    const rate = (steps - start) / seconds;
    const saved = outputs.saved!;
    const evals = outputs.evalLines();
    const evalSummary = ev && { ...ev, count: evals.length, last: evals.at(-1), best: best && { ...best, file: BEST_FILE } };
    const summary = { preset: name, data: dataName, steps, resumedFrom: resume ? start : undefined, seed, spec, engine: info, seconds, stepsPerSecond: rate, last: await gan.stats(), metrics, health: health.reports(), eval: evalSummary, checkpoint: { file: CHECKPOINT_FILE, bytes: saved.bytes, saveMs: saved.ms } };
    await writeFileAtomic(join(out, "summary.json"), JSON.stringify(summary, null, 2));
    await report(line);
    const bestLine = best ? `; best ${best.metric} ${shortValue(best.value)} at step ${best.step} (${BEST_FILE})` : "";
    console.log(`done in ${seconds.toFixed(1)} s (${rate.toFixed(rate < 10 ? 2 : 0)} steps/s): ${line}${line ? "; " : ""}wrote ${out}/samples.png, report.html, ${CHECKPOINT_FILE}${bestLine}`);
    return 0;
  }
}
