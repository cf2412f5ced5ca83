// The CLI end to end, in a temporary directory: the main job's outputs, and one-line errors.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { encodeIdx } from "../../src/data/idx.ts";
import { mnist } from "../../src/data/mnist.ts";
import { tmpdir } from "node:os";
import { join } from "node:path";

const cli = new URL("../../dist/cli.js", import.meta.url).pathname;
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8" });

test("train writes sample PNGs, metrics.jsonl and a summary", () => {
  const dir = mkdtempSync(join(tmpdir(), "wasm-gan-cli-"));
  try {
    const r = run("train", "--preset", "ring8", "--steps", "300", "--sample-every", "150", "--seed", "2", "--out", dir);
    assert.is(r.status, 0, r.stderr);
    assert.match(r.stdout, /done in .* modes, .* high-quality samples/);
    const files = readdirSync(dir).sort();
    for (const f of ["metrics.jsonl", "samples-000150.png", "samples-000300.png", "samples.json", "samples.png", "summary.json"]) assert.ok(files.includes(f), `${f} in ${files}`);
    assert.ok(!files.some((f) => f.includes(".tmp-")), "no temporary files left");
    const png = readFileSync(join(dir, "samples.png"));
    assert.equal([...png.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10], "PNG signature");
    const lines = readFileSync(join(dir, "metrics.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    assert.is(lines.at(-1).step, 300);
    for (const k of ["dLoss", "gLoss", "dReal", "dFake", "dGradNorm", "gGradNorm"]) assert.ok(Number.isFinite(lines.at(-1)[k]), k);
    const summary = JSON.parse(readFileSync(join(dir, "summary.json"), "utf8"));
    assert.is(summary.steps, 300);
    assert.is(summary.metrics.totalModes, 8);
    assert.is(JSON.parse(readFileSync(join(dir, "samples.json"), "utf8")).length, 5000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("train --data: a DCGAN on IDX files (gzipped) from disk; a missing or empty path is one line, exit 1", async () => {
  const dir = mkdtempSync(join(tmpdir(), "wasm-gan-cli-data-"));
  try {
    const d = await mnist({ count: 100 });
    const bytes = Uint8Array.from(d.x, (v) => Math.round((v + 1) * 127.5));
    writeFileSync(join(dir, "train-images-idx3-ubyte.gz"), gzipSync(encodeIdx(bytes, [100, 28, 28])));
    writeFileSync(join(dir, "train-labels-idx1-ubyte"), encodeIdx(Uint8Array.from(d.labels!), [100]));
    const out = join(dir, "run");
    const r = run("train", "--preset", "dcgan-mnist", "--data", dir, "--steps", "2", "--batch", "8", "--out", out, "--quiet");
    assert.is(r.status, 0, r.stderr);
    assert.ok(readdirSync(out).includes("samples-000002.png"), readdirSync(out).join());
    const ring = run("train", "--preset", "ring8", "--data", dir, "--steps", "1", "--out", join(dir, "run-ring8")); // a folder of its own: "run" holds the DCGAN's run
    assert.is(ring.status, 2, ring.stderr);
    assert.match(ring.stderr, /holds samples of shape \[28, 28, 1\], but the spec \(ring8\) expects \[2\]/);
    const empty = mkdtempSync(join(dir, "empty-"));
    for (const [path, msg] of [[join(dir, "nope"), /nope: no such file or folder/], [empty, /no .png files in the folder/]] as const) {
      const e = run("train", "--preset", "dcgan-mnist", "--data", path, "--steps", "1", "--out", join(dir, "x"));
      assert.is(e.status, 1, e.stderr);
      assert.match(e.stderr, msg);
      assert.not.match(e.stderr, /\n\s+at /, "no stack trace");
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("info: runtime, version, engine and SIMD choices with reasons, cores", () => {
  const r = run("info");
  assert.is(r.status, 0, r.stderr);
  const i = JSON.parse(r.stdout);
  assert.match(i.runtime, /^(Node|Deno) \d+/);
  assert.is(i.wasmGan, JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")).version);
  assert.is(i.engine.chosen, "wasm");
  assert.is(i.simd.strict, true);
  assert.match(i.simd.default, /strict SIMD/);
  assert.ok(i.threads.cores >= 1);
  assert.ok(i.presets.includes("dcgan-mnist"));
});

test("bad input: one line naming the problem, exit code 2, no stack trace", () => {
  for (const [args, msg] of [
    [["frob"], /unknown command "frob"/],
    [["train", "--bogus"], /Unknown option '--bogus'/],
    [["train", "--preset", "ring9"], /unknown preset "ring9" \(known: ring8, grid25, mlp-ring8, mlp-grid25, dcgan-mnist, cgan-mnist, cond-ring8, dcgan-stacked-mnist, dcgan\)/],
    [["train", "--steps", "ten"], /--steps must be an integer >= 0 \(got "ten"\)/],
    [["train", "--steps=-1"], /--steps must be an integer >= 0 \(got "-1"\)/],
    [["train", "--loss", "hinge-ish", "--steps", "1"], /spec.loss: must be one of/],
  ] as const) {
    const r = run(...args);
    assert.is(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, msg);
    assert.not.match(r.stderr, /\n\s+at /, "no stack trace");
  }
});

test.run();
