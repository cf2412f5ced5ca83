// Instance normalisation (Ulyanov et al. 2016, "Instance Normalization: The Missing Ingredient
// for Fast Stylization"; CycleGAN's generator, Zhu et al. 2017, uses it with affine off, PyTorch's
// InstanceNorm2d default). Per sample i and channel c, over the P = h·w pixels of x [n, P, C]:
//   μ = mean_p x,  σ² = mean_p (x − μ)² (biased),  s = 1/sqrt(σ² + eps),  x̂ = (x − μ)·s
//   y = x̂                     (affine off: no parameters)
//   y = γ_c·x̂ + β_c           (affine on: params gamma [C] (init 1), beta [C] (init 0))
// No running statistics (track_running_stats off, as in the CycleGAN code): training and
// inference normalise alike, and the layer couples no samples.
// Backward, with g = dy·γ (dy when affine is off):
//   dx = s/P · (P·g − Σ_p g − x̂·Σ_p g·x̂);  dγ += Σ_{i,p} dy·x̂;  dβ += Σ_{i,p} dy
// The backward recomputes μ and s from x (one pass, the forward's own arithmetic, so the same
// bits) rather than saving them: a tape's saved block does not scale with the batch.
// Sums run in f64 in pixel order on the leading thread: the same bits whatever the thread count.
// No tangent rules (double backprop): the spec refuses it in a penalised critic, like batch norm.
import { Layer, LAYER_INSTANCE_NORM } from "./layer";

export class InstanceNorm extends Layer {
  // per channel, f64: μ and s of the current sample, then Σ g and Σ g·x̂
  private mu: usize;
  private inv: usize;
  private sg: usize;
  private sgx: usize;

  constructor(public pixels: i32, public channels: i32, public eps: f64, public affine: bool) {
    super(LAYER_INSTANCE_NORM, pixels * channels, pixels * channels);
    this.paramCount = affine ? 2 * channels : 0;
    const bytes = <usize>channels << 3;
    this.mu = heap.alloc(bytes);
    this.inv = heap.alloc(bytes);
    this.sg = heap.alloc(bytes);
    this.sgx = heap.alloc(bytes);
  }

  initParams(params: usize, rng: usize, scheme: i32): void {
    if (!this.affine) return;
    const c = this.channels, gamma = params + (<usize>this.paramOffset << 2);
    for (let j = 0; j < c; j++) store<f32>(gamma + (<usize>j << 2), 1);
    memory.fill(gamma + (<usize>c << 2), 0, <usize>c << 2);
  }

  // μ and s of sample xi [P, C] into this.mu, this.inv (two passes: mean, then centred squares)
  private moments(xi: usize): void {
    const P = this.pixels, C = this.channels;
    memory.fill(this.mu, 0, <usize>C << 3);
    memory.fill(this.inv, 0, <usize>C << 3);
    for (let p = 0; p < P; p++) {
      const row = xi + (<usize>(p * C) << 2);
      for (let c = 0; c < C; c++) {
        const o = <usize>c << 3;
        store<f64>(this.mu + o, load<f64>(this.mu + o) + <f64>load<f32>(row + (<usize>c << 2)));
      }
    }
    for (let c = 0; c < C; c++) store<f64>(this.mu + (<usize>c << 3), load<f64>(this.mu + (<usize>c << 3)) / <f64>P);
    for (let p = 0; p < P; p++) {
      const row = xi + (<usize>(p * C) << 2);
      for (let c = 0; c < C; c++) {
        const o = <usize>c << 3;
        const d = <f64>load<f32>(row + (<usize>c << 2)) - load<f64>(this.mu + o);
        store<f64>(this.inv + o, load<f64>(this.inv + o) + d * d);
      }
    }
    for (let c = 0; c < C; c++) {
      const o = <usize>c << 3;
      store<f64>(this.inv + o, 1.0 / Math.sqrt(load<f64>(this.inv + o) / <f64>P + this.eps));
    }
  }

  // x, y: [n, P, C]
  forward(params: usize, x: usize, y: usize, n: i32, training: bool, saved: usize): void {
    const P = this.pixels, C = this.channels, S = <usize>this.inSize << 2;
    const gamma = params + (<usize>this.paramOffset << 2), beta = gamma + (<usize>C << 2);
    for (let i = 0; i < n; i++) {
      const xi = x + <usize>i * S, yi = y + <usize>i * S;
      this.moments(xi);
      for (let p = 0; p < P; p++) {
        const o = <usize>(p * C) << 2;
        for (let c = 0; c < C; c++) {
          const oc = o + (<usize>c << 2), m = <usize>c << 3;
          const xh = (<f64>load<f32>(xi + oc) - load<f64>(this.mu + m)) * load<f64>(this.inv + m);
          let v = <f32>xh;
          if (this.affine) v = load<f32>(gamma + (<usize>c << 2)) * v + load<f32>(beta + (<usize>c << 2));
          store<f32>(yi + oc, v);
        }
      }
    }
  }

  backward(params: usize, grads: usize, x: usize, y: usize, dy: usize, dx: usize, n: i32, paramGrads: bool, saved: usize): void {
    const P = this.pixels, C = this.channels, S = <usize>this.inSize << 2;
    const affine = this.affine;
    const gamma = params + (<usize>this.paramOffset << 2);
    const dgamma = grads + (<usize>this.paramOffset << 2), dbeta = dgamma + (<usize>C << 2);
    const wantParams = affine && paramGrads;
    if (dx == 0 && !wantParams) return;
    for (let i = 0; i < n; i++) {
      const xi = x + <usize>i * S, dyi = dy + <usize>i * S;
      this.moments(xi);
      memory.fill(this.sg, 0, <usize>C << 3);
      memory.fill(this.sgx, 0, <usize>C << 3);
      // Σ_p dy and Σ_p dy·x̂ per channel (γ applied after: Σ g = γ·Σ dy)
      for (let p = 0; p < P; p++) {
        const o = <usize>(p * C) << 2;
        for (let c = 0; c < C; c++) {
          const oc = o + (<usize>c << 2), m = <usize>c << 3;
          const xh = (<f64>load<f32>(xi + oc) - load<f64>(this.mu + m)) * load<f64>(this.inv + m);
          const g = <f64>load<f32>(dyi + oc);
          store<f64>(this.sg + m, load<f64>(this.sg + m) + g);
          store<f64>(this.sgx + m, load<f64>(this.sgx + m) + g * xh);
        }
      }
      if (wantParams) {
        for (let c = 0; c < C; c++) {
          const o = <usize>c << 2, m = <usize>c << 3;
          store<f32>(dgamma + o, load<f32>(dgamma + o) + <f32>load<f64>(this.sgx + m));
          store<f32>(dbeta + o, load<f32>(dbeta + o) + <f32>load<f64>(this.sg + m));
        }
      }
      if (dx == 0) continue;
      const dxi = dx + <usize>i * S, fp = <f64>P;
      for (let p = 0; p < P; p++) {
        const o = <usize>(p * C) << 2;
        for (let c = 0; c < C; c++) {
          const oc = o + (<usize>c << 2), m = <usize>c << 3;
          const s = load<f64>(this.inv + m);
          const xh = (<f64>load<f32>(xi + oc) - load<f64>(this.mu + m)) * s;
          const gm: f64 = affine ? <f64>load<f32>(gamma + (<usize>c << 2)) : 1.0;
          const v = gm * s / fp * (fp * <f64>load<f32>(dyi + oc) - load<f64>(this.sg + m) - xh * load<f64>(this.sgx + m));
          store<f32>(dxi + oc, <f32>v);
        }
      }
    }
  }
}
