// The CLI's checkpoints end to end (dist/cli.js, in temporary directories): resume equality,
// Ctrl-C, a save killed mid-write, damaged checkpoints, `sample` in every format, divergence.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decode } from "fast-png";
import { decodeNpy } from "../../src/io/npy.ts";
import { readCheckpoint, checkpointHeader } from "../../src/io/checkpoint.ts";
import { oneLineError } from "../util/cli_errors.ts";

const cli = new URL("../../dist/cli.js", import.meta.url).pathname;
const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", env: { ...process.env, ...env } });
const root = mkdtempSync(join(tmpdir(), "wasm-gan-cli-ckpt-"));
const dir = (name: string) => join(root, name);

// the raw bytes of every tensor, by name
function tensors(file: string): Map<string, Buffer> {
  const bytes = readFileSync(file);
  const n = Number(bytes.readBigUInt64LE(0));
  const h = checkpointHeader(bytes);
  return new Map(Object.keys(h).filter((k) => k !== "__metadata__").map((k) => [k, bytes.subarray(8 + n + h[k].data_offsets[0], 8 + n + h[k].data_offsets[1])]));
}
function assertSameTensors(a: string, b: string): void {
  const ta = tensors(a), tb = tensors(b);
  assert.equal([...ta.keys()].sort(), [...tb.keys()].sort());
  for (const [k, v] of ta) assert.ok(v.equals(tb.get(k)!), `tensor ${k} differs`);
}

// a tiny DCGAN-like spec on the bundled MNIST digits (batch norm, conv, transposed conv)
const tinyImages = {
  name: "tiny-dcgan", latentDim: 8, dataShape: [28, 28, 1], batchSize: 8, loss: "non-saturating", init: "dcgan",
  generator: [
    { type: "dense", units: 196 }, { type: "batch_norm" }, { type: "relu" }, { type: "reshape", targetShape: [7, 7, 4] },
    { type: "conv2d_transpose", filters: 4, kernelSize: 4, strides: 2 }, { type: "batch_norm" }, { type: "relu" },
    { type: "conv2d_transpose", filters: 1, kernelSize: 4, strides: 2 }, { type: "tanh" },
  ],
  discriminator: [
    { type: "conv2d", filters: 4, kernelSize: 4, strides: 2 }, { type: "leaky_relu" },
    { type: "conv2d", filters: 8, kernelSize: 4, strides: 2 }, { type: "leaky_relu" }, { type: "flatten" }, { type: "dense", units: 1 },
  ],
  optimizer: { generator: { type: "adam", lr: 2e-4 }, discriminator: { type: "adam", lr: 2e-4 } },
};

