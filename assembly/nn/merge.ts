// Graph nodes: layers that read several earlier outputs (the net resolves which: assembly/nn/net.ts)
// and own no parameters. Per sample, flat NHWC:
//   Add:    x_0 .. x_{K-1}: [n, size] each (K >= 2)  ->  y = x_0 + x_1 + ... (in that order): [n, size]
//           (a residual connection: x + f(x))
//   Concat: a [n, P, ca], b [n, P, cb]  ->  y [n, P, ca + cb]: row p of a sample is a's row p then
//           b's (images: P = h·w pixels, joined on the channel axis; flat features: P = 1)
//   Blend:  a, b [n, size]  ->  y = α·a + (1 − α)·b, α set by the host between calls
//           (progressive growing's fade-in: a the new path, b the old one)
// All three are linear maps with no constant term and a constant Jacobian, so their tangent rules
// are their ordinary rules on the tangents: ẏ is forward() of the ẋ, x̄ is backward() of ȳ, and the
// second-order term (∂(J ẋ)/∂x)ᵀ ẏ̄ of assembly/nn/layer.ts's contract is 0 (ȳ = 0 gives x̄ = 0).
// The backward of a node works input by input (backwardInput(k, ...)): dx_k is WRITTEN, or ADDED
// when `accumulate` (the net passes that when dx_k already holds another consumer's contribution:
// fan-out, or one output read twice by the node), so a node never needs a scratch buffer.
import { Layer, LAYER_ADD, LAYER_CONCAT, LAYER_BLEND } from "./layer";

// dst[0..len) = c·src (accumulate: +=), f32x4 body and a scalar tail
function scaled(dst: usize, src: usize, c: f32, len: i32, accumulate: bool): void {
  const len4 = len & ~3, cv = f32x4.splat(c);
  let i = 0;
  if (accumulate) {
    for (; i < len4; i += 4) {
      const o = <usize>i << 2;
      v128.store(dst + o, f32x4.add(v128.load(dst + o), f32x4.mul(cv, v128.load(src + o))));
    }
    for (; i < len; i++) {
      const o = <usize>i << 2;
      store<f32>(dst + o, load<f32>(dst + o) + c * load<f32>(src + o));
    }
    return;
  }
  for (; i < len4; i += 4) {
    const o = <usize>i << 2;
    v128.store(dst + o, f32x4.mul(cv, v128.load(src + o)));
  }
  for (; i < len; i++) {
    const o = <usize>i << 2;
    store<f32>(dst + o, c * load<f32>(src + o));
  }
}

// dst[0..len) = src (accumulate: +=)
export function copyOrAdd(dst: usize, src: usize, len: i32, accumulate: bool): void {
  if (!accumulate) {
    memory.copy(dst, src, <usize>len << 2);
    return;
  }
  const len4 = len & ~3;
  let i = 0;
  for (; i < len4; i += 4) {
    const o = <usize>i << 2;
    v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
  }
  for (; i < len; i++) {
    const o = <usize>i << 2;
    store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
  }
}

export class Merge extends Layer {
  // the input pointers of the current call, filled in by the net (never allocated per call)
  xs: StaticArray<usize>;
  constructor(kind: i32, arity: i32, inSize: i32, outSize: i32) {
    super(kind, inSize, outSize);
    this.arity = arity;
    this.xs = new StaticArray<usize>(arity);
  }
  // y = node(xs): [n, outSize]
  forwardMerge(y: usize, n: i32): void {}
  // dx_k = ∂y/∂x_k ᵀ dy for input k (accumulate: added); dy: [n, outSize]
  backwardInput(k: i32, dy: usize, dx: usize, n: i32, accumulate: bool): void {}
  // ẏ = node(ẋs) with the tangents in xs (a linear node: the forward rule)
  forwardTangentMerge(ydot: usize, n: i32): void { this.forwardMerge(ydot, n); }
  // x̄_k = ∂y/∂x_k ᵀ ȳ (the backward rule; nothing to add to grads, no second-order term)
  backwardTangentInput(k: i32, ybar: usize, xbar: usize, n: i32, accumulate: bool): void { this.backwardInput(k, ybar, xbar, n, accumulate); }
}

