// Minibatch standard deviation (Karras et al. 2018, "Progressive Growing of GANs for Improved
// Quality, Stability, and Variation", §3; the official code's minibatch_stddev_layer,
// tkarras/progressive_growing_of_gans networks.py). No parameters.
//   x: [n, P, C] -> y: [n, P, C + 1]   (images: P = h·w pixels, NHWC; flat features: P = 1)
// Groups: G = min(groupSize, n) samples (when n is not a multiple of it, the largest divisor of n
// below it: the spec refuses training batches where that happens), M = n / G groups, and sample i
// is in group m = i mod M (the official reshape of [n, ...] to [G, M, ...]: group m holds samples
// m, m + M, ..., m + (G − 1)·M). Per group, over the F = P·C features f (every pixel and channel):
//   μ_f = mean_k x_kf,  σ_f = sqrt(mean_k (x_kf − μ_f)² + 1e-8)  (the biased variance, ε inside),
//   s = mean_f σ_f,  and y[i] = [x[i], s] at every pixel p of every member i.
// Backward, with d_if = x_if − μ_f (∂σ_f/∂x_if = d_if / (G·σ_f): the μ terms cancel) and
// T = Σ_{k in the group, p} dy[k, p, C]:
//   dx_if = dy[i, p, c] + T · d_if / (F·G·σ_f)
// Tangent rules (double backprop: assembly/nn/layer.ts). The layer couples a group's samples, so
// these are the rules of the whole batch's Jacobian (a penalty's per-sample gradient g_i is then
// row i of ∂(Σ_j D(x)_j)/∂x, as the official code's tf.gradients of the summed scores gives):
//   forward:  ẏ = [ẋ, ṡ],  ṡ = Σ_{i,f} d_if ẋ_if / (F·G·σ_f)
//   backward: with U = Σ_{k,p} ẏ̄[k, p, C], e_if = ẋ_if − mean_k ẋ_kf, Q_f = Σ_k d_kf ẋ_kf,
//     x̄_if = backward(ȳ)_if + U/(F·G) · (e_if/σ_f − Q_f·d_if / (G·σ_f³))
//   (∂(d_if/σ_f)/∂x_jf summed against ẋ). x̄ is nonzero even when ȳ = 0.
// Sums run in f64, serially, on the leading thread: the same bits whatever the thread count.
import { Layer, LAYER_MINIBATCH_STD } from "./layer";

const EPS: f64 = 1e-8;

// the group size for a batch of n: min(groupSize, n), down to the largest divisor of n
export function groupFor(groupSize: i32, n: i32): i32 {
  let g = min(groupSize, n);
  while (g > 1 && n % g != 0) g--;
  return max(g, 1);
}

// @ts-ignore: decorator
@inline function at(p: usize, i: i32): f64 { return <f64>load<f32>(p + (<usize>i << 2)); }

export class MinibatchStd extends Layer {
  constructor(public pixels: i32, public channels: i32, public groupSize: i32) {
    super(LAYER_MINIBATCH_STD, pixels * channels, pixels * (channels + 1));
  }

  // feature f = p·C + c of sample i: its offset in x, and in y
  // @ts-ignore: decorator
  @inline private xo(i: i32, f: i32): i32 { return i * this.inSize + f; }
  // @ts-ignore: decorator
  @inline private yo(i: i32, f: i32): i32 { return i * this.outSize + f + f / this.channels; }

  // μ_f and σ_f of feature f over group m (G members, stride M): into this.mu, this.sigma
  private mu: f64 = 0;
  private sigma: f64 = 0;
  private moments(x: usize, m: i32, M: i32, G: i32, f: i32): void {
    let s: f64 = 0;
    for (let k = 0; k < G; k++) s += at(x, this.xo(m + k * M, f));
    const mu = s / <f64>G;
    let v: f64 = 0;
    for (let k = 0; k < G; k++) {
      const d = at(x, this.xo(m + k * M, f)) - mu;
      v += d * d;
    }
    this.mu = mu;
    this.sigma = Math.sqrt(v / <f64>G + EPS);
  }

  // Σ over group m's members and pixels of the extra channel of a [n, P, C + 1] buffer
  private extraSum(b: usize, m: i32, M: i32, G: i32): f64 {
    const P = this.pixels, C = this.channels, O = this.outSize;
    let t: f64 = 0;
    for (let k = 0; k < G; k++) {
      const base = (m + k * M) * O;
      for (let p = 0; p < P; p++) t += at(b, base + p * (C + 1) + C);
    }
    return t;
  }

