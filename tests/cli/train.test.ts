// The CLI end to end, in a temporary directory: the main job's outputs, and one-line errors.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
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

test("bad input: one line naming the problem, exit code 2, no stack trace", () => {
  for (const [args, msg] of [
    [["frob"], /unknown command "frob"/],
    [["train", "--bogus"], /Unknown option '--bogus'/],
    [["train", "--preset", "ring9"], /unknown preset "ring9" \(known: ring8, grid25, mlp-ring8, mlp-grid25, dcgan-mnist, cgan-mnist, cond-ring8\)/],
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
