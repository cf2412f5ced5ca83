// 2×2 average pooling, stride 2 (progressive growing's downscale2d, Karras et al. 2018: the
// official code's downscale2d(x, factor=2) = avg_pool 2×2 'VALID', tkarras/progressive_growing_of_gans
// networks.py; tfjs's avgPool(x, 2, 2, 'valid')). No parameters; h and w even (the spec checks).
//   x: [n, h, w, c] -> y: [n, h/2, w/2, c],
//   y[i, a, b, :] = 0.25·(x[2a, 2b] + x[2a, 2b + 1] + x[2a + 1, 2b] + x[2a + 1, 2b + 1])  (in that order)
// Backward (the adjoint): dx[i, 2a + p, 2b + q, :] = 0.25·dy[i, a, b, :].
// A linear map with a constant Jacobian: its tangent rules are its ordinary rules on the tangents
// (assembly/nn/layer.ts), ẏ = forward(ẋ), x̄ = backward(ȳ), and ȳ = 0 gives x̄ = 0. Serial loops
// on the calling thread: the same bits whatever the thread count.
import { Layer, LAYER_AVG_POOL } from "./layer";

export class AvgPool extends Layer {
  // h, w, c: the input's [h, w, c]
  constructor(public h: i32, public w: i32, public c: i32) {
    super(LAYER_AVG_POOL, h * w * c, (h >> 1) * (w >> 1) * c);
  }

  forward(params: usize, x: usize, y: usize, n: i32, training: bool, saved: usize): void {
    this.pool(x, y, n);
  }

  backward(params: usize, grads: usize, x: usize, y: usize, dy: usize, dx: usize, n: i32, paramGrads: bool, saved: usize): void {
    if (dx != 0) this.spread(dy, dx, n);
  }

  forwardTangent(params: usize, x: usize, y: usize, xdot: usize, ydot: usize, n: i32): void {
    this.pool(xdot, ydot, n);
  }

  backwardTangent(params: usize, grads: usize, x: usize, y: usize, xdot: usize, ybar: usize, ydotbar: usize, xbar: usize, n: i32): bool {
    if (ybar == 0 || xbar == 0) return false;
    this.spread(ybar, xbar, n);
    return true;
  }

  // src [n, h, w, c] -> dst [n, h/2, w/2, c]
  private pool(src: usize, dst: usize, n: i32): void {
    const oh = this.h >> 1, ow = this.w >> 1, C = this.c;
    const rowBytes = <usize>C << 2, W = <usize>this.w;
    for (let i = 0; i < n; i++) {
      const s0 = src + <usize>i * <usize>this.inSize * 4, d0 = dst + <usize>i * <usize>this.outSize * 4;
      for (let a = 0; a < oh; a++) {
        for (let b = 0; b < ow; b++) {
          const top = s0 + (<usize>(2 * a) * W + <usize>(2 * b)) * rowBytes, bottom = top + W * rowBytes;
          const d = d0 + (<usize>(a * ow + b)) * rowBytes;
          for (let k = 0; k < C; k++) {
            const ko = <usize>k << 2;
            const s = load<f32>(top + ko) + load<f32>(top + rowBytes + ko) + load<f32>(bottom + ko) + load<f32>(bottom + rowBytes + ko);
            store<f32>(d + ko, <f32>0.25 * s);
          }
        }
      }
    }
  }

  // g [n, h/2, w/2, c] -> out [n, h, w, c] (WRITTEN): 0.25·g at each pixel of its 2×2 block
  private spread(g: usize, out: usize, n: i32): void {
    const oh = this.h >> 1, ow = this.w >> 1, C = this.c;
    const rowBytes = <usize>C << 2, W = <usize>this.w;
    for (let i = 0; i < n; i++) {
      const g0 = g + <usize>i * <usize>this.outSize * 4, o0 = out + <usize>i * <usize>this.inSize * 4;
      for (let a = 0; a < oh; a++) {
        for (let b = 0; b < ow; b++) {
          const s = g0 + (<usize>(a * ow + b)) * rowBytes;
          const top = o0 + (<usize>(2 * a) * W + <usize>(2 * b)) * rowBytes, bottom = top + W * rowBytes;
          for (let k = 0; k < C; k++) {
            const ko = <usize>k << 2;
            const v = <f32>0.25 * load<f32>(s + ko);
            store<f32>(top + ko, v);
            store<f32>(top + rowBytes + ko, v);
            store<f32>(bottom + ko, v);
            store<f32>(bottom + rowBytes + ko, v);
          }
        }
      }
    }
  }
}
