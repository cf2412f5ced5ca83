// Element-wise activation layers (no parameters): y[n, c] = f(x[n, c]).
import { Layer, LAYER_RELU, LAYER_LEAKY_RELU, LAYER_TANH, LAYER_SIGMOID } from "./layer";
import {
  reluForward, reluBackward, leakyReluForward, leakyReluBackward,
  tanhForward, tanhBackward, sigmoidForward, sigmoidBackward,
} from "../kernels/activations";
import { activationThreaded, ACT_RELU, ACT_LEAKY_RELU, ACT_TANH, ACT_SIGMOID } from "../kernels/threads";

export class Activation extends Layer {
  constructor(kind: i32, size: i32, public alpha: f32) {
    super(kind, size, size);
  }

  // the threaded forms split 4-aligned ranges across threads (same bits as one thread)
  private get op(): i32 {
    const k = this.kind;
    return k == LAYER_RELU ? ACT_RELU : k == LAYER_LEAKY_RELU ? ACT_LEAKY_RELU : k == LAYER_TANH ? ACT_TANH : ACT_SIGMOID;
  }

  forward(params: usize, x: usize, y: usize, n: i32, training: bool, saved: usize): void {
    activationThreaded(this.op, false, y, x, 0, n * this.inSize, this.alpha);
  }

  // dx = f'(·)·dy, f' from x (relu, leaky relu) or from y (tanh, sigmoid)
  backward(params: usize, grads: usize, x: usize, y: usize, dy: usize, dx: usize, n: i32, paramGrads: bool, saved: usize): void {
    if (dx == 0) return;
    const k = this.kind;
    activationThreaded(this.op, true, dx, dy, k == LAYER_RELU || k == LAYER_LEAKY_RELU ? x : y, n * this.inSize, this.alpha);
  }

  forwardTangent(params: usize, x: usize, y: usize, xdot: usize, ydot: usize, n: i32): void {
    const len = n * this.inSize;
    const k = this.kind;
    if (k == LAYER_RELU || k == LAYER_LEAKY_RELU) {
      // f'(x)·ẋ is backward()'s rule with ẋ in place of dy
      memory.fill(ydot, 0, <usize>len << 2);
      if (k == LAYER_RELU) reluBackward(ydot, xdot, x, len);
      else leakyReluBackward(ydot, xdot, x, len, this.alpha);
      return;
    }
    for (let i = 0; i < len; i++) {
      const o = <usize>i << 2;
      store<f32>(ydot + o, actSlope(k, this.alpha, load<f32>(x + o), load<f32>(y + o)) * load<f32>(xdot + o));
    }
  }

  backwardTangent(params: usize, grads: usize, x: usize, y: usize, xdot: usize, ybar: usize, ydotbar: usize, xbar: usize, n: i32): bool {
    const k = this.kind;
    const piecewiseLinear = k == LAYER_RELU || k == LAYER_LEAKY_RELU;
    if (xbar == 0 || (piecewiseLinear && ybar == 0)) return false;
    const len = n * this.inSize;
    if (piecewiseLinear) {
      memory.fill(xbar, 0, <usize>len << 2);
      if (k == LAYER_RELU) reluBackward(xbar, ybar, x, len);
      else leakyReluBackward(xbar, ybar, x, len, this.alpha);
      return true;
    }
    for (let i = 0; i < len; i++) {
      const o = <usize>i << 2;
      const t = load<f32>(y + o);
      const d1: f32 = k == LAYER_TANH ? 1 - t * t : t * (1 - t);
      const d2: f32 = k == LAYER_TANH ? -2 * t * d1 : d1 * (1 - 2 * t);
      let v: f32 = d2 * load<f32>(xdot + o) * load<f32>(ydotbar + o);
      if (ybar != 0) v += d1 * load<f32>(ybar + o);
      store<f32>(xbar + o, v);
    }
    return true;
  }
}

// Tangent rules, elementwise with f' and f'' at the forward input (tanh, sigmoid read them off y):
//   forward:   ẏ = f'(x)·ẋ
//   backward:  x̄ = f'(x)·ȳ + f''(x)·ẋ·ẏ̄   (the parameter-free layer adds nothing to grads)
//   relu, leaky relu: f'' = 0 almost everywhere (at x = 0 the subgradient f' = 0 / alpha, as in
//   backward()), so ȳ = 0 gives x̄ = 0; tanh: f' = 1 − y², f'' = −2y(1 − y²);
//   sigmoid: f' = y(1 − y), f'' = y(1 − y)(1 − 2y)
// @ts-ignore: decorator
@inline function actSlope(kind: i32, alpha: f32, x: f32, y: f32): f32 {
  if (kind == LAYER_RELU) return x > 0 ? 1 : 0;
  if (kind == LAYER_LEAKY_RELU) return x > 0 ? 1 : alpha;
  if (kind == LAYER_TANH) return 1 - y * y;
  return y * (1 - y);
}

export function isActivation(kind: i32): bool {
  return kind == LAYER_RELU || kind == LAYER_LEAKY_RELU || kind == LAYER_TANH || kind == LAYER_SIGMOID;
}
