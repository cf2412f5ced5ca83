// Dense (fully connected):  y[n, out] = x[n, in] · W[in, out] + b[out]
// W uses the tfjs kernel layout [in, out], then b: one block of in*out + out floats.
// With spectral normalisation (sn, assembly/nn/spectral_norm.ts) W_SN = W/σ takes W's place in
// every product below, and the weight gradients computed for W_SN go through sn.addGradient;
// with equalised learning rate (eq, assembly/nn/equalized_lr.ts) c·W does, and the gradients
// computed for it go through eq.addGradient (c·G).
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
  // (equalised learning rate: W ~ N(0, 1), b = 0 whatever the scheme, as the official PGGAN code)
  initParams(params: usize, rng: usize, scheme: i32): void {
    const W = params + (<usize>this.paramOffset << 2);
    if (this.eq != null) {
      const nW = this.inSize * this.outSize;
      rngNormalFill(rng, W, nW, 0, 1);
      memory.fill(W + (<usize>nW << 2), 0, <usize>this.outSize << 2);
      return;
    }
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
    const raw = params + (<usize>this.paramOffset << 2);
    const b = raw + (<usize>(this.inSize * this.outSize) << 2);
    const sn = this.sn, eq = this.eq;
    const W = sn != null ? sn.refresh(raw) : eq != null ? eq.refresh(raw) : raw;
    gemm(false, false, n, this.outSize, this.inSize, x, this.inSize, W, this.outSize, y, this.outSize, false);
    biasAddForward(y, b, n, this.outSize);
  }

  // the weight the last forward multiplied by: W, W_SN or c·W (equalised learning rate)
  // @ts-ignore: decorator
  @inline private weight(params: usize): usize {
    const sn = this.sn, eq = this.eq;
    return sn != null ? sn.wsn : eq != null ? eq.wsc : params + (<usize>this.paramOffset << 2);
  }

  // where a weight gradient G goes before it is mapped: straight into dW, or gtmp (SN, eq)
  // @ts-ignore: decorator
  @inline private gradTarget(dW: usize): usize {
    const sn = this.sn, eq = this.eq;
    return sn != null ? sn.gtmp : eq != null ? eq.gtmp : dW;
  }

  // dW += the map of gtmp (SN: through W_SN = W/σ; eq: c·G); nothing for a plain layer
  // @ts-ignore: decorator
  @inline private mapGrad(dW: usize): void {
    const sn = this.sn, eq = this.eq;
    if (sn != null) sn.addGradient(dW);
    else if (eq != null) eq.addGradient(dW);
  }

  //   dW[in, out] += xᵀ · dy;  db += Σ_rows dy;  dx[n, in] = dy · Wᵀ
  //   (SN, eq: G = xᵀ·dy into gtmp, then dW += its map through W_SN = W/σ, or c·G)
  backward(params: usize, grads: usize, x: usize, y: usize, dy: usize, dx: usize, n: i32, paramGrads: bool, saved: usize): void {
    const inS = this.inSize, outS = this.outSize;
    if (paramGrads) {
      const dW = grads + (<usize>this.paramOffset << 2);
      if (this.sn == null && this.eq == null) gemm(true, false, inS, outS, n, x, inS, dy, outS, dW, outS, true);
      else {
        gemm(true, false, inS, outS, n, x, inS, dy, outS, this.gradTarget(dW), outS, false);
        this.mapGrad(dW);
      }
      biasAddBackward(dW + (<usize>(inS * outS) << 2), dy, n, outS);
    }
    if (dx != 0) {
      gemm(false, true, n, inS, outS, dy, outS, this.weight(params), outS, dx, inS, false);
    }
  }

  // ẏ = ẋ · W  (the bias is constant in x)
  forwardTangent(params: usize, x: usize, y: usize, xdot: usize, ydot: usize, n: i32): void {
    gemm(false, false, n, this.outSize, this.inSize, xdot, this.inSize, this.weight(params), this.outSize, ydot, this.outSize, false);
  }

  //   dW += xᵀ·ȳ + ẋᵀ·ẏ̄;  db += Σ_rows ȳ;  x̄ = ȳ·Wᵀ   (ȳ = 0: only dW += ẋᵀ·ẏ̄, x̄ = 0)
  //   (SN, eq: G = ẋᵀ·ẏ̄ (+ xᵀ·ȳ) into gtmp, then dW += its map)
  backwardTangent(params: usize, grads: usize, x: usize, y: usize, xdot: usize, ybar: usize, ydotbar: usize, xbar: usize, n: i32): bool {
    const inS = this.inSize, outS = this.outSize;
    const dW = grads + (<usize>this.paramOffset << 2);
    const G = this.gradTarget(dW);
    gemm(true, false, inS, outS, n, xdot, inS, ydotbar, outS, G, outS, G == dW);
    if (ybar != 0) gemm(true, false, inS, outS, n, x, inS, ybar, outS, G, outS, true);
    this.mapGrad(dW);
    if (ybar == 0) return false;
    biasAddBackward(dW + (<usize>(inS * outS) << 2), ybar, n, outS);
    if (xbar == 0) return false;
    gemm(false, true, n, inS, outS, ybar, outS, this.weight(params), outS, xbar, inS, false);
    return true;
  }
}
