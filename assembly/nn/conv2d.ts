// Conv2D and its transpose over NHWC activations, tfjs layouts, via the im2col kernels.
//   Conv2D:          x [n, h, w, cin] -> y [n, outH, outW, cout];  params: filter [kh, kw, cin, cout], bias [cout]
//   Conv2DTranspose: x [n, outH, outW, cout] -> y [n, h, w, cin];  params: filter [kh, kw, cin, cout], bias [cin]
// Both carry the geometry of one convolution (h, w, cin -> outH, outW, cout); the transpose runs
// it backwards (tfjs conv2dTranspose: its filter [kh, kw, outChannels, inChannels] is exactly that
// conv's filter), so its forward is the conv's input gradient and its input gradient the conv.
// With spectral normalisation (sn, assembly/nn/spectral_norm.ts: the filter as a matrix
// [kh·kw·cin, cout] of this geometry) the filter f_SN = f/σ takes f's place in every pass, and
// filter gradients are computed for f_SN into sn.gtmp, then mapped into the grads by sn.addGradient.
// Equalised learning rate (eq, assembly/nn/equalized_lr.ts) likewise, with c·f and c·G.
import { Layer, LAYER_CONV2D, LAYER_CONV2D_TRANSPOSE, INIT_DCGAN } from "./layer";
import { conv2dScratchSize } from "../kernels/conv";
// the threaded forms split whole images (or filter rows) across threads, same bits as one thread
import {
  conv2dForwardThreaded as conv2dForward, conv2dBackwardInputThreaded as conv2dBackwardInput,
  conv2dBackwardFilterThreaded as conv2dBackwardFilter,
} from "../kernels/threads";
import { biasAddForwardThreaded as biasAddForward, biasAddBackwardThreaded as biasAddBackward } from "../kernels/threads";
import { rngUniformFill, rngNormalFill } from "../kernels/rng";

export class ConvGeometry {
  constructor(
    public h: i32, public w: i32, public cin: i32,
    public outH: i32, public outW: i32, public cout: i32,
    public kh: i32, public kw: i32, public strideH: i32, public strideW: i32,
    public padTop: i32, public padLeft: i32,
  ) {}
  get bigSize(): i32 { return this.h * this.w * this.cin; }
  get smallSize(): i32 { return this.outH * this.outW * this.cout; }
  get filterSize(): i32 { return this.kh * this.kw * this.cin * this.cout; }
}

// PyTorch's default bound for conv and transposed conv alike is 1/sqrt(fan_in) with fan_in read
// off its weight tensor: cin·kh·kw for Conv2d, out_channels·kh·kw for ConvTranspose2d, which is
// this geometry's cin in both cases. DCGAN: N(0, 0.02), bias 0.
// the filter a pass multiplies by: forward refreshes σ (spectral normalisation), every other pass
// reuses that forward's f_SN
// @ts-ignore: decorator
@inline function filterOf(layer: Layer, params: usize, refresh: bool): usize {
  const f = params + (<usize>layer.paramOffset << 2);
  const sn = layer.sn;
  if (sn == null) {
    const eq = layer.eq;
    if (eq == null) return f;
    return refresh ? eq.refresh(f) : eq.wsc;
  }
  return refresh ? sn.refresh(f) : sn.wsn;
}

// where a filter gradient goes: straight into the grads, or (SN) into a zeroed sn.gtmp
// @ts-ignore: decorator
@inline function filterGradOf(layer: Layer, grads: usize, filterSize: i32): usize {
  const sn = layer.sn;
  if (sn == null) {
    const eq = layer.eq;
    if (eq == null) return grads + (<usize>layer.paramOffset << 2);
    memory.fill(eq.gtmp, 0, <usize>filterSize << 2);
    return eq.gtmp;
  }
  memory.fill(sn.gtmp, 0, <usize>filterSize << 2);
  return sn.gtmp;
}

// SN: the filter gradient in sn.gtmp mapped into the grads
// @ts-ignore: decorator
@inline function mapFilterGrad(layer: Layer, grads: usize): void {
  const sn = layer.sn;
  if (sn != null) sn.addGradient(grads + (<usize>layer.paramOffset << 2));
  else {
    const eq = layer.eq;
    if (eq != null) eq.addGradient(grads + (<usize>layer.paramOffset << 2));
  }
}

