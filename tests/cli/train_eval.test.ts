// `train --eval-every … --keep-best …` end to end (dist/cli.js, temporary directories): the eval
// lines in metrics.jsonl, best.safetensors holding the best step's weights (`eval` on it gives
// the recorded value exactly; `sample` reads it), a resumed run keeping the eval lines and the
// best (a worse later evaluation does not replace it; the same lines and best file as an
// uninterrupted run), the image path on a short dcgan-mnist run, and bad flags in one line.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkpointHeader } from "../../src/io/checkpoint.ts";
import { preset } from "../../src/model/presets.ts";
import { RECORDED_SPECS } from "../../bench/weights_hash.ts";
import { oneLineError } from "../util/cli_errors.ts";
import { evalSettings } from "../../src/cli/train_eval.ts";

const cli = new URL("../../dist/cli.js", import.meta.url).pathname;
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8" });
const root = mkdtempSync(join(tmpdir(), "wasm-gan-cli-eval-"));
const dir = (name: string) => join(root, name);
const evalLines = (d: string) => readFileSync(join(d, "metrics.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l)).filter((l) => l.eval).map((l) => l.eval);
const dataTensors = (file: string) => { // every tensor's bytes (the data section), without the header's metadata
  const b = readFileSync(file), n = Number(b.readBigUInt64LE(0));
  return { keys: Object.keys(checkpointHeader(b)).filter((k) => k !== "__metadata__").sort(), data: b.subarray(8 + n) };
};

// ring8's packed recipe (pack 2, Adam 1e-3: the preset before the remedies study moved it to R1;
// bench/weights_hash.ts keeps it as the recorded spec) at a constant rate, so a run split by --resume trains as
// one run straight (the preset's decaying rate is stretched to each run's --steps). Seed 1:
// measured, its best KL is at step 600 (0.440) and steps 700 and 800 are worse (0.727, 0.673).
const config = join(root, "ring8-constant.json");
const { lrSchedule: _, ...constant } = RECORDED_SPECS.ring8() as ReturnType<typeof preset>;
writeFileSync(config, JSON.stringify({ ...constant, name: "ring8-constant" }));
const flags = ["--config", config, "--seed", "1", "--sample-every", "400", "--eval-every", "100", "--keep-best", "kl", "--quiet"];

test("2-D: eval lines every 100 steps; best.safetensors is the best step's checkpoint and re-evaluates to the recorded value; resume keeps the best", () => {
  const straight = dir("straight"), split = dir("split");
  let r = run("train", ...flags, "--steps", "800", "--out", straight);
  assert.is(r.status, 0, r.stderr);
  const lines = evalLines(straight);
  assert.equal(lines.map((l) => l.step), [100, 200, 300, 400, 500, 600, 700, 800], "eval steps");
  for (const l of lines) assert.equal([l.n, l.seed, Object.keys(l).sort()], [10_000, 1, ["highQuality", "kl", "modes", "n", "seed", "step"]], `line of step ${l.step}`);
  const finite = lines.filter((l) => typeof l.kl === "number");
  const best = finite.reduce((a, b) => (b.kl < a.kl ? b : a));
  assert.ok(finite.some((l) => l.step > 600 && l.kl > best.kl) && best.step === 600, `the measured case: best at 600, a worse one after (${JSON.stringify(lines.map((l) => [l.step, l.kl]))})`);
  assert.match(r.stdout, new RegExp(`best kl ${+best.kl.toPrecision(4)} at step 600 \\(best.safetensors\\)`));

  const bestFile = join(straight, "best.safetensors");
  const md = JSON.parse(checkpointHeader(readFileSync(bestFile)).__metadata__.best);
  assert.equal(md, { metric: "kl", step: 600, value: best.kl, n: 10_000, seed: 1 }, "best.safetensors' metadata");
  const e = run("eval", "--model", bestFile, "--json");
  assert.is(e.status, 0, e.stderr);
  const again = JSON.parse(e.stdout);
  assert.equal([again.step, again.count, again.kl, again.modes, again.highQuality], [600, 10_000, best.kl, best.modes, best.highQuality], "eval of best.safetensors = the recorded line of step 600, exactly");
  const s = run("sample", "--model", bestFile, "--out", join(straight, "best.png"));
  assert.is(s.status, 0, s.stderr);
  assert.match(s.stdout, /best\.safetensors \(step 600\)/);

  const summary = JSON.parse(readFileSync(join(straight, "summary.json"), "utf8"));
  assert.equal(summary.eval.best, { metric: "kl", step: 600, value: best.kl, file: "best.safetensors" });
  assert.equal(summary.eval.last, lines.at(-1));
  const html = readFileSync(join(straight, "report.html"), "utf8");
  assert.match(html, /<h2>Evaluation<\/h2>\n<svg/);
  assert.match(html, /best \(kl\)<\/th><td>step 600: kl 0\.44/);
  for (const k of ["modes", "highQuality", "kl"]) assert.match(html, new RegExp(`>${k} \\(n 10000\\)${k === "kl" ? ", best at step 600" : ""}</text>`), `a panel for ${k}`);
  assert.is((html.split("<h2>Evaluation</h2>")[1].split("</svg>")[0].match(/<circle /g) ?? []).length, 2 * lines.length + finite.length + 1, "a dot per finite value and one for the best (kl: none where no sample is on a mode)");

  // split at 600 (the best), then resumed to 800: the same eval lines, and the best stands
  r = run("train", ...flags, "--steps", "600", "--out", split);
  assert.is(r.status, 0, r.stderr);
  r = run("train", "--resume", split, "--steps", "800", "--quiet");
  assert.is(r.status, 0, r.stderr);
  assert.equal(evalLines(split), lines, "eval lines: kept up to 600, then 700 and 800 as straight");
  const a = dataTensors(bestFile), b = dataTensors(join(split, "best.safetensors"));
  assert.equal(b.keys, a.keys);
  assert.ok(b.data.equals(a.data), "best.safetensors: step 600's tensors, as in the straight run");
  assert.equal(JSON.parse(readFileSync(join(split, "summary.json"), "utf8")).eval.best, summary.eval.best, "summary: the best read back from before the resume");
  assert.match(r.stdout, /best kl 0\.44 at step 600/);
  // resumed into another folder (already at its end: one more evaluation of step 800): the best comes along
  const other = dir("other");
  r = run("train", "--resume", split, "--out", other, "--quiet");
  assert.is(r.status, 0, r.stderr);
  assert.ok(dataTensors(join(other, "best.safetensors")).data.equals(a.data), "best.safetensors copied into --out");
  assert.equal(evalLines(other).map((l) => l.step), [100, 200, 300, 400, 500, 600, 700, 800, 800], "the lines up to 800, then step 800 evaluated again");
});

test("images: a short dcgan-mnist run with fid, kid and score; eval of best.safetensors with the same n gives the same numbers", () => {
  const out = dir("dcgan");
  const r = run("train", "--preset", "dcgan-mnist", "--steps", "6", "--sample-every", "6", "--eval-every", "3", "--eval-samples", "64", "--eval-metrics", "fid,kid,score", "--keep-best", "fid", "--threads", "2", "--out", out);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /\] 4\/6 .* fid \d+(\.\d+)? @3\n/, "the progress line shows the latest FID");
  const lines = evalLines(out);
  assert.equal(lines.map((l) => [l.step, l.n, Object.keys(l).sort().join()]), [3, 6].map((s) => [s, 64, "fid,kid,kidStd,logitsFd,n,score,seed,step"]), "eval lines");
  const best = lines.reduce((x, y) => (y.fid < x.fid ? y : x));
  const e = run("eval", "--model", join(out, "best.safetensors"), "-n", "64", "--metrics", "fid,kid,score", "--json");
  assert.is(e.status, 0, e.stderr);
  const again = JSON.parse(e.stdout);
  assert.equal([again.step, again.fid, again.kid.mean, again.kid.std, again.classifierScore, again.logitsFrechetDistance], [best.step, best.fid, best.kid, best.kidStd, best.score, best.logitsFd], "the recorded line of the best step, exactly");
  assert.ok(readdirSync(out).includes("best.safetensors") && !readdirSync(out).some((f) => f.includes(".tmp-")), "best.safetensors, no temporary files");
});

