// wasm-gan train --preset cyclegan-digits, and wasm-gan translate: CycleGAN (Zhu et al. 2017)
// runs from the command line (src/engine/cycle_engine.ts; the preset: src/model/cyclegan_preset.ts).
//   train: the bundled task (A = digits, B = digits under --transform: src/data/cycle_digits.ts),
//     or two folders of images of one shape (--data-a, --data-b: PNG folders or IDX files, loaded
//     as --data is). Writes to --out: checkpoint.safetensors (src/io/cycle_checkpoint.ts),
//     samples-<step>.png (rows A | G(A) | F(G(A)) and B | F(B) | G(F(B)), 8 images each, the
//     same held-out images every time), metrics.jsonl, curves.svg and report.html.
//     --resume DIR continues a run bit for bit.
//   translate: a checkpoint's G ("a2b") or F ("b2a") on a PNG file or a folder of PNG images,
//     each written to --out DIR under its own name.
import { parseArgs } from "node:util";
import { join, basename, resolve } from "node:path";
import { readdir, stat, readFile } from "node:fs/promises";
import { CycleGAN, type CycleStats, type Direction } from "../engine/cycle_engine.ts";
import { cyclePreset, CYCLE_PRESETS, CYCLE_PRESET_STEPS } from "../model/cyclegan_preset.ts";
import { cycleDigits, DIGIT_TRANSFORMS, type DigitTransform } from "../data/cycle_digits.ts";
import { saveCycleCheckpoint, readCycleCheckpoint, checkpointFormat, CYCLE_CHECKPOINT_FORMAT } from "../io/cycle_checkpoint.ts";
import { CHECKPOINT_FILE } from "../io/checkpoint.ts";
import { writeFileAtomic } from "../io/files.ts";
import { imageGrid } from "../io/image_grid.ts";
import { lineChartSvg } from "../io/loss_plot.ts";
import { reportHtml } from "../io/report.ts";
import { decodePng } from "../data/image_folder.ts";
import { UsageError, intFlag, numFlag, threadsFlag, joinNegativeValues } from "./args.ts";
import { loadDataName, dataNameOf } from "./data_names.ts";
import { prepareRunFolder, writableFolder } from "./out_paths.ts";
import { TRAIN_HELP } from "./help.ts";

// --threads' default here: 1, not auto as for the GANs. cyclegan-digits' kernels are too small to
// split (the split thresholds of assembly/kernels/threads.ts: only G's and F's Adam updates pass),
// and a second thread measured 0.8-0.9x of one (bench/cyclegan-speed.json).
const CYCLE_DEFAULT_THREADS = 1;

