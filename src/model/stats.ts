// The step's statistics by name: the one table of what each slot of the statistics block holds
// (assembly/train/stats.ts is its mirror in wasm; tests/model/stats.test.ts keeps them in sync).
// Hosts read the block through this table, never by position: the WASM engine reads the block
// from linear memory, the tfjs engine builds its [STAT_COUNT] tensor from it, checkpoints store
// the block as train.stats. Names are "<net>.<quantity>" (D: the discriminator or critic, G: the
// generator); StepStats keeps the public field names (dLoss, gLoss, ...).

// D(x) = σ(logit) for "minimax" and "non-saturating"; for "wasserstein", "hinge" and
// "least-squares" D(x) is the raw logit (the critic value), so D.real and D.fake are mean logits.
export const STATS = [
  { name: "D.loss", slot: 0, field: "dLoss", doc: "D's whole objective in its last update (WGAN-GP: the penalty included)" },
  { name: "G.loss", slot: 1, field: "gLoss", doc: "G's objective in its update" },
  { name: "D.real", slot: 2, field: "dReal", doc: "mean D(x) on the last real batch" },
  { name: "D.fake", slot: 3, field: "dFake", doc: "mean D(G(z)) on the last fake batch, before D's update" },
  { name: "D.gradNorm", slot: 4, field: "dGradNorm", doc: "‖∇_D L_D‖₂ of the last discriminator update" },
  { name: "G.gradNorm", slot: 5, field: "gGradNorm", doc: "‖∇_G L_G‖₂ of the generator update" },
  { name: "D.penalty", slot: 6, field: "penalty", doc: "D's input-gradient penalty in its last update: WGAN-GP's λ·mean(‖∇D(x̂)‖ − 1)², or R1's (γ/2)·mean‖∇D(x)‖² on the real batch (γ·r1Every with lazy R1; the losses never take both); 0 without one, or on an update lazy R1 skips" },
] as const;

// The block's length in floats: slot 7 is unused (0), kept so that version-1 checkpoints'
// train.stats [8] load as they are.
export const STAT_COUNT = 8;

export type StatName = (typeof STATS)[number]["name"];
export type StatField = (typeof STATS)[number]["field"];

// The statistics of the last completed step (TrainOptions.onStep, stats()).
export type StepStats = { step: number } & Record<StatField, number>;

export const STAT_SLOT = Object.fromEntries(STATS.map((s) => [s.name, s.slot])) as Record<StatName, number>;

// A block's values by name
export function namedStats(block: ArrayLike<number>): Record<StatName, number> {
  return Object.fromEntries(STATS.map((s) => [s.name, block[s.slot]])) as Record<StatName, number>;
}

// A block as the public StepStats, after `step` steps
export function stepStats(step: number, block: ArrayLike<number>): StepStats {
  const out = { step } as StepStats;
  for (const s of STATS) out[s.field] = block[s.slot];
  return out;
}

// The block's entries in slot order from values by name (`zero` in the unused slots): how an
// engine that computes its statistics elsewhere (tfjs tensors) lays them out.
export function statsBlock<T>(values: Record<StatName, T>, zero: () => T): T[] {
  const out: T[] = [];
  for (let i = 0; i < STAT_COUNT; i++) out.push(zero());
  for (const s of STATS) out[s.slot] = values[s.name];
  return out;
}
