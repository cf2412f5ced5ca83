// What `wasm-gan train` writes into its output folder as a run goes (the run itself is
// src/train/run.ts): samples-<step>.png and samples.png, metrics.jsonl, checkpoint.safetensors,
// best.safetensors (--keep-best), curves.svg and report.html; and the progress line on the terminal.
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import type { GAN } from "../worker/gan_api.ts";
import type { StepStats } from "../engine/wasm_engine.ts";
import type { NormalisedSpec } from "../model/spec.ts";
import type { Snapshot } from "../train/snapshot.ts";
import { writeFileAtomic } from "../io/files.ts";
import { CHECKPOINT_FILE, saveCheckpoint } from "../io/checkpoint.ts";
import { trainingCurvesSvg, evalCurvesSvg, type CurvePoint } from "../io/loss_plot.ts";
import { reportHtml } from "../io/report.ts";
import type { RunSettings } from "./run_settings.ts";
import { healthIntervals } from "../health/monitor.ts";
import type { HealthEvent } from "../health/types.ts";
import type { Best } from "../train/run.ts";
import { BEST_FILE, bestMetadata, shortValue, type BestRecord } from "./train_eval.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface SavedCheckpoint { step: number; bytes: number; ms: number }

export class RunOutputs {
  readonly metricsLines: string[] = []; // metrics.jsonl, one JSON line per logged step, one
                                         // {"health": HealthEvent} line per change of a detector's state,
                                         // one {"eval": {step, n, seed, <metric>: value, ...}} per evaluation
  saved: SavedCheckpoint | undefined;    // the last checkpoint this session wrote
  readonly ckptPath: string;

  constructor(private readonly gan: GAN, readonly out: string, private readonly run: RunSettings) {
    this.ckptPath = join(out, CHECKPOINT_FILE);
  }

  // the metrics of the steps up to `start` from a run being resumed (its folder's metrics.jsonl)
  async keepMetricsUpTo(dir: string, start: number): Promise<void> {
    const old = await readFile(join(dir, "metrics.jsonl"), "utf8").catch(() => "");
    for (const l of old.split("\n")) {
      try { const j = l && JSON.parse(l); if (l && (j.step ?? j.health?.step ?? j.eval?.step) <= start) this.metricsLines.push(l); } catch { /* a torn line */ }
    }
  }

  async writeSnapshot(snap: Snapshot): Promise<void> {
    await writeFileAtomic(join(this.out, `samples-${String(snap.step).padStart(6, "0")}.png`), snap.png);
    await writeFileAtomic(join(this.out, "samples.png"), snap.png);
  }

  writeMetrics(): Promise<void> {
    return writeFileAtomic(join(this.out, "metrics.jsonl"), this.metricsLines.length ? this.metricsLines.join("\n") + "\n" : "");
  }

  async save(): Promise<void> {
    // WASM_GAN_TEST_SAVE_PAUSE_MS (tests): pause between writing the temporary file and the rename
    const pause = Number(process.env.WASM_GAN_TEST_SAVE_PAUSE_MS ?? 0);
    const t = performance.now();
    const step = await this.gan.step();
    const bytes = await saveCheckpoint(this.ckptPath, this.gan, {
      metadata: { run: JSON.stringify(this.run) },
      beforeRename: pause > 0 ? async () => { process.stderr.write(`wasm-gan: test hook: checkpoint of step ${step} written to a temporary file, pausing ${pause} ms before the rename\n`); await sleep(pause); } : undefined,
    });
    await this.writeMetrics();
    this.saved = { step, bytes, ms: performance.now() - t };
  }

  // best.safetensors: the whole training state at the best evaluation so far (the checkpoint
  // writer: temporary file, flushed, renamed), its metric, step, value, n and seed in
  // __metadata__.best
  async saveBest(b: BestRecord): Promise<void> {
    await saveCheckpoint(join(this.out, BEST_FILE), this.gan, { metadata: { run: JSON.stringify(this.run), ...bestMetadata(b) } });
  }

  // the {"eval": …} records so far, in step order
  evalLines(): Record<string, number | null>[] {
    return this.metricsLines.map((l) => JSON.parse(l)).filter((l) => l.eval).map((l) => l.eval);
  }

