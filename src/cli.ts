#!/usr/bin/env node
// wasm-gan command line.  wasm-gan train | sample | info   (see `wasm-gan help`)
import { parseArgs } from "node:util";
import { readFile, readdir, stat } from "node:fs/promises";
import { extname, join, resolve } from "node:path";
import { createGAN, resolveThreads, preset, presets, ring8, grid25, mixtureMetrics, relaxedSimdSupported, validateSpec, type Dataset, type StepStats, type GAN, type NormalisedSpec } from "./index.ts";
import { workersUnavailable } from "./worker/spawn.ts";
import { selectEngine } from "./engine/select.ts";
import { mnist } from "./data/mnist.ts";
import { availableParallelism } from "node:os";
import { readFileSync } from "node:fs";
import { chooseFlavour, simdSupported } from "./engine/wasm_module.ts";
import { loadIdx } from "./data/idx.ts";
import { imageFolder } from "./data/image_folder.ts";
import { DataError } from "./data/errors.ts";
import { digitQuality } from "./eval/digit_classifier.ts";
import { imageGrid } from "./io/image_grid.ts";
import { encodePng } from "./io/png.ts";
import { scatterPlot } from "./io/plot2d.ts";
import { writeFileAtomic, removeStaleTemporaries } from "./io/files.ts";
import { CHECKPOINT_FILE, CheckpointError, loadCheckpoint, readCheckpoint, restoreCheckpoint, saveCheckpoint, specDifference, type Checkpoint } from "./io/checkpoint.ts";
import { encodeNpy } from "./io/npy.ts";
import { trainingCurvesSvg, type CurvePoint } from "./io/loss_plot.ts";
import { reportHtml } from "./io/report.ts";

const HELP = `wasm-gan: train and run GANs in WebAssembly

  wasm-gan train --preset NAME [--config FILE.json] [--data PATH] [--steps N] [--seed S] [--batch B]
                 [--loss minimax|non-saturating|wasserstein|hinge|least-squares]
                 [--lr-g LR] [--lr-d LR] [--threads auto|N] [--engine auto|wasm|tfjs]
                 [--backend webgpu|webgl|tensorflow|wasm|cpu] [--sample-every N] [--checkpoint-every N]
                 [--out DIR] [--quiet]
  wasm-gan train --resume DIR [--steps N] [--threads auto|N]
  wasm-gan sample --model PATH [-n N] [--label K] [--seed S] [--format png|npy|json] --out FILE
  wasm-gan info
  wasm-gan help

presets: ring8, grid25 (2-D mixtures, the mode-covering recipe), mlp-ring8, mlp-grid25 (the
plain reference workloads), dcgan-mnist (a DCGAN on the bundled MNIST digits). --config FILE.json
trains a spec of your own (see README) on the preset's data set (default: ring8 for 2-D samples,
MNIST for [28, 28, 1]). --data PATH trains on files instead: the standard IDX files (a folder
holding train-images-idx3-ubyte[.gz], or the file itself) or a folder of same-size PNG images.

train writes to DIR (default out/<preset>): samples-<step>.png and samples.png (for mixtures a
scatter of 2,500 samples over the data; for images an 8x8 grid of a fixed latent batch),
metrics.jsonl (one line per logged step), curves.svg (losses and D's outputs), report.html
(curves and samples over time, self-contained), summary.json, and checkpoint.safetensors every
--checkpoint-every steps (default: every --sample-every; 0: only at the end) and at the end.
Ctrl-C saves a checkpoint at the next step boundary and exits (code 130); --resume DIR continues
the run to --steps in all (default: the original total), ending with the same weights as an
uninterrupted run. --threads: kernel threads (default auto: one per core), in worker threads off
the main thread; any count gives the same weights bit for bit. --engine auto (default) trains on
the tfjs engine only where a real GPU backend starts and passes a self-test, else on WASM
(info says which and why); --engine tfjs --backend NAME forces it. sample draws from a checkpoint (a file, or a run directory): a PNG grid
(images) or scatter (2-D points), .npy (float32, shape (n, ...sample shape)) or JSON.`;

