// WGAN-GP's gradient penalty (Gulrajani et al. 2017) by double backprop, inside WebAssembly.
//   At the interpolates x̂_i (n rows of D's input):  g_i = ∂D(x̂_i)/∂x̂_i,
//   P = λ · mean_i (‖g_i‖₂ − 1)²,  and ∂P/∂θ is ADDED into D's gradients.
// With v_i = ∂P/∂g_i = λ·2(‖g_i‖ − 1)/‖g_i‖ · g_i / n held fixed, ∂P/∂θ = ∂/∂θ <v, g(θ)>, and
// <v, g> = Σ_i d/dt D(x̂_i + t·v_i)|t=0 is a forward-mode (tangent) pass through D along v;
// its parameter gradient is one reverse pass over that forward + tangent computation
// (Net.tangentBackward; the per-layer rules are in assembly/nn/layer.ts). At ‖g_i‖ = 0 the norm
// has no gradient; v_i = 0 is taken there (P's gradient through that sample is then 0).
// Every row must be scored independently (no batch norm in D): the host refuses it.
import { Net } from "../nn/net";

export class GradientPenalty {
  seed: usize; // [maxBatch, outSize] of ones: ∂(Σ D)/∂D
  g: usize;    // [maxBatch, inSize]: the input gradients g_i
  v: usize;    // [maxBatch, inSize]: the direction ∂P/∂g
  constructor(public D: Net, public lambda: f32) {
    D.buildTangents();
    const B = <usize>D.maxBatch;
    const outBytes = B * <usize>D.outSize * 4, inBytes = B * <usize>D.inSize * 4;
    this.seed = heap.alloc(outBytes);
    for (let i: usize = 0; i < outBytes; i += 4) store<f32>(this.seed + i, 1);
    this.g = heap.alloc(inBytes);
    this.v = heap.alloc(inBytes);
    memory.fill(this.g, 0, inBytes);
    memory.fill(this.v, 0, inBytes);
  }

  // x̂: [n, D.inSize]. Runs D on x̂ (its activations are overwritten), ADDS ∂P/∂θ into D.grads
  // and returns P.
  run(xhat: usize, n: i32): f32 {
    const D = this.D, I = D.inSize;
    D.forward(xhat, n, true);
    D.backward(this.seed, this.g, n, false);
    let sum: f64 = 0;
    const scale: f64 = 2 * <f64>this.lambda / <f64>n;
    for (let i = 0; i < n; i++) {
      const gi = this.g + <usize>i * <usize>I * 4, vi = this.v + <usize>i * <usize>I * 4;
      let ss: f64 = 0;
      for (let j = 0; j < I; j++) {
        const t = <f64>load<f32>(gi + (<usize>j << 2));
        ss += t * t;
      }
      const norm = Math.sqrt(ss);
      const d = norm - 1;
      sum += d * d;
      const c = <f32>(norm > 0 ? scale * d / norm : 0);
      for (let j = 0; j < I; j++) {
        const o = <usize>j << 2;
        store<f32>(vi + o, c * load<f32>(gi + o));
      }
    }
    D.tangentBackward(this.seed, this.v, n);
    return <f32>(<f64>this.lambda * sum / <f64>n);
  }
}
