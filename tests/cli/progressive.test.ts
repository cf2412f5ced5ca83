// `wasm-gan train --preset pggan-mnist32` (src/cli/train_progressive.ts) end to end: a short run
// (the 4×4 phase), stopped at step 30 and resumed to step 40, ends with the checkpoint of a
// straight 40-step run, bit for bit; the outputs; flags the phases fix refused in one line (exit 2).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeCheckpoint } from "../../src/io/checkpoint.ts";
import { expectBitIdentical } from "../util/check.ts";
import { oneLineError } from "../util/cli_errors.ts";

const cli = new URL("../../dist/cli.js", import.meta.url).pathname;
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8" });

test("pggan-mnist32: 30 steps then --resume to 40 = 40 straight (checkpoint bits); outputs; α and phase in the checkpoint", () => {
  const a = mkdtempSync(join(tmpdir(), "wasm-gan-pg-a-")), b = mkdtempSync(join(tmpdir(), "wasm-gan-pg-b-"));
  try {
    let r = run("train", "--preset", "pggan-mnist32", "--steps", "30", "--threads", "1", "--out", a, "--quiet");
    assert.is(r.status, 0, r.stderr);
    r = run("train", "--resume", a, "--steps", "40", "--threads", "1", "--quiet");
    assert.is(r.status, 0, r.stderr);
    assert.match(r.stdout, /resuming pggan-mnist32 at step 30 to step 40 of 13000 \(.*; non-saturating loss; seed 1\)/);
    r = run("train", "--preset", "pggan-mnist32", "--steps", "40", "--threads", "1", "--out", b, "--quiet");
    assert.is(r.status, 0, r.stderr);
    const ca = decodeCheckpoint(readFileSync(join(a, "checkpoint.safetensors"))), cb = decodeCheckpoint(readFileSync(join(b, "checkpoint.safetensors")));
    assert.is(ca.step, 40);
    for (const role of ["generator", "discriminator"] as const) {
      expectBitIdentical(`${role} weights`, ca.state[role].params, cb.state[role].params);
      expectBitIdentical(`${role} Adam v`, ca.state[role].opt2, cb.state[role].opt2);
    }
    expectBitIdentical("generator EMA", ca.state.generator.average!, cb.state.generator.average!);
    assert.equal(JSON.parse(ca.metadata.progressive), { config: "pggan-mnist32", phase: 0, resolution: 4, kind: "stable", alpha: 1 });
    assert.equal(ca.spec.dataShape, [4, 4, 1], "the 4×4 phase's spec");
    for (const f of ["checkpoint.safetensors", "metrics.jsonl", "report.html", "curves.svg", "summary.json"]) assert.ok(readdirSync(a).includes(f), f);
    const steps = readFileSync(join(a, "metrics.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l).step);
    assert.equal(steps, Array.from({ length: 40 }, (_, i) => i + 1), "one line a step (steps/200 < 1), the resumed run's after the first's");
    assert.match(readFileSync(join(a, "report.html"), "utf8"), /fade α/);
    assert.match(readFileSync(join(a, "report.html"), "utf8"), /non-saturating \+ R1 \(γ 10\)/, "the loss in the report's facts");
  } finally {
    rmSync(a, { recursive: true, force: true });
    rmSync(b, { recursive: true, force: true });
  }
});

test("pggan-mnist32 --loss wasserstein: the paper's WGAN-GP + drift, kept on --resume; another loss refused in one line", () => {
  const a = mkdtempSync(join(tmpdir(), "wasm-gan-pg-w-"));
  try {
    let r = run("train", "--preset", "pggan-mnist32", "--loss", "wasserstein", "--steps", "4", "--threads", "1", "--out", a, "--quiet");
    assert.is(r.status, 0, r.stderr);
    r = run("train", "--resume", a, "--steps", "6", "--threads", "1", "--quiet");
    assert.is(r.status, 0, r.stderr);
    assert.match(r.stdout, /resuming pggan-mnist32 at step 4 to step 6 of 13000 \(.*; wasserstein loss; seed 1\)/);
    const c = decodeCheckpoint(readFileSync(join(a, "checkpoint.safetensors")));
    assert.equal([c.step, c.spec.loss, c.spec.gradientPenalty, c.spec.drift, c.spec.r1], [6, "wasserstein", 10, 0.001, undefined]);
    assert.equal(JSON.parse(c.metadata.run).loss, "wasserstein");
    oneLineError(run("train", "--resume", a, "--loss", "non-saturating", "--steps", "8", "--quiet"), 1, /trained with --loss wasserstein, not non-saturating/, "--loss on resume");
  } finally {
    rmSync(a, { recursive: true, force: true });
  }
  oneLineError(run("train", "--preset", "pggan-mnist32", "--loss", "hinge"), 2, /--loss for pggan-mnist32 must be non-saturating or wasserstein \(got "hinge"\)/, "--loss hinge");
});

test("pggan-mnist32 refuses the flags its phases fix, in one line, exit 2", () => {
  oneLineError(run("train", "--preset", "pggan-mnist32", "--batch", "8"), 2, /--batch does not apply to a progressive-growing run/, "--batch");
  oneLineError(run("train", "--preset", "pggan-mnist32", "--lr-g", "0.1"), 2, /--lr-g does not apply/, "--lr-g");
});

test.run();
