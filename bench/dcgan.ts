// dcgan-mnist: wasm-gan against tfjs, side by side in one run (docs/workloads.md, "dcgan-mnist":
// batch 64, Adam 2e-4 (0.5, 0.999), non-saturating; the identical nets, batch, optimiser and step
// in bench/peers/tfjs_dcgan.ts). Speed drifts up to 2.5x between minutes here (docs/platform.md), so
// the systems run interleaved in rounds and ratios are taken per round (median reported).
//
// Rows:
//   - wasm-gan training steps/s (strict SIMD; relaxed SIMD where the runtime accepts it).
//   - tfjs-backend-wasm as shipped: cannot train a conv net (no Conv2DBackpropFilter kernel). One
//     step is attempted and its exact error recorded.
//   - tfjs-backend-wasm + a Conv2DBackpropFilter composed from its own Transpose and (dilated)
//     Conv2D kernels (bench/peers/tfjs_dcgan.ts): a labelled hybrid that trains; its steps/s.
//   - comparable work that tfjs-backend-wasm runs as shipped, on every system:
//       "forward":         G(z) (training-mode batch norm) + D(real) + D(G(z))
//       "D fwd+input grad": D forward on a fixed G(z) + the input gradient of mean softplus(−D)
//                          through all of D (the G update's pass through D)
//     tfjs-backend-cpu runs these too, once a round.
//   - tfjs-backend-cpu full steps: only with --cpu-steps N (one step took ~4 minutes here: its
//     Conv2DBackpropFilter is a scalar loop through TensorBuffer.get), timed after the rounds.
// GFLOP/s: bench/flops.ts's count of a step (the engine's passes; the tfjs peers run one extra G
// forward a step, reported as "executed" GFLOP/s beside the "useful" figure).
// Per-kernel time shares: every engine layer of G and D rebuilt alone (same geometry, batch 64)
// in a fresh instance and timed per pass kind (forward, backward-input, backward-weights) times
// the number of such passes in a step, plus the optimiser, gradient zeroing and norms, losses and
// latent draws; against single full steps timed right before and after. Best-of timings on both
// sides (the machine is shared; the minimum is the least contended figure), medians in the JSON.
// Before the rounds: a parity check (one engine step vs the hybrid tfjs-wasm peer started from
// the engine's weights on the engine's z and minibatch: losses and weights after the step).
//
// Usage (tfjs-wasm may print a lot on a failing kernel: keep the output in a file):
//   node --import tsx bench/dcgan.ts [--rounds 3] [--steps 5] [--cpu-steps 0] > out/dcgan-bench.txt 2>&1
// Writes bench/dcgan-results.json.
import { setFlagsFromString } from "node:v8";
setFlagsFromString("--experimental-wasm-relaxed-simd"); // Node 20: lets the relaxed build validate (docs/platform.md)
import { writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { createWasmGAN as createGAN, preset, validateSpec, relaxedSimdSupported, type WasmGAN } from "../src/index.ts";
import { instantiate } from "../src/engine/wasm_module.ts";
import { buildWasmNet } from "../src/engine/net_builder.ts";
import type { WasmExports } from "../src/engine/abi.ts";
import { layerShapes } from "../src/model/shapes.ts";
import { roleNet, type LayerSpec } from "../src/model/spec.ts";
import { ganStepFlops, subWorkloadFlops } from "./flops.ts";
import { useTfjsBackend, tfjsWasmFlags } from "./peers/tfjs_backend.ts";
import { createTfjsDcgan, registerComposedConv2DBackpropFilter } from "./peers/tfjs_dcgan.ts";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${name} needs a non-negative number`);
  return v;
};
const rounds = Math.max(1, arg("rounds", 3));
const oursSteps = Math.max(1, arg("steps", 5));
const cpuSteps = arg("cpu-steps", 0);
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2; };
const now = () => performance.now();
const load = () => loadavg().map((x) => +x.toFixed(2));
const SEED = 1;

// ---- workload, data, FLOP counts
const spec = validateSpec(preset("dcgan-mnist"));
const B = spec.batchSize, Z = spec.latentDim, X = spec.dataShape.reduce((a, b) => a * b, 1);
const flops = ganStepFlops(spec);
const sub = subWorkloadFlops(spec);

let data: Float32Array, dataSource: string;
const mnistModule = await import("../src/data/mnist.ts").catch(() => undefined);
if (typeof mnistModule?.mnist === "function") {
  data = (await mnistModule.mnist()).x;
  dataSource = `the bundled MNIST digits (src/data/mnist.ts): ${data.length / X} images, [-1, 1]`;
} else {
  let a = 12345;
  data = Float32Array.from({ length: 10_000 * X }, () => ((a = (Math.imul(a, 1103515245) + 12345) >>> 0) / 2 ** 31) - 1);
  dataSource = "random data in [-1, 1] of MNIST's shape (src/data/mnist.ts has no loader yet): 10000 x [28, 28, 1]";
}

const flavours = relaxedSimdSupported() ? (["strict", "relaxed"] as const) : (["strict"] as const);
const ours = await Promise.all(flavours.map((f) => createGAN(spec, { seed: SEED, deterministic: f === "strict" })));
const startLoad = load();
console.log(`dcgan-mnist bench: ${rounds} rounds, node ${process.versions.node}, load average ${startLoad.join(" ")} (2 cores, shared)`);
console.log(`data: ${dataSource}`);
console.log(`one training step: ${(flops.total / 1e9).toFixed(3)} GFLOP (${flops.counted})`);

// ---- the engine's sub-workloads, on an instance of its own (raw exports, as the step runs them)
function engineSubWorkloads(gan: WasmGAN) {
  const { wasm, G, D } = gan.raw;
  const f32 = (p: number, n: number) => new Float32Array(wasm.memory.buffer, p, n);
  const z = wasm.alloc(B * Z * 4), real = wasm.alloc(B * X * 4), fake = wasm.alloc(B * X * 4);
  const dLogits = wasm.alloc(B * 4), dx = wasm.alloc(B * X * 4);
  wasm.rngNormalFill(wasm.rngNew(7), z, B * Z, 0, 1);
  f32(real, B * X).set(data.subarray(0, B * X));
  f32(fake, B * X).set(f32(wasm.netForward(G, z, B, 1), B * X));
  return {
    forward() {
      const g = wasm.netForward(G, z, B, 1);
      wasm.netForward(D, real, B, 1);
      wasm.netForward(D, g, B, 1);
    },
    dInputGradient() {
      const l = wasm.netForward(D, fake, B, 1);
      f32(dLogits, B).fill(0);
      wasm.generatorNonSaturating(dLogits, l, B);
      wasm.netBackward(D, dLogits, dx, B, 0);
    },
  };
}
const probe = engineSubWorkloads(await createGAN(spec, { seed: SEED }));

// ---- tfjs-backend-wasm as shipped: one training step, expected to fail
const tfWasm = await useTfjsBackend("wasm");
const wasmFlags = await tfjsWasmFlags();
let shippedError: string | null = null;
{
  const peer = createTfjsDcgan(tfWasm, { data, seed: SEED });
  const n0 = tfWasm.memory().numTensors;
  try {
    peer.step();
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    shippedError = msg.length > 400 ? `${msg.slice(0, 400)}... (${msg.length} chars)` : msg;
  }
  console.log(`tfjs-backend-wasm as shipped, one training step: ${shippedError ? `FAILED: ${shippedError}` : "ran (unexpected: this tfjs has the kernel)"}` +
    ` (tensors left behind by the failed step: ${tfWasm.memory().numTensors - n0})`);
  peer.dispose();
}
const composed = registerComposedConv2DBackpropFilter(tfWasm);
console.log(composed ? "registered Conv2DBackpropFilter for 'wasm', composed from its Transpose + dilated Conv2D kernels (the hybrid rows)" : "tfjs-wasm has Conv2DBackpropFilter itself: the hybrid rows are tfjs-wasm as shipped");

// ---- parity: one engine step vs the hybrid peer from the same weights, z and minibatch
const parity = await (async () => {
  const gan = await createGAN(spec, { seed: SEED });
  const w0 = gan.getWeights();
  const st = await gan.train(data, { steps: 1 });
  const w1 = gan.getWeights();
  const { wasm, gan: h } = gan.raw;
  const z = new Float32Array(wasm.memory.buffer, wasm.ganZ(h), B * Z).slice();
  const real = new Float32Array(wasm.memory.buffer, wasm.ganReal(h), B * X).slice();
  const peer = createTfjsDcgan(tfWasm, { data, seed: SEED, weights: w0 });
  peer.stepWith(z, real);
  const pw = peer.getWeights();
  peer.dispose();
  const cmp = (a: Float32Array, b: Float32Array) => {
    let max = 0, off = 0;
    for (let i = 0; i < a.length; i++) { const d = Math.abs(a[i] - b[i]); max = Math.max(max, d); if (d > 1e-5) off++; }
    return { maxAbsDiff: max, over1e5: off, count: a.length };
  };
  return {
    engine: { dLoss: st.dLoss, gLoss: st.gLoss }, tfjsWasmHybrid: peer.losses(),
    generator: cmp(pw.generator, w1.generator), discriminator: cmp(pw.discriminator, w1.discriminator),
    note: "weights after one Adam step (lr 2e-4); Adam's first step moves each weight by ~lr·sign(g), so weights whose gradient is rounding noise (e.g. the bias of a conv before batch norm, whose true gradient is 0) may differ by up to ~lr",
  };
})();
console.log(`parity (one step, same weights, z, batch): D loss engine ${parity.engine.dLoss.toFixed(6)} / tfjs-wasm hybrid ${parity.tfjsWasmHybrid.d.toFixed(6)}, ` +
  `G loss ${parity.engine.gLoss.toFixed(6)} / ${parity.tfjsWasmHybrid.g.toFixed(6)}; weights after: G max |diff| ${parity.generator.maxAbsDiff.toExponential(2)} ` +
  `(${parity.generator.over1e5} of ${parity.generator.count} over 1e-5), D ${parity.discriminator.maxAbsDiff.toExponential(2)} (${parity.discriminator.over1e5} of ${parity.discriminator.count})`);

// ---- peers for the rounds
const peerWasm = createTfjsDcgan(tfWasm, { data, seed: SEED });
const tfCpu = await useTfjsBackend("cpu");
const peerCpu = createTfjsDcgan(tfCpu, { data, seed: SEED });

// warm-up: JIT, heap growth, XNNPACK operator set-up
const warmStart = now();
for (const g of ours) await g.train(data, { steps: 2 });
probe.forward(); probe.dInputGradient();
await useTfjsBackend("wasm");
peerWasm.step(); peerWasm.forward(); peerWasm.dInputGradient();
await useTfjsBackend("cpu");
peerCpu.draw(); peerCpu.forward();
console.log(`warm-up ${((now() - warmStart) / 1000).toFixed(1)} s`);

function rate(run: () => void, reps: number): number {
  const t0 = now();
  for (let i = 0; i < reps; i++) run();
  return reps / ((now() - t0) / 1000);
}
async function oursStepsPerSecond(g: WasmGAN, steps: number): Promise<number> {
  const t0 = now();
  await g.train(data, { steps });
  return steps / ((now() - t0) / 1000);
}

type Row = Record<string, number>;
const perRound: Row[] = [];
for (let r = 1; r <= rounds; r++) {
  const row: Row = {};
  for (let i = 0; i < flavours.length; i++) row[`step wasm-gan ${flavours[i]}`] = await oursStepsPerSecond(ours[i], oursSteps);
  await useTfjsBackend("wasm");
  row["step tfjs-wasm hybrid"] = rate(() => peerWasm.step(), 3);
  row["forward wasm-gan strict"] = rate(probe.forward, 10);
  row["forward tfjs-wasm"] = rate(() => peerWasm.forward(), 5);
  row["dInputGrad wasm-gan strict"] = rate(probe.dInputGradient, 10);
  row["dInputGrad tfjs-wasm"] = rate(() => peerWasm.dInputGradient(), 5);
  await useTfjsBackend("cpu");
  row["forward tfjs-cpu"] = rate(() => peerCpu.forward(), 1);
  row["dInputGrad tfjs-cpu"] = rate(() => peerCpu.dInputGradient(), 1);
  perRound.push(row);
  console.log(`round ${r} (load ${load().join(" ")}): ` + Object.entries(row).map(([k, v]) => `${k} ${v.toFixed(2)}/s`).join(" | "));
}

// ---- tfjs-backend-cpu full steps (opt-in: minutes each), with the engine timed right after
let cpuFull: { steps: number; stepsPerSecond: number; oursStrictRightAfter: number; ratio: number; load: number[] } | null = null;
if (cpuSteps > 0) {
  await useTfjsBackend("cpu");
  const t0 = now();
  for (let i = 0; i < cpuSteps; i++) peerCpu.step();
  const sps = cpuSteps / ((now() - t0) / 1000);
  const after = await oursStepsPerSecond(ours[0], oursSteps);
  cpuFull = { steps: cpuSteps, stepsPerSecond: sps, oursStrictRightAfter: after, ratio: after / sps, load: load() };
  console.log(`tfjs-cpu full step: ${(1 / sps).toFixed(1)} s/step (${cpuSteps} steps); wasm-gan strict right after ${after.toFixed(2)} steps/s: ${(after / sps).toFixed(0)}x`);
}

// ---- per-kernel time shares of the engine's step (strict build): 3 passes over every kernel,
// single full steps timed before each pass and after the last. Best-of timings on both sides:
// with other jobs on the 2 cores a 20 ms kernel is often preempted, and the minimum over
// samples spread across the passes is the least contended figure.
const oneStepMs = (g: WasmGAN, n: number) => {
  const { wasm, gan } = g.raw;
  return Array.from({ length: n }, () => { const t0 = now(); wasm.ganTrain(gan, 1); return now() - t0; });
};
const fullSteps: number[] = [];
const kernelShares = await (async () => {
  const wasm: WasmExports = await instantiate("strict");
  const f32 = (p: number, n: number) => new Float32Array(wasm.memory.buffer, p, n);
  const rng = wasm.rngNew(3);
  const randomBuf = (n: number, std = 1) => { const p = wasm.alloc(n * 4 + 16); wasm.rngNormalFill(rng, p, n, 0, std); return p; };
  // samples of ms a call, each the mean of enough calls to last >= 2 ms
  const sampleCall = (fn: () => void, n: number, xs: number[]) => {
    fn();
    let t0 = now(); fn(); const once = now() - t0;
    const inner = Math.max(1, Math.ceil(2 / Math.max(once, 1e-4)));
    for (let s = 0; s < n; s++) {
      t0 = now();
      for (let k = 0; k < inner; k++) fn();
      xs.push((now() - t0) / inner);
    }
  };
  type Kernel = { kernel: string; calls: number; fn: () => void; after?: () => void; samples: number[] };
  const kernels: Kernel[] = [];
  const add = (kernel: string, calls: number, fn: () => void, after?: () => void) => {
    if (calls > 0) kernels.push({ kernel, calls, fn, after, samples: [] });
  };
  const k = spec.dSteps;
  const perNet = (netName: "G" | "D", layers: LayerSpec[], input: number[]) => {
    const shapes = layerShapes(layers, input);
    const isG = netName === "G";
    let j = 0; // index among the engine's layers (reshape / flatten have none)
    layers.forEach((l, i) => {
      if (l.type === "reshape" || l.type === "flatten") return;
      const inShape = i === 0 ? input : shapes[i - 1], outShape = shapes[i];
      const inSize = inShape.reduce((a, b) => a * b, 1), outSize = outShape.reduce((a, b) => a * b, 1);
      const net = buildWasmNet(wasm, [l], inShape, B);
      wasm.netInit(net, rng, 1);
      const x = randomBuf(B * inSize), dy = randomBuf(B * outSize, 0.01), dx = wasm.alloc(B * inSize * 4);
      const name = `${netName}[${i}] ${l.type} ${inShape.join("x")}->${outShape.join("x")}`;
      const hasWeights = wasm.netParamCount(net) > 0 && l.type !== "batch_norm";
      add(`${name}: forward`, isG ? k : 2 * k + 1, () => { wasm.netForward(net, x, B, 1); });
      if (l.type === "batch_norm") {
        // one kernel computes dx, dgamma and dbeta
        add(`${name}: backward (input + gamma, beta)`, isG ? 1 : 2 * k, () => wasm.netBackward(net, dy, dx, B, 1));
      } else {
        if (hasWeights) add(`${name}: backward weights`, isG ? 1 : 2 * k, () => wasm.netBackward(net, dy, 0, B, 1));
        const inputPasses = isG ? (j > 0 ? 1 : 0) : (j > 0 ? 2 * k + 1 : 1);
        add(`${name}: backward input`, inputPasses, () => wasm.netBackward(net, dy, dx, B, 0));
      }
      j++;
    });
  };
  const gNet = roleNet(spec, "generator"), dNet = roleNet(spec, "discriminator");
  perNet("G", gNet.layers, [Z]);
  perNet("D", dNet.layers, spec.dataShape);
  // whole-net kernels: optimiser update, gradient zeroing and norm
  const whole: [string, LayerSpec[], number[], number][] = [["G", gNet.layers, [Z], 1], ["D", dNet.layers, spec.dataShape, k]];
  for (const [netName, layers, input, calls] of whole) {
    const net = buildWasmNet(wasm, layers, input, 1);
    wasm.netInit(net, rng, 1);
    const P = wasm.netParamCount(net);
    wasm.rngNormalFill(rng, wasm.netGrads(net), P, 0, 1e-3);
    const o = spec.optimizer[(netName === "G" ? gNet : dNet).name];
    const opt = wasm.optimizerNew(0, o.lr, o.beta1!, o.beta2!, o.eps!);
    add(`${netName} Adam update (${P} params)`, calls, () => wasm.optimizerStep(opt, net));
    const grads = wasm.netGrads(net);
    add(`${netName} gradient norm (sumSquares)`, calls, () => { wasm.sumSquares(grads, P); });
    const saved = f32(grads, P).slice();
    add(`${netName} zero gradients`, calls, () => wasm.netZeroGrads(net), () => f32(grads, P).set(saved));
  }
  const logits = randomBuf(B), dl = wasm.alloc(B * 4), zBuf = wasm.alloc(B * Z * 4);
  add("losses: bceLogitsReal + bceLogitsFake + 2 meanSigmoid (per D update)", k, () => {
    wasm.bceLogitsReal(dl, logits, B, 1); wasm.bceLogitsFake(dl, logits, B); wasm.meanSigmoid(logits, B); wasm.meanSigmoid(logits, B);
  });
  add("loss: generatorNonSaturating", 1, () => { wasm.generatorNonSaturating(dl, logits, B); });
  add(`latent draw: rngNormalFill ${B}x${Z} (per D update)`, k, () => wasm.rngNormalFill(rng, zBuf, B * Z, 0, 1));
  for (let pass = 0; pass < 3; pass++) {
    fullSteps.push(...oneStepMs(ours[0], 4));
    for (const kk of kernels) { sampleCall(kk.fn, 4, kk.samples); kk.after?.(); }
  }
  fullSteps.push(...oneStepMs(ours[0], 4));
  const rows = kernels.map(({ kernel, calls, samples }) => {
    const best = Math.min(...samples);
    return { kernel, perCallMs: best, perCallMedianMs: median(samples), callsPerStep: calls, msPerStep: best * calls };
  });
  return { rows };
})();
const fullMs = Math.min(...fullSteps);
const explained = kernelShares.rows.reduce((s, r) => s + r.msPerStep, 0);

// ---- report
const medians = Object.fromEntries(Object.keys(perRound[0]).map((key) => [key, median(perRound.map((r) => r[key]))]));
const ratios: Record<string, number[]> = {};
const ratio = (name: string, a: string, b: string) => { ratios[name] = perRound.map((r) => r[a] / r[b]); };
for (const f of flavours) ratio(`training step: wasm-gan ${f} / tfjs-wasm hybrid (+ composed Conv2DBackpropFilter)`, `step wasm-gan ${f}`, "step tfjs-wasm hybrid");
ratio("forward (G + 2 D): wasm-gan strict / tfjs-wasm", "forward wasm-gan strict", "forward tfjs-wasm");
ratio("D forward + input gradient: wasm-gan strict / tfjs-wasm", "dInputGrad wasm-gan strict", "dInputGrad tfjs-wasm");
ratio("forward (G + 2 D): wasm-gan strict / tfjs-cpu", "forward wasm-gan strict", "forward tfjs-cpu");
ratio("D forward + input gradient: wasm-gan strict / tfjs-cpu", "dInputGrad wasm-gan strict", "dInputGrad tfjs-cpu");

const gflops = (key: string, perSecond: number) => {
  if (key.startsWith("step")) return (perSecond * flops.total) / 1e9;
  return (perSecond * (key.startsWith("forward") ? sub.forward : sub.dInputGradient)) / 1e9;
};
console.log(`\nFLOP counts (bench/flops.ts): training step ${(flops.total / 1e6).toFixed(0)} MFLOP (tfjs peers execute +${(flops.tfjsExtra / 1e6).toFixed(0)}), ` +
  `forward ${(sub.forward / 1e6).toFixed(0)} MFLOP, D forward + input gradient ${(sub.dInputGradient / 1e6).toFixed(0)} MFLOP`);
console.log("\n| measure | median /s | ms each | GFLOP/s (useful) | per round /s |\n| --- | --- | --- | --- | --- |");
for (const [key, v] of Object.entries(medians)) {
  const exec = key === "step tfjs-wasm hybrid" ? ` (executed ${(v * (flops.total + flops.tfjsExtra) / 1e9).toFixed(2)})` : "";
  console.log(`| ${key} | ${v.toFixed(3)} | ${(1000 / v).toFixed(1)} | ${gflops(key, v).toFixed(2)}${exec} | ${perRound.map((r) => r[key].toFixed(3)).join(", ")} |`);
}
console.log(`| step tfjs-wasm as shipped | cannot train | — | — | ${shippedError ?? "(no error)"} |`);
if (cpuFull) console.log(`| step tfjs-cpu | ${cpuFull.stepsPerSecond.toFixed(4)} | ${(1000 / cpuFull.stepsPerSecond).toFixed(0)} | ${(cpuFull.stepsPerSecond * flops.total / 1e9).toFixed(3)} | ${cpuFull.steps} step(s), once, after the rounds |`);
else console.log("| step tfjs-cpu | not timed (run with --cpu-steps 1: minutes a step) | | | |");
console.log("\n| ratio | median | per round |\n| --- | --- | --- |");
for (const [key, v] of Object.entries(ratios)) console.log(`| ${key} | ${median(v).toFixed(2)}x | ${v.map((x) => x.toFixed(2)).join(", ")} |`);
if (cpuFull) console.log(`| training step: wasm-gan strict / tfjs-cpu (timed once, engine right after) | ${cpuFull.ratio.toFixed(0)}x | — |`);

console.log(`\nPer-kernel time of one wasm-gan step (strict build, batch ${B}; each kernel alone, best of 12 samples over 3 passes, x passes a step) against the full step's best ` +
  `${fullMs.toFixed(1)} ms (16 single steps timed between the passes: median ${median(fullSteps).toFixed(1)} ms):`);
