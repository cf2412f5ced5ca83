// The health monitor in `wasm-gan train`: a {"health": event} line in metrics.jsonl per change
// of state (the step lines as they were), the flag on the progress line, the band and the table
// in report.html. A learning rate far too high (Adam 0.05 on mlp-ring8): ~6 s.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const cli = new URL("../../dist/cli.js", import.meta.url).pathname;

test("train with Adam 0.05: an unstable firing line in metrics.jsonl, ✖ unstable on the progress line, a red stretch in the report's band", () => {
  const dir = mkdtempSync(join(tmpdir(), "wasm-gan-health-"));
  try {
    const r = spawnSync(process.execPath, [cli, "train", "--preset", "mlp-ring8", "--lr-g", "0.05", "--lr-d", "0.05", "--steps", "1000", "--seed", "1", "--out", dir], { encoding: "utf8" });
    assert.is(r.status, 0, r.stderr);
    assert.match(r.stdout, /\] 1000\/1000 .*D\(G\(z\)\) -?[\d.]+  .*✖ unstable/, "the last progress line carries the flag");
    const lines = readFileSync(join(dir, "metrics.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    const health = lines.filter((l) => l.health).map((l) => l.health);
    const steps = lines.filter((l) => !l.health);
    assert.equal(steps.map((l) => l.step), Array.from({ length: 200 }, (_, i) => 5 * (i + 1)), "a step line every logEvery (5) steps, as before");
    assert.equal(Object.keys(steps[0]).sort(), ["dFake", "dGradNorm", "dLoss", "dReal", "gGradNorm", "gLoss", "penalty", "step"], "step lines hold the StepStats, nothing more");
    const fired = health.find((h) => h.detector === "unstable" && h.state === "firing");
    assert.ok(fired, `an unstable firing line (health lines: ${JSON.stringify(health)})`);
    assert.ok(fired.advice.includes("learning rate"), fired.advice);
    for (const h of health) assert.ok(Number.isInteger(h.step) && ["ok", "warning", "firing"].includes(h.state) && h.state !== h.previous, JSON.stringify(h));
    const html = readFileSync(join(dir, "report.html"), "utf8");
    assert.match(html, /training health/);
    assert.match(html, /<rect [^>]*fill="#d62728"><title>unstable: firing, steps \d+-1000<\/title>/, "a red band stretch for unstable, open to the end");
    assert.match(html, /<td class="firing">firing<\/td>/, "the health table");
    const summary = JSON.parse(readFileSync(join(dir, "summary.json"), "utf8"));
    assert.is(summary.health.find((h: { detector: string }) => h.detector === "unstable").state, "firing");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