class UsageError extends Error {}
class TrainingError extends Error {}

const DATA: Record<string, (seed: number) => Promise<Dataset>> = {
  ring8: (seed) => ring8({ count: 100_000, seed }),
  grid25: (seed) => grid25({ count: 100_000, seed }),
  mnist: () => mnist(),
};
const PRESET_DATA: Record<string, string> = {
  ring8: "ring8", grid25: "grid25", "mlp-ring8": "ring8", "mlp-grid25": "grid25", "dcgan-mnist": "mnist", "cgan-mnist": "mnist", "cond-ring8": "ring8",
};

// A data set on disk (--data PATH), recorded in checkpoints as "path:<absolute path>": a folder
// holding train-images-idx3-ubyte[.gz] or an IDX file (with its labels when found), else a
// folder of PNG images of one size.
async function loadDataName(name: string, seed: number): Promise<Dataset> {
  if (!name.startsWith("path:")) return DATA[name](seed);
  const path = name.slice(5);
  let st;
  try { st = await stat(path); } catch { throw new DataError(path, "no such file or folder"); }
  if (st.isDirectory()) {
    const files = await readdir(path);
    if (files.some((f) => /^train-images-idx3-ubyte(\.gz)?$/.test(f))) return loadIdx(path);
    return imageFolder(path);
  }
  return loadIdx(path);
}
const knownData = (name: string) => name.startsWith("path:") || !!DATA[name];

// the data set a spec trains on: the preset's, else the one bundled set of its sample shape
function dataFor(spec: NormalisedSpec, presetName: string | undefined): string {
  if (presetName && PRESET_DATA[presetName]) return PRESET_DATA[presetName];
  const shape = spec.dataShape.join();
  if (shape === "2") return "ring8";
  if (shape === "28,28,1") return "mnist";
  throw new UsageError(`no bundled data set has samples of shape [${spec.dataShape.join(", ")}]: pass --preset to name the data set`);
}

// The run's settings, stored in each checkpoint's metadata (`run`), so --resume needs nothing else.
interface RunSettings { preset?: string; data: string; dataCount: number; steps: number; seed: number; sampleEvery: number; checkpointEvery: number }

function runSettings(c: Checkpoint): RunSettings {
  let r: Partial<RunSettings>;
  try {
    r = JSON.parse(c.metadata.run ?? "null") ?? {};
  } catch {
    throw new CheckpointError(c.path, "corrupted header: __metadata__.run is not valid JSON");
  }
  const int = (v: unknown, min: number) => Number.isSafeInteger(v) && (v as number) >= min;
  if (typeof r !== "object" || typeof r.data !== "string" || !knownData(r.data) || !int(r.steps, 0) || !int(r.seed, 0) || !int(r.sampleEvery, 1) || !int(r.checkpointEvery, 0) || !int(r.dataCount, 1)
    || (r.preset !== undefined && !presets[r.preset])) {
    throw new CheckpointError(c.path, "cannot resume: the checkpoint holds no valid run settings (__metadata__.run); was it written by `wasm-gan train`?");
  }
  return r as RunSettings;
}

interface Snapshot { step: number; samples: Float32Array; metrics: Record<string, unknown>; line: string; png: Uint8Array }

