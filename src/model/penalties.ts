// The spec's regularisers of the discriminator, checked against the loss and D's layers: WGAN weight
// clipping, WGAN-GP's gradient penalty, R1 and PGGAN's drift term (each refused with the field
// named where it does not apply), and where minibatch standard deviation may sit.
import type { LossName } from "./ops.ts";
import type { LayerSpec } from "./spec.ts";
import { SpecError, show, positiveInt } from "./spec_check.ts";

export const WGAN_CLIP_DEFAULT = 0.01; // Arjovsky et al. 2017
export const WGAN_GP_DEFAULT = 10;     // Gulrajani et al. 2017
export const R1_DEFAULT = 10;          // Mescheder et al. 2018 (their γ for most experiments)
export const DRIFT_DEFAULT = 0.001;    // Karras et al. 2018 (PGGAN), ε_drift

// the clipping bound, or 0 for none
export function validateClip(v: unknown, loss: LossName): number {
  if (v === undefined || v === false) return 0;
  const c = v === true ? WGAN_CLIP_DEFAULT : v;
  if (typeof c !== "number" || !Number.isFinite(c) || c <= 0 || c > 10) {
    throw new SpecError("spec.clip", `must be a number in (0, 10] or true (the WGAN paper's ${WGAN_CLIP_DEFAULT}) (got ${show(v)})`);
  }
  if (loss !== "wasserstein") {
    throw new SpecError("spec.clip", `weight clipping applies to the "wasserstein" loss only, not ${JSON.stringify(loss)}`);
  }
  return c;
}

// the penalty weight λ, or 0 for none
export function validateGradientPenalty(v: unknown, loss: LossName, clip: number, discriminator: LayerSpec[], dPath: string, numClasses: number | undefined): number {
  if (v === undefined || v === false) return 0;
  const lambda = v === true ? WGAN_GP_DEFAULT : v;
  if (typeof lambda !== "number" || !Number.isFinite(lambda) || lambda <= 0 || lambda > 1e4) {
    throw new SpecError("spec.gradientPenalty", `must be a number in (0, 10000] (the penalty weight lambda) or true (the WGAN-GP paper's ${WGAN_GP_DEFAULT}) (got ${show(v)})`);
  }
  if (loss !== "wasserstein") {
    throw new SpecError("spec.gradientPenalty", `the gradient penalty (WGAN-GP) applies to the "wasserstein" loss only, not ${JSON.stringify(loss)}`);
  }
  if (clip > 0) {
    throw new SpecError("spec.gradientPenalty", `use either the gradient penalty (WGAN-GP) or weight clipping (spec.clip ${clip}), not both: the penalty replaces clipping as the critic's Lipschitz constraint`);
  }
  const bn = discriminator.findIndex((l) => l.type === "batch_norm");
  if (bn >= 0) {
    throw new SpecError(`${dPath}[${bn}]`, `batch_norm is not allowed in a critic with a gradient penalty (spec.gradientPenalty): the penalty is on each sample's own input-gradient, which batch statistics couple across the batch (the WGAN-GP paper drops batch norm from the critic; remove it, or use no penalty)`);
  }
  noInstanceNorm(discriminator, dPath, "a critic with a gradient penalty (spec.gradientPenalty)");
  if (numClasses !== undefined) {
    throw new SpecError("spec.gradientPenalty", `the gradient penalty is not supported for conditional models (spec.numClasses ${numClasses}) yet`);
  }
  return lambda;
}

