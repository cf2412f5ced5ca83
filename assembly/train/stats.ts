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
export const STAT_D_PENALTY: i32 = 6;   // WGAN-GP: λ·mean(‖∇D(x̂)‖ − 1)² of the last critic update (0 without one)
export const STAT_D_R1: i32 = 7;        // R1: (γ/2)·mean‖∇D(x)‖² on the real batch of D's last update (0 without it, or on an update lazy regularisation skips)
// the block keeps 8 slots, the length of version-1 checkpoints' train.stats (their slot 7 was 0)
export const STAT_COUNT: i32 = 8;
