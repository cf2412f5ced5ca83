// The tfjs engine against the WASM engine at the reference workloads' full size (the unit tests,
// tests/tfjs_engine/, use smaller batches to stay fast). Prints a table and writes
// bench/tfjs_engine_parity[-<parts>].json.
//   node --import tsx bench/tfjs_engine_parity.ts [mlp] [dcgan-wasm] [dcgan-cpu] [checkpoint]   (default: all)
// Parts:
//   mlp:        mlp-ring8 (batch 256) 50 steps from seed 1, each objective, tfjs-cpu vs WASM
//   dcgan-wasm: dcgan-mnist (batch 64) 50 steps, each objective, on tfjs-backend-wasm with a
//               Conv2DBackpropFilter composed from its own kernels (4.22 ships none: docs/platform.md),
//               labelled as such
//   dcgan-cpu:  dcgan-mnist at batch 8, 50 steps, each objective, on tfjs-backend-cpu with its
//               Conv2DBackpropFilter replaced by the same composition of its own kernels (the
//               shipped one took 16 s a step at batch 8 here, 271 s at 64)
//   checkpoint: 100 steps on one engine, the checkpoint's bytes, 100 on the other, vs 200 on the
//               first (both directions): mlp-ring8 on tfjs-cpu, dcgan-mnist on tfjs-wasm (composed)
// Figures per run (tests/tfjs_engine/parity_util.ts): worst statistic as a multiple of its bound
// 1e-4 + 1e-2·(its largest |value| in the run), the first step's largest relative difference, the
// non-gauge weights' ‖Δ‖ / ‖w_T − w_0‖ per net, and as the chaos reference the largest of the
// same figures between the WASM engine and itself nudged by ±1, ±2, ±3 ulps (dcgan: ±1, to save time).
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { writeFileSync } from "node:fs";
import { WasmGAN } from "../src/engine/wasm_engine.ts";
import { TfjsGAN } from "../src/engine/tfjs/tfjs_engine.ts";
import { preset, validateSpec, ring8, mnist, encodeCheckpoint, decodeCheckpoint, type GanSpec } from "../src/index.ts";
import { trace, compare, specGauges, nudge, type Comparison } from "../tests/tfjs_engine/parity_util.ts";

type Backend = "cpu" | "wasm";

// Conv2DBackpropFilter for `backend` from its own Transpose, Conv2D (dilated) and Slice kernels
// (bench/peers/tfjs_dcgan.ts registerComposedConv2DBackpropFilter, for either backend):
//   dW[i, j, c, o] = Σ_{b, y, x} xpad[b, y·sh + i, x·sw + j, c] · dy[b, y, x, o]
//                  = conv2d(x as [cin, H, W, n], dy as a filter [oh, ow, n, cout], stride 1, dilation s)
function composeConv2DBackpropFilter(backend: Backend): void {
  const k = (name: string) => tf.getKernel(name, backend)!.kernelFunc;
  const transpose = k("Transpose"), conv2d = k("Conv2D"), slice = k("Slice");
  if (tf.getKernel("Conv2DBackpropFilter", backend)) tf.unregisterKernel("Conv2DBackpropFilter", backend);
  tf.registerKernel({
    kernelName: "Conv2DBackpropFilter", backendName: backend,
    kernelFunc: ({ inputs, backend: b, attrs }) => {
      const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
      const a = attrs as any;
      const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], a.filterShape, a.strides, 1, a.pad, a.dimRoundingMode);
      const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow, inHeight: H, inWidth: W } = info;
      const top = info.padInfo.top, left = info.padInfo.left;
      const bottom = kh + (oh - 1) * sh - H - top, right = kw + (ow - 1) * sw - W - left;
      const run = (f: tf.KernelFunc, ins: Record<string, tf.TensorInfo>, at: object) => f({ inputs: ins, backend: b, attrs: at as tf.NamedAttrMap }) as tf.TensorInfo;
      const temps: tf.TensorInfo[] = [];
      let xs = x;
      if (bottom < 0 || right < 0) {
        xs = run(slice, { x }, { begin: [0, 0, 0, 0], size: [-1, H + Math.min(bottom, 0), W + Math.min(right, 0), -1] });
        temps.push(xs);
      }
      const xt = run(transpose, { x: xs }, { perm: [3, 1, 2, 0] }), ft = run(transpose, { x: dy }, { perm: [1, 2, 0, 3] });
      const r = run(conv2d, { x: xt, filter: ft }, { strides: [1, 1], dilations: [sh, sw], dataFormat: "NHWC", pad: [[0, 0], [top, Math.max(bottom, 0)], [left, Math.max(right, 0)], [0, 0]] });
      temps.push(xt, ft, r);
      const out = run(transpose, { x: r }, { perm: [1, 2, 0, 3] });
      for (const t of temps) (b as unknown as tf.KernelBackend).disposeData(t.dataId);
      return out;
    },
  });
}

