// The pggan-mnist32 runs side by side: reads results.json files written by pggan_mnist.ts (one per
// seed and setting), groups them by setting (the config's differences from the preset), and
// writes bench/pggan-seeds-results.json with, per setting, every seed's final judgement and the
// worst fall across each resolution change, and over its seeds: the mean, min and max of the
// final numbers and the largest fall of the confident share (the fade-in margin) per change.
// Prints the tables the README shows.
//   npx tsx bench/experiments/pggan_table.ts RESULTS.json... [--out bench/pggan-seeds-results.json]
import { readFileSync, writeFileSync } from "node:fs";
import { pgganMnist32 } from "../../src/model/progressive.ts";

interface Judged { confident: number; classes: number; maxShare: number; fid: number; sec: number; step: number }
interface Change { resolution: number; before: { confident: number; fid: number }; worstConfidentFall: number; worstFidRise: number }
interface Run { seed: number; config: Record<string, unknown>; seconds: number; final: Judged; changes: Change[]; phases: { resolution: number; kind: string; stepsPerSec: number; sec: number }[]; rows: Judged[] }

const args = process.argv.slice(2);
const oi = args.indexOf("--out");
const out = oi >= 0 ? args[oi + 1] : "bench/pggan-seeds-results.json";
const files = oi >= 0 ? args.filter((_, i) => i !== oi && i !== oi + 1) : args;
if (files.length === 0) { console.error("usage: pggan_table.ts RESULTS.json... [--out FILE]"); process.exit(2); }

// a setting is named by its differences from today's preset, over both configs' fields ("unset":
// a field the run's config lacks, e.g. finalImages in runs made before the last phase grew)
// Fields the loss ignores are dropped first (gradientPenalty and drift with the non-saturating
// loss: the early non-saturating runs' configs still held the then preset's).
const effective = (c: Record<string, unknown>) => {
  const { gradientPenalty, drift, r1, ...rest } = c;
  return c.loss === "non-saturating" ? { ...rest, ...(r1 !== undefined ? { r1 } : {}) } : { ...rest, ...(gradientPenalty !== undefined ? { gradientPenalty } : {}), ...(drift !== undefined ? { drift } : {}) };
};
const preset = effective(pgganMnist32() as unknown as Record<string, unknown>);
const setting = (raw: Record<string, unknown>) => {
  const c = effective(raw) as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(preset), ...Object.keys(c)])];
  const diff = keys.filter((k) => JSON.stringify(c[k]) !== JSON.stringify(preset[k])).map((k) => `${k} ${k in c ? JSON.stringify(c[k]) : "unset"}`);
  return diff.length ? diff.join(", ") : "preset";
};
const round = (v: number, d = 3) => +v.toFixed(d);
const stats = (xs: number[]) => ({ mean: round(xs.reduce((a, b) => a + b, 0) / xs.length), min: round(Math.min(...xs)), max: round(Math.max(...xs)) });

const groups = new Map<string, Run[]>();
for (const f of files) {
  const r = JSON.parse(readFileSync(f, "utf8")) as Run;
  const k = setting(r.config);
  groups.set(k, [...(groups.get(k) ?? []), r]);
}
const settings = [...groups].map(([name, runs]) => {
  runs.sort((a, b) => a.seed - b.seed);
  const resolutions = runs[0].changes.map((c) => c.resolution);
  return {
    setting: name, seeds: runs.map((r) => r.seed),
    runs: runs.map((r) => ({ seed: r.seed, seconds: r.seconds, steps: r.final.step, final: { confident: r.final.confident, classes: r.final.classes, maxShare: r.final.maxShare, fid: r.final.fid },
      changes: r.changes, stableStepsPerSec: Object.fromEntries(r.phases.filter((p) => p.kind === "stable").map((p) => [p.resolution, p.stepsPerSec])) })),
    over_seeds: {
      confident: stats(runs.map((r) => r.final.confident)), maxShare: stats(runs.map((r) => r.final.maxShare)), fid: stats(runs.map((r) => r.final.fid)),
      classes_min: Math.min(...runs.map((r) => r.final.classes)),
      // the fade-in margin: per resolution change, the largest fall of the confident share (and rise of FID) over the seeds
      changes: resolutions.map((res) => ({ resolution: res,
        worstConfidentFall: round(Math.max(...runs.map((r) => r.changes.find((c) => c.resolution === res)!.worstConfidentFall))),
        meanConfidentFall: round(runs.reduce((s, r) => s + r.changes.find((c) => c.resolution === res)!.worstConfidentFall, 0) / runs.length) })),
    },
  };
});
writeFileSync(out, JSON.stringify({ bench: "bench/experiments/pggan_table.ts", files, settings }, null, 1) + "\n");

const pct = (v: number) => (100 * v).toFixed(1);
for (const s of settings) {
  console.log(`\n${s.setting} (seeds ${s.seeds.join(", ")})\n`);
  console.log("| seed | steps | confident ≥ 0.9 | classes | largest | FID | worst fall across 4→8 / 8→16 / 16→32 (points) | minutes |");
  console.log("| --- | --- | --- | --- | --- | --- | --- | --- |");
  for (const r of s.runs) console.log(`| ${r.seed} | ${r.steps} | ${pct(r.final.confident)}% | ${r.final.classes} | ${pct(r.final.maxShare)}% | ${r.final.fid} | ${r.changes.map((c) => pct(c.worstConfidentFall)).join(" / ")} | ${(r.seconds / 60).toFixed(0)} |`);
  const o = s.over_seeds;
  console.log(`| all | | ${pct(o.confident.mean)}% (${pct(o.confident.min)}–${pct(o.confident.max)}) | ≥ ${o.classes_min} | ${pct(o.maxShare.mean)}% (max ${pct(o.maxShare.max)}) | ${o.fid.mean.toFixed(1)} (${o.fid.min}–${o.fid.max}) | ${o.changes.map((c) => pct(c.worstConfidentFall)).join(" / ")} (largest) | |`);
}
console.log(`\nwrote ${out}`);
