// Dense (fully connected):  y[n, out] = x[n, in] · W[in, out] + b[out]
// W uses the tfjs kernel layout [in, out], then b: one block of in*out + out floats.
import { Layer, LAYER_DENSE, INIT_DCGAN } from "./layer";
// the threaded GEMM splits C's rows or columns across threads (same bits as one thread)
import { gemmThreaded as gemm } from "../kernels/threads";
import { biasAddForwardThreaded as biasAddForward, biasAddBackwardThreaded as biasAddBackward } from "../kernels/threads";
import { rngUniformFill, rngNormalFill } from "../kernels/rng";

export class Dense extends Layer {
  constructor(inSize: i32, units: i32) {
    super(LAYER_DENSE, inSize, units);
    this.paramCount = inSize * units + units;
  }

  // PyTorch's default: W, b ~ U(−1/sqrt(in), 1/sqrt(in))  (kaiming_uniform with a = sqrt(5));
  // DCGAN: W ~ N(0, 0.02), b = 0
  initParams(params: usize, rng: usize, scheme: i32): void {
    const W = params + (<usize>this.paramOffset << 2);
    if (scheme == INIT_DCGAN) {
      const nW = this.inSize * this.outSize;
      rngNormalFill(rng, W, nW, 0, 0.02);
      memory.fill(W + (<usize>nW << 2), 0, <usize>this.outSize << 2);
      return;
    }
    const bound: f32 = 1 / Mathf.sqrt(<f32>this.inSize);
    rngUniformFill(rng, W, this.paramCount, -bound, bound);
  }

  forward(params: usize, x: usize, y: usize, n: i32, training: bool, saved: usize): void {
    const W = params + (<usize>this.paramOffset << 2);
    const b = W + (<usize>(this.inSize * this.outSize) << 2);
    gemm(false, false, n, this.outSize, this.inSize, x, this.inSize, W, this.outSize, y, this.outSize, false);
    biasAddForward(y, b, n, this.outSize);
  }

  //   dW[in, out] += xᵀ · dy;  db += Σ_rows dy;  dx[n, in] = dy · Wᵀ
  backward(params: usize, grads: usize, x: usize, y: usize, dy: usize, dx: usize, n: i32, paramGrads: bool, saved: usize): void {
    const inS = this.inSize, outS = this.outSize;
    if (paramGrads) {
      const dW = grads + (<usize>this.paramOffset << 2);
      gemm(true, false, inS, outS, n, x, inS, dy, outS, dW, outS, true);
      biasAddBackward(dW + (<usize>(inS * outS) << 2), dy, n, outS);
    }
    if (dx != 0) {
      const W = params + (<usize>this.paramOffset << 2);
      gemm(false, true, n, inS, outS, dy, outS, W, outS, dx, inS, false);
    }
  }

  // ẏ = ẋ · W  (the bias is constant in x)
  forwardTangent(params: usize, x: usize, y: usize, xdot: usize, ydot: usize, n: i32): void {
    const W = params + (<usize>this.paramOffset << 2);
    gemm(false, false, n, this.outSize, this.inSize, xdot, this.inSize, W, this.outSize, ydot, this.outSize, false);
  }

  //   dW += xᵀ·ȳ + ẋᵀ·ẏ̄;  db += Σ_rows ȳ;  x̄ = ȳ·Wᵀ   (ȳ = 0: only dW += ẋᵀ·ẏ̄, x̄ = 0)
  backwardTangent(params: usize, grads: usize, x: usize, y: usize, xdot: usize, ybar: usize, ydotbar: usize, xbar: usize, n: i32): bool {
    const inS = this.inSize, outS = this.outSize;
    const dW = grads + (<usize>this.paramOffset << 2);
    gemm(true, false, inS, outS, n, xdot, inS, ydotbar, outS, dW, outS, true);
    if (ybar == 0) return false;
    gemm(true, false, inS, outS, n, x, inS, ybar, outS, dW, outS, true);
    biasAddBackward(dW + (<usize>(inS * outS) << 2), ybar, n, outS);
    if (xbar == 0) return false;
    const W = params + (<usize>this.paramOffset << 2);
    gemm(false, true, n, inS, outS, ybar, outS, W, outS, xbar, inS, false);
    return true;
  }
}