// a picture and numbers for the current generator: a scatter and mode metrics for 2-D mixtures,
// a grid of a fixed latent batch and the digit classifier's verdict for MNIST
async function snapshotter(gan: GAN, data: Dataset): Promise<() => Promise<Omit<Snapshot, "step">>> {
  if (data.mixture) {
    const mixture = data.mixture;
    return async () => {
      const samples = await gan.sample(2500, { seed: 7 });
      const m = mixtureMetrics(samples, mixture);
      const png = encodePng(scatterPlot(samples, { real: data.x.subarray(0, 5000), centres: mixture.centres }));
      const line = `${m.modes}/${m.totalModes} modes, ${(100 * m.highQuality).toFixed(1)}% high-quality samples, KL ${m.kl.toFixed(3)}`;
      return { samples, png, line, metrics: { ...m, kl: Number.isFinite(m.kl) ? m.kl : null } };
    };
  }
  const [h, w, c] = data.shape;
  const fixedZ = await gan.latent(64, 12345);
  return async () => {
    const samples = await gan.generate(fixedZ);
    const png = imageGrid(samples, 64, h, w, c, { cols: 8, scale: 2 });
    if (data.name !== "mnist") return { samples, png, line: "", metrics: {} };
    const q = digitQuality(await gan.sample(1000, { seed: 99 }), 1000);
    const line = `${(100 * q.confidentShare).toFixed(1)}% of 1,000 samples classified as digits with confidence >= 0.9, ${q.classesPresent}/10 classes, largest class ${(100 * q.maxClassShare).toFixed(1)}%`;
    return { samples, png, line, metrics: { confidentShare: q.confidentShare, classesPresent: q.classesPresent, maxClassShare: q.maxClassShare, classShares: q.classShares } };
  };
}

function intFlag(v: string | undefined, name: string, fallback: number, min = 0): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (v.trim() === "" || !Number.isSafeInteger(n) || n < min) throw new UsageError(`${name.length === 1 ? "-" : "--"}${name} must be an integer >= ${min} (got ${JSON.stringify(v)})`);
  return n;
}
function numFlag(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} must be a positive number (got ${JSON.stringify(v)})`);
  return n;
}

// `--steps -1` would make parseArgs complain that the value looks like a flag (three lines);
// join a negative number to its flag so the flag's own check names the problem
function joinNegativeValues(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i], next = args[i + 1];
    if (/^--?[a-z][\w-]*$/i.test(a) && next !== undefined && /^-[\d.]/.test(next)) {
      out.push(`${a.startsWith("--") ? a : `-${a}`}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

async function readConfig(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new UsageError(`--config ${path}: ${code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : (e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--config ${path}: not valid JSON (${(e as Error).message.split("\n")[0]})`);
  }
}