console.log("| kernel | ms a call (best) | calls a step | ms a step | share of step |\n| --- | --- | --- | --- | --- |");
for (const r of [...kernelShares.rows].sort((a, b) => b.msPerStep - a.msPerStep)) {
  console.log(`| ${r.kernel} | ${r.perCallMs.toFixed(3)} | ${r.callsPerStep} | ${r.msPerStep.toFixed(2)} | ${(100 * r.msPerStep / fullMs).toFixed(1)}% |`);
}
console.log(`| sum of the kernels | | | ${explained.toFixed(1)} | ${(100 * explained / fullMs).toFixed(1)}% |`);
console.log(`| unexplained remainder (minibatch copy, call overheads, cache effects between layers, timing noise) | | | ${(fullMs - explained).toFixed(1)} | ${(100 * (fullMs - explained) / fullMs).toFixed(1)}% |`);
const byKind = (re: RegExp) => kernelShares.rows.filter((r) => re.test(r.kernel)).reduce((s, r) => s + r.msPerStep, 0);
const kinds = {
  "conv2d / conv2d_transpose (all passes)": byKind(/conv2d/),
  "dense (all passes)": byKind(/\] dense /),
  "batch norm": byKind(/batch_norm/),
  "activations": byKind(/\] (relu|leaky_relu|tanh|sigmoid) /),
  "Adam updates": byKind(/Adam/),
  "gradient zeroing + norms": byKind(/zero gradients|gradient norm/),
  "losses + latent draws": byKind(/^loss|latent/),
};
console.log("\n| kernel kind | ms a step | share of step |\n| --- | --- | --- |");
for (const [kk, v] of Object.entries(kinds)) console.log(`| ${kk} | ${v.toFixed(2)} | ${(100 * v / fullMs).toFixed(1)}% |`);
const endLoad = load();
console.log(`\nload average at start ${startLoad.join(" ")}, at end ${endLoad.join(" ")}`);

