// Parameter updates over one flat arena slice: p, g, and optimiser state of `len` floats.
// Conventions follow PyTorch (so the reference figures in docs/workloads.md are comparable).

// Adam (Kingma & Ba 2015, Alg. 1), bias-corrected, step t >= 1:
//   m = β1 m + (1−β1) g;  v = β2 v + (1−β2) g²;  p −= lr · m̂ / (sqrt(v̂) + ε)
export function adamUpdate(p: usize, g: usize, m: usize, v: usize, len: i32,
  lr: f32, beta1: f32, beta2: f32, eps: f32, t: i32): void {
  // 1 − β^t in f64: in f32 the ulp of β^t becomes a relative error of ulp/(1 − β^t) in the step
  // (~60 ulp at t = 2 with β2 = 0.999); once per call, so it costs nothing
  const bc1: f64 = 1 - Math.pow(<f64>beta1, <f64>t);
  const bc2: f64 = 1 - Math.pow(<f64>beta2, <f64>t);
  const stepSize = <f32>(<f64>lr / bc1);
  const invSqrtBc2 = <f32>(1 / Math.sqrt(bc2));
  // f32x4 lanes run exactly the scalar tail's operations (IEEE mul, add, sqrt, div), so every
  // element gets the same bits whichever loop it falls in
  const b1 = f32x4.splat(beta1), c1 = f32x4.splat(1 - beta1);
  const b2 = f32x4.splat(beta2), c2 = f32x4.splat(1 - beta2);
  const vStep = f32x4.splat(stepSize), vInv = f32x4.splat(invSqrtBc2), vEps = f32x4.splat(eps);
  const len4 = len & ~3;
  let i = 0;
  for (; i < len4; i += 4) {
    const o = <usize>i << 2;
    const gi = v128.load(g + o);
    const mi = f32x4.add(f32x4.mul(b1, v128.load(m + o)), f32x4.mul(c1, gi));
    const vi = f32x4.add(f32x4.mul(b2, v128.load(v + o)), f32x4.mul(f32x4.mul(c2, gi), gi));
    v128.store(m + o, mi);
    v128.store(v + o, vi);
    const den = f32x4.add(f32x4.mul(f32x4.sqrt(vi), vInv), vEps);
    v128.store(p + o, f32x4.sub(v128.load(p + o), f32x4.div(f32x4.mul(vStep, mi), den)));
  }
  for (; i < len; i++) {
    const o = <usize>i << 2;
    const gi = load<f32>(g + o);
    const mi = beta1 * load<f32>(m + o) + (1 - beta1) * gi;
    const vi = beta2 * load<f32>(v + o) + (1 - beta2) * gi * gi;
    store<f32>(m + o, mi);
    store<f32>(v + o, vi);
    store<f32>(p + o, load<f32>(p + o) - stepSize * mi / (Mathf.sqrt(vi) * invSqrtBc2 + eps));
  }
}

// SGD with (optional) momentum:  b = μ b + g;  p −= lr · b
export function sgdUpdate(p: usize, g: usize, buf: usize, len: i32, lr: f32, momentum: f32): void {
  for (let i = 0; i < len; i++) {
    const o = <usize>i << 2;
    let d = load<f32>(g + o);
    if (momentum != 0) {
      d += momentum * load<f32>(buf + o);
      store<f32>(buf + o, d);
    }
    store<f32>(p + o, load<f32>(p + o) - lr * d);
  }
}

// RMSProp (PyTorch form):  s = α s + (1−α) g²;  p −= lr · g / (sqrt(s) + ε)
export function rmspropUpdate(p: usize, g: usize, s: usize, len: i32, lr: f32, alpha: f32, eps: f32): void {
  for (let i = 0; i < len; i++) {
    const o = <usize>i << 2;
    const gi = load<f32>(g + o);
    const si = alpha * load<f32>(s + o) + (1 - alpha) * gi * gi;
    store<f32>(s + o, si);
    store<f32>(p + o, load<f32>(p + o) - lr * gi / (Mathf.sqrt(si) + eps));
  }
}

// Σ g²  (f64 accumulator: a norm over 10^5..10^6 values)
export function sumSquares(g: usize, len: i32): f64 {
  let s: f64 = 0;
  for (let i = 0; i < len; i++) {
    const v = <f64>load<f32>(g + (<usize>i << 2));
    s += v * v;
  }
  return s;
}

// Weight clipping (WGAN, Arjovsky et al. 2017, Alg. 1, after each critic update):
//   p = min(max(p, −c), c)   elementwise, exact (c > 0; NaN stays NaN)
export function clipUpdate(p: usize, len: i32, c: f32): void {
  for (let i = 0; i < len; i++) {
    const o = <usize>i << 2;
    const v = load<f32>(p + o);
    if (v > c) store<f32>(p + o, c);
    else if (v < -c) store<f32>(p + o, -c);
  }
}
