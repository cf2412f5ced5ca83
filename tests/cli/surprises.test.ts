// What a new user hit (issue 17), each once a surprise and now a test: a run of 0 steps, --out
// naming a file, --resume given the checkpoint file, an output folder of another run, extending a
// run whose learning rate has decayed to 0, help and version, --backend without the tfjs engine;
// and training on a folder of one's own RGB images with the derived `dcgan` preset and --flip.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encode } from "fast-png";
import { oneLineError } from "../util/cli_errors.ts";
import { presets, preset, validateSpec } from "../../src/index.ts";

const cli = new URL("../../dist/cli.js", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "wasm-gan-surprises-"));
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", cwd: dir });
const ok = (r: ReturnType<typeof run>, what: string) => assert.is(r.status, 0, `${what}: ${r.stderr}`);

test.after(() => rmSync(dir, { recursive: true, force: true }));

test("help names every preset; train --help prints the train usage (exit 0); --version prints the package's", () => {
  const help = run("help");
  ok(help, "help");
  for (const p of [...Object.keys(presets), "dcgan"]) assert.ok(new RegExp(`\\b${p}\\b`).test(help.stdout.slice(help.stdout.indexOf("presets:"))), `help names ${p}`);
  const th = run("train", "--help");
  ok(th, "train --help");
  assert.match(th.stdout, /^wasm-gan train: train a GAN\n\n  wasm-gan train --preset NAME/);
  assert.match(th.stdout, /--extend-schedule/);
  assert.not.match(th.stdout, /wasm-gan sample/, "only train's usage");
  const version = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")).version;
  for (const flag of ["--version", "version"]) {
    const v = run(flag);
    ok(v, flag);
    assert.is(v.stdout.trim(), `wasm-gan ${version}`);
  }
});

test("train --steps 0 ends: a checkpoint, samples and report of step 0 (it looped forever in the chart)", () => {
  const r = spawnSync(process.execPath, [cli, "train", "--preset", "mlp-ring8", "--steps", "0", "--out", "zero", "--quiet"], { encoding: "utf8", cwd: dir, timeout: 60_000 });
  ok(r, "--steps 0");
  for (const f of ["checkpoint.safetensors", "samples-000000.png", "report.html", "summary.json"]) assert.ok(existsSync(join(dir, "zero", f)), f);
  assert.is(JSON.parse(readFileSync(join(dir, "zero", "summary.json"), "utf8")).steps, 0);
});

test("--out naming a file, or a folder under a file, is refused before any work (train and sample)", () => {
  writeFileSync(join(dir, "afile"), "x");
  oneLineError(run("train", "--preset", "mlp-ring8", "--steps", "10", "--out", "afile"), 2, /--out afile is a file, not a folder/, "train --out FILE");
  oneLineError(run("train", "--preset", "mlp-ring8", "--steps", "10", "--out", "afile/run"), 2, /--out afile\/run: cannot write there \(a file is in the way\)/, "train --out FILE/run");
  oneLineError(run("sample", "--model", "zero", "--out", "afile/x.png"), 2, /--out afile\/x\.png: afile is a file, not a folder/, "sample --out FILE/x.png");
  oneLineError(run("sample", "--model", "zero", "--out", "zero", "--format", "png"), 2, /--out zero is a folder: name a file/, "sample --out DIR");
  assert.is(readFileSync(join(dir, "afile"), "utf8"), "x", "the file is untouched");
});