const nextMultiple = (x: number, k: number) => (Math.floor(x / k) + 1) * k;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function train(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args: joinNegativeValues(args), strict: true, allowPositionals: false,
    options: {
      preset: { type: "string" }, config: { type: "string" }, steps: { type: "string" }, seed: { type: "string" }, batch: { type: "string" },
      loss: { type: "string" }, "lr-g": { type: "string" }, "lr-d": { type: "string" },
      "sample-every": { type: "string" }, "checkpoint-every": { type: "string" }, out: { type: "string" },
      resume: { type: "string" }, quiet: { type: "boolean" }, data: { type: "string" }, threads: { type: "string" },
      engine: { type: "string" }, backend: { type: "string" },
    },
  });
  const threads = values.threads === undefined || values.threads === "auto" ? "auto" as const : Number(values.threads);
  if (threads !== "auto" && !(Number.isInteger(threads) && threads >= 1 && threads <= 256)) {
    throw new UsageError(`--threads must be "auto" or an integer from 1 to 256 (got ${JSON.stringify(values.threads)})`);
  }
  if (values.preset !== undefined && !presets[values.preset]) throw new UsageError(`unknown preset ${JSON.stringify(values.preset)} (known: ${Object.keys(presets).join(", ")})`);
  const resume = values.resume !== undefined ? await readCheckpoint(values.resume) : undefined;
  const prior = resume && runSettings(resume);
  const presetName = values.preset ?? prior?.preset ?? (values.config ? undefined : "ring8");
  const steps = intFlag(values.steps, "steps", prior?.steps ?? 10_000);
  const seed = intFlag(values.seed, "seed", prior?.seed ?? 1);
  if (resume && seed !== resume.seed) throw new CheckpointError(resume.path, `a checkpoint of another run: it was trained with --seed ${resume.seed}, not ${seed}`);

  // the spec: the flags' (fresh run), or the checkpoint's, which flags given with --resume must match
  const specFlags = ["preset", "config", "batch", "loss", "lr-g", "lr-d"] as const;
  let spec: NormalisedSpec;
  if (!resume || specFlags.some((f) => values[f] !== undefined)) {
    const s = (values.config ? await readConfig(values.config)
      : !values.preset && resume ? structuredClone(resume.spec) : preset(presetName!)) as Record<string, any>;
    if (values.batch !== undefined) s.batchSize = intFlag(values.batch, "batch", 0, 1);
    if (values.loss !== undefined) s.loss = values.loss; // validated by the spec
    // a preset's decaying learning rate spans the whole run (on resume: the original run)
    if (!values.config && (values.preset || !resume) && s.lrSchedule?.type === "linear") s.lrSchedule = { type: "linear", steps: Math.max(1, prior?.steps ?? steps) };
    const lrG = numFlag(values["lr-g"], "lr-g"), lrD = numFlag(values["lr-d"], "lr-d");
    if (lrG && s.optimizer?.generator) s.optimizer.generator.lr = lrG;
    if (lrD && s.optimizer?.discriminator) s.optimizer.discriminator.lr = lrD;
    spec = validateSpec(s);
    if (resume) {
      const d = specDifference(resume.spec, spec);
      if (d) throw new CheckpointError(resume.path, `a checkpoint of another spec: ${d}`);
    }
  } else spec = resume.spec;
  if (spec.lrSchedule.type === "linear" && steps > spec.lrSchedule.steps) {
    console.error(`wasm-gan: note: the learning rates fall to 0 at step ${spec.lrSchedule.steps} (spec.lrSchedule), before --steps ${steps}`);
  }
  if (resume && resume.step > steps) throw new UsageError(`--steps ${steps} is behind the checkpoint, which is at step ${resume.step}`);

  const name = presetName ?? spec.name;
  const dataName = prior?.data ?? (values.data !== undefined ? `path:${resolve(values.data)}` : dataFor(spec, presetName));
  const sampleEvery = intFlag(values["sample-every"], "sample-every", prior?.sampleEvery ?? Math.max(1, Math.ceil(steps / 5)), 1);
  const checkpointEvery = intFlag(values["checkpoint-every"], "checkpoint-every", prior?.checkpointEvery ?? sampleEvery, 0);
  const out = values.out ?? values.resume ?? join("out", name);
  const ckptPath = join(out, CHECKPOINT_FILE);

  const data = await loadDataName(dataName, seed);
  if (data.shape.join() !== spec.dataShape.join()) {
    throw new UsageError(`the data set ${data.name} holds samples of shape [${data.shape.join(", ")}], but the spec (${name}) expects [${spec.dataShape.join(", ")}]`);
  }
  if (prior && data.count !== prior.dataCount) throw new CheckpointError(resume!.path, `the data set ${dataName} now holds ${data.count} samples, the run trained on ${prior.dataCount}`);
  const engine = values.engine ?? "auto";
  if (!["auto", "wasm", "tfjs"].includes(engine)) throw new UsageError(`--engine must be auto, wasm or tfjs (got ${JSON.stringify(engine)})`);
  const gan = await createGAN(spec, { seed, threads, engine: engine as "auto", backend: values.backend as "auto" | undefined });
  try {
    return await trainWith(gan);
  } finally {
    await gan.dispose(); // ends the worker threads
  }

  async function trainWith(gan: GAN): Promise<number> {
    if (resume) await restoreCheckpoint(gan, resume!);
    const run: RunSettings = { ...(presetName ? { preset: presetName } : {}), data: dataName, dataCount: data.count, steps, seed, sampleEvery, checkpointEvery };
    const start = await gan.step();
    const info = gan.engineInfo();
    const engineLine = info.engine === "wasm"
      ? `the wasm engine, ${info.simd} SIMD, ${info.threads} thread${info.threads > 1 ? "s" : ""}${info.mode === "in-process" ? " (in-process)" : ""}`
      : `the tfjs engine, backend ${info.backend}${info.gpu ? " (GPU)" : " (not a GPU)"}`;
    await removeStaleTemporaries(ckptPath);
    console.log(resume
      ? `wasm-gan: resuming ${name} at step ${start} of ${steps} (batch ${spec.batchSize}, ${spec.loss}, seed ${seed}) on ${engineLine} -> ${out}/`
      : `wasm-gan: training ${name} for ${steps} steps (batch ${spec.batchSize}, ${spec.loss}, seed ${seed}) on ${engineLine} -> ${out}/`);

    // metrics of the steps before a resume
    const metricsLines: string[] = [];
    if (resume) {
      const old = await readFile(join(values.resume!, "metrics.jsonl"), "utf8").catch(() => "");
      for (const l of old.split("\n")) {
        try { if (l && JSON.parse(l).step <= start) metricsLines.push(l); } catch { /* a torn line */ }
      }
    }
    const logEvery = Math.max(1, Math.floor(steps / 200));
    const tenth = Math.max(1, Math.floor(steps / 10));
    const t0 = Date.now();
    const tty = process.stdout.isTTY && !values.quiet;
    let lastDraw = 0;
    const progress = (s: StepStats) => {
      const now = Date.now();
      if (tty ? now - lastDraw < 100 && s.step !== steps : values.quiet || s.step % tenth !== 0) return;
      lastDraw = now;
      const sec = (now - t0) / 1000, rate = (s.step - start) / Math.max(sec, 1e-9), eta = (steps - s.step) / Math.max(rate, 1e-9);
      const width = 30, filled = Math.round((width * s.step) / Math.max(steps, 1));
      const line = `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${s.step}/${steps} ${rate.toFixed(0)} steps/s ETA ${eta.toFixed(0)}s  D ${s.dLoss.toFixed(3)}  G ${s.gLoss.toFixed(3)}  D(x) ${s.dReal.toFixed(2)}  D(G(z)) ${s.dFake.toFixed(2)}`;
      if (tty) process.stdout.write(`\r${line}`);
      else console.log(line);
    };
    const take = await snapshotter(gan, data);
    let lastSnapshot: Snapshot | undefined;
    const snapshot = async (step: number): Promise<Snapshot> => {
      const snap = { step, ...(await take()) };
      await writeFileAtomic(join(out, `samples-${String(step).padStart(6, "0")}.png`), snap.png);
      await writeFileAtomic(join(out, "samples.png"), snap.png);
      return (lastSnapshot = snap);
    };
    const writeMetrics = () => writeFileAtomic(join(out, "metrics.jsonl"), metricsLines.length ? metricsLines.join("\n") + "\n" : "");
    // WASM_GAN_TEST_SAVE_PAUSE_MS (tests): pause between writing the temporary file and the rename
    const pause = Number(process.env.WASM_GAN_TEST_SAVE_PAUSE_MS ?? 0);
    let saved: { step: number; bytes: number; ms: number } | undefined;
    const save = async () => {
      const t = performance.now();
      const step = await gan.step();
      const bytes = await saveCheckpoint(ckptPath, gan, {
        metadata: { run: JSON.stringify(run) },
        beforeRename: pause > 0 ? async () => { process.stderr.write(`wasm-gan: test hook: checkpoint of step ${step} written to a temporary file, pausing ${pause} ms before the rename\n`); await sleep(pause); } : undefined,
      });
      await writeMetrics();
      saved = { step, bytes, ms: performance.now() - t };
    };
    const writeReport = async (note: string) => {
      const now = await gan.step();
      const curve: CurvePoint[] = metricsLines.map((l) => JSON.parse(l));
      const svg = trainingCurvesSvg(curve, { steps, outputLabel: spec.loss === "minimax" || spec.loss === "non-saturating" ? "D(x), D(G(z)): mean σ(logit)" : "mean critic value (logit)" });
      await writeFileAtomic(join(out, "curves.svg"), svg);
      // the sample pictures of this run so far (at most 16, spread over the run), in step order
      const shots = (await readdir(out)).map((f) => /^samples-(\d{6,})\.png$/.exec(f)).filter((m) => m && +m[1] <= now).map((m) => ({ step: +m![1], file: m![0] })).sort((a, b) => a.step - b.step);
      const pick = shots.length <= 16 ? shots : Array.from({ length: 16 }, (_, i) => shots[Math.round((i * (shots.length - 1)) / 15)]);
      const snapshots = await Promise.all(pick.map(async (s) => ({ step: s.step, png: new Uint8Array(await readFile(join(out, s.file))) })));
      const secs = (Date.now() - t0) / 1000;
      await writeFileAtomic(join(out, "report.html"), reportHtml({
        title: `wasm-gan: ${name}, step ${now.toLocaleString("en")} of ${steps.toLocaleString("en")}`,
        note,
        facts: [
          ["preset / spec", `${name} (data ${dataName}, batch ${spec.batchSize}, loss ${spec.loss}, seed ${seed})`],
          ["engine", engineLine],
          ["this session", `steps ${start}..${now} in ${secs.toFixed(1)} s (${((now - start) / Math.max(secs, 1e-9)).toFixed(1)} steps/s)`],
          ["checkpoint", saved ? `${CHECKPOINT_FILE} at step ${saved.step}` : "none"],
          ["spec", JSON.stringify(spec)],
        ],
        curvesSvg: svg,
        snapshots,
      }));
    };

    // Ctrl-C: stop at the next step boundary and save; a second Ctrl-C quits at once (the last
    // checkpoint is intact: it is replaced only by rename)
    const ac = new AbortController();
    const onSigint = () => {
      process.stderr.write(`${tty ? "\n" : ""}wasm-gan: interrupted: saving a checkpoint at the next step boundary (Ctrl-C again to quit without saving)\n`);
      ac.abort();
    };
    process.once("SIGINT", onSigint);
    let done = start;
    try {
      while (done < steps && !ac.signal.aborted) {
        const next = Math.min(nextMultiple(done, sampleEvery), checkpointEvery > 0 ? nextMultiple(done, checkpointEvery) : Infinity, steps);
        // statistics cross from the worker every logEvery steps (and at each chunk's end)
        await gan.train(data, {
          steps: next - done, every: logEvery, signal: ac.signal,
          onStep: (s) => { if (s.step % logEvery === 0 || s.step === steps) metricsLines.push(JSON.stringify(s)); progress(s); },
        });
        done = await gan.step();
        if (done < next) break; // interrupted
        if (done % sampleEvery === 0 || done === steps) await snapshot(done);
        if ((checkpointEvery > 0 && done % checkpointEvery === 0) || done === steps) await save();
      }
    } catch (e) {
      const msg = (e as Error).message;
      if (!/diverged/.test(msg)) throw e;
      if (tty) process.stdout.write("\n");
      await writeMetrics().catch(() => {});
      throw new TrainingError(`${msg.replace(/^.*?: not saved: /, "")}; ${saved ? `the last good checkpoint (step ${saved.step}) remains in ${ckptPath}` : resume ? `the checkpoint of step ${start} remains in ${resume.path}` : "no checkpoint was written"}`);
    } finally {
      process.off("SIGINT", onSigint);
    }
    if (tty) process.stdout.write("\n");

    if (done < steps) { // interrupted
      if (saved?.step !== done) await save();
      await writeReport(`interrupted at step ${done}`);
      console.log(`wasm-gan: interrupted at step ${done} of ${steps}: checkpoint saved to ${ckptPath} (continue with: wasm-gan train --resume ${out})`);
      return 130;
    }
    const { samples, metrics, line } = lastSnapshot?.step === done ? lastSnapshot : await snapshot(done);
    if (saved?.step !== done) await save();
    const seconds = (Date.now() - t0) / 1000;
    await writeMetrics();
    if (data.mixture) await writeFileAtomic(join(out, "samples.json"), JSON.stringify(Array.from(samples)));
    const rate = (steps - start) / seconds;
    const summary = { preset: name, data: dataName, steps, resumedFrom: resume ? start : undefined, seed, spec, engine: info, seconds, stepsPerSecond: rate, last: await gan.stats(), metrics, checkpoint: { file: CHECKPOINT_FILE, bytes: saved!.bytes, saveMs: saved!.ms } };
    await writeFileAtomic(join(out, "summary.json"), JSON.stringify(summary, null, 2));
    await writeReport(line);
    console.log(`done in ${seconds.toFixed(1)} s (${rate.toFixed(rate < 10 ? 2 : 0)} steps/s): ${line}${line ? "; " : ""}wrote ${out}/samples.png, report.html, ${CHECKPOINT_FILE}`);
    return 0;
  }
}

