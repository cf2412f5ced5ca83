// Element-wise activation layers (no parameters): y[n, c] = f(x[n, c]).
import { Layer, LAYER_RELU, LAYER_LEAKY_RELU, LAYER_TANH, LAYER_SIGMOID } from "./layer";
import {
  reluForward, reluBackward, leakyReluForward, leakyReluBackward,
  tanhForward, tanhBackward, sigmoidForward, sigmoidBackward,
} from "../kernels/activations";

export class Activation extends Layer {
  constructor(kind: i32, size: i32, public alpha: f32) {
    super(kind, size, size);
  }

  forward(params: usize, x: usize, y: usize, n: i32, training: bool): void {
    const len = n * this.inSize;
    const k = this.kind;
    if (k == LAYER_RELU) reluForward(y, x, len);
    else if (k == LAYER_LEAKY_RELU) leakyReluForward(y, x, len, this.alpha);
    else if (k == LAYER_TANH) tanhForward(y, x, len);
    else sigmoidForward(y, x, len);
  }

  backward(params: usize, grads: usize, x: usize, y: usize, dy: usize, dx: usize, n: i32, paramGrads: bool): void {
    if (dx == 0) return;
    const len = n * this.inSize;
    memory.fill(dx, 0, <usize>len << 2); // the kernels accumulate
    const k = this.kind;
    if (k == LAYER_RELU) reluBackward(dx, dy, x, len);
    else if (k == LAYER_LEAKY_RELU) leakyReluBackward(dx, dy, x, len, this.alpha);
    else if (k == LAYER_TANH) tanhBackward(dx, dy, y, len);
    else sigmoidBackward(dx, dy, y, len);
  }
}

export function isActivation(kind: i32): bool {
  return kind == LAYER_RELU || kind == LAYER_LEAKY_RELU || kind == LAYER_TANH || kind == LAYER_SIGMOID;
}
