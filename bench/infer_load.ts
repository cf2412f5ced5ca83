// A load test of the shipped handlers on loopback: handlers/node.mjs (a child process) and
// handlers/workerd/ (worker.js + config.capnp, in a folder with dist/infer.js, dist/infer.wasm and
// the model beside it), each serving the dcgan-mnist generator export (bench/infer/model.ts).
// REQUESTS requests at CONCURRENCY in flight from this process (Node's fetch), alternating
// `/sample?n=1&seed=i&format=f32` and `/sample?n=1&seed=i` (PNG); every 100th f32 answer is
// compared with the in-process generate() bit for bit. Reported per server: throughput, p50 /
// p99 latency, errors (any non-200, failed fetch or wrong bytes; must be 0), the server's RSS
// (/proc/PID/status VmRSS) when it starts listening, after half the requests and at the end, and
// the latency of the first request it answered (the handlers draw one sample at start-up).
// The machine is shared (2 cores, with this client on them too): the figures are what it gave.
// Usage: node --import tsx bench/infer_load.ts [--requests 10000] [--concurrency 32] [--mix both|f32|png]
//   [--servers node,workerd[,workerd-control]] [--no-write] [--out FILE]
// workerd-control: the same workerd under the same load answering fixed bodies (no wasm-gan), to
// tell workerd's own memory from ours.   -> bench/infer-load-results.json
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { loadGenerator } from "wasm-gan/infer";
import { writeBenchModel } from "./infer/model.ts";

