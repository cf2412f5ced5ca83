// CycleGAN speed: cyclegan-digits' real nets, batch and objective (src/model/cyclegan_preset.ts),
// steps per second of wasm-gan on 1 and 2 kernel threads (CycleGAN.create(spec, {threads}),
// strict build) and of PyTorch CPU running the same nets, batch and step (bench/peers/torch_cyclegan.py,
// Debian's /usr/bin/python3 with python3-torch, started as a child process with
// torch.set_num_threads(1) and (2), OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed from its
// environment only). Both train on the bundled task's digits (A: digits, B: inverted digits).
// The parameter counts of the four nets are printed side by side and must be equal.
//
// The machine is shared (other runs on its cores): the systems run interleaved in rounds (ours 1t,
// ours 2t, torch 1t, torch 2t, then again) and every ratio is taken within a round; the report gives
// per-round ratios and their medians. Absolute figures depend on the load and compare only within
// a round.
// Usage: node --import tsx bench/cyclegan_speed.ts [--rounds 5] [--steps 40] [--python /usr/bin/python3]
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createInterface } from "node:readline";
import { loadavg, tmpdir, cpus } from "node:os";
import { writeFileSync, rmSync, mkdtempSync } from "node:fs";
import { join } from "node:path";
import { CycleGAN } from "../src/engine/cycle_engine.ts";
import { cyclePreset, CYCLE_PRESET_NETS } from "../src/model/cyclegan_preset.ts";
import { cycleDigits } from "../src/data/cycle_digits.ts";
import { writeFileAtomic } from "../src/io/files.ts";

const flag = (name: string, fallback: string) => { const i = process.argv.indexOf(`--${name}`); return i >= 0 ? process.argv[i + 1] : fallback; };
const rounds = Number(flag("rounds", "5")), steps = Number(flag("steps", "40")), python = flag("python", "/usr/bin/python3");
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2; };
const load = () => loadavg().map((x) => +x.toFixed(2));
const r3 = (x: number) => +x.toFixed(3);

const spec = cyclePreset("cyclegan-digits");
const d = await cycleDigits({ transform: "invert" });
const X = 28 * 28;

// ours: one model per thread count, warmed up
const ours = { 1: await CycleGAN.create(spec, { seed: 1, threads: 1 }), 2: await CycleGAN.create(spec, { seed: 1, threads: 2 }) };
for (const g of Object.values(ours)) g.train(d.a.x, d.b.x, { steps: 5, every: 5 });
const oursParams = Object.fromEntries(Object.entries(ours[1].saveState().nets).map(([k, v]) => [k, v.params.length]));

// the peer: the same images, A then B, as raw float32 [count, 28, 28, 1]
const dir = mkdtempSync(join(tmpdir(), "wasm-gan-cyclegan-speed-"));
const dataFile = join(dir, "digits.f32");
const both = new Float32Array(d.a.x.length + d.b.x.length);
both.set(d.a.x);
both.set(d.b.x, d.a.x.length);
writeFileSync(dataFile, new Uint8Array(both.buffer));