// nested arrays of `shape` from flat data
function nest(data: Float32Array, shape: number[], at = 0): unknown {
  if (shape.length === 1) return Array.from(data.subarray(at, at + shape[0]));
  const inner = shape.slice(1).reduce((a, b) => a * b, 1);
  return Array.from({ length: shape[0] }, (_, i) => nest(data, shape.slice(1), at + i * inner));
}

async function sample(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args: joinNegativeValues(args), strict: true, allowPositionals: false,
    options: { model: { type: "string" }, n: { type: "string", short: "n" }, seed: { type: "string" }, format: { type: "string" }, out: { type: "string" }, label: { type: "string" } },
  });
  if (values.model === undefined) throw new UsageError("sample: --model PATH is required (a checkpoint file, or a run directory holding checkpoint.safetensors)");
  if (values.out === undefined) throw new UsageError("sample: --out FILE is required");
  const format = values.format ?? extname(values.out).slice(1).toLowerCase();
  if (!["png", "npy", "json"].includes(format)) {
    throw new UsageError(values.format !== undefined ? `--format must be png, npy or json (got ${JSON.stringify(values.format)})` : `cannot tell the format from ${JSON.stringify(values.out)}: pass --format png|npy|json`);
  }
  const seed = intFlag(values.seed, "seed", 1);
  const { gan, checkpoint } = await loadCheckpoint(values.model);
  const K = gan.spec.numClasses;
  if (values.label !== undefined && K === undefined) throw new UsageError("--label needs a conditional model (a spec with numClasses); this one is unconditional");
  const label = values.label === undefined ? undefined : intFlag(values.label, "label", 0, 0);
  if (label !== undefined && label >= K!) throw new UsageError(`--label must be a class from 0 to ${K! - 1} (got ${label})`);
  const shape = gan.spec.dataShape;
  const image = shape.length === 3;
  const n = intFlag(values.n, "n", image ? 64 : 2500, 1);
  if (n > 1_000_000) throw new UsageError(`-n must be at most 1000000 (got ${n})`);
  // conditional models: every sample of class --label, or classes 0, 1, ..., K-1, 0, ... in turn
  const samples = gan.sample(n, { seed, ...(label !== undefined ? { labels: label } : {}) });
  let bytes: Uint8Array | string;
  if (format === "npy") bytes = encodeNpy(samples, [n, ...shape]);
  else if (format === "json") bytes = JSON.stringify({ shape: [n, ...shape], step: checkpoint.step, seed, samples: nest(samples, [n, ...shape]) });
  else if (image) {
    const [h, w, c] = shape;
    if (c !== 1 && c !== 3) throw new UsageError(`a PNG grid needs 1 or 3 channels, these samples have ${c}: use --format npy or json`);
    bytes = imageGrid(samples, n, h, w, c, { scale: 2 });
  } else if (shape.join() === "2") {
    let centres: Float32Array | undefined;
    const dataName = (() => { try { return JSON.parse(checkpoint.metadata.run ?? "{}").data; } catch { return undefined; } })();
    if (dataName === "ring8") centres = (await ring8({ count: 1 })).mixture!.centres;
    if (dataName === "grid25") centres = (await grid25({ count: 1 })).mixture!.centres;
    bytes = encodePng(scatterPlot(samples, { centres }));
  } else throw new UsageError(`samples of shape [${shape.join(", ")}] have no picture: use --format npy or json`);
  await writeFileAtomic(values.out, bytes);
  console.log(`wrote ${n} samples of shape [${shape.join(", ")}] (seed ${seed}) from ${checkpoint.path} (step ${checkpoint.step}) to ${values.out}`);
  return 0;
}