// the objectives, as variants of a base spec (each with its usual optimiser)
function objectives(base: GanSpec): [string, GanSpec][] {
  const rms = { type: "rmsprop" as const, lr: 5e-5 }, gp = { type: "adam" as const, lr: 1e-4, beta1: 0.5, beta2: 0.9 };
  return [
    ["non-saturating", base],
    ["minimax", { ...base, loss: "minimax" }],
    ["wasserstein clip 0.01, 5 critic steps, RMSProp 5e-5", { ...base, loss: "wasserstein", clip: true, dSteps: 5, optimizer: { generator: rms, discriminator: rms } }],
    ["WGAN-GP λ 10, 5 critic steps, Adam 1e-4 (0.5, 0.9)", { ...base, loss: "wasserstein", gradientPenalty: true, dSteps: 5, optimizer: { generator: gp, discriminator: gp } }],
    ["hinge", { ...base, loss: "hinge" }],
    ["least-squares", { ...base, loss: "least-squares" }],
  ];
}

interface Row { part: string; objective: string; backend: string; batch: number; steps: number; tfjsMsPerStep: number; wasmMsPerStep: number; comparison: Comparison; chaos: { stat: number; generator: number; discriminator: number } }

async function parity(part: string, spec: GanSpec, objective: string, backend: Backend, data: any, steps: number, nudges = [1, -1, 2, -2, 3, -3]): Promise<Row> {
  const a = await TfjsGAN.create(spec, { seed: 1, backend }), b = await WasmGAN.create(spec, { seed: 1 });
  const w0 = b.getWeights();
  const ob = specGauges(validateSpec(spec)).D.outputBias;
  let t0 = performance.now();
  const ta = await trace(a, data, steps, ob);
  const tfjsMs = (performance.now() - t0) / steps;
  t0 = performance.now();
  const tb = await trace(b, data, steps, ob);
  const wasmMs = (performance.now() - t0) / steps;
  const c = compare(spec, ta, tb, a, b, w0);
  const ch = { stat: 0, generator: 0, discriminator: 0 };
  {
    for (const k of nudges) {
      const n = await WasmGAN.create(spec, { seed: 1 });
      n.setWeights({ generator: nudge(w0.generator, k), discriminator: nudge(w0.discriminator, k) });
      const cn = compare(spec, await trace(n, data, steps, ob), tb, n, b, w0);
      ch.stat = Math.max(ch.stat, cn.worstStat.ratio);
      ch.generator = Math.max(ch.generator, cn.weights[0].relNorm);
      ch.discriminator = Math.max(ch.discriminator, cn.weights[1].relNorm);
    }
  }
  a.dispose();
  const row = { part, objective, backend, batch: spec.batchSize, steps, tfjsMsPerStep: tfjsMs, wasmMsPerStep: wasmMs, comparison: c, chaos: ch };
  const w = c.weights;
  console.log(`${part.padEnd(10)} ${objective.padEnd(52)} ${backend.padEnd(5)} B${String(spec.batchSize).padEnd(4)} first ${c.firstStep.toExponential(1)}  worst ${c.worstStat.ratio.toFixed(3)} (${c.worstStat.key}@${c.worstStat.step})  G ${w[0].relNorm.toExponential(1)} D ${w[1].relNorm.toExponential(1)} gauge ${Math.max(w[0].gaugeMaxAbs, w[1].gaugeMaxAbs).toExponential(1)} | WASM±ulps: worst ${ch.stat.toFixed(3)} G ${ch.generator.toExponential(1)} D ${ch.discriminator.toExponential(1)} | ${tfjsMs.toFixed(0)} vs ${wasmMs.toFixed(1)} ms/step`);
  return row;
}