interface Peer { proc: ChildProcessWithoutNullStreams; next(): Promise<any>; ready: any }
async function startPeer(threads: number): Promise<Peer> {
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE; // they halve OpenBLAS on this machine kind: the peer's environment only
  delete env.OPENBLAS_L2_SIZE;
  const config = {
    threads, batch: spec.batchSize, lambda: spec.lambda, identity: spec.identity, pool: spec.poolSize,
    lr: 2e-4, beta1: 0.5, beta2: 0.999, schedule: spec.lrSchedule.steps, ...CYCLE_PRESET_NETS,
    data: dataFile, countA: d.a.count, countB: d.b.count, seed: 1, warmup: 5,
  };
  const proc = spawn(python, [new URL("./peers/torch_cyclegan.py", import.meta.url).pathname, JSON.stringify(config)], { env, stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  proc.stderr.on("data", (b) => { stderr += b; });
  const lines = createInterface({ input: proc.stdout });
  const queue: string[] = [], waiting: ((l: string) => void)[] = [];
  lines.on("line", (l) => { const w = waiting.shift(); if (w) w(l); else queue.push(l); });
  const closed = new Promise<never>((_, reject) => proc.once("exit", (code) => reject(new Error(`the PyTorch peer (${threads} threads) exited (code ${code}): ${stderr.trim().split("\n").at(-1)}`))));
  closed.catch(() => {});
  const next = () => Promise.race([new Promise<string>((res) => { const l = queue.shift(); if (l !== undefined) res(l); else waiting.push(res); }), closed]).then((l) => JSON.parse(l));
  return { proc, next, ready: await next() };
}

const torch = { 1: await startPeer(1), 2: await startPeer(2) };
const torchParams = torch[1].ready.params as Record<string, number>;
console.log("parameters (wasm-gan | PyTorch):", Object.keys(oursParams).map((k) => `${k} ${oursParams[k]} | ${torchParams[k]}`).join(", "));
for (const k of Object.keys(oursParams)) {
  if (oursParams[k] !== torchParams[k]) throw new Error(`${k}: ${oursParams[k]} parameters in wasm-gan, ${torchParams[k]} in the PyTorch peer: not the same nets`);
}
console.log("PyTorch:", JSON.stringify(torch[2].ready));

const tasksBefore = ours[2].threadTasksForTesting;
async function timeSystem(name: string): Promise<number> {
  if (name.startsWith("wasm-gan")) {
    const g = ours[name.endsWith("2t") ? 2 : 1];
    const t = performance.now();
    g.train(d.a.x, d.b.x, { steps: g.step + steps, every: steps });
    return (steps * 1000) / (performance.now() - t);
  }
  const p = torch[name.endsWith("2t") ? 2 : 1];
  p.proc.stdin.write(`run ${steps}\n`);
  const r = await p.next();
  return r.steps / r.seconds;
}

const systems = ["wasm-gan 1t", "wasm-gan 2t", "torch 1t", "torch 2t"] as const;
const perRound: { round: number; load: number[]; stepsPerSecond: Record<string, number>; ratios: Record<string, number> }[] = [];
for (let r = 1; r <= rounds; r++) {
  const sps: Record<string, number> = {};
  for (const s of systems) sps[s] = await timeSystem(s);
  const ratios = {
    "wasm-gan 2t / 1t": sps["wasm-gan 2t"] / sps["wasm-gan 1t"],
    "torch 1t / wasm-gan 1t": sps["torch 1t"] / sps["wasm-gan 1t"],
    "torch 2t / wasm-gan 2t": sps["torch 2t"] / sps["wasm-gan 2t"],
    "torch 2t / 1t": sps["torch 2t"] / sps["torch 1t"],
  };
  perRound.push({ round: r, load: load(), stepsPerSecond: Object.fromEntries(Object.entries(sps).map(([k, v]) => [k, r3(v)])), ratios: Object.fromEntries(Object.entries(ratios).map(([k, v]) => [k, r3(v)])) });
  console.log(`round ${r}: ${systems.map((s) => `${s} ${sps[s].toFixed(2)}`).join(", ")} steps/s; ${Object.entries(ratios).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(", ")} (load ${load().join(" ")})`);
}
const tasksPerStep = (ours[2].threadTasksForTesting - tasksBefore) / (rounds * steps);

for (const p of Object.values(torch)) p.proc.stdin.write("quit\n");
await Promise.all(Object.values(ours).map((g) => g.dispose()));
rmSync(dir, { recursive: true, force: true });

const medians = (key: "stepsPerSecond" | "ratios") => Object.fromEntries(Object.keys(perRound[0][key]).map((k) => [k, r3(median(perRound.map((r) => r[key][k])))]));
const result = {
  what: `cyclegan-digits (src/model/cyclegan_preset.ts: ResNet G and F with ngf ${CYCLE_PRESET_NETS.ngf} and ${CYCLE_PRESET_NETS.blocks} blocks, PatchGAN D_A and D_B with ndf ${CYCLE_PRESET_NETS.ndf} and ${CYCLE_PRESET_NETS.layers} stride-2 layers, 28x28x1, batch 4, pools of 50, LSGAN losses, cycle L1 lambda 10, identity 0.5 lambda, Adam 2e-4 (0.5, 0.999)): training steps per second`,
  note: "The machine was shared with other training runs on its cores: absolute steps/s depend on the load; compare the ratios within a round (and their medians). 2-thread figures had less than 2 free cores.",
  protocol: `interleaved rounds (${systems.join(", ")}, then again), ${steps} steps per system per round after 5 warm-up steps; ratios within each round`,
  date: new Date().toISOString(), node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model,
  wasmGan: { build: ours[1].engineInfo().simd, engine: "CycleGAN.create(spec, {seed: 1, threads}); the caller's thread leads, 1 helper worker for 2 threads", splitKernelTasksPerStep2t: r3(tasksPerStep) },
  torch: {
    python, version: torch[1].ready.torch, mkldnn: torch[1].ready.mkldnn, threads: { "torch 1t": torch[1].ready.threads, "torch 2t": torch[2].ready.threads },
    threadpoolctl: torch[2].ready.threadpool, kernels: torch[1].ready.kernels, blas: torch[1].ready.blas,
    environment: "OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed for the peer only",
  },
  parameters: { wasmGan: oursParams, torch: torchParams },
  rounds: perRound,
  medianStepsPerSecond: medians("stepsPerSecond"),
  medianRatios: medians("ratios"),
};
await writeFileAtomic(new URL("./cyclegan-speed.json", import.meta.url).pathname, JSON.stringify(result, null, 2) + "\n");
console.log("medians:", JSON.stringify(result.medianStepsPerSecond), JSON.stringify(result.medianRatios));
console.log("wrote bench/cyclegan-speed.json");