// dist/cli.js and src/cli.ts both sit one folder below package.json
function packageVersion(): string {
  try {
    return JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).version;
  } catch {
    return "unknown";
  }
}

async function info(): Promise<void> {
  const deno = (globalThis as any).Deno;
  const runtime = deno ? `Deno ${deno.version.deno}` : `Node ${process.versions.node} (V8 ${process.versions.v8})`;
  const relaxed = relaxedSimdSupported();
  console.log(JSON.stringify({
    runtime,
    wasmGan: packageVersion(),
    engine: await engineInfoLines(),
    simd: { strict: simdSupported(), relaxed, default: chooseFlavour(true).reason, whenNotDeterministic: chooseFlavour(false).reason,
      ...(relaxed || deno ? {} : { note: "Node 20 accepts the relaxed build only with --experimental-wasm-relaxed-simd" }) },
    threads: await threadsInfo(),
    presets: Object.keys(presets),
  }, null, 2));
}

// what --engine auto would pick for dcgan-mnist here, and why (src/engine/select.ts)
async function engineInfoLines() {
  try {
    const d = await selectEngine({ engine: "auto" });
    return { chosen: d.engine, ...(d.backend ? { backend: d.backend } : {}), why: d.reasons };
  } catch (e) {
    return { chosen: "wasm", why: [`engine selection failed: ${(e as Error).message}`] };
  }
}

