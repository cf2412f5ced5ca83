// The CycleGAN preset: "cyclegan-digits" (the bundled task of src/data/cycle_digits.ts), the
// official defaults (src/model/cyclegan_spec.ts) with nets scaled to 28 px: the ResNet generator
// with ngf 8 and 3 residual blocks at 7x7 (official: ngf 64, 9 blocks at 256 px), the PatchGAN
// with ndf 16 and two stride-2 layers (7x7 logits, 34x34 receptive field), batch 4 (official 1),
// learning rates held for the first half of the run and linear to 0 over the second.
// ndf 16, not 8: with ndf 8 one seed of five (5) learnt a pair of maps that scramble each digit and
// unscramble it again, recognised 13.8% / 21.5% (and at 8,000 steps too); with ndf 16, a setting
// fixed before its runs, every seed translates 97.5-98% both ways (README "CycleGAN").
import { resnetGenerator, patchDiscriminator } from "./cyclegan_nets.ts";
import { CYCLE_ADAM } from "./cyclegan_spec.ts";

export const CYCLE_PRESETS = ["cyclegan-digits"] as const;
export type CyclePresetName = (typeof CYCLE_PRESETS)[number];
export const CYCLE_PRESET_STEPS = 4000; // the preset's full run
// the preset's net sizes (bench/cyclegan_speed.ts builds the PyTorch peer's nets from them)
export const CYCLE_PRESET_NETS = { ngf: 8, blocks: 3, ndf: 16, layers: 2 } as const;

// ngf / ndf: the generators' and discriminators' first-layer filters (the studies vary them:
// bench/experiments/cyclegan_digits.ts)
export function cyclePreset(name: CyclePresetName, options: { steps?: number; lambda?: number; ngf?: number; ndf?: number } = {}) {
  if (!CYCLE_PRESETS.includes(name)) throw new RangeError(`unknown CycleGAN preset ${JSON.stringify(name)} (known: ${CYCLE_PRESETS.join(", ")})`);
  const steps = options.steps ?? CYCLE_PRESET_STEPS;
  const N = CYCLE_PRESET_NETS;
  const G = () => resnetGenerator({ channels: 1, ngf: options.ngf ?? N.ngf, blocks: N.blocks }), D = () => patchDiscriminator({ ndf: options.ndf ?? N.ndf, layers: N.layers });
  return {
    name, dataShape: [28, 28, 1], batchSize: 4, lambda: options.lambda ?? 10, identity: 0.5, poolSize: 50, init: "dcgan" as const,
    lrSchedule: { type: "linear" as const, steps },
    nets: { G: G(), F: G(), DA: D(), DB: D() },
    objective: { type: "cyclegan" as const, generator: "G", inverse: "F", discriminatorA: "DA", discriminatorB: "DB" },
    optimizer: { G: { ...CYCLE_ADAM }, F: { ...CYCLE_ADAM }, DA: { ...CYCLE_ADAM }, DB: { ...CYCLE_ADAM } },
  };
}
