// The remedies study's tables for README.md, from the JSON files remedies_mixtures.ts and
// remedies_images.ts write: one row per setting, each seed's figures side by side (seed order),
// for the live generator (raw) or its moving average (ema).
//   npx tsx bench/experiments/remedies_table.ts FILE [raw|ema]
import { readFileSync } from "node:fs";

const [file, which = "raw"] = process.argv.slice(2);
if (!file) throw new Error("usage: remedies_table.ts FILE [raw|ema]");
const { settings, runs } = JSON.parse(readFileSync(file, "utf8")) as { settings: Record<string, string>; runs: Record<string, Record<string, unknown>> };

type Figures = Record<string, number>;
const bySetting = new Map<string, { seed: number; f: Figures }[]>();
for (const r of Object.values(runs)) {
  // mixture runs hold raw/ema at the end; image runs a list of points (the last is the end)
  const points = r.points as { raw: Figures; ema: Figures }[] | undefined;
  const f = (points ? points.at(-1)! : r)[which as "raw" | "ema"] as Figures;
  const list = bySetting.get(r.setting as string) ?? [];
  list.push({ seed: r.seed as number, f });
  bySetting.set(r.setting as string, list);
}
const fmt = (k: string, v: number) => (k === "hq" ? v.toFixed(3) : k === "confident" || k === "maxShare" ? v.toFixed(2) : k === "kl" ? v.toFixed(3) : k === "fid" ? v.toFixed(1) : String(v));
const keys = [...new Set([...bySetting.values()].flatMap((l) => l.flatMap((x) => Object.keys(x.f))))];
console.log(`| setting | seeds | ${keys.join(" | ")} |`);
console.log(`| --- | --- | ${keys.map(() => "---").join(" | ")} |`);
for (const [name, list] of bySetting) {
  list.sort((a, b) => a.seed - b.seed);
  const cells = keys.map((k) => list.map((x) => fmt(k, x.f[k])).join(" / "));
  console.log(`| ${name}: ${settings[name] ?? ""} | ${list.map((x) => x.seed).join(", ")} | ${cells.join(" | ")} |`);
}
