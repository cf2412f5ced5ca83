// Stacked MNIST through the CLI (dist/cli.js, in a temporary directory): train the
// dcgan-stacked-mnist preset 2 steps (RGB sample grids, the mode count in the summary), sample
// it (.npy), eval it (--json, --real stacked-mnist), and bad input as one line (a real set of
// another shape: the bundled MNIST; the generic checks are tests/eval/eval_cli.test.ts').
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeNpy } from "../../src/io/npy.ts";
import { oneLineError } from "../util/cli_errors.ts";

const cli = new URL("../../dist/cli.js", import.meta.url).pathname;
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8" });
const root = mkdtempSync(join(tmpdir(), "wasm-gan-cli-stacked-"));
const out = join(root, "run");

test.before(() => {
  const r = run("train", "--preset", "dcgan-stacked-mnist", "--steps", "2", "--sample-every", "2", "--threads", "1", "--quiet", "--out", out);
  assert.is(r.status, 0, r.stderr);
});
test.after(() => rmSync(root, { recursive: true, force: true }));

test("train: RGB sample grid, the data set recorded as stacked-mnist, the mode count in the summary", () => {
  const png = readFileSync(join(out, "samples.png"));
  assert.is(png[25], 2, "PNG colour type 2 (RGB)");
  const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
  assert.is(summary.data, "stacked-mnist");
  assert.is(summary.metrics.totalModes, 1000);
  assert.is(summary.metrics.samples, 2600);
  assert.is(summary.metrics.perMode.length, 1000);
});

test("sample: .npy of shape (n, 28, 28, 3)", () => {
  let r = run("sample", "--model", out, "-n", "6", "--out", join(root, "s.npy"));
  assert.is(r.status, 0, r.stderr);
  const npy = decodeNpy(readFileSync(join(root, "s.npy")));
  assert.equal(npy.shape, [6, 28, 28, 3]);
});

test("eval: the Stacked MNIST mode count (--json), and with --real stacked-mnist the real set's own count", () => {
  let r = run("eval", "--model", out, "-n", "300", "--json");
  assert.is(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.is(j.kind, "stacked"); assert.is(j.count, 300); assert.is(j.totalModes, 1000); assert.is(j.step, 2);
  assert.ok(j.modes >= 1 && j.kl >= 0 && j.kl <= Math.log(1000) + 1e-9, JSON.stringify({ modes: j.modes, kl: j.kl }));
  r = run("eval", "--model", join(out, "checkpoint.safetensors"), "-n", "200", "--real", "stacked-mnist");
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /\(step 2\): 200 samples/);
  assert.match(r.stdout, /modes captured \(Stacked MNIST\)\s+\d+ of 1000 {2}\(200 samples\)/);
  assert.match(r.stdout, /real: modes captured \(Stacked MNIST\)\s+\d+ of 1000 {2}\(200 samples\)/);
  assert.match(r.stdout, /all 3 digits confident >= 0\.9\s+\d/);
});

test("eval on a stacked model: bad input is one line", () => {
  oneLineError(run("eval", "--model", out, "--metrics", "fid"), 2, /need images of \[28, 28, 1\]; this model draws Stacked MNIST images \[28, 28, 3\]/, "image metrics on a stacked model");
  oneLineError(run("eval", "--model", out, "-n", "20", "--real", "mnist"), 1, /samples of shape \[28, 28, 1\], the model draws \[28, 28, 3\]/, "real MNIST for a stacked model");
});

test.run();