// (equalised learning rate: filter ~ N(0, 1), bias 0 whatever the scheme, as the official PGGAN code)
function initConv(params: usize, offset: i32, g: ConvGeometry, biasCount: i32, rng: usize, scheme: i32, eq: bool): void {
  const f = params + (<usize>offset << 2);
  const nF = g.filterSize;
  if (eq) {
    rngNormalFill(rng, f, nF, 0, 1);
    memory.fill(f + (<usize>nF << 2), 0, <usize>biasCount << 2);
    return;
  }
  if (scheme == INIT_DCGAN) {
    rngNormalFill(rng, f, nF, 0, 0.02);
    memory.fill(f + (<usize>nF << 2), 0, <usize>biasCount << 2);
    return;
  }
  const bound: f32 = 1 / Mathf.sqrt(<f32>(g.cin * g.kh * g.kw));
  rngUniformFill(rng, f, nF + biasCount, -bound, bound);
}

export class Conv2D extends Layer {
  constructor(public g: ConvGeometry) {
    super(LAYER_CONV2D, g.bigSize, g.smallSize);
    this.paramCount = g.filterSize + g.cout;
  }

  scratchFloats(maxBatch: i32): i32 {
    const g = this.g;
    return conv2dScratchSize(maxBatch, g.outH, g.outW, g.kh, g.kw, g.cin);
  }

  initParams(params: usize, rng: usize, scheme: i32): void {
    initConv(params, this.paramOffset, this.g, this.g.cout, rng, scheme, this.eq != null);
  }

  forward(params: usize, x: usize, y: usize, n: i32, training: bool, saved: usize): void {
    const g = this.g;
    const f = filterOf(this, params, true);
    const bias = params + (<usize>(this.paramOffset + g.filterSize) << 2);
    conv2dForward(y, x, f, this.scratch, n, g.h, g.w, g.cin, g.kh, g.kw, g.cout, g.strideH, g.strideW, g.padTop, g.padLeft, g.outH, g.outW);
    biasAddForward(y, bias, n * g.outH * g.outW, g.cout);
  }

  //   dfilter += conv filter gradient;  dbias += Σ dy;  dx = conv input gradient
  backward(params: usize, grads: usize, x: usize, y: usize, dy: usize, dx: usize, n: i32, paramGrads: bool, saved: usize): void {
    const g = this.g;
    if (paramGrads) {
      const df = filterGradOf(this, grads, g.filterSize);
      conv2dBackwardFilter(df, x, dy, this.scratch, n, g.h, g.w, g.cin, g.kh, g.kw, g.cout, g.strideH, g.strideW, g.padTop, g.padLeft, g.outH, g.outW);
      mapFilterGrad(this, grads);
      biasAddBackward(grads + (<usize>(this.paramOffset + g.filterSize) << 2), dy, n * g.outH * g.outW, g.cout);
    }
    if (dx != 0) {
      const f = filterOf(this, params, false);
      conv2dBackwardInput(dx, dy, f, this.scratch, n, g.h, g.w, g.cin, g.kh, g.kw, g.cout, g.strideH, g.strideW, g.padTop, g.padLeft, g.outH, g.outW);
    }
  }

  // bilinear in (filter, x) like Dense: ẏ = conv(ẋ);  dfilter += filterGrad(ẋ, ẏ̄) + filterGrad(x, ȳ);
  // dbias += Σ ȳ;  x̄ = inputGrad(ȳ)
  forwardTangent(params: usize, x: usize, y: usize, xdot: usize, ydot: usize, n: i32): void {
    const g = this.g;
    const f = filterOf(this, params, false);
    conv2dForward(ydot, xdot, f, this.scratch, n, g.h, g.w, g.cin, g.kh, g.kw, g.cout, g.strideH, g.strideW, g.padTop, g.padLeft, g.outH, g.outW);
  }

  backwardTangent(params: usize, grads: usize, x: usize, y: usize, xdot: usize, ybar: usize, ydotbar: usize, xbar: usize, n: i32): bool {
    const g = this.g;
    const df = filterGradOf(this, grads, g.filterSize);
    conv2dBackwardFilter(df, xdot, ydotbar, this.scratch, n, g.h, g.w, g.cin, g.kh, g.kw, g.cout, g.strideH, g.strideW, g.padTop, g.padLeft, g.outH, g.outW);
    if (ybar != 0) conv2dBackwardFilter(df, x, ybar, this.scratch, n, g.h, g.w, g.cin, g.kh, g.kw, g.cout, g.strideH, g.strideW, g.padTop, g.padLeft, g.outH, g.outW);
    mapFilterGrad(this, grads);
    if (ybar == 0) return false;
    biasAddBackward(grads + (<usize>(this.paramOffset + g.filterSize) << 2), ybar, n * g.outH * g.outW, g.cout);
    if (xbar == 0) return false;
    const f = filterOf(this, params, false);
    conv2dBackwardInput(xbar, ybar, f, this.scratch, n, g.h, g.w, g.cin, g.kh, g.kw, g.cout, g.strideH, g.strideW, g.padTop, g.padLeft, g.outH, g.outW);
    return true;
  }
}

