// Element-wise activations over `len` floats, each forward followed by its backward.
// Backward ADDS into dx (dx += f'(·) * dy), so a caller zeroes dx once and
// several paths may accumulate into it.

export const ACT_RELU: i32 = 1;
export const ACT_LEAKY_RELU: i32 = 2;
export const ACT_TANH: i32 = 3;
export const ACT_SIGMOID: i32 = 4;

// y = max(x, 0)
export function reluForward(y: usize, x: usize, len: i32): void {
  const zero = f32x4.splat(0);
  const l4 = len & ~3;
  let i = 0;
  for (; i < l4; i += 4) v128.store(y + (<usize>i << 2), f32x4.max(v128.load(x + (<usize>i << 2)), zero));
  for (; i < len; i++) store<f32>(y + (<usize>i << 2), max<f32>(load<f32>(x + (<usize>i << 2)), 0));
}
// dx += dy where x > 0 (the subgradient at 0 is 0, as in tfjs and PyTorch)
export function reluBackward(dx: usize, dy: usize, x: usize, len: i32): void {
  const zero = f32x4.splat(0);
  const l4 = len & ~3;
  let i = 0;
  for (; i < l4; i += 4) {
    const o = <usize>i << 2;
    const g = v128.and(v128.load(dy + o), f32x4.gt(v128.load(x + o), zero));
    v128.store(dx + o, f32x4.add(v128.load(dx + o), g));
  }
  for (; i < len; i++) {
    const o = <usize>i << 2;
    if (load<f32>(x + o) > 0) store<f32>(dx + o, load<f32>(dx + o) + load<f32>(dy + o));
  }
}

// y = x > 0 ? x : alpha * x
export function leakyReluForward(y: usize, x: usize, len: i32, alpha: f32): void {
  const zero = f32x4.splat(0);
  const va = f32x4.splat(alpha);
  const l4 = len & ~3;
  let i = 0;
  for (; i < l4; i += 4) {
    const o = <usize>i << 2;
    const v = v128.load(x + o);
    v128.store(y + o, v128.bitselect(v, f32x4.mul(v, va), f32x4.gt(v, zero)));
  }
  for (; i < len; i++) {
    const o = <usize>i << 2;
    const v = load<f32>(x + o);
    store<f32>(y + o, v > 0 ? v : alpha * v);
  }
}
// dx += (x > 0 ? 1 : alpha) * dy
export function leakyReluBackward(dx: usize, dy: usize, x: usize, len: i32, alpha: f32): void {
  const zero = f32x4.splat(0);
  const va = f32x4.splat(alpha);
  const l4 = len & ~3;
  let i = 0;
  for (; i < l4; i += 4) {
    const o = <usize>i << 2;
    const g = v128.load(dy + o);
    const s = v128.bitselect(g, f32x4.mul(g, va), f32x4.gt(v128.load(x + o), zero));
    v128.store(dx + o, f32x4.add(v128.load(dx + o), s));
  }
  for (; i < len; i++) {
    const o = <usize>i << 2;
    const g = load<f32>(dy + o);
    store<f32>(dx + o, load<f32>(dx + o) + (load<f32>(x + o) > 0 ? g : alpha * g));
  }
}

// y = tanh(x)
export function tanhForward(y: usize, x: usize, len: i32): void {
  for (let i = 0; i < len; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, Mathf.tanh(load<f32>(x + o)));
  }
}
// dx += (1 - y²) * dy   (uses the output y, as tfjs does)
export function tanhBackward(dx: usize, dy: usize, y: usize, len: i32): void {
  for (let i = 0; i < len; i++) {
    const o = <usize>i << 2;
    const t = load<f32>(y + o);
    store<f32>(dx + o, load<f32>(dx + o) + (1 - t * t) * load<f32>(dy + o));
  }
}

// Numerically stable logistic: never forms exp of a large positive number.
// @ts-ignore: decorator
@inline
export function sigmoid(x: f32): f32 {
  if (x >= 0) return 1 / (1 + Mathf.exp(-x));
  const e = Mathf.exp(x);
  return e / (1 + e);
}
// y = 1 / (1 + exp(-x))
export function sigmoidForward(y: usize, x: usize, len: i32): void {
  for (let i = 0; i < len; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, sigmoid(load<f32>(x + o)));
  }
}
// dx += y (1 - y) * dy
export function sigmoidBackward(dx: usize, dy: usize, y: usize, len: i32): void {
  for (let i = 0; i < len; i++) {
    const o = <usize>i << 2;
    const s = load<f32>(y + o);
    store<f32>(dx + o, load<f32>(dx + o) + s * (1 - s) * load<f32>(dy + o));
  }
}