// R1's weight γ, or 0 for none (Mescheder et al. 2018: (γ/2)·E‖∇D(x)‖² on real data). Defined for
// the BCE losses, where the paper proves it makes training locally convergent: a Wasserstein,
// hinge or least-squares D has other regularisers (the gradient penalty, clipping).
export function validateR1(v: unknown, loss: LossName, discriminator: LayerSpec[], dPath: string, numClasses: number | undefined): number {
  if (v === undefined || v === false) return 0;
  const gamma = v === true ? R1_DEFAULT : v;
  if (typeof gamma !== "number" || !Number.isFinite(gamma) || gamma <= 0 || gamma > 1e4) {
    throw new SpecError("spec.r1", `must be a number in (0, 10000] (the R1 weight gamma) or true (${R1_DEFAULT}) (got ${show(v)})`);
  }
  if (loss !== "minimax" && loss !== "non-saturating") {
    throw new SpecError("spec.r1", `the R1 penalty applies to the "non-saturating" and "minimax" losses only, not ${JSON.stringify(loss)} (for "wasserstein" use spec.gradientPenalty)`);
  }
  const bn = discriminator.findIndex((l) => l.type === "batch_norm");
  if (bn >= 0) {
    throw new SpecError(`${dPath}[${bn}]`, `batch_norm is not allowed in a discriminator with the R1 penalty (spec.r1): the penalty is on each sample's own input-gradient, which batch statistics couple across the batch (remove it, or use no penalty)`);
  }
  noInstanceNorm(discriminator, dPath, "a discriminator with the R1 penalty (spec.r1)");
  if (numClasses !== undefined) {
    throw new SpecError("spec.r1", `the R1 penalty is not supported for conditional models (spec.numClasses ${numClasses}) yet`);
  }
  return gamma;
}

// instance normalisation has no tangent rules (assembly/nn/instance_norm.ts), which the penalties'
// double backprop needs
function noInstanceNorm(discriminator: LayerSpec[], dPath: string, where: string): void {
  const k = discriminator.findIndex((l) => l.type === "instance_norm");
  if (k >= 0) {
    throw new SpecError(`${dPath}[${k}]`, `instance_norm is not allowed in ${where}: the penalty differentiates D's input-gradient again (double backprop), and instance norm has no tangent rules (the CycleGAN objective takes no penalty; remove it, or use no penalty)`);
  }
}

// lazy R1's interval (1: every D update); only with R1
export function validateR1Every(v: unknown, r1: number): number {
  if (v === undefined) return 1;
  const k = positiveInt(v, "spec.r1Every", 10000);
  if (r1 === 0) throw new SpecError("spec.r1Every", `sets how often the R1 penalty is taken, but spec.r1 is off (got ${k})`);
  return k;
}

// the drift weight ε_drift, or 0 for none (PGGAN: ε_drift·E[D(x)²] on real data keeps the critic's
// values from drifting away from 0, which a Wasserstein loss alone does not fix)
export function validateDrift(v: unknown, loss: LossName): number {
  if (v === undefined || v === false) return 0;
  const eps = v === true ? DRIFT_DEFAULT : v;
  if (typeof eps !== "number" || !Number.isFinite(eps) || eps <= 0 || eps > 1) {
    throw new SpecError("spec.drift", `must be a number in (0, 1] (the drift weight epsilon) or true (the PGGAN paper's ${DRIFT_DEFAULT}) (got ${show(v)})`);
  }
  if (loss !== "wasserstein") {
    throw new SpecError("spec.drift", `the drift term applies to the "wasserstein" loss only, not ${JSON.stringify(loss)} (the other losses bound D's values themselves)`);
  }
  return eps;
}

// Minibatch standard deviation makes a sample's output depend on the rest of its group, so it
// sits in the discriminator only (the generator samples any number of rows), and D's batch of
// `rows` (spec.batchSize / spec.pack) must split into whole groups of min(groupSize, rows), as
// the official code requires.
export function checkMinibatchStd(generator: LayerSpec[], gPath: string, discriminator: LayerSpec[], dPath: string, rows: number): void {
  const g = generator.findIndex((l) => l.type === "minibatch_std");
  if (g >= 0) throw new SpecError(`${gPath}[${g}]`, `minibatch_std belongs in the discriminator: it makes each output depend on the other samples of its batch, and the generator samples any number of rows`);
  discriminator.forEach((l, i) => {
    if (l.type !== "minibatch_std") return;
    const G = Math.min(l.groupSize ?? 4, rows);
    if (rows % G !== 0) {
      throw new SpecError(`${dPath}[${i}].groupSize`, `the discriminator's batch of ${rows} rows (spec.batchSize / spec.pack) must split into groups of ${G}: use a groupSize that divides ${rows}, or another batch size (got ${l.groupSize ?? 4})`);
    }
  });
}