test("--resume takes the checkpoint file as well as its folder, and continues in that folder", () => {
  ok(run("train", "--preset", "mlp-ring8", "--steps", "10", "--sample-every", "5", "--out", "res", "--quiet"), "first run");
  const r = run("train", "--resume", "res/checkpoint.safetensors", "--steps", "15", "--quiet");
  ok(r, "resume from the file");
  assert.match(r.stdout, /resuming mlp-ring8 at step 10 of 15 .* -> res\//);
  assert.is(JSON.parse(readFileSync(join(dir, "res", "summary.json"), "utf8")).steps, 15);
});

test("an --out folder holding another run is refused with the ways forward; --force replaces that run's files only", () => {
  ok(run("train", "--preset", "mlp-ring8", "--steps", "12", "--sample-every", "4", "--out", "reuse", "--quiet"), "first run");
  writeFileSync(join(dir, "reuse", "notes.txt"), "mine");
  const r = run("train", "--preset", "mlp-ring8", "--steps", "10", "--sample-every", "5", "--out", "reuse", "--quiet");
  oneLineError(r, 2, /--out reuse holds another run \(checkpoint\.safetensors, .*3 sample pictures\): continue it with --resume reuse, choose another --out, or pass --force to replace it/, "reuse");
  ok(run("train", "--preset", "mlp-ring8", "--steps", "10", "--sample-every", "5", "--out", "reuse", "--quiet", "--force"), "--force");
  const pictures = readdirSync(join(dir, "reuse")).filter((f) => /^samples-\d+\.png$/.test(f)).sort();
  assert.equal(pictures, ["samples-000005.png", "samples-000010.png"], "only the new run's pictures");
  assert.is(readFileSync(join(dir, "reuse", "notes.txt"), "utf8"), "mine", "files that are not a run's are kept");
  // resuming into another folder that holds a run: the same refusal
  oneLineError(run("train", "--resume", "res", "--steps", "20", "--out", "reuse", "--quiet"), 2, /--out reuse holds another run/, "resume into another run's folder");
});

test("extending a run whose learning rate decayed to 0: refused with both ways forward; --extend-schedule stretches the decay", () => {
  ok(run("train", "--preset", "ring8", "--steps", "20", "--out", "decay", "--quiet"), "first run (the decay spans its 20 steps)");
  oneLineError(run("train", "--resume", "decay", "--steps", "30", "--quiet"), 2,
    /the learning rates reached 0 at step 20 \(spec\.lrSchedule\), and the checkpoint is at step 20: steps past 20 would change nothing\. Pass --extend-schedule to stretch the decay to step 30 \(the rates pick up at 0\.333 of their start and fall to 0 at 30\), or resume with --steps 20/, "resume past the decay");
  const before = readFileSync(join(dir, "decay", "checkpoint.safetensors"));
  ok(run("train", "--resume", "decay", "--steps", "30", "--extend-schedule", "--quiet"), "--extend-schedule");
  const summary = JSON.parse(readFileSync(join(dir, "decay", "summary.json"), "utf8"));
  assert.equal(summary.spec.lrSchedule, { type: "linear", steps: 30 }, "the schedule now ends at 30");
  assert.not.equal(Array.from(readFileSync(join(dir, "decay", "checkpoint.safetensors"))), Array.from(before), "the 10 extra steps changed the weights");
});

test("--backend: only with the tfjs engine (or auto, stated); an unknown one is a usage error (exit 2)", () => {
  oneLineError(run("train", "--preset", "ring8", "--steps", "5", "--backend", "cpu", "--out", "b"), 2, /--backend cpu names a backend of the tfjs engine: add --engine tfjs/, "--backend alone");
  oneLineError(run("train", "--preset", "ring8", "--steps", "5", "--engine", "wasm", "--backend", "cpu", "--out", "b"), 2, /the wasm engine has no backends/, "--engine wasm --backend");
  oneLineError(run("train", "--preset", "ring8", "--steps", "5", "--engine", "tfjs", "--backend", "nope", "--out", "b"), 2, /--backend must be webgpu, webgl, tensorflow, wasm, cpu or auto \(got "nope"\)/, "unknown backend");
});

test("your own RGB images: --preset dcgan derives the nets from a 32x32 colour PNG folder, --flip doubles it; the run resumes and samples in RGB", () => {
  const imgs = join(dir, "imgs");
  mkdirSync(imgs);
  for (let i = 0; i < 20; i++) {
    const data = new Uint8Array(32 * 32 * 3).map((_, j) => (j * 7 + i * 13) % 256);
    writeFileSync(join(imgs, `im${String(i).padStart(2, "0")}.png`), encode({ width: 32, height: 32, data, channels: 3, depth: 8 }));
  }
  oneLineError(run("train", "--preset", "dcgan", "--steps", "2"), 2, /--preset dcgan derives its nets from your images: pass --data PATH/, "dcgan without --data");
  ok(run("train", "--preset", "dcgan", "--data", "imgs", "--flip", "--batch", "8", "--steps", "2", "--out", "own", "--quiet"), "dcgan on the folder");
  const s = JSON.parse(readFileSync(join(dir, "own", "summary.json"), "utf8"));
  assert.equal(s.spec.dataShape, [32, 32, 3]);
  assert.is(s.spec.nets.generator.length, 12, "3 stride-2 stages for 32x32: dense, BN, ReLU, reshape, 2 x (ConvT, BN, ReLU), ConvT, tanh");
  ok(run("train", "--resume", "own", "--steps", "3", "--quiet"), "resume (the mirrors are re-made: the same 40 samples)");
  const png = readFileSync(join(dir, "own", "samples.png"));
  assert.is(png[25], 2, "samples.png is an RGB PNG (colour type 2)");
  ok(run("sample", "--model", "own", "-n", "4", "--out", "own4.png"), "sample");
  assert.is(readFileSync(join(dir, "own4.png"))[25], 2, "sample writes RGB");
});

test("--data takes a bundled set's name too: --preset dcgan --data mnist derives dcgan-mnist's nets", () => {
  ok(run("train", "--preset", "dcgan", "--data", "mnist", "--batch", "8", "--steps", "1", "--out", "own-mnist", "--quiet"), "dcgan on mnist");
  const s = JSON.parse(readFileSync(join(dir, "own-mnist", "summary.json"), "utf8"));
  assert.is(s.data, "mnist");
  assert.equal(s.spec.nets, { ...validateSpec(preset("dcgan-mnist")).nets }, "the nets of dcgan-mnist");
});

test.run();