const arg = (name: string, d: number) => { const i = process.argv.indexOf(name); return i > 0 ? Number(process.argv[i + 1]) : d; };
const REQUESTS = arg("--requests", 10_000), CONCURRENCY = arg("--concurrency", 32);
const opt = (name: string, d: string) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : d; };
const MIX = opt("--mix", "both"), SERVERS = opt("--servers", "node,workerd").split(",");
const ROOT = resolve(".");
const rssMb = (pid: number) => Number(readFileSync(`/proc/${pid}/status`, "utf8").match(/VmRSS:\s+(\d+)/)![1]) / 1024;
const pct = (s: number[], p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
const freePort = (): Promise<number> => new Promise((r) => { const s = createServer().listen(0, "127.0.0.1", () => { const p = (s.address() as { port: number }).port; s.close(() => r(p)); }); });

// workerd-control: a Worker that answers every /sample with the same bytes (seed 0's f32 or PNG),
// so what the RSS does under the load is workerd's own, without wasm-gan
const CONTROL_WORKER = `import f32 from "./f32.bin";
import png from "./sample.png";
export default {
  fetch(request) {
    const url = new URL(request.url);
    if (url.pathname !== "/sample") return new Response("not found", { status: 404 });
    return url.searchParams.get("format") === "f32"
      ? new Response(f32, { headers: { "content-type": "application/octet-stream", "x-shape": "1,28,28,1" } })
      : new Response(png, { headers: { "content-type": "image/png" } });
  },
};
`;
const CONTROL_CONFIG = `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "main", worker = .control)],
  sockets = [(name = "http", address = "127.0.0.1:8080", http = (), service = "main")],
);
const control :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
    (name = "f32.bin", data = embed "f32.bin"),
    (name = "sample.png", data = embed "sample.png"),
  ],
  compatibilityDate = "2025-09-01",
);
`;
const modelDir = mkdtempSync(join(tmpdir(), "wasm-gan-infer-load-"));
await writeBenchModel(modelDir);
const modelFile = join(modelDir, "generator.safetensors");
const g = await loadGenerator({ wasm: readFileSync("dist/infer.wasm"), model: readFileSync(modelFile) });

// waits until the server answers (a 404 for "/", its body read: no sample drawn, and this
// client's fetch and body reading warmed up), then returns the time of the first /sample request (ms)
async function up(origin: string, proc: ChildProcess, log: () => string): Promise<number> {
  const t0 = Date.now();
  while (!(await fetch(`${origin}/`).then(async (r) => (await r.arrayBuffer(), r.status === 404), () => false))) {
    if (proc.exitCode !== null || Date.now() - t0 > 30_000) throw new Error(`the server did not start: ${log()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const t = performance.now();
  const r = await fetch(`${origin}/sample?n=1&format=f32`);
  await r.arrayBuffer();
  if (!r.ok) throw new Error(`first /sample: HTTP ${r.status}`);
  return performance.now() - t;
}

async function load(name: string, origin: string, pid: number, firstMs: number, check = true) {
  const rss = { start: rssMb(pid), middle: 0, end: 0, every_tenth: [] as number[] };
  const lat: number[] = [];
  let next = 0, errors = 0, checked = 0;
  const errorKinds: Record<string, number> = {};
  const fail = (k: string) => { errors++; errorKinds[k] = (errorKinds[k] ?? 0) + 1; };
  const t0 = performance.now();
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= REQUESTS) return;
      if (i === REQUESTS >> 1) rss.middle = rssMb(pid);
      if (i % Math.ceil(REQUESTS / 10) === 0) rss.every_tenth.push(+rssMb(pid).toFixed(1));
      const f32 = MIX === "f32" || (MIX === "both" && i % 2 === 0);
      const t = performance.now();
      try {
        const r = await fetch(`${origin}/sample?n=1&seed=${i}${f32 ? "&format=f32" : ""}`);
        const body = new Uint8Array(await r.arrayBuffer());
        lat.push(performance.now() - t);
        if (r.status !== 200) { fail(`HTTP ${r.status}`); continue; }
        if (check && f32 && i % 100 === 0) {
          const want = g.generate({ n: 1, seed: i }).data;
          checked++;
          if (!Buffer.from(body).equals(Buffer.from(want.buffer, want.byteOffset, want.byteLength))) fail("wrong bytes");
        }
      } catch (e) {
        fail(`fetch: ${(e as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - t0) / 1000;
  rss.end = rssMb(pid);
  lat.sort((a, b) => a - b);
  const r = { server: name, first_request_ms: +firstMs.toFixed(2), requests: REQUESTS, concurrency: CONCURRENCY, seconds: +seconds.toFixed(2), throughput_rps: +(REQUESTS / seconds).toFixed(1),
    p50_ms: +pct(lat, 0.5).toFixed(2), p99_ms: +pct(lat, 0.99).toFixed(2), max_ms: +lat.at(-1)!.toFixed(2), errors, error_kinds: errorKinds, checked_bit_for_bit: checked,
    rss_mb: { start: +rss.start.toFixed(1), middle: +rss.middle.toFixed(1), end: +rss.end.toFixed(1), every_tenth: rss.every_tenth } };
  console.log(`${name}: first request ${r.first_request_ms} ms; ${r.throughput_rps} req/s, p50 ${r.p50_ms} ms, p99 ${r.p99_ms} ms, errors ${errors} (${checked} checked bit for bit), RSS ${r.rss_mb.start} / ${r.rss_mb.middle} / ${r.rss_mb.end} MB (every tenth: ${rss.every_tenth.join(" ")})`);
  return r;
}

const results = [];
if (SERVERS.includes("node")) { // Node
  const p = spawn(process.execPath, ["handlers/node.mjs"], { cwd: ROOT, env: { ...process.env, MODEL: modelFile, PORT: String(await freePort()) } });
  let log = "";
  p.stdout!.on("data", (d) => { log += d; });
  p.stderr!.on("data", (d) => { log += d; });
  try {
    while (!/on (http:\/\/[\d.:]+)\/sample/.test(log)) { if (p.exitCode !== null) throw new Error(log); await new Promise((r) => setTimeout(r, 20)); }
    const origin = log.match(/on (http:\/\/[\d.:]+)\/sample/)![1];
    results.push(await load("node (handlers/node.mjs)", origin, p.pid!, await up(origin, p, () => log)));
  } finally { p.kill(); }
}
// workerd serving the folder `dir` (its config.capnp) under the load
async function loadWorkerd(name: string, dir: string, check = true) {
  const port = await freePort();
  const p = spawn(join(ROOT, "node_modules/.bin/workerd"), ["serve", "config.capnp", "--socket-addr", `http=127.0.0.1:${port}`], { cwd: dir });
  let log = "";
  p.stderr!.on("data", (d) => { log += d; });
  try {
    const first = await up(`http://127.0.0.1:${port}`, p, () => log);
    results.push(await load(name, `http://127.0.0.1:${port}`, p.pid!, first, check));
  } finally { p.kill(); }
}
if (SERVERS.includes("workerd")) { // workerd
  const dir = mkdtempSync(join(tmpdir(), "wasm-gan-infer-load-workerd-"));
  for (const f of ["worker.js", "config.capnp"]) copyFileSync(join("handlers/workerd", f), join(dir, f));
  copyFileSync("dist/infer.js", join(dir, "infer.js"));
  copyFileSync("dist/infer.wasm", join(dir, "infer.wasm"));
  copyFileSync(modelFile, join(dir, "model.safetensors"));
  await loadWorkerd("workerd (handlers/workerd/)", dir);
}
if (SERVERS.includes("workerd-control")) { // the same workerd, config and load without wasm-gan: a Worker answering fixed bodies
  const dir = mkdtempSync(join(tmpdir(), "wasm-gan-infer-load-control-"));
  const f32 = g.generate({ n: 1, seed: 0 }).data, png = await g.png({ n: 1, seed: 0 });
  writeFileSync(join(dir, "worker.js"), CONTROL_WORKER);
  writeFileSync(join(dir, "f32.bin"), new Uint8Array(f32.buffer, f32.byteOffset, f32.byteLength));
  writeFileSync(join(dir, "sample.png"), png);
  writeFileSync(join(dir, "config.capnp"), CONTROL_CONFIG);
  await loadWorkerd("workerd control (fixed bodies, no wasm-gan)", dir, false);
}
if (process.argv.includes("--no-write")) process.exit(0);
const OUT = opt("--out", "bench/infer-load-results.json");
writeFileSync(OUT, JSON.stringify({ bench: "bench/infer_load.ts", date: new Date().toISOString(), node: process.version,
  load_after: spawnSync("sh", ["-c", "uptime"], { encoding: "utf8" }).stdout.trim(),
  note: `shared 2-core machine, the client on the same cores; request mix: ${MIX === "both" ? "alternating n=1 f32 and n=1 PNG" : `n=1 ${MIX}`}`, model: "dcgan-mnist generator export", results }, null, 2) + "\n");
console.log(`wrote ${OUT}`);
