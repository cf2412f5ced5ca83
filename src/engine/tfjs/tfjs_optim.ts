// The WASM engine's optimisers (assembly/train/optimizer.ts, assembly/kernels/optim.ts) over a
// net's tfjs variables, operation for operation in f32, with the same state layout (opt1, opt2:
// the parameter block's layout) so that a GanState moves between engines:
//   adam:    m = β1 m + (1−β1) g;  v = β2 v + ((1−β2) g) g;
//            p −= (s·m) / (sqrt(v)·k + ε),  s = fl32(lr / (1 − β1^t)), k = fl32(1 / sqrt(1 − β2^t))
//            (the bias corrections in f64, as the engine forms them)
//   sgd:     b = g + μ b (only when μ ≠ 0);  p −= lr·b
//   rmsprop: s = α s + ((1−α) g) g;  p −= (lr·g) / (sqrt(s) + ε)
// The constants are the engine's f32 fields (lr, β1 | μ | α, β2, ε). Linear decay: update t uses
// lr·max(0, 1 − (t − 1)/decay). The moving average (averageGenerator) follows each update:
// avg = d·avg + (1 − d)·p.
import type * as tfNs from "@tensorflow/tfjs";
import type { OptimizerSpec } from "../../model/spec.ts";
import { concat, concatAsync, assign, type TF } from "./tfjs_nets.ts";

type Tensor = tfNs.Tensor;
type Variable = tfNs.Variable;
const f32 = Math.fround;

export class TfOptimizer {
  t = 0;          // updates taken
  decay = 0;      // linear decay over this many updates (0: constant rate)
  readonly opt1: Variable[];
  readonly opt2: Variable[];
  ema: Variable[] | undefined;
  emaDecay = 0;
  private readonly lr: number;
  private readonly b1: number; // β1 | μ | α
  private readonly b2: number;
  private readonly eps: number;

  constructor(private readonly tf: TF, readonly spec: OptimizerSpec, private readonly params: Variable[]) {
    const o = spec;
    this.lr = f32(o.lr);
    this.b1 = f32(o.type === "adam" ? o.beta1! : o.type === "sgd" ? o.momentum! : o.alpha!);
    this.b2 = f32(o.beta2 ?? 0);
    this.eps = f32(o.eps ?? 0);
    const zeros = () => params.map((p) => tf.tidy(() => tf.variable(tf.zerosLike(p), false)));
    this.opt1 = zeros();
    this.opt2 = zeros(); // Adam's second moment; zeros for SGD and RMSProp (saved as such)
  }

  // one update with grads (same order as params)
  step(grads: Tensor[]): void {
    const tf = this.tf;
    this.t++;
    let lr = this.lr;
    if (this.decay > 0) lr = f32(lr * Math.max(0, 1 - (this.t - 1) / this.decay));
    tf.tidy(() => {
      const kind = this.spec.type;
      if (kind === "adam") {
        const bc1 = 1 - Math.pow(this.b1, this.t), bc2 = 1 - Math.pow(this.b2, this.t);
        const s = tf.scalar(f32(lr / bc1)), k = tf.scalar(f32(1 / Math.sqrt(bc2)));
        const b1 = tf.scalar(this.b1), c1 = tf.scalar(f32(1 - this.b1)), b2 = tf.scalar(this.b2), c2 = tf.scalar(f32(1 - this.b2));
        const eps = tf.scalar(this.eps);
        this.params.forEach((p, i) => {
          const g = grads[i];
          const m = tf.add(tf.mul(b1, this.opt1[i]), tf.mul(c1, g));
          const v = tf.add(tf.mul(b2, this.opt2[i]), tf.mul(tf.mul(c2, g), g));
          this.opt1[i].assign(m);
          this.opt2[i].assign(v);
          p.assign(tf.sub(p, tf.div(tf.mul(s, m), tf.add(tf.mul(tf.sqrt(v), k), eps))));
        });
      } else if (kind === "sgd") {
        const rate = tf.scalar(lr), mu = tf.scalar(this.b1);
        this.params.forEach((p, i) => {
          let d = grads[i];
          if (this.b1 !== 0) {
            d = tf.add(d, tf.mul(mu, this.opt1[i]));
            this.opt1[i].assign(d);
          }
          p.assign(tf.sub(p, tf.mul(rate, d)));
        });
      } else {
        const rate = tf.scalar(lr), a = tf.scalar(this.b1), c = tf.scalar(f32(1 - this.b1)), eps = tf.scalar(this.eps);
        this.params.forEach((p, i) => {
          const g = grads[i];
          const s = tf.add(tf.mul(a, this.opt1[i]), tf.mul(tf.mul(c, g), g));
          this.opt1[i].assign(s);
          p.assign(tf.sub(p, tf.div(tf.mul(rate, g), tf.add(tf.sqrt(s), eps))));
        });
      }
      if (this.ema) {
        const d = tf.scalar(this.emaDecay), e = tf.scalar(f32(1 - this.emaDecay));
        this.ema.forEach((a, i) => a.assign(tf.add(tf.mul(d, a), tf.mul(e, this.params[i]))));
      }
    });
  }

  // WGAN weight clipping after the critic's update: p = min(max(p, −c), c)
  clip(c: number): void {
    const tf = this.tf, b = f32(c);
    tf.tidy(() => this.params.forEach((p) => p.assign(tf.clipByValue(p, -b, b))));
  }

  // starts the moving average at the current parameters
  enableEma(decay: number): void {
    const tf = this.tf;
    this.ema ??= this.params.map((p) => tf.tidy(() => tf.variable(tf.zerosLike(p), false)));
    this.ema.forEach((a, i) => a.assign(this.params[i]));
    this.emaDecay = f32(decay);
  }

  readState(): { opt1: Float32Array; opt2: Float32Array; average?: Float32Array } {
    return { opt1: concat(this.opt1), opt2: concat(this.opt2), ...(this.ema ? { average: concat(this.ema) } : {}) };
  }

  async readStateAsync(): Promise<{ opt1: Float32Array; opt2: Float32Array; average?: Float32Array }> {
    const [opt1, opt2, average] = await Promise.all([concatAsync(this.opt1), concatAsync(this.opt2), this.ema ? concatAsync(this.ema) : undefined]);
    return { opt1, opt2, ...(average ? { average } : {}) };
  }

  writeState(opt1: Float32Array, opt2: Float32Array, average?: Float32Array): void {
    assign(this.tf, this.opt1, opt1);
    assign(this.tf, this.opt2, opt2);
    if (this.ema && average) assign(this.tf, this.ema, average);
  }

  dispose(): void {
    for (const v of [...this.opt1, ...this.opt2, ...(this.ema ?? [])]) v.dispose();
  }
}