test("resume: 80 steps + --resume to 160 ends with the weights of 160 steps straight, bit for bit", () => {
  const straight = dir("straight"), split = dir("split");
  let r = run(["train", "--preset", "mlp-ring8", "--steps", "160", "--seed", "3", "--quiet", "--out", straight]);
  assert.is(r.status, 0, r.stderr);
  r = run(["train", "--preset", "mlp-ring8", "--steps", "80", "--seed", "3", "--quiet", "--out", split]);
  assert.is(r.status, 0, r.stderr);
  r = run(["train", "--resume", split, "--steps", "160", "--quiet"]);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /resuming mlp-ring8 at step 80 of 160/);
  assertSameTensors(join(straight, "checkpoint.safetensors"), join(split, "checkpoint.safetensors"));
  const files = readdirSync(split);
  for (const f of ["checkpoint.safetensors", "curves.svg", "report.html", "metrics.jsonl", "summary.json", "samples.png"]) assert.ok(files.includes(f), f);
  assert.ok(!files.some((f) => f.includes(".tmp-")), "no temporary files");
  const steps = readFileSync(join(split, "metrics.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l).step);
  assert.is(steps[0], 1);
  assert.is(steps.at(-1), 160);
  assert.ok(steps.every((s, i) => i === 0 || s > steps[i - 1]), "metrics continue across the resume");
  const summary = JSON.parse(readFileSync(join(split, "summary.json"), "utf8"));
  assert.is(summary.resumedFrom, 80);
  assert.ok(summary.checkpoint.bytes > 100_000);
  const html = readFileSync(join(split, "report.html"), "utf8");
  assert.match(html, /<svg[^>]*>/);
  assert.match(html, /<img src="data:image\/png;base64,/);
  assert.match(readFileSync(join(split, "curves.svg"), "utf8"), /<polyline/);
});

test("Ctrl-C: checkpoint at the next step boundary, exit 130; resuming ends like an uninterrupted run (ring8, decaying rates)", async () => {
  const stopped = dir("sigint"), whole = dir("sigint-whole");
  const child = spawn(process.execPath, [cli, "train", "--preset", "ring8", "--steps", "400", "--out", stopped], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "", stderr = "", sent = false;
  child.stdout.on("data", (d) => {
    stdout += d;
    if (!sent && /\n\[#*\.*\] \d+\/400/.test(stdout)) { sent = true; child.kill("SIGINT"); }
  });
  child.stderr.on("data", (d) => { stderr += d; });
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  assert.ok(sent, "saw a progress line");
  assert.is(code, 130, stderr);
  const m = /interrupted at step (\d+) of 400: checkpoint saved to (.*checkpoint\.safetensors)/.exec(stdout);
  assert.ok(m, stdout);
  const step = Number(m![1]);
  assert.ok(step > 0 && step < 400, `step ${step}`);
  assert.is((await readCheckpoint(m![2])).step, step);
  let r = run(["train", "--resume", stopped, "--quiet"]);
  assert.is(r.status, 0, r.stderr);
  r = run(["train", "--preset", "ring8", "--steps", "400", "--quiet", "--out", whole]);
  assert.is(r.status, 0, r.stderr);
  assertSameTensors(join(stopped, "checkpoint.safetensors"), join(whole, "checkpoint.safetensors"));
});

test("a save killed between writing the temporary file and the rename leaves the previous checkpoint loadable", async () => {
  const d = dir("killed");
  let r = run(["train", "--preset", "mlp-ring8", "--steps", "40", "--quiet", "--out", d]);
  assert.is(r.status, 0, r.stderr);
  const before = readFileSync(join(d, "checkpoint.safetensors"));
  const child = spawn(process.execPath, [cli, "train", "--resume", d, "--steps", "80", "--checkpoint-every", "20", "--quiet"], {
    stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, WASM_GAN_TEST_SAVE_PAUSE_MS: "20000" },
  });
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr += d;
    if (/test hook: checkpoint of step 60 written to a temporary file/.test(stderr)) child.kill("SIGKILL");
  });
  const signal = await new Promise<string | null>((resolve) => child.on("close", (_code, sig) => resolve(sig)));
  assert.is(signal, "SIGKILL", stderr);
  const files = readdirSync(d);
  assert.ok(files.some((f) => f.startsWith("checkpoint.safetensors.tmp-")), `the killed writer left its temporary file: ${files}`);
  assert.ok(readFileSync(join(d, "checkpoint.safetensors")).equals(before), "the previous checkpoint is untouched");
  assert.is((await readCheckpoint(d)).step, 40);
  r = run(["sample", "--model", d, "-n", "10", "--out", join(d, "s.npy")]);
  assert.is(r.status, 0, r.stderr);
  // and the run goes on from it; the stale temporary file is cleared
  r = run(["train", "--resume", d, "--steps", "80", "--quiet"]);
  assert.is(r.status, 0, r.stderr);
  assert.is((await readCheckpoint(d)).step, 80);
  assert.ok(!readdirSync(d).some((f) => f.includes(".tmp-")));
});

test("damaged checkpoints: one line naming the file and the problem, exit 1, no stack trace", () => {
  const src = join(dir("straight"), "checkpoint.safetensors");
  const good = readFileSync(src);
  const n = Number(good.readBigUInt64LE(0));
  const h = checkpointHeader(good);
  const d = dir("damaged");
  const write = (name: string, bytes: Uint8Array) => { const p = join(d, name); writeFileSync(p, bytes); return p; };
  const withHeader = (edit: (h: Record<string, any>) => void) => {
    const hh = structuredClone(h);
    edit(hh);
    const head = Buffer.from(JSON.stringify(hh));
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(head.length));
    return Buffer.concat([len, head, good.subarray(8 + n)]);
  };
  mkdirSync(d);
  const flipped = Buffer.from(good); flipped[flipped.length - 1000] ^= 0xff; flipped[flipped.length - 999] ^= 0x01;
  const cases: [string, string, RegExp][] = [
    ["flipped bytes", write("flipped.safetensors", flipped), /flipped\.safetensors: corrupted: the tensor data's CRC-32 is/],
    ["cut short", write("short.safetensors", good.subarray(0, Math.floor(good.length * 0.6))), /short\.safetensors: truncated/],
    ["wrong magic", write("png.safetensors", readFileSync(join(dir("straight"), "samples.png"))), /png\.safetensors: not a safetensors checkpoint/],
    ["header length past the end", write("hlen.safetensors", (() => { const b = Buffer.from(good); b.writeBigUInt64LE(BigInt(good.length)); return b; })()), /header length field says \d+ bytes, the file holds \d+/],
    ["header lying about a shape", write("shape.safetensors", withHeader((hh) => { hh["generator.0.kernel"].shape = [2, 129]; })), /header lies about sizes: tensor generator\.0\.kernel/],
    ["header lying about offsets", write("offsets.safetensors", withHeader((hh) => { hh["generator.0.bias"].data_offsets[0] -= 16; })), /header lies about sizes|overlap/],
    ["header not JSON", write("json.safetensors", (() => { const b = Buffer.from(good); b[9] = 0x3a; return b; })()), /corrupted header: not valid JSON/],
    ["no such file", join(d, "absent.safetensors"), /absent\.safetensors: no such file/],
  ];
  for (const [what, file, re] of cases) {
    oneLineError(run(["sample", "--model", file, "--out", join(d, "x.npy")]), 1, re, `sample: ${what}`);
    assert.ok(!existsSync(join(d, "x.npy")), `${what}: nothing written`);
  }
  // the same through --resume
  const resumeDir = join(d, "run");
  mkdirSync(resumeDir);
  writeFileSync(join(resumeDir, "checkpoint.safetensors"), flipped);
  oneLineError(run(["train", "--resume", resumeDir]), 1, /checkpoint\.safetensors: corrupted: the tensor data's CRC-32/, "train --resume: flipped bytes");
});

test("--resume refuses a checkpoint of another spec or seed, naming the field", () => {
  const d = dir("straight");
  oneLineError(run(["train", "--resume", d, "--batch", "128"]), 1, /checkpoint\.safetensors: a checkpoint of another spec: spec\.batchSize is 256 in the checkpoint, 128 here/, "--batch");
  oneLineError(run(["train", "--resume", d, "--preset", "dcgan-mnist"]), 1, /a checkpoint of another spec: spec\.name is "mlp-ring8" in the checkpoint, "dcgan-mnist" here/, "--preset");
  oneLineError(run(["train", "--resume", d, "--lr-g", "0.001"]), 1, /spec\.optimizer\.generator\.lr is 0\.0002 in the checkpoint, 0\.001 here/, "--lr-g");
  oneLineError(run(["train", "--resume", d, "--seed", "4"]), 1, /trained with --seed 3, not 4/, "--seed");
  oneLineError(run(["train", "--resume", d, "--steps", "100"]), 2, /--steps 100 is behind the checkpoint, which is at step 160/, "--steps behind");
});

test("sample: PNG scatter, .npy and JSON of 2-D points, same samples in each; -n and --seed", () => {
  const d = dir("straight");
  let r = run(["sample", "--model", d, "-n", "300", "--seed", "5", "--out", join(d, "pts.npy")]);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /wrote 300 samples of shape \[2\] \(seed 5\) from .*checkpoint\.safetensors \(step 160\)/);
  const npy = decodeNpy(readFileSync(join(d, "pts.npy")));
  assert.equal(npy.shape, [300, 2]);
  const raw = readFileSync(join(d, "pts.npy"));
  assert.match(raw.subarray(10, 10 + raw.readUInt16LE(8)).toString("latin1"), /^\{'descr': '<f4', 'fortran_order': False, 'shape': \(300, 2\), \} *\n$/);
  r = run(["sample", "--model", join(d, "checkpoint.safetensors"), "-n", "300", "--seed", "5", "--format", "json", "--out", join(d, "pts.out")]);
  assert.is(r.status, 0, r.stderr);
  const json = JSON.parse(readFileSync(join(d, "pts.out"), "utf8"));
  assert.equal(json.shape, [300, 2]);
  assert.is(json.step, 160);
  assert.equal(json.samples.flat(), Array.from(npy.data));
  r = run(["sample", "--model", d, "--out", join(d, "pts.png")]);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /wrote 2500 samples/);
  const png = decode(readFileSync(join(d, "pts.png")));
  assert.is(png.width, 512);
  r = run(["sample", "--model", d, "-n", "300", "--seed", "6", "--out", join(d, "other.npy")]);
  assert.not.equal(Array.from(decodeNpy(readFileSync(join(d, "other.npy"))).data), Array.from(npy.data), "another seed, other samples");
});

test("--config: a custom image spec on MNIST; sample writes a PNG grid and (n, 28, 28, 1) .npy", () => {
  const d = dir("tiny");
  mkdirSync(d);
  const config = join(d, "tiny.json");
  writeFileSync(config, JSON.stringify(tinyImages));
  let r = run(["train", "--config", config, "--steps", "6", "--sample-every", "3", "--quiet", "--out", d]);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /training tiny-dcgan for 6 steps/);
  r = run(["sample", "--model", d, "-n", "10", "--out", join(d, "grid.png")]);
  assert.is(r.status, 0, r.stderr);
  const png = decode(readFileSync(join(d, "grid.png")));
  assert.is(png.width, 4 * (56 + 2) + 2, "4 columns of 28x28 tiles scaled 2x");
  assert.is(png.height, 3 * (56 + 2) + 2);
  r = run(["sample", "--model", d, "-n", "5", "--out", join(d, "imgs.npy")]);
  assert.is(r.status, 0, r.stderr);
  const npy = decodeNpy(readFileSync(join(d, "imgs.npy")));
  assert.equal(npy.shape, [5, 28, 28, 1]);
  assert.ok(npy.data.every((v) => v >= -1 && v <= 1), "tanh outputs");
  // resume of a --config run needs no config
  r = run(["train", "--resume", d, "--steps", "8", "--quiet"]);
  assert.is(r.status, 0, r.stderr);
  oneLineError(run(["train", "--config", join(d, "absent.json")]), 2, /--config .*absent\.json: no such file/, "missing config");
  writeFileSync(join(d, "bad.json"), "{ not json");
  oneLineError(run(["train", "--config", join(d, "bad.json")]), 2, /--config .*bad\.json: not valid JSON/, "bad config");
  writeFileSync(join(d, "bad-spec.json"), JSON.stringify({ ...tinyImages, batchSize: 0 }));
  oneLineError(run(["train", "--config", join(d, "bad-spec.json")]), 2, /spec\.batchSize: must be an integer from 1/, "bad spec");
});