// 100 steps on `first`, checkpoint bytes, 100 on the other vs 200 on `first`
async function crossCheckpoint(name: string, spec: GanSpec, backend: Backend, data: any, first: "wasm" | "tfjs") {
  const make = (e: "wasm" | "tfjs") => (e === "wasm" ? WasmGAN.create(spec, { seed: 1 }) : TfjsGAN.create(spec, { seed: 1, backend }));
  const t0 = performance.now();
  const whole = await make(first);
  await whole.train(data, { steps: 100 });
  const at100 = whole.getWeights();
  const bytes = encodeCheckpoint(whole.spec, whole.saveState(), { seed: 1, engine: whole.engineInfo() });
  await whole.train(data, { steps: 100 });
  const cont = await make(first === "wasm" ? "tfjs" : "wasm");
  cont.loadState(decodeCheckpoint(bytes, "bench.safetensors").state);
  await cont.train(data, { steps: 100 });
  const g = specGauges(validateSpec(spec));
  const wa = cont.getWeights(), wb = whole.getWeights();
  const rel = (net: "generator" | "discriminator") => {
    const mask = (net === "generator" ? g.G : g.D).mask;
    let d = 0, m = 0;
    for (let i = 0; i < wa[net].length; i++) if (!mask[i]) { d += (wa[net][i] - wb[net][i]) ** 2; m += (wb[net][i] - at100[net][i]) ** 2; }
    return Math.sqrt(d / m);
  };
  const sa = cont.saveState(), sb = whole.saveState();
  const s1 = cont.stats(), s2 = whole.stats();
  const out = {
    part: "checkpoint", name, backend, path: `${first} 100 -> ${first === "wasm" ? "tfjs" : "wasm"} 100 vs ${first} 200`,
    rngEqual: sa.rng.join() === sb.rng.join(), step: sa.step, generator: rel("generator"), discriminator: rel("discriminator"),
    dLoss: [s1.dLoss, s2.dLoss], gLoss: [s1.gLoss, s2.gLoss], seconds: (performance.now() - t0) / 1000,
  };
  console.log(`checkpoint ${name.padEnd(28)} ${out.path.padEnd(34)} rng equal ${out.rngEqual}, step ${out.step}, ‖Δ‖/‖w200 − w100‖ G ${out.generator.toExponential(1)} D ${out.discriminator.toExponential(1)}, last D loss ${s1.dLoss.toFixed(5)} vs ${s2.dLoss.toFixed(5)}, G loss ${s1.gLoss.toFixed(5)} vs ${s2.gLoss.toFixed(5)} (${out.seconds.toFixed(0)} s)`);
  for (const x of [whole, cont]) if (x instanceof TfjsGAN) x.dispose();
  return out;
}

const parts = process.argv.slice(2);
const want = (p: string) => parts.length === 0 || parts.includes(p);
const results: unknown[] = [];
const ring = await ring8({ count: 100_000, seed: 1 });
const digits = await mnist();
await tf.setBackend("wasm");
composeConv2DBackpropFilter("wasm");
await tf.setBackend("cpu");
if (want("dcgan-cpu")) composeConv2DBackpropFilter("cpu");
console.log(`tfjs ${tf.version_core}; tfjs-wasm threads off (Node); node ${process.version}`);
if (want("mlp")) for (const [o, s] of objectives(preset("mlp-ring8"))) results.push(await parity("mlp", s, o, "cpu", ring, 50));
if (want("dcgan-wasm")) for (const [o, s] of objectives(preset("dcgan-mnist"))) results.push(await parity("dcgan", s, o, "wasm", digits, 50, [1, -1]));
if (want("dcgan-cpu")) for (const [o, s] of objectives({ ...preset("dcgan-mnist"), batchSize: 8 })) results.push(await parity("dcgan", s, o, "cpu", digits, 50, [1, -1]));
if (want("checkpoint")) {
  for (const first of ["wasm", "tfjs"] as const) results.push(await crossCheckpoint("mlp-ring8 (tfjs-cpu)", preset("mlp-ring8"), "cpu", ring, first));
  for (const first of ["wasm", "tfjs"] as const) results.push(await crossCheckpoint("dcgan-mnist (tfjs-wasm+composed)", preset("dcgan-mnist"), "wasm", digits, first));
}
const file = new URL(`./tfjs_engine_parity${parts.length ? "-" + parts.join("-") : ""}.json`, import.meta.url);
writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), parts: parts.length ? parts : "all", results }, null, 1));
console.log(`wrote ${file.pathname}`);
