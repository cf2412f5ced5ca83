#!/usr/bin/env node
// wasm-gan command line.  wasm-gan train | info   (see `wasm-gan help`)
import { parseArgs } from "node:util";
import { join } from "node:path";
import { createGAN, preset, presets, ring8, grid25, mixtureMetrics, relaxedSimdSupported, type Dataset, type StepStats, type WasmGAN } from "./index.ts";
import { mnist } from "./data/mnist.ts";
import { digitQuality } from "./eval/digit_classifier.ts";
import { imageGrid } from "./io/image_grid.ts";
import { encodePng } from "./io/png.ts";
import { scatterPlot } from "./io/plot2d.ts";
import { writeFileAtomic } from "./io/files.ts";

const HELP = `wasm-gan: train and run GANs in WebAssembly

  wasm-gan train --preset NAME [--steps N] [--seed S] [--batch B] [--loss minimax|non-saturating]
                 [--lr-g LR] [--lr-d LR] [--sample-every N] [--out DIR]
  wasm-gan info
  wasm-gan help

presets: ring8, grid25 (2-D mixtures, the mode-covering recipe), mlp-ring8, mlp-grid25 (the
plain reference workloads), dcgan-mnist (a DCGAN on the bundled MNIST digits).

train writes to DIR (default out/<preset>): samples-<step>.png and samples.png (for mixtures a
scatter of 2,500 samples over the data; for images an 8x8 grid of a fixed latent batch),
metrics.jsonl (one line per logged step), summary.json.`;

class UsageError extends Error {}

const datasets: Record<string, (seed: number) => Promise<Dataset>> = {
  ring8: (seed) => ring8({ count: 100_000, seed }),
  grid25: (seed) => grid25({ count: 100_000, seed }),
  "mlp-ring8": (seed) => ring8({ count: 100_000, seed }),
  "mlp-grid25": (seed) => grid25({ count: 100_000, seed }),
  "dcgan-mnist": () => mnist(),
};

interface Snapshot { samples: Float32Array; metrics: Record<string, unknown>; line: string }

// a picture and numbers for the current generator: a scatter and mode metrics for 2-D mixtures,
// a grid of a fixed latent batch and the digit classifier's verdict for MNIST
function snapshotter(gan: WasmGAN, data: Dataset): () => Snapshot & { png: Uint8Array } {
  if (data.mixture) {
    const mixture = data.mixture;
    return () => {
      const samples = gan.sample(2500, { seed: 7 });
      const m = mixtureMetrics(samples, mixture);
      const png = encodePng(scatterPlot(samples, { real: data.x.subarray(0, 5000), centres: mixture.centres }));
      const line = `${m.modes}/${m.totalModes} modes, ${(100 * m.highQuality).toFixed(1)}% high-quality samples, KL ${m.kl.toFixed(3)}`;
      return { samples, png, line, metrics: { ...m, kl: Number.isFinite(m.kl) ? m.kl : null } };
    };
  }
  const [h, w, c] = data.shape;
  const fixedZ = gan.latent(64, 12345);
  return () => {
    const samples = gan.generate(fixedZ);
    const png = imageGrid(samples, 64, h, w, c, { cols: 8, scale: 2 });
    if (data.name !== "mnist") return { samples, png, line: "", metrics: {} };
    const q = digitQuality(gan.sample(1000, { seed: 99 }), 1000);
    const line = `${(100 * q.confidentShare).toFixed(1)}% of 1,000 samples classified as digits with confidence >= 0.9, ${q.classesPresent}/10 classes, largest class ${(100 * q.maxClassShare).toFixed(1)}%`;
    return { samples, png, line, metrics: { confidentShare: q.confidentShare, classesPresent: q.classesPresent, maxClassShare: q.maxClassShare, classShares: q.classShares } };
  };
}

function intFlag(v: string | undefined, name: string, fallback: number, min = 0): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer >= ${min} (got ${JSON.stringify(v)})`);
  return n;
}
function numFlag(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} must be a positive number (got ${JSON.stringify(v)})`);
  return n;
}

