// Reflection padding (PyTorch's ReflectionPad2d, tfjs mirrorPad "reflect"; the CycleGAN
// generator pads with it before its 7×7 and 3×3 convolutions instead of zeros, Zhu et al. 2017).
//   x [n, h, w, c] -> y [n, h + 2·ph, w + 2·pw, c], no parameters, ph < h and pw < w:
//   y[r, q] = x[refl(r − ph, h), refl(q − pw, w)],  refl(i, m) = |i| mirrored at 0 and m − 1
//   (the edge row is not repeated: refl(−1) = 1, refl(m) = m − 2)
// Backward: dx[j] = Σ of dy over the output positions that read j (edge-near pixels are read
// twice), added in output order. A linear map with no constant term: its tangent rules are its
// ordinary rules on the tangents (ẏ = pad(ẋ), x̄ = padᵀ(ȳ), nothing from ȳ = 0).
import { Layer, LAYER_REFLECTION_PAD } from "./layer";

// @ts-ignore: decorator
@inline function refl(i: i32, m: i32): i32 {
  if (i < 0) return -i;
  if (i >= m) return 2 * (m - 1) - i;
  return i;
}

export class ReflectionPad extends Layer {
  constructor(public h: i32, public w: i32, public c: i32, public ph: i32, public pw: i32) {
    super(LAYER_REFLECTION_PAD, h * w * c, (h + 2 * ph) * (w + 2 * pw) * c);
  }

  // y = pad(x)
  private pad(x: usize, y: usize, n: i32): void {
    const h = this.h, w = this.w, c = this.c, H = h + 2 * this.ph, W = w + 2 * this.pw;
    const rowBytes = <usize>c << 2;
    for (let i = 0; i < n; i++) {
      const xi = x + <usize>i * (<usize>this.inSize << 2), yi = y + <usize>i * (<usize>this.outSize << 2);
      for (let r = 0; r < H; r++) {
        const sr = refl(r - this.ph, h);
        for (let q = 0; q < W; q++) {
          const sq = refl(q - this.pw, w);
          memory.copy(yi + <usize>(r * W + q) * rowBytes, xi + <usize>(sr * w + sq) * rowBytes, rowBytes);
        }
      }
    }
  }

  // dx = padᵀ(dy) (WRITTEN)
  private unpad(dy: usize, dx: usize, n: i32): void {
    const h = this.h, w = this.w, c = this.c, H = h + 2 * this.ph, W = w + 2 * this.pw;
    memory.fill(dx, 0, <usize>n * (<usize>this.inSize << 2));
    for (let i = 0; i < n; i++) {
      const dxi = dx + <usize>i * (<usize>this.inSize << 2), dyi = dy + <usize>i * (<usize>this.outSize << 2);
      for (let r = 0; r < H; r++) {
        const sr = refl(r - this.ph, h);
        for (let q = 0; q < W; q++) {
          const sq = refl(q - this.pw, w);
          const d = dxi + (<usize>((sr * w + sq) * c) << 2), s = dyi + (<usize>((r * W + q) * c) << 2);
          for (let k = 0; k < c; k++) {
            const o = <usize>k << 2;
            store<f32>(d + o, load<f32>(d + o) + load<f32>(s + o));
          }
        }
      }
    }
  }

  forward(params: usize, x: usize, y: usize, n: i32, training: bool, saved: usize): void { this.pad(x, y, n); }

  backward(params: usize, grads: usize, x: usize, y: usize, dy: usize, dx: usize, n: i32, paramGrads: bool, saved: usize): void {
    if (dx != 0) this.unpad(dy, dx, n);
  }

  forwardTangent(params: usize, x: usize, y: usize, xdot: usize, ydot: usize, n: i32): void { this.pad(xdot, ydot, n); }

  backwardTangent(params: usize, grads: usize, x: usize, y: usize, xdot: usize, ybar: usize, ydotbar: usize, xbar: usize, n: i32): bool {
    if (xbar == 0 || ybar == 0) return false;
    this.unpad(ybar, xbar, n);
    return true;
  }
}
