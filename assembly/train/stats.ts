// The step's statistics block: STAT_COUNT f32 slots, one per named statistic, written by the step
// (assembly/train/gan.ts) and read by the hosts by name through src/model/stats.ts, which mirrors
// this table (tests/model/stats.test.ts keeps the two in sync: STAT_<NET>_<QUANTITY> here is
// "<net>.<quantity>" there, e.g. STAT_D_GRAD_NORM = "D.gradNorm").
// D(x) is σ(logit) for the BCE losses (minimax, non-saturating) and the raw logit (the critic
// value) for wasserstein, hinge and least-squares.
export const STAT_D_LOSS: i32 = 0;      // D's whole objective in its last update (the penalty included)
export const STAT_G_LOSS: i32 = 1;      // G's objective in its update
export const STAT_D_REAL: i32 = 2;      // mean D(x) on the last real batch
export const STAT_D_FAKE: i32 = 3;      // mean D(G(z)) on the last fake batch, before D's update
export const STAT_D_GRAD_NORM: i32 = 4; // ‖∇_D L_D‖₂ of the last D update
export const STAT_G_GRAD_NORM: i32 = 5; // ‖∇_G L_G‖₂
// D's input-gradient penalty in its last update: WGAN-GP's λ·mean(‖∇D(x̂)‖ − 1)², or R1's
// (γ/2)·mean‖∇D(x)‖² on the real batch (the losses never take both); 0 without one, or on an
// update that lazy R1 skips
export const STAT_D_PENALTY: i32 = 6;
// slot 7 is unused (0): the block keeps 8 slots, the length of version-1 checkpoints' train.stats
export const STAT_COUNT: i32 = 8;
