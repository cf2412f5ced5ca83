// `wasm-gan eval` end to end (dist/cli.js, in a temporary directory): a table and --json for an
// image model (against the shipped statistics and against --real IDX files), the mixture metrics
// for a 2-D model, and every bad input as one line with the right exit code.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { encodeIdx } from "../../src/data/idx.ts";
import { mnist } from "../../src/data/mnist.ts";
import { oneLineError } from "../util/cli_errors.ts";

const cli = new URL("../../dist/cli.js", import.meta.url).pathname;
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8" });
const root = mkdtempSync(join(tmpdir(), "wasm-gan-cli-eval-"));
const tiny = {
  name: "tiny-dcgan", latentDim: 8, dataShape: [28, 28, 1], batchSize: 8, loss: "non-saturating", init: "dcgan",
  generator: [
    { type: "dense", units: 196 }, { type: "relu" }, { type: "reshape", targetShape: [7, 7, 4] },
    { type: "conv2d_transpose", filters: 4, kernelSize: 4, strides: 2 }, { type: "relu" },
    { type: "conv2d_transpose", filters: 1, kernelSize: 4, strides: 2 }, { type: "tanh" },
  ],
  discriminator: [{ type: "conv2d", filters: 4, kernelSize: 4, strides: 2 }, { type: "leaky_relu" }, { type: "flatten" }, { type: "dense", units: 1 }],
  optimizer: { generator: { type: "adam", lr: 2e-4 }, discriminator: { type: "adam", lr: 2e-4 } },
};
const img = join(root, "img"), pts = join(root, "pts"), idx = join(root, "idx"), small = join(root, "small"), wrong = join(root, "wrong");


test.before(async () => {
  writeFileSync(join(root, "tiny.json"), JSON.stringify(tiny));
  let r = run("train", "--config", join(root, "tiny.json"), "--steps", "2", "--quiet", "--out", img);
  assert.is(r.status, 0, r.stderr);
  r = run("train", "--preset", "mlp-ring8", "--steps", "2", "--quiet", "--out", pts);
  assert.is(r.status, 0, r.stderr);
  const d = await mnist({ count: 300 });
  const bytes = Uint8Array.from(d.x, (v) => Math.round((v + 1) * 127.5));
  for (const [dir, n] of [[idx, 300], [small, 3]] as const) {
    mkdirSync(dir);
    writeFileSync(join(dir, "train-images-idx3-ubyte.gz"), gzipSync(encodeIdx(bytes.subarray(0, n * 784), [n, 28, 28])));
  }
  mkdirSync(wrong);
  writeFileSync(join(wrong, "train-images-idx3-ubyte"), encodeIdx(new Uint8Array(10 * 64), [10, 8, 8]));
});
test.after(() => rmSync(root, { recursive: true, force: true }));

test("eval: an image model's table against the shipped statistics; --json with --real IDX files and chosen metrics", () => {
  let r = run("eval", "--model", img, "-n", "200", "--metrics", "fid,score");
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /\(step 2\): 200 samples against the bundled MNIST/);
  assert.match(r.stdout, /FID \(classifier features\)\s+\d/);
  assert.match(r.stdout, /classifier score \(TF-GAN mnist_score\)\s+\d/);
  assert.not.match(r.stdout, /KID/);
  r = run("eval", "--model", join(img, "checkpoint.safetensors"), "-n", "100", "--real", idx, "--json", "--seed", "3");
  assert.is(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.is(j.kind, "images"); assert.is(j.count, 100); assert.is(j.seed, 3); assert.is(j.step, 2);
  assert.match(j.reference, /300 real samples given/);
  assert.ok(j.fid > 0 && j.kid.subsetSize === 100 && j.kid.subsets === 100 && j.pr.real === 300 && j.classifierScore >= 1, JSON.stringify(j));
});

test("eval: a 2-D model gets the mixture mode metrics of its recorded data set", () => {
  const r = run("eval", "--model", pts, "-n", "500", "--json");
  assert.is(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.is(j.kind, "mixture"); assert.is(j.totalModes, 8); assert.is(j.samples, 500);
});

test("eval: bad input is one line (usage exit 2, bad files exit 1)", () => {
  oneLineError(run("eval"), 2, /--model PATH is required/, "no model");
  oneLineError(run("eval", "--model", join(root, "nope")), 1, /nope/, "a missing model");
  oneLineError(run("eval", "--model", img, "--metrics", "fid,inception"), 2, /--metrics: unknown metric "inception" \(known: fid, kid, pr, score\)/, "an unknown metric");
  oneLineError(run("eval", "--model", img, "-n", "ten"), 2, /-n must be an integer >= 1 \(got "ten"\)/, "bad -n");
  oneLineError(run("eval", "--model", img, "-n", "0"), 2, /-n must be an integer >= 1/, "-n 0");
  oneLineError(run("eval", "--model", img, "-n", "3"), 2, /-n must be at least 4 for the image metrics/, "too few samples");
  oneLineError(run("eval", "--model", img, "-n", "50", "--real", wrong), 1, /samples of shape \[8, 8, 1\], the model draws \[28, 28, 1\]/, "a real set of another shape");
  oneLineError(run("eval", "--model", img, "-n", "50", "--real", small), 1, /3 samples: the metrics need at least 4/, "a real set too small");
  oneLineError(run("eval", "--model", img, "-n", "50", "--real", join(root, "nothing")), 1, /nothing: no such file or folder/, "a missing real set");
  oneLineError(run("eval", "--model", pts, "--metrics", "fid"), 2, /need images of \[28, 28, 1\]; this model draws 2-D points/, "image metrics on a 2-D model");
  oneLineError(run("eval", "--model", pts, "--real", "mnist"), 2, /--real "mnist": 2-D models are scored against a bundled mixture/, "a 2-D model against images");
  oneLineError(run("eval", "--model", img, "--bogus"), 2, /bogus/, "an unknown flag");
});

test.run();