async function train(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args, strict: true, allowPositionals: false,
    options: {
      preset: { type: "string" }, steps: { type: "string" }, seed: { type: "string" }, batch: { type: "string" },
      loss: { type: "string" }, "lr-g": { type: "string" }, "lr-d": { type: "string" },
      "sample-every": { type: "string" }, out: { type: "string" }, quiet: { type: "boolean" },
    },
  });
  const name = values.preset ?? "ring8";
  if (!presets[name]) throw new UsageError(`unknown preset ${JSON.stringify(name)} (known: ${Object.keys(presets).join(", ")})`);
  const steps = intFlag(values.steps, "steps", 10_000);
  const seed = intFlag(values.seed, "seed", 1);
  const spec = preset(name);
  if (values.batch !== undefined) spec.batchSize = intFlag(values.batch, "batch", spec.batchSize, 1);
  if (values.loss !== undefined) spec.loss = values.loss as typeof spec.loss; // validated by the spec
  // a decaying learning rate spans the whole run
  if (spec.lrSchedule?.type === "linear") spec.lrSchedule = { type: "linear", steps: Math.max(1, steps) };
  const lrG = numFlag(values["lr-g"], "lr-g"), lrD = numFlag(values["lr-d"], "lr-d");
  if (lrG) spec.optimizer.generator.lr = lrG;
  if (lrD) spec.optimizer.discriminator.lr = lrD;
  const sampleEvery = intFlag(values["sample-every"], "sample-every", Math.max(1, Math.ceil(steps / 5)), 1);
  const out = values.out ?? join("out", name);

  const data = await datasets[name](seed);
  const gan = await createGAN(spec, { seed });
  const info = gan.engineInfo();
  console.log(`wasm-gan: training ${name} for ${steps} steps (batch ${spec.batchSize}, ${spec.loss}, seed ${seed}) on the ${info.engine} engine, ${info.simd} SIMD -> ${out}/`);

  const metricsLines: string[] = [];
  const logEvery = Math.max(1, Math.floor(steps / 200));
  const t0 = Date.now();
  const tty = process.stdout.isTTY && !values.quiet;
  const progress = (s: StepStats) => {
    const sec = (Date.now() - t0) / 1000, rate = s.step / Math.max(sec, 1e-9), eta = (steps - s.step) / Math.max(rate, 1e-9);
    const width = 30, filled = Math.round((width * s.step) / Math.max(steps, 1));
    const line = `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${s.step}/${steps} ${rate.toFixed(0)} steps/s ETA ${eta.toFixed(0)}s  D ${s.dLoss.toFixed(3)}  G ${s.gLoss.toFixed(3)}  D(x) ${s.dReal.toFixed(2)}  D(G(z)) ${s.dFake.toFixed(2)}`;
    if (tty) process.stdout.write(`\r${line}`);
    else if (!values.quiet && s.step % Math.max(1, Math.floor(steps / 10)) < logEvery) console.log(line);
  };
  const take = snapshotter(gan, data);
  const snapshot = async (step: number) => {
    const snap = take();
    await writeFileAtomic(join(out, `samples-${String(step).padStart(6, "0")}.png`), snap.png);
    await writeFileAtomic(join(out, "samples.png"), snap.png);
    return snap;
  };

  let done = 0;
  let last = gan.stats();
  while (done < steps) {
    const chunk = Math.min(sampleEvery - (done % sampleEvery), steps - done);
    last = await gan.train(data, {
      steps: chunk, every: logEvery,
      onStep: (s) => { metricsLines.push(JSON.stringify(s)); progress(s); },
    });
    done += chunk;
    if (done % sampleEvery === 0 || done === steps) await snapshot(done);
  }
  if (tty) process.stdout.write("\n");
  const { samples, metrics, line } = await snapshot(done);
  const seconds = (Date.now() - t0) / 1000;
  await writeFileAtomic(join(out, "metrics.jsonl"), metricsLines.join("\n") + "\n");
  if (data.mixture) await writeFileAtomic(join(out, "samples.json"), JSON.stringify(Array.from(samples)));
  const summary = { preset: name, steps, seed, spec, engine: info, seconds, stepsPerSecond: steps / seconds, last, metrics };
  await writeFileAtomic(join(out, "summary.json"), JSON.stringify(summary, null, 2));
  const rate = steps / seconds;
  console.log(`done in ${seconds.toFixed(1)} s (${rate.toFixed(rate < 10 ? 2 : 0)} steps/s): ${line}; wrote ${out}/samples.png`);
}

function info(): void {
  const runtime = typeof (globalThis as any).Deno !== "undefined" ? `Deno ${(globalThis as any).Deno.version.deno}` : `Node ${process.versions.node}`;
  console.log(JSON.stringify({
    runtime, engine: "wasm", simd: true, relaxedSimd: relaxedSimdSupported(),
    threads: "1 (workers: not yet)", presets: Object.keys(presets),
  }, null, 2));
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "train": await train(rest); return 0;
      case "info": info(); return 0;
      case undefined: case "help": case "--help": case "-h": console.log(HELP); return command === undefined ? 1 : 0;
      default: throw new UsageError(`unknown command ${JSON.stringify(command)} (commands: train, info, help)`);
    }
  } catch (e) {
    const err = e as Error & { code?: string };
    // parseArgs errors (unknown flag, missing value) and our own are one-line messages
    const known = e instanceof UsageError || err.name === "SpecError" || err.code?.startsWith("ERR_PARSE_ARGS") || e instanceof RangeError;
    console.error(`wasm-gan: ${err.message}`);
    if (!known && process.env.WASM_GAN_DEBUG) console.error(err.stack);
    return known ? 2 : 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
