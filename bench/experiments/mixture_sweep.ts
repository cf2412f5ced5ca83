// Quality sweep on the 2-D mixtures: every configuration on seeds 1, 2, 3, scored every
// `evalEvery` steps with the literature's metrics (2,500 samples). Prints one JSON line per
// evaluation so the log can be tabulated. Usage:
//   npx tsx bench/experiments/mixture_sweep.ts [steps] [config names...]
// Each run is the library's training run (src/train/run.ts) with a snapshot hook: the same code
// path as the CLI's `train`, on the caller's thread (one kernel thread, the same bits as workers).
import { createGAN, preset, ring8, grid25, mixtureMetrics, runTraining, type GanSpec } from "../../src/index.ts";

const steps = Number(process.argv[2] ?? 20000);
const evalEvery = 2000;
const adam = (lr: number, beta1 = 0.5, beta2 = 0.999) => ({ type: "adam" as const, lr, beta1, beta2 });
const rmsprop = (lr: number) => ({ type: "rmsprop" as const, lr });
const wganClip = (s: GanSpec): GanSpec => ({ ...s, loss: "wasserstein", clip: 0.01, dSteps: 5, optimizer: { generator: rmsprop(5e-5), discriminator: rmsprop(5e-5) } });

const configs: Record<string, { data: "ring8" | "grid25"; spec: (s: GanSpec) => GanSpec }> = {
  "ring8-ns": { data: "ring8", spec: (s) => s },
  "ring8-minimax": { data: "ring8", spec: (s) => ({ ...s, loss: "minimax" }) },
  "ring8-ns-lr1e-3": { data: "ring8", spec: (s) => ({ ...s, optimizer: { generator: adam(1e-3), discriminator: adam(1e-3) } }) },
  "ring8-ns-ttur": { data: "ring8", spec: (s) => ({ ...s, optimizer: { generator: adam(1e-4), discriminator: adam(4e-4) } }) },
  "ring8-ns-b512": { data: "ring8", spec: (s) => ({ ...s, batchSize: 512 }) },
  "ring8-ns-b0.9": { data: "ring8", spec: (s) => ({ ...s, optimizer: { generator: adam(1e-4, 0.9), discriminator: adam(1e-4, 0.9) } }) },
  "ring8-ns-dsteps2-b512": { data: "ring8", spec: (s) => ({ ...s, dSteps: 2, batchSize: 512 }) },
  "ring8-ns-lr1e-3-linear": { data: "ring8", spec: (s) => ({ ...s, lrSchedule: { type: "linear", steps }, optimizer: { generator: adam(1e-3), discriminator: adam(1e-3) } }) },
  "ring8-ns-linear": { data: "ring8", spec: (s) => ({ ...s, lrSchedule: { type: "linear", steps } }) },
  "ring8-ns-pack2": { data: "ring8", spec: (s) => ({ ...s, pack: 2 }) },
  "ring8-ns-pack4": { data: "ring8", spec: (s) => ({ ...s, pack: 4 }) },
  "ring8-ns-pack2-lr1e-3-linear": { data: "ring8", spec: (s) => ({ ...s, pack: 2, lrSchedule: { type: "linear", steps }, optimizer: { generator: adam(1e-3), discriminator: adam(1e-3) } }) },
  "grid25-ns-pack2": { data: "grid25", spec: (s) => ({ ...s, name: "grid25", pack: 2 }) },
  "grid25-ns-pack4": { data: "grid25", spec: (s) => ({ ...s, name: "grid25", pack: 4 }) },
  "grid25-ns-lr1e-3-linear": { data: "grid25", spec: (s) => ({ ...s, name: "grid25", lrSchedule: { type: "linear", steps }, optimizer: { generator: adam(1e-3), discriminator: adam(1e-3) } }) },
  "grid25-ns-pack2-lr1e-3-linear": { data: "grid25", spec: (s) => ({ ...s, name: "grid25", pack: 2, lrSchedule: { type: "linear", steps }, optimizer: { generator: adam(1e-3), discriminator: adam(1e-3) } }) },
  "ring8-minimax-pack2-lr1e-3-linear": { data: "ring8", spec: (s) => ({ ...s, loss: "minimax", pack: 2, lrSchedule: { type: "linear", steps }, optimizer: { generator: adam(1e-3), discriminator: adam(1e-3) } }) },
  "grid25-minimax-pack2-lr1e-3-linear": { data: "grid25", spec: (s) => ({ ...s, name: "grid25", loss: "minimax", pack: 2, lrSchedule: { type: "linear", steps }, optimizer: { generator: adam(1e-3), discriminator: adam(1e-3) } }) },
  "ring8-wgangp": { data: "ring8", spec: (s) => ({ ...s, loss: "wasserstein", gradientPenalty: 10, dSteps: 5, optimizer: { generator: adam(1e-4, 0.5, 0.9), discriminator: adam(1e-4, 0.5, 0.9) } }) },
  "grid25-wgangp": { data: "grid25", spec: (s) => ({ ...s, name: "grid25", loss: "wasserstein", gradientPenalty: 10, dSteps: 5, optimizer: { generator: adam(1e-4, 0.5, 0.9), discriminator: adam(1e-4, 0.5, 0.9) } }) },
  "grid25-wgangp-lr1e-3-linear": { data: "grid25", spec: (s) => ({ ...s, name: "grid25", loss: "wasserstein", gradientPenalty: 10, dSteps: 5, lrSchedule: { type: "linear", steps }, optimizer: { generator: adam(1e-3, 0.5, 0.9), discriminator: adam(1e-3, 0.5, 0.9) } }) },
  "grid25-ns": { data: "grid25", spec: (s) => ({ ...s, name: "grid25" }) },
  "grid25-minimax": { data: "grid25", spec: (s) => ({ ...s, name: "grid25", loss: "minimax" }) },
  "grid25-ns-lr1e-3": { data: "grid25", spec: (s) => ({ ...s, optimizer: { generator: adam(1e-3), discriminator: adam(1e-3) } }) },
  // the wider objectives on the reference nets: WGAN with the paper's settings (weight clipping
  // 0.01, 5 critic steps, RMSProp 5e-5), hinge and least-squares with the preset's Adam 2e-4
  "ring8-wgan-clip": { data: "ring8", spec: (s) => wganClip(s) },
  "ring8-hinge": { data: "ring8", spec: (s) => ({ ...s, loss: "hinge" }) },
  "ring8-lsgan": { data: "ring8", spec: (s) => ({ ...s, loss: "least-squares" }) },
  "grid25-wgan-clip": { data: "grid25", spec: (s) => wganClip({ ...s, name: "grid25" }) },
  "grid25-hinge": { data: "grid25", spec: (s) => ({ ...s, name: "grid25", loss: "hinge" }) },
  "grid25-lsgan": { data: "grid25", spec: (s) => ({ ...s, name: "grid25", loss: "least-squares" }) },
};

const names = process.argv.slice(3).length ? process.argv.slice(3) : Object.keys(configs);
for (const name of names) {
  const c = configs[name];
  if (!c) throw new Error(`unknown config ${name}`);
  for (const seed of (process.env.SEEDS ?? "1,2,3").split(",").map(Number)) {
    const data = c.data === "ring8" ? await ring8({ count: 100_000, seed }) : await grid25({ count: 100_000, seed });
    const gan = await createGAN(c.spec(preset("mlp-ring8")), { seed, mode: "in-process", engine: "wasm" });
    const t0 = performance.now();
    await runTraining(gan, data, {
      steps, sampleEvery: evalEvery, checkpointEvery: 0,
      onSnapshot: async (step) => {
        const m = mixtureMetrics(await gan.sample(2500, { seed: 7 }), data.mixture!);
        console.log(JSON.stringify({ name, seed, step, modes: m.modes, hq: +m.highQuality.toFixed(3), kl: +m.kl.toFixed(3), sec: +((performance.now() - t0) / 1000).toFixed(1) }));
      },
    });
    await gan.dispose();
  }
}
