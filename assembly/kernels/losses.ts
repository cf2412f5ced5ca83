// GAN losses on discriminator logits l: [n]. Each returns the mean loss and ADDS
// the gradient dL/dl into dl (so the real and the fake half can share one buffer).
//   D(x) = σ(l);  −log σ(l) = softplus(−l);  −log(1 − σ(l)) = softplus(l)
// softplus(x) = max(x, 0) + log1p(exp(−|x|)) never overflows and never takes log(0).
import { sigmoid } from "./activations";

// @ts-ignore: decorator
@inline
export function softplus(x: f32): f32 {
  return max<f32>(x, 0) + Mathf.log1p(Mathf.exp(-Mathf.abs(x)));
}

export const LOSS_MINIMAX: i32 = 0;        // original GAN: G minimises log(1 − D(G(z)))  (saturating)
export const LOSS_NON_SATURATING: i32 = 1; // G maximises log D(G(z))
export const LOSS_WASSERSTEIN: i32 = 2;
export const LOSS_HINGE: i32 = 3;
export const LOSS_LEAST_SQUARES: i32 = 4;

// Discriminator on real samples, target label `target` (1, or 1 − ε with one-sided smoothing):
//   L = mean[ target·softplus(−l) + (1 − target)·softplus(l) ],  dL/dl = (σ(l) − target) / n
export function bceLogitsReal(dl: usize, l: usize, n: i32, target: f32): f32 {
  let sum: f64 = 0;
  const inv: f32 = 1 / <f32>n;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const x = load<f32>(l + o);
    sum += target * softplus(-x) + (1 - target) * softplus(x);
    store<f32>(dl + o, load<f32>(dl + o) + (sigmoid(x) - target) * inv);
  }
  return <f32>(sum / n);
}

// Discriminator on fake samples (label 0):  L = mean softplus(l),  dL/dl = σ(l) / n
export function bceLogitsFake(dl: usize, l: usize, n: i32): f32 {
  let sum: f64 = 0;
  const inv: f32 = 1 / <f32>n;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const x = load<f32>(l + o);
    sum += softplus(x);
    store<f32>(dl + o, load<f32>(dl + o) + sigmoid(x) * inv);
  }
  return <f32>(sum / n);
}

// Generator, saturating minimax:  L = mean log(1 − σ(l)) = −mean softplus(l),  dL/dl = −σ(l) / n
export function generatorMinimax(dl: usize, l: usize, n: i32): f32 {
  let sum: f64 = 0;
  const inv: f32 = 1 / <f32>n;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const x = load<f32>(l + o);
    sum -= softplus(x);
    store<f32>(dl + o, load<f32>(dl + o) - sigmoid(x) * inv);
  }
  return <f32>(sum / n);
}

// Generator, non-saturating:  L = −mean log σ(l) = mean softplus(−l),  dL/dl = (σ(l) − 1) / n
export function generatorNonSaturating(dl: usize, l: usize, n: i32): f32 {
  let sum: f64 = 0;
  const inv: f32 = 1 / <f32>n;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const x = load<f32>(l + o);
    sum += softplus(-x);
    store<f32>(dl + o, load<f32>(dl + o) + (sigmoid(x) - 1) * inv);
  }
  return <f32>(sum / n);
}

// mean σ(l): the discriminator's average belief that its inputs are real
export function meanSigmoid(l: usize, n: i32): f32 {
  let sum: f64 = 0;
  for (let i = 0; i < n; i++) sum += sigmoid(load<f32>(l + (<usize>i << 2)));
  return <f32>(sum / n);
}