async function threadsInfo() {
  const missing = await workersUnavailable();
  return missing
    ? { mode: "in-process", kernelThreads: 1, cores: availableParallelism(), why: `no workers: ${missing}; training runs on the calling thread` }
    : { mode: "worker", kernelThreads: await resolveThreads("auto"), cores: availableParallelism(),
      why: "the engine runs in a worker thread (comlink); --threads auto (the default) splits each kernel over one thread per core, with the same results bit for bit as 1 thread" };
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "train": return await train(rest);
      case "sample": return await sample(rest);
      case "info": await info(); return 0;
      case undefined: case "help": case "--help": case "-h": console.log(HELP); return command === undefined ? 1 : 0;
      default: throw new UsageError(`unknown command ${JSON.stringify(command)} (commands: train, sample, info, help)`);
    }
  } catch (e) {
    const err = e as Error & { code?: string };
    // parseArgs errors (unknown flag, missing value) and our own are one-line messages; usage
    // errors exit with 2, bad files and failed runs with 1
    const usage = e instanceof UsageError || err.name === "SpecError" || err.code?.startsWith("ERR_PARSE_ARGS") || e instanceof RangeError;
    const known = usage || e instanceof CheckpointError || e instanceof TrainingError || err.name === "DataError";
    console.error(`wasm-gan: ${String(err.message).replace(/\s*\n\s*/g, " ")}`);
    if (!known && process.env.WASM_GAN_DEBUG) console.error(err.stack);
    return usage ? 2 : 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