export class Conv2DTranspose extends Layer {
  constructor(public g: ConvGeometry) {
    super(LAYER_CONV2D_TRANSPOSE, g.smallSize, g.bigSize);
    this.paramCount = g.filterSize + g.cin;
  }

  scratchFloats(maxBatch: i32): i32 {
    const g = this.g;
    return conv2dScratchSize(maxBatch, g.outH, g.outW, g.kh, g.kw, g.cin);
  }

  initParams(params: usize, rng: usize, scheme: i32): void {
    initConv(params, this.paramOffset, this.g, this.g.cin, rng, scheme, this.eq != null);
  }

  // y [n, h, w, cin] = the conv's input gradient of x [n, outH, outW, cout], plus bias
  forward(params: usize, x: usize, y: usize, n: i32, training: bool, saved: usize): void {
    const g = this.g;
    const f = filterOf(this, params, true);
    const bias = params + (<usize>(this.paramOffset + g.filterSize) << 2);
    conv2dBackwardInput(y, x, f, this.scratch, n, g.h, g.w, g.cin, g.kh, g.kw, g.cout, g.strideH, g.strideW, g.padTop, g.padLeft, g.outH, g.outW);
    biasAddForward(y, bias, n * g.h * g.w, g.cin);
  }

  //   dfilter += conv filter gradient with x and dy swapped;  dbias += Σ dy;  dx = conv(dy)
  backward(params: usize, grads: usize, x: usize, y: usize, dy: usize, dx: usize, n: i32, paramGrads: bool, saved: usize): void {
    const g = this.g;
    if (paramGrads) {
      const df = filterGradOf(this, grads, g.filterSize);
      conv2dBackwardFilter(df, dy, x, this.scratch, n, g.h, g.w, g.cin, g.kh, g.kw, g.cout, g.strideH, g.strideW, g.padTop, g.padLeft, g.outH, g.outW);
      mapFilterGrad(this, grads);
      biasAddBackward(grads + (<usize>(this.paramOffset + g.filterSize) << 2), dy, n * g.h * g.w, g.cin);
    }
    if (dx != 0) {
      const f = filterOf(this, params, false);
      conv2dForward(dx, dy, f, this.scratch, n, g.h, g.w, g.cin, g.kh, g.kw, g.cout, g.strideH, g.strideW, g.padTop, g.padLeft, g.outH, g.outW);
    }
  }

  // the same rules with the roles of the conv's two sides swapped
  forwardTangent(params: usize, x: usize, y: usize, xdot: usize, ydot: usize, n: i32): void {
    const g = this.g;
    const f = filterOf(this, params, false);
    conv2dBackwardInput(ydot, xdot, f, this.scratch, n, g.h, g.w, g.cin, g.kh, g.kw, g.cout, g.strideH, g.strideW, g.padTop, g.padLeft, g.outH, g.outW);
  }

  backwardTangent(params: usize, grads: usize, x: usize, y: usize, xdot: usize, ybar: usize, ydotbar: usize, xbar: usize, n: i32): bool {
    const g = this.g;
    const df = filterGradOf(this, grads, g.filterSize);
    conv2dBackwardFilter(df, ydotbar, xdot, this.scratch, n, g.h, g.w, g.cin, g.kh, g.kw, g.cout, g.strideH, g.strideW, g.padTop, g.padLeft, g.outH, g.outW);
    if (ybar != 0) conv2dBackwardFilter(df, ybar, x, this.scratch, n, g.h, g.w, g.cin, g.kh, g.kw, g.cout, g.strideH, g.strideW, g.padTop, g.padLeft, g.outH, g.outW);
    mapFilterGrad(this, grads);
    if (ybar == 0) return false;
    biasAddBackward(grads + (<usize>(this.paramOffset + g.filterSize) << 2), ybar, n * g.h * g.w, g.cin);
    if (xbar == 0) return false;
    const f = filterOf(this, params, false);
    conv2dForward(xbar, ybar, f, this.scratch, n, g.h, g.w, g.cin, g.kh, g.kw, g.cout, g.strideH, g.strideW, g.padTop, g.padLeft, g.outH, g.outW);
    return true;
  }
}