// y = Σ_k x_k;  dx_k = dy
export class Add extends Merge {
  constructor(arity: i32, size: i32) {
    super(LAYER_ADD, arity, size, size);
  }

  forwardMerge(y: usize, n: i32): void {
    const len = n * this.outSize, len4 = len & ~3, xs = this.xs;
    const a = unchecked(xs[0]), b = unchecked(xs[1]);
    let i = 0;
    for (; i < len4; i += 4) {
      const o = <usize>i << 2;
      v128.store(y + o, f32x4.add(v128.load(a + o), v128.load(b + o)));
    }
    for (; i < len; i++) {
      const o = <usize>i << 2;
      store<f32>(y + o, load<f32>(a + o) + load<f32>(b + o));
    }
    for (let k = 2; k < this.arity; k++) copyOrAdd(y, unchecked(xs[k]), len, true);
  }

  backwardInput(k: i32, dy: usize, dx: usize, n: i32, accumulate: bool): void {
    copyOrAdd(dx, dy, n * this.outSize, accumulate);
  }
}

// y = α·a + (1 − α)·b;  da = α·dy, db = (1 − α)·dy
export class Blend extends Merge {
  constructor(size: i32, public alpha: f32) {
    super(LAYER_BLEND, 2, size, size);
  }

  forwardMerge(y: usize, n: i32): void {
    const len = n * this.outSize, len4 = len & ~3;
    const a = unchecked(this.xs[0]), b = unchecked(this.xs[1]);
    const al = this.alpha, bl: f32 = 1 - al;
    const av = f32x4.splat(al), bv = f32x4.splat(bl);
    let i = 0;
    for (; i < len4; i += 4) {
      const o = <usize>i << 2;
      v128.store(y + o, f32x4.add(f32x4.mul(av, v128.load(a + o)), f32x4.mul(bv, v128.load(b + o))));
    }
    for (; i < len; i++) {
      const o = <usize>i << 2;
      store<f32>(y + o, al * load<f32>(a + o) + bl * load<f32>(b + o));
    }
  }

  backwardInput(k: i32, dy: usize, dx: usize, n: i32, accumulate: bool): void {
    scaled(dx, dy, k == 0 ? this.alpha : <f32>1 - this.alpha, n * this.outSize, accumulate);
  }
}

// y[r] = [a[r], b[r]] for each of the n·P rows r
export class Concat extends Merge {
  // pixels: P; a and b hold P·ca and P·cb floats per sample
  constructor(public pixels: i32, public ca: i32, public cb: i32) {
    super(LAYER_CONCAT, 2, pixels * ca, pixels * (ca + cb));
  }

  forwardMerge(y: usize, n: i32): void {
    const rows = <usize>n * <usize>this.pixels;
    const ab = <usize>this.ca << 2, bb = <usize>this.cb << 2;
    const a = unchecked(this.xs[0]), b = unchecked(this.xs[1]);
    for (let r: usize = 0; r < rows; r++) {
      const dst = y + r * (ab + bb);
      memory.copy(dst, a + r * ab, ab);
      memory.copy(dst + ab, b + r * bb, bb);
    }
  }

  // da[r] = dy[r, 0..ca), db[r] = dy[r, ca..ca + cb)
  backwardInput(k: i32, dy: usize, dx: usize, n: i32, accumulate: bool): void {
    const rows = <usize>n * <usize>this.pixels;
    const c = k == 0 ? this.ca : this.cb, skip: usize = k == 0 ? 0 : <usize>this.ca << 2;
    const rowOut = <usize>(this.ca + this.cb) << 2, rowIn = <usize>c << 2;
    for (let r: usize = 0; r < rows; r++) copyOrAdd(dx + r * rowIn, dy + r * rowOut + skip, c, accumulate);
  }
}
