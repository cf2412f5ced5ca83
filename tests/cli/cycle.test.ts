// wasm-gan train --preset cyclegan-digits and wasm-gan translate end to end (dist/cli.js), in a
// temporary folder: the run's outputs, a resume that continues the same run, translation of a
// file and a folder (training and translating on 2 threads, the weights those of the library on 1),
// and one-line errors (exit 2 usage, 1 bad files).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeCycleCheckpoint } from "../../src/io/cycle_checkpoint.ts";
import { decodePng } from "../../src/data/image_folder.ts";
import { imageGrid } from "../../src/io/image_grid.ts";
import { cycleDigits } from "../../src/data/cycle_digits.ts";
import { CycleGAN } from "../../src/engine/cycle_engine.ts";
import { expectBitIdentical } from "../util/check.ts";
import { oneLineError } from "../util/cli_errors.ts";

const cli = new URL("../../dist/cli.js", import.meta.url).pathname;
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8" });

test("train --preset cyclegan-digits: outputs, resume to the end, translate a file and a folder", async () => {
  const dir = mkdtempSync(join(tmpdir(), "wasm-gan-cycle-")), out = join(dir, "run");
  try {
    let r = run("train", "--preset", "cyclegan-digits", "--steps", "4", "--sample-every", "2", "--checkpoint-every", "2", "--out", out, "--quiet", "--threads", "2");
    assert.is(r.status, 0, r.stderr);
    assert.match(r.stdout, /strict SIMD, 2 threads\)/);
    const files = readdirSync(out).sort();
    for (const f of ["checkpoint.safetensors", "curves.svg", "metrics.jsonl", "report.html", "samples-000002.png", "samples-000004.png"]) assert.ok(files.includes(f), `${f} in ${files}`);
    const ck = decodeCycleCheckpoint(new Uint8Array(readFileSync(join(out, "checkpoint.safetensors"))));
    assert.is(ck.step, 4);
    const png = decodePng(new Uint8Array(readFileSync(join(out, "samples-000004.png"))), "samples");
    assert.ok(png.w > 8 * 28 && png.h > 6 * 28, `rows of 8 digits, 6 rows (${png.w}x${png.h})`);
    assert.match(readFileSync(join(out, "report.html"), "utf8"), /A \| G\(A\) \| F\(G\(A\)\)/);
    // the checkpoint holds what the library's 4 steps give (the same spec, seed and data)
    const d = await cycleDigits();
    const lib = await CycleGAN.create(ck.spec, { seed: 1 });
    lib.train(d.a.x, d.b.x, { steps: 4 });
    for (const [net, w] of Object.entries(lib.getWeights())) expectBitIdentical(`${net} == the library's 4 steps on 1 thread`, ck.state.nets[net].params, w);
    // past the schedule's end: refused; at it: nothing to do
    oneLineError(run("train", "--resume", out, "--steps", "9"), 2, /learning rates reach 0 at step 4/, "resume past the schedule");
    // translate: one 28x28 digit, then a folder of two
    const x = d.a.x.subarray(0, 784), one = join(dir, "one.png"), folder = join(dir, "in");
    writeFileSync(one, imageGrid(x, 1, 28, 28, 1, { cols: 1, pad: 0 }));
    mkdirSync(folder);
    writeFileSync(join(folder, "a.png"), imageGrid(x, 1, 28, 28, 1, { cols: 1, pad: 0 }));
    writeFileSync(join(folder, "b.png"), imageGrid(d.a.x.subarray(784, 1568), 1, 28, 28, 1, { cols: 1, pad: 0 }));
    r = run("translate", "--model", out, "--in", one, "--out", join(dir, "t1"), "--threads", "2");
    assert.is(r.status, 0, r.stderr);
    const t = decodePng(new Uint8Array(readFileSync(join(dir, "t1", "one.png"))), "t");
    const want = lib.translate(decodePng(new Uint8Array(readFileSync(one)), "one").x, { direction: "a2b" });
    let worst = 0;
    for (let i = 0; i < 784; i++) worst = Math.max(worst, Math.abs(t.x[i] - want[i]));
    assert.ok(worst <= 1 / 127.5 + 1e-6, `the PNG holds G(x) to within a grey level (${worst})`);
    r = run("translate", "--model", join(out, "checkpoint.safetensors"), "--in", folder, "--out", join(dir, "t2"), "--direction", "b2a");
    assert.is(r.status, 0, r.stderr);
    assert.equal(readdirSync(join(dir, "t2")).sort(), ["a.png", "b.png"]);
    oneLineError(run("translate", "--model", out, "--in", one, "--out", join(dir, "t3"), "--direction", "up"), 2, /--direction must be a2b or b2a/, "bad direction");
    oneLineError(run("translate", "--model", join(dir, "nothing"), "--in", one, "--out", join(dir, "t3")), 1, /no such file/, "missing model");
    oneLineError(run("translate", "--model", out, "--in", join(out, "samples-000002.png"), "--out", join(dir, "t3")), 2, /this model translates 28x28/, "wrong size");
    oneLineError(run("train", "--preset", "cyclegan-digits", "--data-a", folder, "--out", join(dir, "x")), 2, /--data-a and --data-b come together/, "one domain");
    oneLineError(run("train", "--preset", "cyclegan-digits", "--transform", "flip", "--out", join(dir, "x")), 2, /--transform must be invert or rotate90/, "bad transform");
    oneLineError(run("train", "--preset", "cyclegan-digits", "--threads", "0", "--out", join(dir, "x")), 2, /--threads must be "auto" or an integer from 1 to 256 \(got "0"\)/, "bad --threads");
    oneLineError(run("translate", "--model", out, "--in", one, "--out", join(dir, "t3"), "--threads", "x"), 2, /--threads must be "auto" or an integer from 1 to 256 \(got "x"\)/, "translate: bad --threads");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