  // curves.svg and report.html: the curves so far and the sample pictures of this run (at most
  // 16, spread over it, in step order)
  // (with evaluations: their chart, one panel per metric (evalKeys), and a row naming the best)
  async writeReport(r: { note: string; name: string; dataName: string; spec: NormalisedSpec; seed: number; steps: number; start: number; t0: number; engineLine: string; evalKeys?: string[]; best?: Best }): Promise<void> {
    const now = await this.gan.step();
    const { spec, steps } = r;
    const lines = this.metricsLines.map((l) => JSON.parse(l));
    const curve: CurvePoint[] = lines.filter((l) => !l.health && !l.eval);
    const evals = this.evalLines();
    const health = healthIntervals(lines.filter((l) => l.health).map((l) => l.health as HealthEvent), now);
    const svg = trainingCurvesSvg(curve, { steps, health, outputLabel: spec.loss === "minimax" || spec.loss === "non-saturating" ? "D(x), D(G(z)): mean σ(logit)" : "mean critic value (logit)" });
    await writeFileAtomic(join(this.out, "curves.svg"), svg);
    const shots = (await readdir(this.out)).map((f) => /^samples-(\d{6,})\.png$/.exec(f)).filter((m) => m && +m[1] <= now).map((m) => ({ step: +m![1], file: m![0] })).sort((a, b) => a.step - b.step);
    const pick = shots.length <= 16 ? shots : Array.from({ length: 16 }, (_, i) => shots[Math.round((i * (shots.length - 1)) / 15)]);
    const snapshots = await Promise.all(pick.map(async (s) => ({ step: s.step, png: new Uint8Array(await readFile(join(this.out, s.file))) })));
    const secs = (Date.now() - r.t0) / 1000;
    await writeFileAtomic(join(this.out, "report.html"), reportHtml({
      title: `wasm-gan: ${r.name}, step ${now.toLocaleString("en")} of ${steps.toLocaleString("en")}`,
      note: r.note,
      facts: [
        ["preset / spec", `${r.name} (data ${r.dataName}, batch ${spec.batchSize}, loss ${spec.loss}, seed ${r.seed})`],
        ["engine", r.engineLine],
        ["this session", `steps ${r.start}..${now} in ${secs.toFixed(1)} s (${((now - r.start) / Math.max(secs, 1e-9)).toFixed(1)} steps/s)`],
        ["checkpoint", this.saved ? `${CHECKPOINT_FILE} at step ${this.saved.step}` : "none"],
        ...(r.evalKeys ? [["evaluation", evals.length ? `${evals.length} evaluations, the last at step ${evals.at(-1)!.step}: ${r.evalKeys.map((k) => `${k} ${shortValue(evals.at(-1)![k] ?? NaN)}`).join(", ")} (n ${evals.at(-1)!.n})` : "none yet"] as [string, string]] : []),
        ...(r.best ? [[`best (${r.best.metric})`, `step ${r.best.step.toLocaleString("en")}: ${r.best.metric} ${shortValue(r.best.value)} (${BEST_FILE})`] as [string, string]] : []),
        ["spec", JSON.stringify(spec)],
      ],
      curvesSvg: svg,
      health: lines.filter((l) => l.health).map((l) => l.health as HealthEvent),
      snapshots,
      evalSvg: r.evalKeys && evals.length ? evalCurvesSvg(evals, r.evalKeys, { steps, best: r.best }) : undefined,
    }));
  }
}

// The progress line: a bar redrawn in place on a terminal (at most every 100 ms), else a line
// every tenth of the run; nothing with --quiet.
// `flag`: the health monitor's short flag ("⚠ vanishing-G"), shown at the line's end when set;
// `note`: the latest evaluation in brief ("fid 127.4 @1000"), before the flag.
export function progressLine(o: { steps: number; start: number; t0: number; tty: boolean; quiet: boolean; flag?: () => string; note?: () => string }): (s: StepStats) => void {
  const { steps, start, t0, tty, quiet } = o;
  const tenth = Math.max(1, Math.floor(steps / 10));
  let lastDraw = 0;
  return (s) => {
    const now = Date.now();
    if (tty ? now - lastDraw < 100 && s.step !== steps : quiet || s.step % tenth !== 0) return;
    lastDraw = now;
    const sec = (now - t0) / 1000, rate = (s.step - start) / Math.max(sec, 1e-9), eta = (steps - s.step) / Math.max(rate, 1e-9);
    const width = 30, filled = Math.round((width * s.step) / Math.max(steps, 1));
    let line = `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${s.step}/${steps} ${rate.toFixed(0)} steps/s ETA ${eta.toFixed(0)}s  D ${s.dLoss.toFixed(3)}  G ${s.gLoss.toFixed(3)}  D(x) ${s.dReal.toFixed(2)}  D(G(z)) ${s.dFake.toFixed(2)}`;
    const note = o.note?.() ?? "";
    if (note) line += `  ${note}`;
    const flag = o.flag?.() ?? "";
    if (flag) line += `  ${flag}`;
    if (tty) process.stdout.write(`\r${line}`);
    else console.log(line);
  };
}
