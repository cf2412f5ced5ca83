// The statistics table (src/model/stats.ts) mirrors the wasm one (assembly/train/stats.ts), as the
// layer codes are kept in sync (tests/model/spec.test.ts): STAT_<NET>_<QUANTITY> = "<net>.<quantity>".
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { STATS, STAT_COUNT, STAT_SLOT, namedStats, stepStats, statsBlock } from "../../src/model/stats.ts";
import { createWasmGAN, preset } from "../../src/index.ts";

const source = readFileSync(new URL("../../assembly/train/stats.ts", import.meta.url), "utf8");
const wasmConstants = Object.fromEntries([...source.matchAll(/export const STAT_([A-Z0-9_]+): i32 = (\d+);/g)].map((m) => [m[1], Number(m[2])]));
// "D.gradNorm" -> "D_GRAD_NORM"
const constantName = (name: string) => name.replace(".", "_").replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase();

test("every named statistic has the slot of its assembly constant, and nothing else is there", () => {
  const expected: Record<string, number> = { COUNT: STAT_COUNT };
  for (const s of STATS) expected[constantName(s.name)] = s.slot;
  assert.equal(wasmConstants, expected);
  assert.is(new Set(STATS.map((s) => s.slot)).size, STATS.length, "one slot per statistic");
  assert.ok(STATS.every((s) => s.slot >= 0 && s.slot < STAT_COUNT), "slots inside the block");
  assert.is(new Set(STATS.map((s) => s.field)).size, STATS.length, "one StepStats field per statistic");
});

test("the module's block has STAT_COUNT floats; reading by name", async () => {
  const gan = await createWasmGAN(preset("mlp-ring8"), { seed: 1 });
  assert.is(gan.raw.wasm.ganStatCount(), STAT_COUNT);
  const block = Float32Array.from({ length: STAT_COUNT }, (_, i) => i + 0.5);
  assert.is(namedStats(block)["D.gradNorm"], STAT_SLOT["D.gradNorm"] + 0.5);
  assert.equal(stepStats(9, block), { step: 9, dLoss: 0.5, gLoss: 1.5, dReal: 2.5, dFake: 3.5, dGradNorm: 4.5, gGradNorm: 5.5, penalty: 6.5 });
  assert.equal(statsBlock(namedStats(block), () => 0), [0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 0]);
});

test.run();
