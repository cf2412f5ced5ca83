// Nearest-neighbour upsampling ×2 (progressive growing's upscale2d, Karras et al. 2018: the
// official code's upscale2d(x, factor=2), tkarras/progressive_growing_of_gans networks.py; tfjs's
// resizeNearestNeighbor with alignCorners = halfPixelCenters = false at an exact factor 2). No parameters.
//   x: [n, h, w, c] -> y: [n, 2h, 2w, c],  y[i, 2a + p, 2b + q, :] = x[i, a, b, :]  (p, q in {0, 1})
// Backward (the adjoint: a 2×2 sum pool):
//   dx[i, a, b, :] = dy[2a, 2b] + dy[2a, 2b + 1] + dy[2a + 1, 2b] + dy[2a + 1, 2b + 1]  (in that order)
// A linear map with a constant Jacobian, so its tangent rules are its ordinary rules on the
// tangents (assembly/nn/layer.ts): ẏ = forward(ẋ), x̄ = backward(ȳ), no second-order term, and
// ȳ = 0 gives x̄ = 0. Serial loops on the calling thread: the same bits whatever the thread count.
import { Layer, LAYER_UPSAMPLE } from "./layer";

export class Upsample extends Layer {
  constructor(public h: i32, public w: i32, public c: i32) {
    super(LAYER_UPSAMPLE, h * w * c, 4 * h * w * c);
  }

  forward(params: usize, x: usize, y: usize, n: i32, training: bool, saved: usize): void {
    this.up(x, y, n);
  }

  backward(params: usize, grads: usize, x: usize, y: usize, dy: usize, dx: usize, n: i32, paramGrads: bool, saved: usize): void {
    if (dx != 0) this.down(dy, dx, n);
  }

  forwardTangent(params: usize, x: usize, y: usize, xdot: usize, ydot: usize, n: i32): void {
    this.up(xdot, ydot, n);
  }

  backwardTangent(params: usize, grads: usize, x: usize, y: usize, xdot: usize, ybar: usize, ydotbar: usize, xbar: usize, n: i32): bool {
    if (ybar == 0 || xbar == 0) return false;
    this.down(ybar, xbar, n);
    return true;
  }

  // src [n, h, w, c] -> dst [n, 2h, 2w, c]: each pixel's c floats copied to its 2×2 block
  private up(src: usize, dst: usize, n: i32): void {
    const h = this.h, w = this.w, rowBytes = <usize>this.c << 2;
    const W2 = <usize>(2 * w);
    for (let i = 0; i < n; i++) {
      const s0 = src + <usize>i * <usize>this.inSize * 4, d0 = dst + <usize>i * <usize>this.outSize * 4;
      for (let a = 0; a < h; a++) {
        for (let b = 0; b < w; b++) {
          const s = s0 + (<usize>(a * w + b)) * rowBytes;
          const top = d0 + (<usize>(2 * a) * W2 + <usize>(2 * b)) * rowBytes, bottom = top + W2 * rowBytes;
          memory.copy(top, s, rowBytes);
          memory.copy(top + rowBytes, s, rowBytes);
          memory.copy(bottom, s, rowBytes);
          memory.copy(bottom + rowBytes, s, rowBytes);
        }
      }
    }
  }

  // g [n, 2h, 2w, c] -> out [n, h, w, c] (WRITTEN): the sum of each 2×2 block
  private down(g: usize, out: usize, n: i32): void {
    const h = this.h, w = this.w, C = this.c;
    const W2 = <usize>(2 * w), rowBytes = <usize>C << 2;
    for (let i = 0; i < n; i++) {
      const g0 = g + <usize>i * <usize>this.outSize * 4, o0 = out + <usize>i * <usize>this.inSize * 4;
      for (let a = 0; a < h; a++) {
        for (let b = 0; b < w; b++) {
          const top = g0 + (<usize>(2 * a) * W2 + <usize>(2 * b)) * rowBytes, bottom = top + W2 * rowBytes;
          const o = o0 + (<usize>(a * w + b)) * rowBytes;
          for (let k = 0; k < C; k++) {
            const ko = <usize>k << 2;
            store<f32>(o + ko, load<f32>(top + ko) + load<f32>(top + rowBytes + ko) + load<f32>(bottom + ko) + load<f32>(bottom + rowBytes + ko));
          }
        }
      }
    }
  }
}