// Is this `wasm-gan train` a CycleGAN run? (--preset cyclegan-digits, or --resume of a CycleGAN checkpoint)
export async function isCycleTrain(args: string[]): Promise<boolean> {
  const flag = (name: string) => { const i = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`)); return i < 0 ? undefined : args[i].includes("=") ? args[i].split("=")[1] : args[i + 1]; };
  if ((CYCLE_PRESETS as readonly string[]).includes(flag("preset") ?? "")) return true;
  const resume = flag("resume");
  if (resume === undefined) return false;
  const file = await runCheckpoint(resume).catch(() => undefined);
  if (!file) return false;
  return checkpointFormat(await readFile(file).catch(() => new Uint8Array(0))) === CYCLE_CHECKPOINT_FORMAT;
}

// a run folder means the checkpoint inside it
async function runCheckpoint(path: string): Promise<string> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ? join(path, CHECKPOINT_FILE) : path;
}

interface Domains { a: Float32Array; b: Float32Array; showA: Float32Array; showB: Float32Array; shape: number[] }

async function domains(settings: Record<string, string>, seed: number): Promise<Domains> {
  if (settings.dataA) {
    const a = await loadDataName(settings.dataA, seed), b = await loadDataName(settings.dataB, seed);
    if (a.shape.join() !== b.shape.join()) throw new UsageError(`--data-a holds images [${a.shape.join(", ")}], --data-b [${b.shape.join(", ")}]: the two domains need one shape`);
    const X = a.shape.reduce((p, q) => p * q, 1);
    return { a: a.x, b: b.x, showA: a.x.slice(0, Math.min(8, a.count) * X), showB: b.x.slice(0, Math.min(8, b.count) * X), shape: a.shape };
  }
  const t = settings.transform as DigitTransform;
  const train = await cycleDigits({ transform: t }), test = await cycleDigits({ transform: t, split: "test" });
  return { a: train.a.x, b: train.b.x, showA: test.a.x.slice(0, 8 * 784), showB: test.b.x.slice(0, 8 * 784), shape: [28, 28, 1] };
}

// rows A | G(A) | F(G(A)) and B | F(B) | G(F(B)), one image per column
function rowsPng(gan: CycleGAN, d: Domains): Uint8Array {
  const gA = gan.translate(d.showA, { direction: "a2b" }), fB = gan.translate(d.showB, { direction: "b2a" });
  const rows = [d.showA, gA, gan.translate(gA, { direction: "b2a" }), d.showB, fB, gan.translate(fB, { direction: "a2b" })];
  const X = d.shape.reduce((p, q) => p * q, 1), k = d.showA.length / X;
  const grid = new Float32Array(6 * k * X);
  rows.forEach((r, i) => grid.set(r.subarray(0, k * X), i * k * X));
  const [h, w, c] = d.shape;
  return imageGrid(grid, 6 * k, h, w, c, { cols: k, scale: 2 });
}

export async function trainCycle(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args: joinNegativeValues(args), strict: true, allowPositionals: false,
    options: {
      preset: { type: "string" }, steps: { type: "string" }, seed: { type: "string" }, out: { type: "string" }, lambda: { type: "string" },
      transform: { type: "string" }, "data-a": { type: "string" }, "data-b": { type: "string" }, "sample-every": { type: "string" },
      "checkpoint-every": { type: "string" }, resume: { type: "string" }, quiet: { type: "boolean" }, force: { type: "boolean" },
      threads: { type: "string" }, help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) { console.log(TRAIN_HELP); return 0; }
  const threads = threadsFlag(values.threads ?? String(CYCLE_DEFAULT_THREADS));
  const resume = values.resume !== undefined ? await readCycleCheckpoint(await runCheckpoint(values.resume)) : undefined;
  const prior = resume ? JSON.parse(resume.metadata.run ?? "{}") as Record<string, string> : undefined;
  if (values.transform !== undefined && !(DIGIT_TRANSFORMS as readonly string[]).includes(values.transform)) throw new UsageError(`--transform must be ${DIGIT_TRANSFORMS.join(" or ")} (got ${JSON.stringify(values.transform)})`);
  if ((values["data-a"] === undefined) !== (values["data-b"] === undefined)) throw new UsageError("--data-a and --data-b come together: one folder (or IDX file) of images per domain");
  const steps = intFlag(values.steps, "steps", prior ? Number(prior.steps) : CYCLE_PRESET_STEPS, 1);
  const seed = intFlag(values.seed, "seed", resume?.seed ?? 1);
  if (resume && seed !== resume.seed) throw new UsageError(`--seed ${seed}: the checkpoint was trained with --seed ${resume.seed}`);
  const lambda = values.lambda !== undefined ? (values.lambda === "0" ? 0 : numFlag(values.lambda, "lambda")!) : resume ? resume.spec.lambda : 10;
  const settings: Record<string, string> = {
    preset: "cyclegan-digits", steps: String(resume ? Number(prior!.steps) : steps), transform: values.transform ?? prior?.transform ?? "invert",
    ...(values["data-a"] ? { dataA: dataNameOf(values["data-a"]), dataB: dataNameOf(values["data-b"]!) } : prior?.dataA ? { dataA: prior.dataA, dataB: prior.dataB } : {}),
  };
  const sch = resume?.spec.lrSchedule;
  if (resume && sch?.type === "linear" && steps > sch.steps) throw new UsageError(`the learning rates reach 0 at step ${sch.steps} (the run's schedule): steps past it would change nothing; resume with --steps ${sch.steps}, or start a longer run`);
  const d = await domains(settings, seed);
  const spec = resume?.spec ?? { ...cyclePreset("cyclegan-digits", { steps, lambda }), dataShape: d.shape };
  const sampleEvery = intFlag(values["sample-every"], "sample-every", 500, 1), checkpointEvery = intFlag(values["checkpoint-every"], "checkpoint-every", 1000, 0);
  const out = values.out ?? (values.resume && (await stat(values.resume).catch(() => undefined))?.isDirectory() ? values.resume : join("out", "cyclegan-digits"));
  await prepareRunFolder(out, { resumeDir: resume ? resolve(resume.path, "..") : undefined, force: !!values.force });
  const gan = await CycleGAN.create(spec, { seed, threads });
  try {
    return await trainLoop(gan, d, out, steps, settings, resume, values.quiet === true, sampleEvery, checkpointEvery);
  } finally {
    await gan.dispose(); // ends the helper threads
  }
}

async function trainLoop(gan: CycleGAN, d: Domains, out: string, steps: number, settings: Record<string, string>,
  resume: Awaited<ReturnType<typeof readCycleCheckpoint>> | undefined, quiet: boolean, sampleEvery: number, checkpointEvery: number): Promise<number> {
  if (resume) gan.loadState(resume.state);
  const ckpt = join(out, CHECKPOINT_FILE), meta = { run: JSON.stringify(settings) };
  const lines: CycleStats[] = [];
  const t0 = performance.now(), start = gan.step;
  // chunks end at every 50th step (the progress line and metrics.jsonl) and at each picture and checkpoint
  const nextMultiple = (k: number) => (k > 0 ? gan.step + k - (gan.step % k) : Infinity);
  while (gan.step < steps) {
    const next = Math.min(steps, nextMultiple(50), nextMultiple(sampleEvery), nextMultiple(checkpointEvery));
    const s = gan.train(d.a, d.b, { steps: next });
    lines.push(s);
    if (!quiet) process.stderr.write(`\rstep ${s.step}/${steps}  D_A ${s.dALoss.toFixed(3)}  D_B ${s.dBLoss.toFixed(3)}  G ${s.gLoss.toFixed(3)}  cycle ${s.recA.toFixed(3)}/${s.recB.toFixed(3)}  ${((performance.now() - t0) / (s.step - start)).toFixed(0)} ms/step `);
    if (s.step % sampleEvery === 0 || s.step === steps) await writeFileAtomic(join(out, `samples-${String(s.step).padStart(6, "0")}.png`), rowsPng(gan, d));
    if ((checkpointEvery > 0 && s.step % checkpointEvery === 0) || s.step === steps) await saveCycleCheckpoint(ckpt, gan, meta);
  }
  if (!quiet) process.stderr.write("\n");
  const prev = resume ? await readFile(join(out, "metrics.jsonl"), "utf8").catch(() => "") : "";
  const kept = prev.split("\n").filter((l) => l && JSON.parse(l).step <= start);
  await writeFileAtomic(join(out, "metrics.jsonl"), [...kept, ...lines.map((l) => JSON.stringify(l))].join("\n") + "\n");
  await writeReport(out, gan, settings, lines);
  const info = gan.engineInfo();
  console.log(`trained CycleGAN ${settings.dataA ? "on --data-a / --data-b" : `cyclegan-digits (${settings.transform})`} to step ${gan.step} (the wasm engine, ${info.simd} SIMD, ${info.threads} thread${info.threads > 1 ? "s" : ""}): ${ckpt}, ${join(out, "report.html")}`);
  return 0;
}

async function writeReport(out: string, gan: CycleGAN, settings: Record<string, string>, lines: CycleStats[]): Promise<void> {
  const old = await readFile(join(out, "metrics.jsonl"), "utf8").catch(() => "");
  const all = old.split("\n").filter(Boolean).map((l) => JSON.parse(l) as CycleStats);
  const series = (name: string, color: string, key: keyof CycleStats) => ({ name, color, points: all.map((p) => [p.step, p[key]] as [number, number]) });
  const svg = lineChartSvg([
    { title: "adversarial losses (LSGAN)", series: [series("D_A", "#1f77b4", "dALoss"), series("D_B", "#ff7f0e", "dBLoss"), series("G adv", "#2ca02c", "gAdv"), series("F adv", "#d62728", "fAdv")] },
    { title: "L1: cycle and identity", series: [series("|F(G(a)) − a|", "#9467bd", "recA"), series("|G(F(b)) − b|", "#8c564b", "recB"), series("|F(a) − a|", "#e377c2", "idtA"), series("|G(b) − b|", "#7f7f7f", "idtB")] },
  ]);
  await writeFileAtomic(join(out, "curves.svg"), svg);
  const shots = (await readdir(out)).map((f) => /^samples-(\d{6,})\.png$/.exec(f)).filter((m): m is RegExpExecArray => !!m).sort((a, b) => +a[1] - +b[1]);
  const snapshots = await Promise.all(shots.map(async (m) => ({ step: +m[1], png: new Uint8Array(await readFile(join(out, m[0]))) })));
  const last = lines.at(-1) ?? gan.stats(), s = gan.spec;
  await writeFileAtomic(join(out, "report.html"), reportHtml({
    title: `CycleGAN: ${settings.dataA ? "two image folders" : `cyclegan-digits (${settings.transform})`}`,
    note: "Each picture: rows A | G(A) | F(G(A)) and B | F(B) | G(F(B)), the same held-out images at every step.",
    facts: [["step", String(gan.step)], ["seed", String(gan.seed)], ["λ (cycle), identity", `${s.lambda}, ${s.identity}·λ`], ["batch, pool", `${s.batchSize}, ${s.poolSize}`],
      ["last cycle L1 (A, B)", `${last.recA.toFixed(4)}, ${last.recB.toFixed(4)}`], ["last D_A, D_B loss", `${last.dALoss.toFixed(4)}, ${last.dBLoss.toFixed(4)}`]],
    curvesSvg: svg, snapshots,
  }));
}

export async function translateCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args, strict: true, allowPositionals: false,
    options: { model: { type: "string" }, in: { type: "string" }, out: { type: "string" }, direction: { type: "string" }, threads: { type: "string" } },
  });
  const threads = threadsFlag(values.threads ?? String(CYCLE_DEFAULT_THREADS));
  if (values.model === undefined) throw new UsageError("translate: --model PATH is required (a CycleGAN checkpoint, or its run folder)");
  if (values.in === undefined) throw new UsageError("translate: --in FILE|DIR is required (a PNG image, or a folder of them)");
  if (values.out === undefined) throw new UsageError("translate: --out DIR is required (a folder for the translated images)");
  const direction = (values.direction ?? "a2b") as Direction;
  if (direction !== "a2b" && direction !== "b2a") throw new UsageError(`--direction must be a2b or b2a (got ${JSON.stringify(values.direction)})`);
  const ck = await readCycleCheckpoint(await runCheckpoint(values.model));
  const st = await stat(values.in).catch(() => undefined);
  if (!st) throw new UsageError(`--in ${values.in}: no such file or folder`);
  const files = st.isDirectory() ? (await readdir(values.in)).filter((f) => f.toLowerCase().endsWith(".png")).sort().map((f) => join(values.in!, f)) : [values.in];
  if (files.length === 0) throw new UsageError(`--in ${values.in}: no .png images in the folder`);
  await writableFolder(values.out, "--out", "the translated images");
  const gan = await CycleGAN.create(ck.spec, { seed: ck.seed, threads });
  try {
    gan.loadState(ck.state);
    const [h, w, c] = ck.spec.dataShape;
    for (const f of files) {
      const img = decodePng(new Uint8Array(await readFile(f)), f);
      if (img.h !== h || img.w !== w || img.c !== c) throw new UsageError(`${f}: a ${img.w}x${img.h} image of ${img.c} channel${img.c > 1 ? "s" : ""}; this model translates ${w}x${h} of ${c}`);
      await writeFileAtomic(join(values.out, basename(f)), imageGrid(gan.translate(img.x, { direction }), 1, h, w, c, { cols: 1, pad: 0 }));
    }
  } finally {
    await gan.dispose();
  }
  console.log(`translated ${files.length} image${files.length > 1 ? "s" : ""} ${direction} with ${ck.path} (step ${ck.step}) into ${values.out}`);
  return 0;
}
