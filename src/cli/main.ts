#!/usr/bin/env node
// wasm-gan command line.  wasm-gan train | sample | eval | info   (see `wasm-gan help`)
// One file per command in this folder; this one dispatches and turns errors into one line.
import { train, TrainingError } from "./train.ts";
import { sample } from "./sample.ts";
import { info } from "./info.ts";
import { evalCommand } from "./eval.ts";
import { UsageError } from "./args.ts";
import { CheckpointError } from "../io/checkpoint.ts";

const HELP = `wasm-gan: train and run GANs in WebAssembly

  wasm-gan train --preset NAME [--config FILE.json] [--data PATH] [--steps N] [--seed S] [--batch B]
                 [--loss minimax|non-saturating|wasserstein|hinge|least-squares]
                 [--lr-g LR] [--lr-d LR] [--threads auto|N] [--engine auto|wasm|tfjs]
                 [--backend webgpu|webgl|tensorflow|wasm|cpu] [--sample-every N] [--checkpoint-every N]
                 [--eval-every N [--eval-metrics fid,kid,pr,score] [--eval-samples N] [--keep-best METRIC]]
                 [--out DIR] [--quiet]
  wasm-gan train --resume DIR [--steps N] [--threads auto|N] [--eval-every N ...]
  wasm-gan sample --model PATH [-n N] [--label K] [--seed S] [--format png|npy|json] --out FILE
  wasm-gan eval --model PATH [--real PATH] [-n N] [--seed S] [--metrics fid,kid,pr,score] [--json]
  wasm-gan info
  wasm-gan help

presets: ring8, grid25 (2-D mixtures, the mode-covering recipe), mlp-ring8, mlp-grid25 (the
plain reference workloads), dcgan-mnist (a DCGAN on the bundled MNIST digits), dcgan-stacked-mnist
(the same on Stacked MNIST: three digits as an image's channels, 1,000 modes). --config FILE.json
trains a spec of your own (see README) on the preset's data set (default: ring8 for 2-D samples,
MNIST for [28, 28, 1], Stacked MNIST for [28, 28, 3]). --data PATH trains on files instead: the standard IDX files (a folder
holding train-images-idx3-ubyte[.gz], or the file itself) or a folder of same-size PNG images.

train writes to DIR (default out/<preset>): samples-<step>.png and samples.png (for mixtures a
scatter of 2,500 samples over the data; for images an 8x8 grid of a fixed latent batch),
metrics.jsonl (one line per logged step), curves.svg (losses and D's outputs), report.html
(curves and samples over time, self-contained), summary.json, and checkpoint.safetensors every
--checkpoint-every steps (default: every --sample-every; 0: only at the end) and at the end.
Ctrl-C saves a checkpoint at the next step boundary and exits (code 130); --resume DIR continues
the run to --steps in all (default: the original total), ending with the same weights as an
uninterrupted run. --eval-every N evaluates every N steps and at the end (off by default), one
{"eval": {step, n, seed, ...}} line each in metrics.jsonl, a chart in report.html, the last in
summary.json: for MNIST-shaped images the --eval-metrics chosen from fid, kid, pr (precision,
recall), score (score, logitsFd) (default fid) on --eval-samples samples (default 2,000: FID
alone takes ~2 s; kid and pr add ~20 s); for 2-D mixtures always modes, highQuality, kl on
10,000 samples (a few ms); sampling seed 1, so eval --model ... -n N reproduces a line exactly.
--keep-best METRIC (one that is evaluated: fid, kid, logitsFd, kl lower is better; score,
precision, recall, modes, highQuality higher) writes best.safetensors (a checkpoint, metadata
"best": metric, step, value, n, seed) at each evaluation better than all before; --resume keeps
the evaluation settings and the best so far. --threads: kernel threads (default auto: one per core), in worker threads off
the main thread; any count gives the same weights bit for bit. --engine auto (default) trains on
the tfjs engine only where a real GPU backend starts and passes a self-test, else on WASM
(info says which and why); --engine tfjs --backend NAME forces it. sample draws from a checkpoint (a file, or a run directory): a PNG grid
(images) or scatter (2-D points), .npy (float32, shape (n, ...sample shape)) or JSON.
eval scores n samples (default 5,000 images, 10,000 points) from a checkpoint: for MNIST-shaped
images FID, KID, precision/recall (k = 3) on the digit classifier's features and TF-GAN's
classifier score and Frechet distance on its logits, against the bundled MNIST (shipped
statistics) or --real PATH (as train --data takes); for 2-D points the mixture mode metrics; for
Stacked MNIST [28, 28, 3] the modes covered of 1,000 and the KL of the mode histogram from uniform
on 26,000 samples (VEEGAN, PacGAN), with --real stacked-mnist|PATH the real set's own count.`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "train": return await train(rest);
      case "sample": return await sample(rest);
      case "eval": return await evalCommand(rest);
      case "info": await info(); return 0;
      case undefined: case "help": case "--help": case "-h": console.log(HELP); return command === undefined ? 1 : 0;
      default: throw new UsageError(`unknown command ${JSON.stringify(command)} (commands: train, sample, eval, info, help)`);
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
