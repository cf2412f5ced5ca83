// The objectives on discriminator logits l: [n, 1], as tfjs scalars: the formulas of
// assembly/kernels/losses.ts term for term, so both engines minimise the same functions.
//   BCE (minimax, non-saturating): D(x) = σ(l); −log σ(l) = softplus(−l); −log(1 − σ(l)) = softplus(l)
//   wasserstein: the logit is the critic value; hinge; least-squares (LSGAN a = 0, b = 1, c = 1)
import type { LossName } from "../../model/ops.ts";
import type { NormalisedSpec } from "../../model/spec.ts";
import type { TF } from "./tfjs_nets.ts";
import type * as tfNs from "@tensorflow/tfjs";

type Tensor = tfNs.Tensor;
type Scalar = tfNs.Scalar;

export class Losses {
  // softplus(x) = max(x, 0) + log1p(exp(−|x|)) (never overflows), with the gradient σ(x) written
  // out (autodiff of max and |x| would give 0 at x = 0, where σ(0) = ½)
  private readonly softplus: (x: Tensor) => Tensor;

  constructor(private readonly tf: TF, readonly loss: LossName, private readonly realLabel: number) {
    this.softplus = tf.customGrad(((x: Tensor, save: tfNs.GradSaveFunc) => {
      save([x]);
      return {
        value: tf.add(tf.relu(x), tf.log1p(tf.exp(tf.neg(tf.abs(x))))),
        gradFunc: (dy: Tensor, saved: Tensor[]) => tf.mul(dy, tf.sigmoid(saved[0])),
      };
    }) as any) as unknown as (x: Tensor) => Tensor;
  }

  private get bce(): boolean { return this.loss === "minimax" || this.loss === "non-saturating"; }

  // D on real samples: BCE with target t = 1 − labelSmoothing: mean[t·softplus(−l) + (1 − t)·softplus(l)];
  // wasserstein −mean l; hinge mean relu(1 − l); least-squares ½ mean (l − 1)²
  dReal(l: Tensor): Scalar {
    const tf = this.tf, t = this.realLabel;
    switch (this.loss) {
      case "wasserstein": return tf.neg(tf.mean(l));
      case "hinge": return tf.mean(tf.relu(tf.sub(1, l)));
      case "least-squares": return tf.mul(0.5, tf.mean(tf.square(tf.sub(l, 1))));
      default:
        if (t === 1) return tf.mean(this.softplus(tf.neg(l)));
        return tf.mean(tf.add(tf.mul(t, this.softplus(tf.neg(l))), tf.mul(Math.fround(1 - t), this.softplus(l))));
    }
  }

  // D on fake samples: BCE mean softplus(l); wasserstein mean l; hinge mean relu(1 + l); least-squares ½ mean l²
  dFake(l: Tensor): Scalar {
    const tf = this.tf;
    switch (this.loss) {
      case "wasserstein": return tf.mean(l);
      case "hinge": return tf.mean(tf.relu(tf.add(1, l)));
      case "least-squares": return tf.mul(0.5, tf.mean(tf.square(l)));
      default: return tf.mean(this.softplus(l));
    }
  }

  // G: minimax −mean softplus(l); non-saturating mean softplus(−l); wasserstein and hinge −mean l;
  // least-squares ½ mean (l − 1)²
  generator(l: Tensor): Scalar {
    const tf = this.tf;
    switch (this.loss) {
      case "minimax": return tf.neg(tf.mean(this.softplus(l)));
      case "non-saturating": return tf.mean(this.softplus(tf.neg(l)));
      case "least-squares": return tf.mul(0.5, tf.mean(tf.square(tf.sub(l, 1))));
      default: return tf.neg(tf.mean(l));
    }
  }

  // the dReal / dFake statistic: mean σ(l) for the BCE losses, the mean raw critic value otherwise
  meanD(l: Tensor): Scalar {
    return this.bce ? this.tf.mean(this.tf.sigmoid(l)) : this.tf.mean(l);
  }

  // WGAN-GP (Gulrajani et al. 2017, eq. 3): λ·mean_i(‖g_i‖₂ − 1)², g: [n, inSize]. Where ‖g_i‖ = 0
  // the norm has no gradient and the engine takes 0 (assembly/train/penalty.ts): the squared norm
  // is floored at 1e-30, whose gradient (through tf.maximum) is then 0.
  penalty(g: Tensor, lambda: number): Scalar {
    const tf = this.tf;
    const norms = tf.sqrt(tf.maximum(tf.sum(tf.square(g), 1), 1e-30));
    return tf.mul(lambda, tf.mean(tf.square(tf.sub(norms, 1))));
  }

  // D's whole objective on its real and fake logits, in the WASM step's order: the loss on the real
  // ones (+ PGGAN's drift term), on the fake ones, WGAN-GP's penalty at x̂ (when given) and R1 at
  // the real rows (r1: its weight on this update, γ·r1Every with lazy regularisation, or 0 for none);
  // grad(x) is D's input gradient of Σ D at a batch (TfNet.inputGradient)
  // (penalty: the D.penalty statistic, WGAN-GP's or R1's: the spec never has both)
  critic(lr: Tensor, lf: Tensor, spec: Pick<NormalisedSpec, "drift" | "gradientPenalty">, r1Weight: number, grad: (x: Tensor) => Tensor, xhat: Tensor | undefined, realD: Tensor): { total: Scalar; penalty: Scalar } {
    const tf = this.tf;
    let lossReal = this.dReal(lr);
    if (spec.drift !== undefined) lossReal = tf.add(lossReal, this.drift(lr, spec.drift)) as Scalar;
    let total = tf.add(lossReal, this.dFake(lf)) as Scalar;
    let penalty: Scalar = tf.scalar(0);
    if (xhat) penalty = this.penalty(grad(xhat), spec.gradientPenalty!);
    if (r1Weight > 0) penalty = tf.add(penalty, this.r1(grad(realD), r1Weight)) as Scalar;
    if (xhat || r1Weight > 0) total = tf.add(total, penalty) as Scalar;
    return { total, penalty };
  }

  // R1 (Mescheder et al. 2018, eq. 9): (γ/2)·mean_i ‖g_i‖₂², g: [n, inSize] at the real rows
  r1(g: Tensor, gamma: number): Scalar {
    const tf = this.tf;
    return tf.mul(0.5 * gamma, tf.mean(tf.sum(tf.square(g), 1)));
  }

  // PGGAN's drift term: ε·mean l² over the real logits l
  drift(l: Tensor, eps: number): Scalar {
    const tf = this.tf;
    return tf.mul(eps, tf.mean(tf.square(l)));
  }
}