test("a diverging run stops with the step, exit 1, and its last good checkpoint remains", async () => {
  const d = dir("diverge");
  mkdirSync(d);
  const mlp = (units: number, out: number) => [{ type: "dense", units }, { type: "relu" }, { type: "dense", units }, { type: "relu" }, { type: "dense", units: out }];
  const sgd = { type: "sgd", lr: 10, momentum: 0.99 };
  writeFileSync(join(d, "spec.json"), JSON.stringify({
    name: "diverging", latentDim: 2, dataShape: [2], batchSize: 32, loss: "non-saturating",
    generator: mlp(32, 2), discriminator: mlp(32, 1), optimizer: { generator: sgd, discriminator: sgd },
  }));
  const r = run(["train", "--config", join(d, "spec.json"), "--steps", "100", "--sample-every", "1", "--quiet", "--out", d]);
  oneLineError(r, 1, /training diverged at step (\d+): D loss .*; the last good checkpoint \(step (\d+)\) remains in .*checkpoint\.safetensors/, "diverged");
  const [, at, good] = /step (\d+):.*\(step (\d+)\)/.exec(r.stderr)!;
  assert.is(Number(good), Number(at) - 1);
  assert.is((await readCheckpoint(d)).step, Number(good), "the last good checkpoint loads");
});

