// Pixelwise feature normalisation (Karras et al. 2018, PGGAN §4.2; the official code's
// pixel_norm(x, epsilon=1e-8), tkarras/progressive_growing_of_gans networks.py): each pixel's
// feature vector scaled to unit mean square. No parameters.
//   x: [n, P, C] -> y: [n, P, C]  (images: P = h·w pixels, NHWC; flat features: P = 1, C = d)
//   per row (a pixel of a sample): m = (1/C)·Σ_c x_c² + ε,  r = 1/sqrt(m),  y_c = r·x_c
// Backward (J is symmetric: J_ck = r·δ_ck − (r³/C)·x_c·x_k):
//   dx_k = r·dy_k − (r³/C)·x_k·Σ_c x_c·dy_c
// Tangent rules (double backprop: assembly/nn/layer.ts), per row with q = Σ_c x_c·ẋ_c:
//   forward:  ẏ_c = r·ẋ_c − (r³/C)·x_c·q
//   backward: with a = Σ_c ẏ̄_c·ẋ_c, b = Σ_c ẏ̄_c·x_c (T = ẏ̄·(J ẋ) = r·a − (r³/C)·q·b),
//     x̄_k = (Jᵀȳ)_k − (r³/C)·a·x_k + (3r⁵/C²)·q·b·x_k − (r³/C)·(b·ẋ_k + q·ẏ̄_k)
//   x̄ is nonzero even when ȳ = 0 (r depends on x).
// Sums and r in f64, serially on the calling thread: the same bits whatever the thread count.
import { Layer, LAYER_PIXEL_NORM } from "./layer";

// @ts-ignore: decorator
@inline function at(p: usize, k: i32): f64 { return <f64>load<f32>(p + (<usize>k << 2)); }
// @ts-ignore: decorator
@inline function put(p: usize, k: i32, v: f64): void { store<f32>(p + (<usize>k << 2), <f32>v); }

// Σ_c a_c·b_c over one row of C floats, in f64
function dot(a: usize, b: usize, C: i32): f64 {
  let s: f64 = 0;
  for (let c = 0; c < C; c++) s += at(a, c) * at(b, c);
  return s;
}

export class PixelNorm extends Layer {
  constructor(size: i32, public channels: i32, public eps: f64) {
    super(LAYER_PIXEL_NORM, size, size);
  }

  // r = 1/sqrt(mean_c x_c² + ε) of the row at x
  // @ts-ignore: decorator
  @inline private rOf(x: usize): f64 {
    const C = this.channels;
    return 1.0 / Math.sqrt(dot(x, x, C) / <f64>C + this.eps);
  }

  forward(params: usize, x: usize, y: usize, n: i32, training: bool, saved: usize): void {
    const C = this.channels, rows = n * (this.inSize / C), rb = <usize>C << 2;
    for (let i = 0; i < rows; i++) {
      const xr = x + <usize>i * rb, yr = y + <usize>i * rb;
      const r = this.rOf(xr);
      for (let c = 0; c < C; c++) put(yr, c, r * at(xr, c));
    }
  }

  backward(params: usize, grads: usize, x: usize, y: usize, dy: usize, dx: usize, n: i32, paramGrads: bool, saved: usize): void {
    if (dx == 0) return;
    const C = this.channels, rows = n * (this.inSize / C), rb = <usize>C << 2;
    for (let i = 0; i < rows; i++) {
      const o = <usize>i * rb, xr = x + o, gr = dy + o, dr = dx + o;
      const r = this.rOf(xr), k = r * r * r / <f64>C * dot(xr, gr, C);
      for (let c = 0; c < C; c++) put(dr, c, r * at(gr, c) - k * at(xr, c));
    }
  }

  forwardTangent(params: usize, x: usize, y: usize, xdot: usize, ydot: usize, n: i32): void {
    const C = this.channels, rows = n * (this.inSize / C), rb = <usize>C << 2;
    for (let i = 0; i < rows; i++) {
      const o = <usize>i * rb, xr = x + o, tr = xdot + o, yr = ydot + o;
      const r = this.rOf(xr), k = r * r * r / <f64>C * dot(xr, tr, C);
      for (let c = 0; c < C; c++) put(yr, c, r * at(tr, c) - k * at(xr, c));
    }
  }

  backwardTangent(params: usize, grads: usize, x: usize, y: usize, xdot: usize, ybar: usize, ydotbar: usize, xbar: usize, n: i32): bool {
    if (xbar == 0) return false;
    const C = this.channels, rows = n * (this.inSize / C), rb = <usize>C << 2, Cf = <f64>C;
    for (let i = 0; i < rows; i++) {
      const o = <usize>i * rb, xr = x + o, tr = xdot + o, ur = ydotbar + o, out = xbar + o;
      const r = this.rOf(xr), r3C = r * r * r / Cf;
      const q = dot(xr, tr, C), a = dot(ur, tr, C), b = dot(ur, xr, C);
      const kx = -r3C * a + 3.0 * r3C * r * r / Cf * q * b; // the coefficient of x_k
      const kb = ybar != 0 ? r3C * dot(xr, ybar + o, C) : 0;
      for (let c = 0; c < C; c++) {
        let v = (kx - kb) * at(xr, c) - r3C * (b * at(tr, c) + q * at(ur, c));
        if (ybar != 0) v += r * at(ybar + o, c);
        put(out, c, v);
      }
    }
    return true;
  }
}
