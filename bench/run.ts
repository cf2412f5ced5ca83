// wasm-gan against its peers, side by side in one run (docs/platform.md: speed drifts up to 2.5x
// between minutes here, so every system runs in each round, interleaved, and ratios are taken
// per round; the table reports each round's ratio and their median).
//   - GEMM, single thread, f32, n = 256 and 512: wasm-gan `gemm` (strict SIMD; relaxed SIMD when
//     the runtime accepts it) vs tfjs-backend-wasm `matMul` (XNNPACK, SIMD, no threads in Node).
//   - mlp-ring8 training steps per second (docs/workloads.md workload, batch 256): wasm-gan vs the same
//     nets, optimiser and step on tfjs-backend-wasm and tfjs-backend-cpu (bench/peers/).
// Usage: npm run bench [-- rounds]      Writes bench/results.json.
import { setFlagsFromString } from "node:v8";
setFlagsFromString("--experimental-wasm-relaxed-simd"); // Node 20: lets the relaxed build validate (docs/platform.md)
import { writeFileSync } from "node:fs";
import { instantiate, relaxedSimdSupported, type SimdFlavour } from "../src/engine/wasm_module.ts";
import { LinearMemory } from "../src/engine/memory.ts";
import { createWasmGAN as createGAN, preset, ring8 } from "../src/index.ts";
import { useTfjsBackend, tfjsWasmFlags } from "./peers/tfjs_backend.ts";
import { timeTfjsMatMul } from "./peers/tfjs_gemm.ts";
import { createTfjsMlpGan } from "./peers/tfjs_mlp_gan.ts";

const rounds = Number(process.argv[2] ?? 3);
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2; };

const flavours: SimdFlavour[] = relaxedSimdSupported() ? ["strict", "relaxed"] : ["strict"];
const gemmInstances = await Promise.all(flavours.map(async (f) => {
  const wasm = await instantiate(f);
  const mem = new LinearMemory(wasm);
  const bufs = new Map<number, number[]>();
  for (const n of [256, 512]) {
    const r = new Float32Array(n * n).map((_, i) => Math.sin(i) );
    bufs.set(n, [mem.put(r), mem.put(r.reverse()), mem.zeros(n * n)]);
  }
  return { f, wasm, bufs };
}));

function timeOurGemm(inst: (typeof gemmInstances)[number], n: number, reps: number) {
  const [a, b, c] = inst.bufs.get(n)!;
  const once = () => { const t0 = performance.now(); inst.wasm.gemm(0, 0, n, n, n, a, n, b, n, c, n, 0); return performance.now() - t0; };
  for (let i = 0; i < 3; i++) once();
  const ms = Array.from({ length: reps }, once);
  return { bestGflops: (2 * n ** 3) / Math.min(...ms) / 1e6, medianGflops: (2 * n ** 3) / median(ms) / 1e6 };
}

const data = await ring8({ count: 100_000, seed: 1 });
const ours = await Promise.all(flavours.map((f) => createGAN(preset("mlp-ring8"), { seed: 1, deterministic: f === "strict" })));
const tfWasm = await useTfjsBackend("wasm");
const peerWasm = createTfjsMlpGan(tfWasm, { data: data.x, seed: 1 });
const tfCpu = await useTfjsBackend("cpu");
const peerCpu = createTfjsMlpGan(tfCpu, { data: data.x, seed: 1 });

async function stepsPerSecond(run: (steps: number) => unknown | Promise<unknown>, steps: number, warm = 2) {
  await run(warm);
  const t0 = performance.now();
  await run(steps);
  return steps / ((performance.now() - t0) / 1000);
}

type Row = Record<string, number>;
const perRound: Row[] = [];
console.log(`wasm-gan bench: ${rounds} rounds, node ${process.versions.node}, tfjs-backend-wasm flags ${JSON.stringify(await tfjsWasmFlags())}, our builds: ${flavours.join(", ")}`);
for (let r = 1; r <= rounds; r++) {
  const row: Row = {};
  for (const n of [256, 512]) {
    for (const inst of gemmInstances) row[`gemm${n} wasm-gan ${inst.f}`] = timeOurGemm(inst, n, 10).medianGflops;
    await useTfjsBackend("wasm");
    row[`gemm${n} tfjs-wasm`] = timeTfjsMatMul(tfWasm as any, n, 10).medianGflops;
  }
  for (let i = 0; i < flavours.length; i++) {
    row[`ring8 wasm-gan ${flavours[i]}`] = await stepsPerSecond((s) => ours[i].train(data, { steps: s }), 200);
  }
  await useTfjsBackend("wasm");
  row["ring8 tfjs-wasm"] = await stepsPerSecond((s) => { for (let k = 0; k < s; k++) peerWasm.step(); }, 20);
  await useTfjsBackend("cpu");
  row["ring8 tfjs-cpu"] = await stepsPerSecond((s) => { for (let k = 0; k < s; k++) peerCpu.step(); }, 4, 1);
  perRound.push(row);
  console.log(`round ${r}: ` + Object.entries(row).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(" | "));
}

const ratios: Record<string, number[]> = {};
for (const row of perRound) {
  for (const n of [256, 512]) for (const f of flavours) (ratios[`GEMM ${n}^3: wasm-gan ${f} / tfjs-wasm matMul`] ??= []).push(row[`gemm${n} wasm-gan ${f}`] / row[`gemm${n} tfjs-wasm`]);
  for (const f of flavours) {
    (ratios[`mlp-ring8 steps/s: wasm-gan ${f} / tfjs-wasm`] ??= []).push(row[`ring8 wasm-gan ${f}`] / row["ring8 tfjs-wasm"]);
    (ratios[`mlp-ring8 steps/s: wasm-gan ${f} / tfjs-cpu`] ??= []).push(row[`ring8 wasm-gan ${f}`] / row["ring8 tfjs-cpu"]);
  }
}
const medians = Object.fromEntries(Object.keys(perRound[0]).map((k) => [k, median(perRound.map((r) => r[k]))]));
console.log("\n| measure | median | per round |\n| --- | --- | --- |");
for (const [k, v] of Object.entries(medians)) console.log(`| ${k} ${k.startsWith("gemm") ? "GFLOP/s" : "steps/s"} | ${v.toFixed(1)} | ${perRound.map((r) => r[k].toFixed(1)).join(", ")} |`);
console.log("\n| ratio | median | per round |\n| --- | --- | --- |");
for (const [k, v] of Object.entries(ratios)) console.log(`| ${k} | ${median(v).toFixed(2)}x | ${v.map((x) => x.toFixed(2)).join(", ")} |`);

writeFileSync(new URL("./results.json", import.meta.url), JSON.stringify({
  date: new Date().toISOString(), node: process.versions.node, rounds, flavours, perRound, medians,
  ratios: Object.fromEntries(Object.entries(ratios).map(([k, v]) => [k, { median: median(v), perRound: v }])),
  notes: [
    "tfjs matMul timings include dataSync (reading the product back); wasm-gan's gemm writes into linear memory",
    "tfjs-backend-wasm runs transposed matMuls (backprop's dW = x^T dy, dx = dy W^T) on a scalar fallback, not XNNPACK",
  ],
}, null, 2) + "\n");
peerWasm.dispose(); peerCpu.dispose();
