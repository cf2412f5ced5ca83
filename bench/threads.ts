// Workers on every core: dcgan-mnist and mlp-ring8 steps per second with 1 and 2 kernel threads
// (createGAN in worker mode, strict build), side by side in one run with tfjs-backend-wasm
// (single-threaded in Node: its threads are hard-disabled there, docs/platform.md) on the identical
// workload. tfjs-backend-wasm as shipped cannot train a conv GAN (no Conv2DBackpropFilter
// kernel); its dcgan figure is with that kernel composed from its own ops
// (bench/peers/tfjs_dcgan.ts), labelled so.
//
// The machine is shared and drifts (docs/platform.md, "Timing on this machine kind"): the systems run interleaved in
// rounds and every ratio is taken within a round; the report gives per-round ratios and medians.
// Usage: node --import tsx bench/threads.ts [--rounds 5] > bench/threads-output.txt
import { loadavg } from "node:os";
import { writeFileSync } from "node:fs";
import { createGAN, preset, mnist, ring8, type GAN } from "../src/index.ts";
import { useTfjsBackend } from "./peers/tfjs_backend.ts";
import { createTfjsDcgan, registerComposedConv2DBackpropFilter } from "./peers/tfjs_dcgan.ts";
import { createTfjsMlpGan } from "./peers/tfjs_mlp_gan.ts";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const rounds = arg("rounds", 5);
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2; };
const now = () => performance.now();
const load = () => loadavg().map((x) => +x.toFixed(2));

const digits = await mnist();
const ring = await ring8({ count: 100_000, seed: 1 });
const workloads = {
  "dcgan-mnist": { spec: preset("dcgan-mnist"), data: digits, steps: 10 },
  "mlp-ring8": { spec: preset("mlp-ring8"), data: ring, steps: 300 },
} as const;
type Name = keyof typeof workloads;

// ours: a worker-mode GAN per thread count, warmed up
const ours: Record<Name, Record<1 | 2, GAN>> = {} as any;
for (const name of Object.keys(workloads) as Name[]) {
  const w = workloads[name];
  ours[name] = { 1: await createGAN(w.spec, { seed: 1, threads: 1 }), 2: await createGAN(w.spec, { seed: 1, threads: 2 }) };
  for (const g of Object.values(ours[name])) await g.train(w.data, { steps: Math.ceil(w.steps / 5) });
}
const info = ours["dcgan-mnist"][2].engineInfo() as import("../src/index.ts").EngineInfo;

// tfjs-backend-wasm, one thread
const tf = await useTfjsBackend("wasm");
const composed = registerComposedConv2DBackpropFilter(tf);
const tfjs = {
  "dcgan-mnist": createTfjsDcgan(tf, { data: digits.x, seed: 1 }),
  "mlp-ring8": createTfjsMlpGan(tf, { data: ring.x, seed: 1 }),
};
for (const name of Object.keys(tfjs) as Name[]) for (let i = 0; i < 2; i++) tfjs[name].step();

async function timeOurs(name: Name, threads: 1 | 2): Promise<number> {
  const w = workloads[name];
  const t = now();
  await ours[name][threads].train(w.data, { steps: w.steps });
  return (w.steps * 1000) / (now() - t);
}
function timeTfjs(name: Name): number {
  const steps = name === "dcgan-mnist" ? 3 : workloads[name].steps;
  const t = now();
  for (let i = 0; i < steps; i++) tfjs[name].step();
  tfjs[name].losses(); // waits for the last step
  return (steps * 1000) / (now() - t);
}

console.log(`threads bench: ${rounds} rounds, node ${process.versions.node}, ${info.simd} SIMD, load average ${load().join(" ")} (2 cores, shared)`);
const perRound: Record<Name, { t1: number; t2: number; tfjs: number }[]> = { "dcgan-mnist": [], "mlp-ring8": [] };
for (let r = 0; r < rounds; r++) {
  for (const name of Object.keys(workloads) as Name[]) {
    const t1 = await timeOurs(name, 1), t2 = await timeOurs(name, 2), tj = timeTfjs(name);
    perRound[name].push({ t1, t2, tfjs: tj });
    console.log(`round ${r + 1} ${name}: 1 thread ${t1.toFixed(2)}, 2 threads ${t2.toFixed(2)}, tfjs-wasm ${tj.toFixed(2)} steps/s -> 2/1 threads ${(t2 / t1).toFixed(2)}x, 2 threads/tfjs-wasm ${(t2 / tj).toFixed(2)}x`);
  }
}
const summary = Object.fromEntries((Object.keys(workloads) as Name[]).map((name) => {
  const rs = perRound[name];
  return [name, {
    stepsPerSecondMedian: { threads1: median(rs.map((x) => x.t1)), threads2: median(rs.map((x) => x.t2)), tfjsWasm: median(rs.map((x) => x.tfjs)) },
    speedup2over1: { perRound: rs.map((x) => +(x.t2 / x.t1).toFixed(3)), median: median(rs.map((x) => x.t2 / x.t1)) },
    over_tfjsWasm: { threads1: median(rs.map((x) => x.t1 / x.tfjs)), threads2: median(rs.map((x) => x.t2 / x.tfjs)) },
  }];
}));
console.log(JSON.stringify(summary, null, 2));
writeFileSync("bench/threads-results.json", JSON.stringify({
  date: new Date().toISOString(), node: process.versions.node, rounds, loadAverageEnd: load(), engine: info,
  tfjsWasm: { threads: "off (tfjs-backend-wasm disables its threads in Node)", dcganConv2DBackpropFilter: composed ? "composed from tfjs-wasm's own kernels (not shipped by tfjs-backend-wasm)" : "not registered" },
  perRound, summary,
}, null, 2) + "\n");
for (const name of Object.keys(workloads) as Name[]) { for (const g of Object.values(ours[name])) await g.dispose(); tfjs[name].dispose(); }