test("bad flags: one line, exit 2", () => {
  const d = dir("straight");
  for (const [args, re] of [
    [["train", "--steps", "-1"], /--steps must be an integer >= 0 \(got "-1"\)/],
    [["train", "--checkpoint-every", "x"], /--checkpoint-every must be an integer >= 0 \(got "x"\)/],
    [["train", "--frobnicate"], /Unknown option '--frobnicate'/],
    [["sample", "--out", "x.png"], /sample: --model PATH is required/],
    [["sample", "--model", d], /sample: --out FILE is required/],
    [["sample", "--model", d, "--out", "x.gif"], /cannot tell the format from "x\.gif": pass --format png\|npy\|json/],
    [["sample", "--model", d, "--format", "gif", "--out", "x"], /--format must be png, npy or json \(got "gif"\)/],
    [["sample", "--model", d, "-n", "-3", "--out", "x.npy"], /-n must be an integer >= 1 \(got "-3"\)/],
    [["sample", "--model", d, "--bogus", "--out", "x.npy"], /Unknown option '--bogus'/],
  ] as const) oneLineError(run([...args]), 2, re, args.join(" "));
  oneLineError(run(["train", "--resume", join(root, "nowhere")]), 1, /nowhere\/checkpoint\.safetensors: no such file|nowhere: no such file/, "--resume nowhere");
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();