writeFileSync(new URL("./dcgan-results.json", import.meta.url), JSON.stringify({
  date: new Date().toISOString(), node: process.versions.node, loadAverage: { start: startLoad, end: endLoad },
  rounds, oursStepsPerRound: oursSteps, flavours, data: dataSource, tfjsWasmFlags: wasmFlags,
  flops: { step: flops.total, tfjsExtraPerStep: flops.tfjsExtra, byPass: flops.byPass, forward: sub.forward, dInputGradient: sub.dInputGradient, counted: flops.counted },
  tfjsWasmShipped: { canTrain: shippedError === null, error: shippedError },
  hybrid: "tfjs-backend-wasm with Conv2DBackpropFilter registered for 'wasm', composed from its own Transpose + dilated Conv2D kernels (bench/peers/tfjs_dcgan.ts); every other kernel as shipped",
  parity, perRound, medians,
  gflopsMedian: Object.fromEntries(Object.entries(medians).map(([key, v]) => [key, gflops(key, v)])),
  ratios: Object.fromEntries(Object.entries(ratios).map(([key, v]) => [key, { median: median(v), perRound: v }])),
  tfjsCpuFullStep: cpuFull ?? "not timed in this run (--cpu-steps 0): one tfjs-cpu step takes minutes",
  perKernel: {
    timing: "best of 12 samples per kernel over 3 passes, best of 16 single steps timed between the passes (the machine is shared: minima are the least contended figures)",
    fullStepMs: fullMs, fullStepMsSamples: fullSteps, explainedMs: explained, remainderMs: fullMs - explained,
    rows: kernelShares.rows.map((r) => ({ ...r, share: r.msPerStep / fullMs })),
    byKind: Object.fromEntries(Object.entries(kinds).map(([kk, v]) => [kk, { msPerStep: v, share: v / fullMs }])),
  },
  notes: [
    "every system's GFLOP/s uses the engine's FLOP count of the work (useful GFLOP/s); the tfjs peers execute one more G forward a step",
    "tfjs timings include dataSync of the losses / outputs each step; the engine's results stay in linear memory",
    "the sub-workloads run on every system from a fixed z / minibatch / G(z); tfjs-cpu runs them once a round",
  ],
}, null, 2) + "\n");
await useTfjsBackend("wasm");
peerWasm.dispose();
await useTfjsBackend("cpu");
peerCpu.dispose();
