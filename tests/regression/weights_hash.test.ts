// Nothing lost in a redesign: the presets trained 200 steps (strict build, seed 1, their bundled
// data) end with the same bits as recorded before it (bench/weights-hashes.json, written by
// bench/weights_hash.ts at the commit it names, under Node and Deno with 1 and 2 threads).
// Here: every 2-D preset with 1 and 2 kernel threads, and dcgan-mnist with 2 (the conv, batch
// norm and transposed-conv paths); cgan-mnist is checked by running bench/weights_hash.ts.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { presetHashes } from "../../bench/weights_hash.ts";

const recorded = JSON.parse(readFileSync(new URL("../../bench/weights-hashes.json", import.meta.url), "utf8"));
const runtime = (globalThis as any).Deno ? "deno" : "node";

const cases: [string, number][] = [
  ...["ring8", "grid25", "mlp-ring8", "mlp-grid25", "cond-ring8"].flatMap((p) => [[p, 1], [p, 2]] as [string, number][]),
  ["dcgan-mnist", 2],
];
for (const [name, threads] of cases) {
  test(`${name}, ${threads} thread${threads > 1 ? "s" : ""} (${runtime}): 200 steps end with the recorded weights and state`, async () => {
    const want = recorded.presets[name];
    assert.ok(want, `bench/weights-hashes.json records ${name}`);
    const got = await presetHashes(name, threads, recorded.steps);
    assert.is(got.weights, want.weights, `${name}: SHA-256 of G's and D's parameters after ${recorded.steps} steps`);
    assert.is(got.state, want.state, `${name}: SHA-256 of the whole training state`);
  });
}

test.run();
