// The reference workloads of docs/workloads.md, as specs.
import type { ShorthandSpec as GanSpec, LayerSpec } from "./spec.ts";
// (presets are written in the shorthand: nets named generator and discriminator, src/model/nets.ts)

const mlp = (hidden: number, width: number, out: number): LayerSpec[] => [
  ...Array.from({ length: hidden }, () => [{ type: "dense", units: width }, { type: "relu" }] as LayerSpec[]).flat(),
  { type: "dense", units: out },
];

const adam = (lr: number, beta1 = 0.5, beta2 = 0.999) => ({ type: "adam" as const, lr, beta1, beta2 });

// mlp-ring8 (docs/workloads.md's reference workload, exactly; the speed benches use it):
//   G z(2) -> 4 x (Dense 128, ReLU) -> Dense 2;  D 3 x (Dense 128, ReLU) -> Dense 1;
//   batch 256, non-saturating, Adam 2e-4 (0.5, 0.999)
export function mlpRing8(): GanSpec {
  return {
    name: "mlp-ring8",
    latentDim: 2,
    dataShape: [2],
    generator: mlp(4, 128, 2),
    discriminator: mlp(3, 128, 1),
    loss: "non-saturating",
    batchSize: 256,
    dSteps: 1,
    optimizer: { generator: adam(2e-4), discriminator: adam(2e-4) },
  };
}

// mlp-grid25: the same nets on 25 Gaussians on a 5x5 grid
export function mlpGrid25(): GanSpec {
  return { ...mlpRing8(), name: "mlp-grid25" };
}

// The recipe that covers every mode (measured in README.md, "Quality"): the reference nets and
// batch, with the discriminator judging pairs of samples (PacGAN, pack 2), Adam at 1e-3 and the
// learning rates falling linearly to 0 over the run (the CLI stretches the schedule to --steps).
function recipe(base: GanSpec, name: string): GanSpec {
  return {
    ...base, name, pack: 2,
    lrSchedule: { type: "linear", steps: 10_000 },
    optimizer: { generator: adam(1e-3), discriminator: adam(1e-3) },
  };
}
// The remedies study's best on both mixtures (README "Remedies side by side",
// bench/remedies-mixtures-results.json): the same nets and rates without packing, the R1 penalty
// (Mescheder et al. 2018, γ = 1) on D, the decay over 30,000 steps (the CLI's default --steps for
// these presets) and sampling from the generator's moving average (0.999).
const r1Recipe = (base: GanSpec, name: string): GanSpec =>
  ({ ...recipe(base, name), pack: 1, r1: 1, lrSchedule: { type: "linear", steps: 30_000 }, average: 0.999 });
// ring8: 8/8 modes and 98.3-98.9% high quality on each of seeds 1-5 (the packed 10,000-step
// recipe before it: 95.4-97.4%)
export const ring8 = (): GanSpec => r1Recipe(mlpRing8(), "ring8");
// grid25: 25/25 modes and 96.8-98.3% high quality on each of seeds 1-5 (the packed recipe: 14-40%)
export const grid25 = (): GanSpec => r1Recipe(mlpGrid25(), "grid25");

// dcgan-mnist (docs/workloads.md's reference workload): batch 64, Adam 2e-4 (0.5, 0.999), non-saturating,
// the DCGAN paper's N(0, 0.02) initialisation.
//   G: z(100) -> Dense 7·7·128 -> BatchNorm -> ReLU -> reshape 7x7x128 -> ConvT 64, 4x4, s2, same
//      -> BatchNorm -> ReLU -> ConvT 1, 4x4, s2, same -> tanh            (28x28x1)
//   D: Conv 64, 4x4, s2, same -> LeakyReLU 0.2 -> Conv 128, 4x4, s2, same -> LeakyReLU 0.2
//      -> flatten -> Dense 1 (logit)
export function dcganMnist(): GanSpec {
  const conv = (type: "conv2d" | "conv2d_transpose", filters: number): LayerSpec =>
    ({ type, filters, kernelSize: 4, strides: 2, padding: "same" });
  return {
    name: "dcgan-mnist",
    latentDim: 100,
    dataShape: [28, 28, 1],
    generator: [
      { type: "dense", units: 7 * 7 * 128 }, { type: "batch_norm" }, { type: "relu" },
      { type: "reshape", targetShape: [7, 7, 128] },
      conv("conv2d_transpose", 64), { type: "batch_norm" }, { type: "relu" },
      conv("conv2d_transpose", 1), { type: "tanh" },
    ],
    discriminator: [
      conv("conv2d", 64), { type: "leaky_relu", alpha: 0.2 },
      conv("conv2d", 128), { type: "leaky_relu", alpha: 0.2 },
      { type: "flatten" }, { type: "dense", units: 1 },
    ],
    loss: "non-saturating",
    batchSize: 64,
    dSteps: 1,
    init: "dcgan",
    optimizer: { generator: adam(2e-4), discriminator: adam(2e-4) },
  };
}

// dcgan-stacked-mnist: the dcgan-mnist nets and recipe on Stacked MNIST (src/data/stacked_mnist.ts:
// three digits as the channels of one 28x28 image, 1,000 modes); the plain reference to set
// beside the papers' DCGAN row (VEEGAN; PacGAN Table 2: 99 modes, KL 3.40). Only the image's
// channel count changes: G's last ConvT has 3 filters (28x28x3), D's first conv reads 3 channels.
export function dcganStackedMnist(): GanSpec {
  const base = dcganMnist();
  const last = base.generator.length - 2; // the ConvT 1 before the tanh
  return {
    ...base,
    name: "dcgan-stacked-mnist",
    dataShape: [28, 28, 3],
    generator: base.generator.map((l, i) => (i === last ? { ...l, filters: 3 } as LayerSpec : l)),
  };
}

// Conditional GANs (cGAN, Mirza & Osindero 2014): the same nets with the class as a one-hot joined
// to G's latent input and to D's input (spec.numClasses).
// cgan-mnist: the dcgan-mnist nets on the MNIST digit labels (G z(100) + 10; D 28x28x(1 + 10))
export const cganMnist = (): GanSpec => ({ ...dcganMnist(), name: "cgan-mnist", numClasses: 10 });
// cond-ring8: the reference nets on ring8 with Adam 1e-3 and the linear decay over 10,000 steps
// (the packed recipe's rates), the label being the mixture component (G z(2) + 8; D [2 + 8]); no
// packing (pack is not supported with labels yet)
export const condRing8 = (): GanSpec => ({ ...recipe(mlpRing8(), "cond-ring8"), pack: 1, numClasses: 8 });

export const presets: Record<string, () => GanSpec> = {
  ring8, grid25, "mlp-ring8": mlpRing8, "mlp-grid25": mlpGrid25, "dcgan-mnist": dcganMnist,
  "cgan-mnist": cganMnist, "cond-ring8": condRing8, "dcgan-stacked-mnist": dcganStackedMnist,
};

export function preset(name: string): GanSpec {
  const make = presets[name];
  if (!make) throw new Error(`unknown preset ${JSON.stringify(name)} (known: ${Object.keys(presets).join(", ")})`);
  return make();
}
