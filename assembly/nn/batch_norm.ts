// Batch normalisation over the last axis: x [n, size] is read as [rows = n·size/c, c] (for NHWC
// images c is the channel count; for dense features c = size, PyTorch's BatchNorm1d).
//   params: gamma [c], beta [c];  state: running mean [c], running variance [c]
// Training uses the batch statistics and moves the running ones; inference uses the running ones.
// backward() assumes the forward() on the same tape was in training mode on the same x (the GAN
// step always pairs them); that forward's batch mean and 1/std live on the tape:
//   saved: mean [c], then 1/std [c]  (savedFloats() = 2c)
import { Layer, LAYER_BATCH_NORM, INIT_DCGAN } from "./layer";
import { batchNormForwardTrain, batchNormForwardInference, batchNormBackward } from "../kernels/batchnorm";
import { rngNormalFill } from "../kernels/rng";

// When set, training-mode forwards use the batch statistics but leave the running ones alone
// (sampling from a generator in batch-statistics mode must not move them).
export let batchNormFreezeRunning: bool = false;
export function setBatchNormFreezeRunning(on: bool): void { batchNormFreezeRunning = on; }

export class BatchNorm extends Layer {
  constructor(size: i32, public channels: i32, public eps: f64, public momentum: f64) {
    super(LAYER_BATCH_NORM, size, size);
    this.paramCount = 2 * channels;
    this.stateCount = 2 * channels;
  }

  savedFloats(): i32 { return 2 * this.channels; }

  // gamma = 1 (DCGAN: N(1, 0.02)), beta = 0
  initParams(params: usize, rng: usize, scheme: i32): void {
    const c = this.channels;
    const gamma = params + (<usize>this.paramOffset << 2);
    if (scheme == INIT_DCGAN) rngNormalFill(rng, gamma, c, 1, 0.02);
    else for (let j = 0; j < c; j++) store<f32>(gamma + (<usize>j << 2), 1);
    memory.fill(gamma + (<usize>c << 2), 0, <usize>c << 2);
  }

  // running mean 0, running variance 1 (PyTorch's reset_running_stats)
  initState(): void {
    const c = this.channels;
    memory.fill(this.state, 0, <usize>c << 2);
    for (let j = 0; j < c; j++) store<f32>(this.state + (<usize>(c + j) << 2), 1);
  }

  forward(params: usize, x: usize, y: usize, n: i32, training: bool, saved: usize): void {
    const c = this.channels, rows = n * (this.inSize / c);
    const saveMean = saved, saveInvStd = saved + (<usize>c << 2);
    const gamma = params + (<usize>this.paramOffset << 2), beta = gamma + (<usize>c << 2);
    const runMean: usize = batchNormFreezeRunning ? 0 : this.state, runVar = this.state + (<usize>c << 2);
    if (training) {
      batchNormForwardTrain(y, x, gamma, beta, saveMean, saveInvStd, runMean, runVar, rows, c, this.eps, this.momentum);
    } else {
      batchNormForwardInference(y, x, gamma, beta, runMean, runVar, rows, c, this.eps);
    }
  }

  //   dx = the batch-statistics gradient;  dgamma += Σ dy·xhat;  dbeta += Σ dy
  backward(params: usize, grads: usize, x: usize, y: usize, dy: usize, dx: usize, n: i32, paramGrads: bool, saved: usize): void {
    const c = this.channels, rows = n * (this.inSize / c);
    const saveMean = saved, saveInvStd = saved + (<usize>c << 2);
    const gamma = params + (<usize>this.paramOffset << 2);
    const dgamma: usize = paramGrads ? grads + (<usize>this.paramOffset << 2) : 0;
    const dbeta: usize = paramGrads ? dgamma + (<usize>c << 2) : 0;
    batchNormBackward(dx, dgamma, dbeta, dy, x, gamma, saveMean, saveInvStd, rows, c);
  }
}
