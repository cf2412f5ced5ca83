// The redesign's speed guard: the same workloads from two checkouts of wasm-gan, interleaved in
// rounds in one process (the machine drifts between minutes, see docs: only ratios within a
// round compare), as after/before ratios per round and their median.
//   workloads: what bench/threads.ts and `npm run bench` time — dcgan-mnist and mlp-ring8 steps/s
//   in worker mode with 1 and 2 kernel threads, mlp-ring8 on the caller's thread (strict build),
//   and the 256^3 / 512^3 GEMM kernel.
// Usage: node --import tsx bench/before_after.ts BEFORE_DIR AFTER_DIR [--rounds 5]
//   (each dir a built checkout: npm ci done there). Writes bench/before-after-results.json.
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const args = process.argv.slice(2);
const dirs = args.filter((a, i) => !a.startsWith("--") && args[i - 1] !== "--rounds");
if (dirs.length !== 2) { console.error("usage: bench/before_after.ts BEFORE_DIR AFTER_DIR [--rounds N]"); process.exit(2); }
const ri = args.indexOf("--rounds");
const rounds = ri >= 0 ? Number(args[ri + 1]) : 5;
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2; };

interface Tree {
  label: string;
  lib: any;
  gans: Record<string, any>;
  gemm: { wasm: any; bufs: Map<number, number[]> };
}

async function load(label: string, dir: string): Promise<Tree> {
  const root = resolve(dir);
  const lib = await import(pathToFileURL(`${root}/src/index.ts`).href);
  const wasmModule = await import(pathToFileURL(`${root}/src/engine/wasm_module.ts`).href);
  const { LinearMemory } = await import(pathToFileURL(`${root}/src/engine/memory.ts`).href);
  const wasm = await wasmModule.instantiate("strict");
  const mem = new LinearMemory(wasm);
  const bufs = new Map<number, number[]>();
  for (const n of [256, 512]) {
    const r = new Float32Array(n * n).map((_, i) => Math.sin(i));
    bufs.set(n, [mem.put(r), mem.put(r.reverse()), mem.zeros(n * n)]);
  }
  const gans: Record<string, any> = {};
  for (const t of [1, 2]) {
    gans[`dcgan-mnist ${t}t`] = await lib.createGAN(lib.preset("dcgan-mnist"), { seed: 1, threads: t, engine: "wasm" });
    gans[`mlp-ring8 ${t}t`] = await lib.createGAN(lib.preset("mlp-ring8"), { seed: 1, threads: t, engine: "wasm" });
  }
  gans["mlp-ring8 in-process"] = await lib.createWasmGAN(lib.preset("mlp-ring8"), { seed: 1 });
  return { label, lib, gans, gemm: { wasm, bufs } };
}

const before = await load("before", dirs[0]);
const after = await load("after", dirs[1]);
const digits = await after.lib.mnist();
const ring = await after.lib.ring8({ count: 100_000, seed: 1 });
const STEPS: Record<string, number> = { "dcgan-mnist": 10, "mlp-ring8": 300 };
const dataOf = (w: string) => (w.startsWith("dcgan") ? digits : ring);

async function stepsPerSecond(tree: Tree, key: string): Promise<number> {
  const gan = tree.gans[key], steps = STEPS[key.split(" ")[0]];
  const t = performance.now();
  await gan.train(dataOf(key), { steps });
  return (steps * 1000) / (performance.now() - t);
}
function gemmGflops(tree: Tree, n: number): number {
  const [a, b, c] = tree.gemm.bufs.get(n)!;
  const ms: number[] = [];
  for (let i = 0; i < 10; i++) { const t = performance.now(); tree.gemm.wasm.gemm(0, 0, n, n, n, a, n, b, n, c, n, 0); ms.push(performance.now() - t); }
  return (2 * n ** 3) / median(ms) / 1e6;
}

// warm-up: a fifth of a round's steps each
for (const tree of [before, after]) for (const key of Object.keys(tree.gans)) await tree.gans[key].train(dataOf(key), { steps: Math.ceil(STEPS[key.split(" ")[0]] / 5) });

const keys = [...Object.keys(before.gans), "gemm 256", "gemm 512"];
const perRound: Record<string, { before: number; after: number; ratio: number }[]> = Object.fromEntries(keys.map((k) => [k, []]));
console.log(`before/after bench: ${rounds} rounds, node ${process.versions.node}; before ${resolve(dirs[0])}, after ${resolve(dirs[1])}`);
for (let r = 0; r < rounds; r++) {
  for (const key of keys) {
    // alternate which tree goes first, so a drift within the pair does not favour one side
    const order = r % 2 === 0 ? [before, after] : [after, before];
    const v: Record<string, number> = {};
    for (const tree of order) v[tree.label] = key.startsWith("gemm") ? gemmGflops(tree, Number(key.split(" ")[1])) : await stepsPerSecond(tree, key);
    perRound[key].push({ before: v.before, after: v.after, ratio: v.after / v.before });
  }
  console.log(`round ${r + 1}: ` + keys.map((k) => `${k} ${perRound[k][r].ratio.toFixed(3)}`).join(" | "));
}
console.log("\n| workload | unit | before (median) | after (median) | after/before per round | median |\n| --- | --- | --- | --- | --- | --- |");
const summary: Record<string, unknown> = {};
for (const k of keys) {
  const rs = perRound[k], unit = k.startsWith("gemm") ? "GFLOP/s" : "steps/s";
  const m = median(rs.map((x) => x.ratio));
  summary[k] = { unit, before: median(rs.map((x) => x.before)), after: median(rs.map((x) => x.after)), ratioPerRound: rs.map((x) => +x.ratio.toFixed(3)), ratioMedian: +m.toFixed(3) };
  console.log(`| ${k} | ${unit} | ${median(rs.map((x) => x.before)).toFixed(1)} | ${median(rs.map((x) => x.after)).toFixed(1)} | ${rs.map((x) => x.ratio.toFixed(2)).join(", ")} | ${m.toFixed(2)}x |`);
}
writeFileSync(new URL("./before-after-results.json", import.meta.url), JSON.stringify({ date: new Date().toISOString(), node: process.versions.node, rounds, before: resolve(dirs[0]), after: resolve(dirs[1]), summary }, null, 2) + "\n");
for (const tree of [before, after]) for (const g of Object.values(tree.gans)) await g.dispose();