test("bad flags: one line naming the problem (exit 2)", () => {
  const out = dir("bad");
  for (const [args, re] of [
    [["--preset", "ring8", "--keep-best", "kl"], /--keep-best needs --eval-every N/],
    [["--preset", "ring8", "--eval-metrics", "kl"], /--eval-metrics needs --eval-every N/],
    [["--preset", "ring8", "--eval-every", "abc"], /--eval-every must be an integer >= 0 \(got "abc"\)/],
    [["--preset", "ring8", "--eval-every", "-5"], /--eval-every must be an integer >= 0 \(got "-5"\)/],
    [["--preset", "ring8", "--eval-every", "10", "--eval-samples", "0"], /--eval-samples must be an integer >= 1 \(got "0"\)/],
    [["--preset", "ring8", "--eval-every", "10", "--eval-samples", "1000000"], /--eval-samples must be at most 100000/],
    [["--preset", "ring8", "--eval-every", "10", "--keep-best", "fid"], /--keep-best fid: does not apply to 2-D mixture data \(it is for MNIST-shaped images\) \(rankable here: modes, highQuality, kl\)/],
    [["--preset", "ring8", "--eval-every", "10", "--eval-metrics", "fid"], /--eval-metrics: "fid" does not apply to 2-D mixture data/],
    [["--preset", "ring8", "--eval-every", "10", "--keep-best", "fud"], /--keep-best fud: unknown metric/],
    [["--preset", "dcgan-mnist", "--eval-every", "10", "--eval-metrics", "fid,fud"], /--eval-metrics: unknown metric "fud" \(for MNIST-shaped images data: fid, kid, pr, score\)/],
    [["--preset", "dcgan-mnist", "--eval-every", "10", "--eval-metrics", "modes"], /--eval-metrics: "modes" does not apply to MNIST-shaped images data/],
    [["--preset", "dcgan-mnist", "--eval-every", "10", "--keep-best", "kid"], /--keep-best kid: not evaluated: add kid to --eval-metrics \(now fid\)/],
    [["--preset", "dcgan-mnist", "--eval-every", "10", "--eval-metrics", "kid", "--keep-best", "kidStd"], /--keep-best kidStd: a spread, not a metric to rank by/],
    [["--preset", "dcgan-mnist", "--eval-every", "10", "--eval-samples", "3"], /--eval-samples must be an integer >= 4/],
  ] as const) {
    oneLineError(run("train", ...args, "--steps", "1", "--out", out), 2, re, args.join(" "));
  }
});

test("--eval-every on data no metric applies to: one line naming the data set", () => {
  const data = { name: "tiles", x: new Float32Array(16), shape: [4, 4, 1], count: 1 };
  assert.throws(() => evalSettings({ "eval-every": "5" }, data, undefined), /--eval-every: no metrics for the data set tiles \(samples of shape \[4, 4, 1\]; metrics exist for MNIST-shaped images, 2-D mixture\)/);
  assert.is(evalSettings({}, data, undefined), undefined, "no --eval-every: nothing to check");
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();
