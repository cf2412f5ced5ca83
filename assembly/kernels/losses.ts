// GAN losses on discriminator logits l: [n]. Each returns the mean loss and ADDS
// the gradient dL/dl into dl (so the real and the fake half can share one buffer).
// The BCE losses (codes 0, 1):
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
export const LOSS_WASSERSTEIN: i32 = 2;   // WGAN critic (l is the critic value); weight clipping optional
export const LOSS_HINGE: i32 = 3;         // hinge D, G maximises mean D(G(z))
export const LOSS_LEAST_SQUARES: i32 = 4; // LSGAN, a = 0, b = 1, c = 1

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

// ---- The non-probabilistic objectives (codes 2..4): the "logit" l is the raw critic / score
// value D(x); no sigmoid is applied. Each term is formed in f64 and the gradient is rounded to
// f32 once before it is added (|error| <= u·|g| + u·|dl|), the mean summed in f64 as above.

// L = s · mean l,  dL/dl = s / n   (s = ±1)
// @ts-ignore: decorator
@inline
function linearMean(dl: usize, l: usize, n: i32, s: f32): f32 {
  let sum: f64 = 0;
  const g: f32 = s / <f32>n;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    sum += <f64>load<f32>(l + o);
    store<f32>(dl + o, load<f32>(dl + o) + g);
  }
  return <f32>(<f64>s * sum / n);
}

// Wasserstein critic (Arjovsky et al. 2017): L_D = mean D(G(z)) − mean D(x), in two halves.
//   real:  L = −mean l,  dL/dl = −1/n
export function wassersteinReal(dl: usize, l: usize, n: i32): f32 {
  return linearMean(dl, l, n, -1);
}
//   fake:  L = mean l,  dL/dl = 1/n
export function wassersteinFake(dl: usize, l: usize, n: i32): f32 {
  return linearMean(dl, l, n, 1);
}
// Generator of the Wasserstein and the hinge objectives:  L_G = −mean D(G(z)),  dL/dl = −1/n
export function generatorWasserstein(dl: usize, l: usize, n: i32): f32 {
  return linearMean(dl, l, n, -1);
}

// Hinge (Lim & Ye 2017; Miyato et al. 2018): L_D = mean relu(1 − D(x)) + mean relu(1 + D(G(z))).
// At the kinks (l = 1 real, l = −1 fake) the gradient taken is 0, as relu'(0) = 0 in tfjs/PyTorch.
//   real:  L = mean relu(1 − l),  dL/dl = −[l < 1] / n
export function hingeReal(dl: usize, l: usize, n: i32): f32 {
  let sum: f64 = 0;
  const g: f32 = -1 / <f32>n;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const t: f64 = 1.0 - <f64>load<f32>(l + o);
    if (t > 0) {
      sum += t;
      store<f32>(dl + o, load<f32>(dl + o) + g);
    }
  }
  return <f32>(sum / n);
}
//   fake:  L = mean relu(1 + l),  dL/dl = [l > −1] / n
export function hingeFake(dl: usize, l: usize, n: i32): f32 {
  let sum: f64 = 0;
  const g: f32 = 1 / <f32>n;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const t: f64 = 1.0 + <f64>load<f32>(l + o);
    if (t > 0) {
      sum += t;
      store<f32>(dl + o, load<f32>(dl + o) + g);
    }
  }
  return <f32>(sum / n);
}

// Least squares (LSGAN, Mao et al. 2017, with a = 0, b = 1, c = 1), one kernel for the three terms:
//   L = ½ mean (l − target)²,  dL/dl = (l − target) / n
//   D real: target b = 1;  D fake: target a = 0;  G: target c = 1.
// The value overflows f32 (returns +Infinity) only where it exceeds 3.4e38, i.e. |l| > ~2.6e19;
// the gradient stays finite for every finite l.
export function leastSquares(dl: usize, l: usize, n: i32, target: f32): f32 {
  let sum: f64 = 0;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const d: f64 = <f64>load<f32>(l + o) - <f64>target;
    sum += d * d;
    store<f32>(dl + o, load<f32>(dl + o) + <f32>(d / <f64>n));
  }
  return <f32>(0.5 * sum / n);
}

// mean l: the critic's average raw output (the dReal / dFake statistic of codes 2..4)
export function meanLogit(l: usize, n: i32): f32 {
  let sum: f64 = 0;
  for (let i = 0; i < n; i++) sum += <f64>load<f32>(l + (<usize>i << 2));
  return <f32>(sum / n);
}