  forward(params: usize, x: usize, y: usize, n: i32, training: bool, saved: usize): void {
    const P = this.pixels, C = this.channels, F = this.inSize;
    const G = groupFor(this.groupSize, n), M = n / G;
    for (let m = 0; m < M; m++) {
      let acc: f64 = 0;
      for (let f = 0; f < F; f++) {
        this.moments(x, m, M, G, f);
        acc += this.sigma;
      }
      const s = <f32>(acc / <f64>F);
      for (let k = 0; k < G; k++) {
        const i = m + k * M;
        for (let p = 0; p < P; p++) {
          const dst = y + (<usize>(i * this.outSize + p * (C + 1)) << 2);
          memory.copy(dst, x + (<usize>this.xo(i, p * C) << 2), <usize>C << 2);
          store<f32>(dst + (<usize>C << 2), s);
        }
      }
    }
  }

  backward(params: usize, grads: usize, x: usize, y: usize, dy: usize, dx: usize, n: i32, paramGrads: bool, saved: usize): void {
    if (dx == 0) return;
    this.backwardInto(x, dy, dx, n);
  }

  // dx = Jᵀ dy (WRITTEN)
  private backwardInto(x: usize, dy: usize, dx: usize, n: i32): void {
    const F = this.inSize, G = groupFor(this.groupSize, n), M = n / G;
    const FG = <f64>F * <f64>G;
    for (let m = 0; m < M; m++) {
      const T = this.extraSum(dy, m, M, G);
      for (let f = 0; f < F; f++) {
        this.moments(x, m, M, G, f);
        const mu = this.mu, c = T / (FG * this.sigma);
        for (let k = 0; k < G; k++) {
          const i = m + k * M;
          store<f32>(dx + (<usize>this.xo(i, f) << 2), <f32>(at(dy, this.yo(i, f)) + c * (at(x, this.xo(i, f)) - mu)));
        }
      }
    }
  }

  forwardTangent(params: usize, x: usize, y: usize, xdot: usize, ydot: usize, n: i32): void {
    const P = this.pixels, C = this.channels, F = this.inSize, G = groupFor(this.groupSize, n), M = n / G;
    const FG = <f64>F * <f64>G;
    for (let m = 0; m < M; m++) {
      let sd: f64 = 0;
      for (let f = 0; f < F; f++) {
        this.moments(x, m, M, G, f);
        const mu = this.mu;
        let q: f64 = 0;
        for (let k = 0; k < G; k++) {
          const o = this.xo(m + k * M, f);
          q += (at(x, o) - mu) * at(xdot, o);
        }
        sd += q / this.sigma;
      }
      const s = <f32>(sd / FG);
      for (let k = 0; k < G; k++) {
        const i = m + k * M;
        for (let p = 0; p < P; p++) {
          const dst = ydot + (<usize>(i * this.outSize + p * (C + 1)) << 2);
          memory.copy(dst, xdot + (<usize>this.xo(i, p * C) << 2), <usize>C << 2);
          store<f32>(dst + (<usize>C << 2), s);
        }
      }
    }
  }

  backwardTangent(params: usize, grads: usize, x: usize, y: usize, xdot: usize, ybar: usize, ydotbar: usize, xbar: usize, n: i32): bool {
    if (xbar == 0) return false;
    const F = this.inSize, G = groupFor(this.groupSize, n), M = n / G;
    const FG = <f64>F * <f64>G, g = <f64>G;
    for (let m = 0; m < M; m++) {
      const U = this.extraSum(ydotbar, m, M, G) / FG;
      const T = ybar != 0 ? this.extraSum(ybar, m, M, G) : 0;
      for (let f = 0; f < F; f++) {
        this.moments(x, m, M, G, f);
        const mu = this.mu, sig = this.sigma;
        let q: f64 = 0, mdot: f64 = 0;
        for (let k = 0; k < G; k++) {
          const o = this.xo(m + k * M, f);
          q += (at(x, o) - mu) * at(xdot, o);
          mdot += at(xdot, o);
        }
        mdot /= g;
        const c = T / (FG * sig), qc = q / (g * sig * sig * sig);
        for (let k = 0; k < G; k++) {
          const i = m + k * M, o = this.xo(i, f);
          const d = at(x, o) - mu;
          let v = U * ((at(xdot, o) - mdot) / sig - qc * d);
          if (ybar != 0) v += at(ybar, this.yo(i, f)) + c * d;
          store<f32>(xbar + (<usize>o << 2), <f32>v);
        }
      }
    }
    return true;
  }
}
