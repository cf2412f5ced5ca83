// An optimiser bound to one net's arena (its state lives in the net's opt1/opt2 blocks).
import { Net } from "../nn/net";
import { sgdUpdate, rmspropUpdate } from "../kernels/optim";
import { adamUpdateThreaded as adamUpdate } from "../kernels/threads";
import { emaUpdate } from "../kernels/ema";

export const OPT_ADAM: i32 = 0;
export const OPT_SGD: i32 = 1;
export const OPT_RMSPROP: i32 = 2;

export class Optimizer {
  t: i32 = 0; // updates taken (Adam's bias correction)
  // linear decay: update t uses lr · (1 − (t−1)/decayUpdates), reaching 0 after decayUpdates
  // updates and staying there; 0 keeps lr constant
  decayUpdates: i32 = 0;
  // a moving average of the parameters after each update (0: none); `ema` holds paramCount floats
  emaDecay: f32 = 0;
  ema: usize = 0;
  constructor(
    public kind: i32, public lr: f32,
    public beta1: f32, // Adam β1; SGD momentum; RMSProp α
    public beta2: f32, // Adam β2
    public eps: f32,
  ) {}

  step(net: Net): void {
    this.t++;
    const P = net.paramCount;
    let lr = this.lr;
    if (this.decayUpdates > 0) lr = <f32>(<f64>lr * max(0.0, 1.0 - <f64>(this.t - 1) / <f64>this.decayUpdates));
    if (this.kind == OPT_ADAM) adamUpdate(net.params, net.grads, net.opt1, net.opt2, P, lr, this.beta1, this.beta2, this.eps, this.t);
    else if (this.kind == OPT_SGD) sgdUpdate(net.params, net.grads, net.opt1, P, lr, this.beta1);
    else rmspropUpdate(net.params, net.grads, net.opt1, P, lr, this.beta1, this.eps);
    if (this.ema != 0) emaUpdate(this.ema, net.params, P, this.emaDecay);
  }

  // starts the average at the current parameters (allocates once)
  enableEma(net: Net, decay: f32): void {
    const bytes = <usize>net.paramCount << 2;
    if (this.ema == 0) this.ema = heap.alloc(bytes + 16);
    memory.copy(this.ema, net.params, bytes);
    this.emaDecay = decay;
  }
}
