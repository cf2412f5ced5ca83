// wasm-gan/infer's speed against the best peer that runs in each runtime, on the dcgan-mnist
// generator (2 training steps: speed does not depend on the weights; bench/infer/model.ts):
//   Node     ours (dist/infer.js + dist/infer.wasm) · tfjs pure-JS CPU backend (LayersModel export)
//            · onnxruntime-node (ONNX export; 1 intra-op thread, as ours and tfjs use one)
//   Deno     ours · tfjs CPU
//   workerd  ours · tfjs CPU (bundled by esbuild for the Worker: bench/infer/worker_tfjs.js)
// Figures: cold start (compile + load the weights; Node and Deno also count the module import,
// reported apart as import_ms; in workerd the runtime compiles the wasm and evaluates the modules at
// start-up, so cold is the first /load request: instantiate + weights, client-side), the first
// batch-1 request, warm batch-1 (median of 30), batch-64 (median of 5 after one untimed). Ours
// twice: as shipped (loadGenerator draws one warm-up sample, inside the cold start) and with
// warmUp false (ours-no-warm-up: the first call pays for V8's baseline code and fresh pages).
// Node and Deno time inside a fresh process per system (bench/infer/run_one.ts); workerd is timed
// by the client over loopback (its clock stands still while a request computes) with the median
// /ping round trip reported beside (not subtracted), one warm batch-1 call's time inside workerd
// (warm1_inside_ms: the slope between requests making 1 and 21 calls, median of 15 pairs: the
// library's share of the request without the HTTP round trip), and the time from spawning workerd to its
// first answer (startup_ms: the runtime's start, its wasm compile, the modules' evaluation). The systems run interleaved in rounds (speed
// drifts up to 2.5x between minutes on this machine kind: docs/platform.md) and the ratios
// peer / ours are taken per round, then their median. Bundle sizes (gzip -9): ours (JS + wasm)
// and tfjs-core + backend-cpu (+ tfjs-layers, which loadLayersModel needs) as esbuild bundles
// them for the Worker.
// Usage: node --import tsx bench/infer_speed.ts [--rounds 3] [--out FILE]   -> bench/infer-results.json (or FILE)
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { writeBenchModel } from "./infer/model.ts";

const ROUNDS = Number(process.argv[process.argv.indexOf("--rounds") + 1] || 3) || 3;
const OUT = process.argv.includes("--out") ? process.argv[process.argv.indexOf("--out") + 1] : "bench/infer-results.json";
const ROOT = resolve(".");
const DENO = join(ROOT, "node_modules/.bin/deno"), WORKERD = join(ROOT, "node_modules/.bin/workerd");
const gz = (b: Uint8Array | string) => gzipSync(b, { level: 9 }).length;
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const r2 = (x: number) => Math.round(x * 100) / 100;

interface Timing { import_ms?: number; startup_ms?: number; cold_ms: number; first_ms: number; warm1_ms: number[]; batch64_ms: number[]; ping_ms?: number; warm1_inside_ms?: number }
type Row = { runtime: string; system: string; round: number } & Timing;

