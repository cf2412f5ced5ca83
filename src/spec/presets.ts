// The reference workloads of DESIGN.md, as specs.
import type { GanSpec, LayerSpec } from "./spec.ts";

const mlp = (hidden: number, width: number, out: number): LayerSpec[] => [
  ...Array.from({ length: hidden }, () => [{ type: "dense", units: width }, { type: "relu" }] as LayerSpec[]).flat(),
  { type: "dense", units: out },
];

const adam = (lr: number, beta1 = 0.5, beta2 = 0.999) => ({ type: "adam" as const, lr, beta1, beta2 });

// mlp-ring8: G z(2) -> 4 x (Dense 128, ReLU) -> Dense 2;  D 3 x (Dense 128, ReLU) -> Dense 1
export function ring8(): GanSpec {
  return {
    name: "ring8",
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
export function grid25(): GanSpec {
  return { ...ring8(), name: "grid25" };
}

export const presets: Record<string, () => GanSpec> = { ring8, grid25 };

export function preset(name: string): GanSpec {
  const make = presets[name];
  if (!make) throw new Error(`unknown preset ${JSON.stringify(name)} (known: ${Object.keys(presets).join(", ")})`);
  return make();
}
