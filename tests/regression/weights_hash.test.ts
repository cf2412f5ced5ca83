// Nothing lost in a redesign: the presets trained 200 steps (strict build, seed 1, their bundled
// data) end with the same bits as recorded before it (bench/weights-hashes.json, written by
// bench/weights_hash.ts at the commit it names, under Node and Deno with 1 and 2 threads).
// Here: every 2-D preset with 1 and 2 kernel threads, and dcgan-mnist with 2 (the conv, batch
// norm and transposed-conv paths); cgan-mnist is checked by running bench/weights_hash.ts. And
// the named form of some of them.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { presetHashes, RECORDED_SPECS } from "../../bench/weights_hash.ts";
import { preset, type GanSpec } from "../../src/index.ts";
import { namedForm } from "../util/named_spec.ts";

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

// The named form (src/model/nets.ts) of the same specs trains to the same bits: nets named G and
// D (cond-ring8: listed D first, named gen and critic), optimisers by net name.
const named: [string, number, GanSpec][] = [
  ["mlp-ring8", 1, namedForm(preset("mlp-ring8"))], ["mlp-ring8", 2, namedForm(preset("mlp-ring8"))],
  ["ring8", 1, namedForm(RECORDED_SPECS.ring8() as ReturnType<typeof preset>)], ["cond-ring8", 1, namedForm(preset("cond-ring8"), "gen", "critic", true)],
];
for (const [name, threads, spec] of named) {
  test(`${name} in the named form (nets ${Object.keys((spec as any).nets).join(", ")}), ${threads} thread${threads > 1 ? "s" : ""} (${runtime}): the recorded weights and state`, async () => {
    const want = recorded.presets[name];
    const got = await presetHashes(name, threads, recorded.steps, spec);
    assert.is(got.weights, want.weights, `${name}, named form: SHA-256 of G's and D's parameters after ${recorded.steps} steps`);
    assert.is(got.state, want.state, `${name}, named form: SHA-256 of the whole training state`);
  });
}

test.run();
