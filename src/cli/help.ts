// The CLI's help texts and version.
import pkg from "../../package.json" with { type: "json" };

export const VERSION: string = pkg.version;

export const HELP = `wasm-gan: train and run GANs in WebAssembly

  wasm-gan train --preset NAME [--config FILE.json] [--data PATH] [--steps N] [--seed S] [--batch B]
                 [--loss minimax|non-saturating|wasserstein|hinge|least-squares]
                 [--lr-g LR] [--lr-d LR] [--threads auto|N] [--engine auto|wasm|tfjs]
                 [--backend webgpu|webgl|tensorflow|wasm|cpu] [--sample-every N] [--checkpoint-every N]
                 [--eval-every N [--eval-metrics fid,kid,pr,score] [--eval-samples N] [--keep-best METRIC]]
                 [--flip] [--out DIR [--force]] [--quiet]
  wasm-gan train --resume DIR|FILE [--steps N [--extend-schedule]] [--threads auto|N] [--eval-every N ...]
  wasm-gan train --preset cyclegan-digits [--transform invert|rotate90 | --data-a PATH --data-b PATH]
                 [--lambda L] [--steps N] [--seed S] [--sample-every N] [--checkpoint-every N]
                 [--threads auto|N] [--out DIR [--force]] [--resume DIR] [--quiet]
  wasm-gan sample --model PATH [-n N] [--label K] [--seed S] [--format png|npy|json] --out FILE
  wasm-gan eval --model PATH [--real PATH] [-n N] [--seed S] [--metrics fid,kid,pr,score] [--json]
  wasm-gan export --model PATH --format safetensors|onnx|tfjs [--weights ema|raw] [--direction a2b|b2a] --out PATH
  wasm-gan translate --model PATH --in FILE|DIR --out DIR [--direction a2b|b2a] [--threads auto|N]
  wasm-gan info
  wasm-gan help | train --help | --version

presets: ring8, grid25 (2-D mixtures, the mode-covering recipe), mlp-ring8, mlp-grid25 (the
plain reference workloads), cond-ring8 (conditional: one label per ring mode), dcgan-mnist (a DCGAN
on the bundled MNIST digits), cgan-mnist (the same, conditional on the digit: sample --label K),
dcgan-stacked-mnist (on Stacked MNIST: three digits as an image's channels, 1,000 modes),
pggan-mnist32 (progressive growing, 4x4 -> 32x32 on the digits padded to 32x32; of the flags
below only --steps, --seed, --threads, --out, --resume, --force, --quiet apply, and --loss:
non-saturating, with R1, the default, or wasserstein, WGAN-GP with drift as the paper), and
dcgan: DCGAN nets derived from the shape of --data's images (1 or 3 channels, any even height and
width from 8 to 256 that stride-2 layers reach: 28x28, 32x32, 64x64 ...). --config FILE.json
trains a spec of your own (see README) on the preset's data set (default: ring8 for 2-D samples,
MNIST for [28, 28, 1], Stacked MNIST for [28, 28, 3]). --data PATH trains on files instead: the
standard IDX files (a folder holding train-images-idx3-ubyte[.gz], or the file itself) or a folder
of same-size PNG images (grey or RGB). --flip adds a left-right mirror of every image (photos,
faces; not digits).

train writes to DIR (default out/<preset>): samples-<step>.png and samples.png (for mixtures a
scatter of 2,500 samples over the data; for images an 8x8 grid of a fixed latent batch),
metrics.jsonl (one line per logged step), curves.svg (losses and D's outputs), report.html
(curves and samples over time, self-contained), summary.json, and checkpoint.safetensors every
--checkpoint-every steps (default: every --sample-every; 0: only at the end) and at the end.
An --out folder that holds another run is refused unless --force (which removes that run's files
first). Ctrl-C saves a checkpoint at the next step boundary and exits (code 130); --resume DIR
(or its checkpoint file) continues the run to --steps in all (default: the original total),
ending with the same weights as an uninterrupted run; past the end of a decaying learning rate
it needs --extend-schedule (the decay stretched to the new --steps). --eval-every N evaluates every N steps and at the end (off by default), one
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
on 26,000 samples (VEEGAN, PacGAN), with --real stacked-mnist|PATH the real set's own count.
export writes a checkpoint's generator for other runtimes: safetensors (its weights; --out FILE),
onnx (opset 17: input latent [N, latentDim] and, conditional, label [N] int64; output image
[N, ...sample shape], NHWC; --out FILE) or tfjs (a LayersModel, model.json + weights.bin, for
tf.loadLayersModel; --out DIR). --weights ema (default when the checkpoint keeps a moving average)
or raw; spectral norm folded in, batch norm on its running statistics. A CycleGAN checkpoint
exports G (--direction a2b) or F (b2a) to onnx or tfjs: input source [N, h, w, c], output image.
tfjs refuses blend and pixel_norm (no Keras layer computes them): use onnx.
train --preset cyclegan-digits trains a CycleGAN (Zhu et al. 2017: G: A->B, F: B->A, PatchGAN
discriminators, LSGAN losses, cycle L1 with --lambda (default 10), identity 0.5*lambda, pools of 50
fakes, Adam 2e-4, the rates held for half of --steps (default 4,000) then linear to 0) on the
bundled digits (A) against other digits under --transform (B: invert, the default, or rotate90),
or on two folders of unpaired images of one shape (--data-a, --data-b, read as --data is). It
writes checkpoint.safetensors (every --checkpoint-every steps, default 1,000, and at the end),
samples-<step>.png (rows A | G(A) | F(G(A)) and B | F(B) | G(F(B))), metrics.jsonl, curves.svg
and report.html; --resume DIR continues the run with the same bits. translate runs a CycleGAN
checkpoint's G (a2b, the default) or F (b2a) on a PNG image or a folder of them, writing each
under its own name in --out DIR. Both take --threads (default 1: the preset's nets are too small
for a second thread to pay; auto: one per core; the same bits whatever the count).`;

// `wasm-gan train --help`: HELP's train lines, then its paragraphs on presets, data and train
const lines = HELP.split("\n");
const usage = lines.filter((l, i) => /^  wasm-gan train/.test(l) || (/^ {17}\[/.test(l) && lines.slice(0, i).reverse().find((x) => /^  wasm-gan /.test(x))?.startsWith("  wasm-gan train")));
export const TRAIN_HELP = `wasm-gan train: train a GAN\n\n${usage.join("\n")}\n\n${HELP.slice(HELP.indexOf("presets:"), HELP.indexOf(" sample draws from")).trimEnd()}`;