function runProcess(cmd: string, args: string[]): Promise<Timing> {
  return new Promise((res, rej) => {
    const p = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, NO_COLOR: "1" } });
    let out = "";
    p.stdout.on("data", (d) => { out += d; });
    p.stderr.on("data", (d) => { out += d; });
    p.on("exit", (code) => {
      const line = out.split("\n").reverse().find((l) => l.startsWith("{"));
      if (code !== 0 || !line) rej(new Error(`${cmd} ${args.join(" ")}: exit ${code}: ${out.slice(-800)}`));
      else res(JSON.parse(line));
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((r) => { const s = createServer().listen(0, "127.0.0.1", () => { const p = (s.address() as { port: number }).port; s.close(() => r(p)); }); });
}

// a workerd folder: the worker (`main`, copied as worker.js), its modules (name -> [kind, file]) and config.capnp
function workerdDir(modules: Record<string, [string, string]>, main: string): string {
  const dir = mkdtempSync(join(tmpdir(), "wasm-gan-infer-bench-"));
  copyFileSync(main, join(dir, "worker.js"));
  const lines = Object.entries(modules).map(([name, [kind, file]]) => {
    copyFileSync(file, join(dir, name.replace(/\//g, "_")));
    return `    (name = "${name}", ${kind} = embed "${name.replace(/\//g, "_")}"),`;
  });
  writeFileSync(join(dir, "config.capnp"), [
    `using Workerd = import "/workerd/workerd.capnp";`,
    `const config :Workerd.Config = (services = [(name = "main", worker = .w)], sockets = [(name = "http", address = "127.0.0.1:8080", http = (), service = "main")]);`,
    `const w :Workerd.Worker = (modules = [`, `    (name = "worker.js", esModule = embed "worker.js"),`, ...lines, `  ], compatibilityDate = "2025-09-01");`, "",
  ].join("\n"));
  return dir;
}

async function runWorkerd(dir: string, load = "/load"): Promise<Timing> {
  const port = await freePort(), origin = `http://127.0.0.1:${port}`;
  const p = spawn(WORKERD, ["serve", "config.capnp", "--socket-addr", `http=127.0.0.1:${port}`], { cwd: dir });
  let log = "";
  p.stderr.on("data", (d) => { log += d; });
  try {
    const t0 = performance.now();
    for (;;) {
      if (await fetch(`${origin}/ping`).then((r) => r.ok, () => false)) break;
      if (p.exitCode !== null || performance.now() - t0 > 30_000) throw new Error(`workerd did not start: ${log}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    const startup = performance.now() - t0; // spawn to the first answer: workerd's start, the wasm compile, the modules' evaluation
    const time = async (path: string) => {
      const t = performance.now();
      const r = await fetch(origin + path);
      const body = await r.text();
      if (!r.ok) throw new Error(`${path}: ${r.status} ${body} ${log}`);
      return performance.now() - t;
    };
    const pings: number[] = [];
    for (let i = 0; i < 20; i++) pings.push(await time("/ping"));
    const cold = await time(load);
    const first = await time("/gen?n=1&seed=0");
    const warm1: number[] = [], batch64: number[] = [];
    for (let i = 1; i <= 30; i++) warm1.push(await time(`/gen?n=1&seed=${i}`));
    const slopes: number[] = [];
    for (let i = 0; i < 15; i++) { const one = await time(`/gen?n=1&seed=${i}&k=1`); slopes.push((await time(`/gen?n=1&seed=${i}&k=21`) - one) / 20); }
    await time("/gen?n=64&seed=0");
    for (let i = 1; i <= 5; i++) batch64.push(await time(`/gen?n=64&seed=${i}`));
    return { startup_ms: startup, cold_ms: cold, first_ms: first, warm1_ms: warm1, batch64_ms: batch64, ping_ms: median(pings), warm1_inside_ms: median(slopes) };
  } finally {
    p.kill("SIGTERM");
    await new Promise((r) => p.once("exit", r));
  }
}

const modelDir = mkdtempSync(join(tmpdir(), "wasm-gan-infer-model-"));
const model = await writeBenchModel(modelDir);
console.log(`dcgan-mnist generator: ${model.params.toLocaleString()} parameters, export ${model.bytes.toLocaleString()} bytes`);

// the tfjs Worker bundle (and its size), and the two workerd folders
const tfjsBundle = join(modelDir, "worker_tfjs.js");
await build({ entryPoints: ["bench/infer/worker_tfjs.js"], outfile: tfjsBundle, bundle: true, format: "esm", platform: "browser", minify: true, external: ["./model.json", "./weights.bin"], logLevel: "error", define: { "process.env.NODE_ENV": '"production"' } });
const coreCpu = await build({ stdin: { contents: `export * from "@tensorflow/tfjs-core"; import "@tensorflow/tfjs-backend-cpu";`, resolveDir: ROOT }, bundle: true, format: "esm", platform: "browser", minify: true, write: false, logLevel: "error" });
const sizes = {
  ours_js_gzip: gz(readFileSync("dist/infer.js")), ours_wasm_gzip: gz(readFileSync("dist/infer.wasm")),
  ours_js_bytes: readFileSync("dist/infer.js").length, ours_wasm_bytes: readFileSync("dist/infer.wasm").length,
  tfjs_core_cpu_gzip: gz(coreCpu.outputFiles[0].contents), tfjs_worker_bundle_gzip: gz(readFileSync(tfjsBundle)),
};
console.log(`bundles (gzip -9): ours ${sizes.ours_js_gzip} JS + ${sizes.ours_wasm_gzip} wasm = ${sizes.ours_js_gzip + sizes.ours_wasm_gzip} B; tfjs-core + cpu ${sizes.tfjs_core_cpu_gzip} B, + tfjs-layers (the Worker) ${sizes.tfjs_worker_bundle_gzip} B`);
const oursDir = workerdDir({
  "wasm-gan/infer": ["esModule", "dist/infer.js"], "infer.wasm": ["wasm", "dist/infer.wasm"], "model.safetensors": ["data", join(modelDir, "generator.safetensors")],
}, "bench/infer/worker_ours.js");
const tfjsDir = workerdDir({ "model.json": ["json", join(modelDir, "tfjs/model.json")], "weights.bin": ["data", join(modelDir, "tfjs/weights.bin")] }, tfjsBundle);

const SYSTEMS: [string, string, () => Promise<Timing>][] = [
  ["node", "ours", () => runProcess(process.execPath, ["--import", "tsx", "bench/infer/run_one.ts", "ours", modelDir])],
  ["node", "ours-no-warm-up", () => runProcess(process.execPath, ["--import", "tsx", "bench/infer/run_one.ts", "ours-no-warm-up", modelDir])],
  ["node", "tfjs-cpu", () => runProcess(process.execPath, ["--import", "tsx", "bench/infer/run_one.ts", "tfjs", modelDir])],
  ["node", "onnxruntime-node", () => runProcess(process.execPath, ["--import", "tsx", "bench/infer/run_one.ts", "onnx", modelDir])],
  ["deno", "ours", () => runProcess(DENO, ["run", "-A", "bench/infer/run_one.ts", "ours", modelDir])],
  ["deno", "ours-no-warm-up", () => runProcess(DENO, ["run", "-A", "bench/infer/run_one.ts", "ours-no-warm-up", modelDir])],
  ["deno", "tfjs-cpu", () => runProcess(DENO, ["run", "-A", "bench/infer/run_one.ts", "tfjs", modelDir])],
  ["workerd", "ours", () => runWorkerd(oursDir)],
  ["workerd", "ours-no-warm-up", () => runWorkerd(oursDir, "/load?warmUp=0")],
  ["workerd", "tfjs-cpu", () => runWorkerd(tfjsDir)],
];

const rows: Row[] = [];
for (let round = 1; round <= ROUNDS; round++) {
  for (const [runtime, system, run] of SYSTEMS) {
    const t = await run();
    rows.push({ runtime, system, round, ...t });
    console.log(`round ${round} ${runtime.padEnd(7)} ${system.padEnd(16)} cold ${t.cold_ms.toFixed(1)} ms${t.import_ms !== undefined ? ` (import ${t.import_ms.toFixed(1)})` : ""}, first ${t.first_ms.toFixed(2)} ms, warm batch-1 ${median(t.warm1_ms).toFixed(2)} ms, batch-64 ${median(t.batch64_ms).toFixed(1)} ms${t.ping_ms !== undefined ? ` (ping ${t.ping_ms.toFixed(2)} ms, one call inside workerd ${t.warm1_inside_ms!.toFixed(2)} ms, process start to first answer ${t.startup_ms!.toFixed(0)} ms)` : ""}`);
  }
}

// per runtime: each system's medians over rounds, and peer / ours per round against the best
// peer of that round (lowest batch-64 median)
const METRICS = ["cold_ms", "first_ms", "warm1_ms", "batch64_ms", "warm1_inside_ms"] as const;
const value = (r: Row, m: (typeof METRICS)[number]) => (Array.isArray(r[m]) ? median(r[m] as number[]) : (r[m] as number));
const has = (runtime: string, m: (typeof METRICS)[number]) => rows.some((r) => r.runtime === runtime && r[m] !== undefined);
const summary: Record<string, unknown> = {};
for (const runtime of ["node", "deno", "workerd"]) {
  const systems = [...new Set(rows.filter((r) => r.runtime === runtime).map((r) => r.system))];
  const metrics = METRICS.filter((m) => has(runtime, m));
  const medians = Object.fromEntries(systems.map((s) => [s, Object.fromEntries(metrics.map((m) => [m, r2(median(rows.filter((r) => r.runtime === runtime && r.system === s).map((r) => value(r, m))))]))]));
  const ratios: Record<string, number[]> = Object.fromEntries(metrics.map((m) => [m, []]));
  const best: string[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const inRound = rows.filter((r) => r.runtime === runtime && r.round === round);
    const ours = inRound.find((r) => r.system === "ours")!;
    const peer = inRound.filter((r) => !r.system.startsWith("ours")).sort((a, b) => value(a, "batch64_ms") - value(b, "batch64_ms"))[0];
    best.push(peer.system);
    for (const m of metrics) ratios[m].push(r2(value(peer, m) / value(ours, m)));
  }
  summary[runtime] = { medians, best_peer_per_round: best, peer_over_ours_per_round: ratios, peer_over_ours_median: Object.fromEntries(metrics.map((m) => [m, r2(median(ratios[m]))])) };
}

const cpu = spawnSync("sh", ["-c", "uptime"], { encoding: "utf8" }).stdout.trim();
const out = {
  bench: "bench/infer_speed.ts", date: new Date().toISOString(), rounds: ROUNDS, node: process.version, load_after: cpu,
  note: "shared 2-core machine (other jobs running): absolute times drift, the per-round ratios are the comparison",
  model: { preset: "dcgan-mnist", generator_params: model.params, export_bytes: model.bytes }, sizes, summary, rows,
};
writeFileSync(OUT, JSON.stringify(out, null, 2) + "\n");
for (const [runtime, s] of Object.entries(summary) as [string, any][]) {
  console.log(`${runtime}: medians ${JSON.stringify(s.medians)}`);
  console.log(`  best peer per round ${s.best_peer_per_round.join(", ")}; peer/ours median ${JSON.stringify(s.peer_over_ours_median)}`);
}
console.log(`wrote ${OUT}`);
