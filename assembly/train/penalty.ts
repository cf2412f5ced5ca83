// WGAN-GP's gradient penalty (Gulrajani et al. 2017) by double backprop, inside WebAssembly.
//   At the interpolates x̂_i (n rows of D's input):  g_i = ∂D(x̂_i)/∂x̂_i,
//   P = λ · mean_i (‖g_i‖₂ − 1)²,  and ∂P/∂θ is ADDED into D's gradients.
// With v_i = ∂P/∂g_i = λ·2(‖g_i‖ − 1)/‖g_i‖ · g_i / n held fixed, ∂P/∂θ = ∂/∂θ <v, g(θ)>, and
// <v, g> = Σ_i d/dt D(x̂_i + t·v_i)|t=0 is a forward-mode (tangent) pass through D along v;
// its parameter gradient is one reverse pass over that forward + tangent computation
// (Net.tangentBackward; the per-layer rules are in assembly/nn/layer.ts). At ‖g_i‖ = 0 the norm
// has no gradient; v_i = 0 is taken there (P's gradient through that sample is then 0).
// R1 (Mescheder et al. 2018, "Which Training Methods for GANs do actually Converge?", eq. 9) is the
// same machinery at the real samples x, no interpolation: R = (γ/2) · mean_i ‖g_i‖₂², so
// v_i = ∂R/∂g_i = γ · g_i / n (kind PENALTY_R1, `lambda` holding γ).
// g is the input gradient of Σ_rows D over the whole batch (tf.gradients of the summed scores, as
// the PGGAN and StyleGAN code take it): for a critic whose rows are scored independently g_i is
// ∂D(x_i)/∂x_i; a minibatch-std layer couples a group's rows, and g_i then holds the other rows'
// dependence on x_i too (its tangent rules are exact for that: assembly/nn/minibatch_std.ts).
// No batch norm in D: the host refuses it.
import { Net } from "../nn/net";

export const PENALTY_WGAN_GP: i32 = 0;
export const PENALTY_R1: i32 = 1;

export class GradientPenalty {
  seed: usize; // [maxBatch, outSize] of ones: ∂(Σ D)/∂D
  g: usize;    // [maxBatch, inSize]: the input gradients g_i
  v: usize;    // [maxBatch, inSize]: the direction ∂P/∂g
  constructor(public D: Net, public lambda: f32, public kind: i32 = PENALTY_WGAN_GP) {
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
    if (this.kind == PENALTY_R1) return this.r1(n);
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

  // R1 from g (D's forward and seeded backward done): v = γ·g/n, then the tangent pass
  private r1(n: i32): f32 {
    const D = this.D, len = n * D.inSize;
    let ss: f64 = 0;
    for (let j = 0; j < len; j++) {
      const t = <f64>load<f32>(this.g + (<usize>j << 2));
      ss += t * t;
    }
    const c = <f32>(<f64>this.lambda / <f64>n);
    for (let j = 0; j < len; j++) {
      const o = <usize>j << 2;
      store<f32>(this.v + o, c * load<f32>(this.g + o));
    }
    D.tangentBackward(this.seed, this.v, n);
    return <f32>(0.5 * <f64>this.lambda * ss / <f64>n);
  }
}
