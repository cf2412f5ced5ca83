// 2-D convolution, NHWC, tfjs layouts: im2col + GEMM. Forward and both gradients side by side.
//
//   n = batch, h, w = input height, width, cin / cout = channels, kh, kw = filter size,
//   strideH, strideW = strides, padTop, padLeft = zero rows / columns before the input
//   (the padding after is implied by outH, outW), outH, outW = output size.
//   M = n*outH*outW (output pixels), K = kh*kw*cin (taps of one output pixel).
//
//   x:      [n, h, w, cin]
//   filter: [kh, kw, cin, cout]       (tfjs conv2d layout; read as a [K, cout] matrix)
//   y:      [n, outH, outW, cout]     (read as an [M, cout] matrix)
//   col:    [M, K] (the scratch)      col[(b*outH + oy)*outW + ox, (ki*kw + kj)*cin + c]
//                                       = x[b, oy*strideH - padTop + ki, ox*strideW - padLeft + kj, c],
//                                         0 where that falls in the padding
//
//   forward:          y        = col · filter              (gemm NN: M x cout x K)
//   backward input:   dcol     = dy · filterᵀ              (gemm NT: M x K x cout), dx = col2im(dcol)
//   backward filter:  dfilter += colᵀ · dy                 (gemm TN: K x cout x M)
//
// Padding is resolved by the caller (convOutSize / convPadBefore give tfjs's rules):
//   'same':  out = ceil(in / stride), padTotal = max((out - 1)*stride + k - in, 0), before = floor(padTotal / 2)
//   'valid': out = ceil((in - k + 1) / stride), before = 0
//
// Transposed convolution (tfjs conv2dTranspose(x, filter, outputShape, strides, pad), filter
// [kh, kw, outC, inC]) is the adjoint of the conv from its output space [n, H, W, outC] to its
// input space [n, h, w, inC] with the same filter read as [kh, kw, cin = outC, cout = inC] and
// the padding computed from the big side (h = convOutSize(H, ...)). So, with the names above
// (x = the big tensor [n, H, W, outC], y = the small one [n, h, w, inC]):
//   transposed forward:          conv2dBackwardInput(Y, X, filter, ...)      (X: its input, Y: its output)
//   transposed input gradient:   conv2dForward(dX, dY, filter, ...)
//   transposed filter gradient:  conv2dBackwardFilter(dfilter, dY, X, ...)   (x and dy swapped)
//
// Scratch: conv2dScratchSize(...) = M*K floats, 16-byte aligned, shared freely between layers
// (nothing in it survives a call). The 1x1 / stride-1 / unpadded case reads x as col directly
// and leaves the scratch untouched.
import { gemm } from "./gemm";

// ---- shape helpers (tfjs / TensorFlow padding rules)

// output size along one axis; 'valid' with k > in gives 0 (tfjs refuses such a shape)
export function convOutSize(inSize: i32, k: i32, stride: i32, same: bool): i32 {
  if (same) return (inSize + stride - 1) / stride;
  const span = inSize - k + 1;
  return span <= 0 ? 0 : (span + stride - 1) / stride;
}

// zero rows (columns) before the input; the rest of the padding, if any, goes after
export function convPadBefore(inSize: i32, k: i32, stride: i32, same: bool): i32 {
  if (!same) return 0;
  const out = (inSize + stride - 1) / stride;
  const total = max((out - 1) * stride + k - inSize, 0);
  return total >> 1;
}

// floats the im2col scratch needs: [n*outH*outW, kh*kw*cin]
export function conv2dScratchSize(n: i32, outH: i32, outW: i32, kh: i32, kw: i32, cin: i32): i32 {
  return n * outH * outW * kh * kw * cin;
}

// ---- contiguous f32 runs (the runs here are short: kw*c floats at most)

// @ts-ignore: decorator
@inline
function copyRun(dst: usize, src: usize, len: i32): void {
  let i = 0;
  for (; i + 4 <= len; i += 4) v128.store(dst + (<usize>i << 2), v128.load(src + (<usize>i << 2)));
  for (; i < len; i++) store<f32>(dst + (<usize>i << 2), load<f32>(src + (<usize>i << 2)));
}

// @ts-ignore: decorator
@inline
function zeroRun(dst: usize, len: i32): void {
  let i = 0;
  const z = f32x4.splat(0);
  for (; i + 4 <= len; i += 4) v128.store(dst + (<usize>i << 2), z);
  for (; i < len; i++) store<f32>(dst + (<usize>i << 2), 0);
}

// dst[i] += src[i]; one f32 addition per element (lane-wise, so the SIMD body and the scalar
// tail round exactly as a plain loop does)
// @ts-ignore: decorator
@inline
function addRun(dst: usize, src: usize, len: i32): void {
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const d = dst + (<usize>i << 2);
    v128.store(d, f32x4.add(v128.load(d), v128.load(src + (<usize>i << 2))));
  }
  for (; i < len; i++) {
    const d = dst + (<usize>i << 2);
    store<f32>(d, load<f32>(d) + load<f32>(src + (<usize>i << 2)));
  }
}

// ---- im2col and its adjoint

// col: [n*outH*outW, kh*kw*c] (overwritten) <- x: [n, h, w, c]
// For one output pixel and one filter row ki the kw*c values are one contiguous run of x
// (NHWC), clipped at the left and right edges; rows that fall in the padding are zeros.
export function im2col(
  col: usize, x: usize, n: i32, h: i32, w: i32, c: i32, kh: i32, kw: i32,
  strideH: i32, strideW: i32, padTop: i32, padLeft: i32, outH: i32, outW: i32,
): void {
  const run = kw * c;
  const runBytes = <usize>run << 2;
  let dst = col;
  for (let b = 0; b < n; b++) {
    const xb = x + <usize>b * h * w * c * 4;
    for (let oy = 0; oy < outH; oy++) {
      const iy0 = oy * strideH - padTop;
      for (let ox = 0; ox < outW; ox++) {
        const ix0 = ox * strideW - padLeft;
        const kj0 = max(0, -ix0), kj1 = min(kw, w - ix0); // taps with 0 <= ix0 + kj < w
        for (let ki = 0; ki < kh; ki++) {
          const iy = iy0 + ki;
          if (iy < 0 || iy >= h || kj0 >= kj1) {
            zeroRun(dst, run);
          } else {
            if (kj0 > 0) zeroRun(dst, kj0 * c);
            copyRun(dst + (<usize>(kj0 * c) << 2), xb + (<usize>((iy * w + ix0 + kj0) * c) << 2), (kj1 - kj0) * c);
            if (kj1 < kw) zeroRun(dst + (<usize>(kj1 * c) << 2), (kw - kj1) * c);
          }
          dst += runBytes;
        }
      }
    }
  }
}

// dx: [n, h, w, c] += col2im(col), col: [n*outH*outW, kh*kw*c]. ADDS: overlapping windows sum
// their gradients; entries of col that fall in the padding are dropped. The order of additions
// is fixed: output pixels in row-major order, then ki, kj, c (a plain loop gives the same bits).
export function col2im(
  dx: usize, col: usize, n: i32, h: i32, w: i32, c: i32, kh: i32, kw: i32,
  strideH: i32, strideW: i32, padTop: i32, padLeft: i32, outH: i32, outW: i32,
): void {
  const runBytes = <usize>(kw * c) << 2;
  let src = col;
  for (let b = 0; b < n; b++) {
    const xb = dx + <usize>b * h * w * c * 4;
    for (let oy = 0; oy < outH; oy++) {
      const iy0 = oy * strideH - padTop;
      for (let ox = 0; ox < outW; ox++) {
        const ix0 = ox * strideW - padLeft;
        const kj0 = max(0, -ix0), kj1 = min(kw, w - ix0);
        for (let ki = 0; ki < kh; ki++) {
          const iy = iy0 + ki;
          if (iy >= 0 && iy < h && kj0 < kj1) {
            addRun(xb + (<usize>((iy * w + ix0 + kj0) * c) << 2), src + (<usize>(kj0 * c) << 2), (kj1 - kj0) * c);
          }
          src += runBytes;
        }
      }
    }
  }
}

// 1x1, stride 1, no padding: col is x itself ([n*h*w, cin]), no copy needed
// @ts-ignore: decorator
@inline
function isPointwise(h: i32, w: i32, kh: i32, kw: i32, strideH: i32, strideW: i32, padTop: i32, padLeft: i32, outH: i32, outW: i32): bool {
  return kh == 1 && kw == 1 && strideH == 1 && strideW == 1 && padTop == 0 && padLeft == 0 && outH == h && outW == w;
}

// ---- conv2d

// y: [n, outH, outW, cout] (overwritten) = conv(x: [n, h, w, cin], filter: [kh, kw, cin, cout])
export function conv2dForward(
  y: usize, x: usize, filter: usize, scratch: usize,
  n: i32, h: i32, w: i32, cin: i32, kh: i32, kw: i32, cout: i32,
  strideH: i32, strideW: i32, padTop: i32, padLeft: i32, outH: i32, outW: i32,
): void {
  const M = n * outH * outW, K = kh * kw * cin;
  let col = scratch;
  if (isPointwise(h, w, kh, kw, strideH, strideW, padTop, padLeft, outH, outW)) col = x;
  else im2col(scratch, x, n, h, w, cin, kh, kw, strideH, strideW, padTop, padLeft, outH, outW);
  gemm(false, false, M, cout, K, col, K, filter, cout, y, cout, false);
}

// dx: [n, h, w, cin] (overwritten) = conv's input gradient for dy: [n, outH, outW, cout]
export function conv2dBackwardInput(
  dx: usize, dy: usize, filter: usize, scratch: usize,
  n: i32, h: i32, w: i32, cin: i32, kh: i32, kw: i32, cout: i32,
  strideH: i32, strideW: i32, padTop: i32, padLeft: i32, outH: i32, outW: i32,
): void {
  const M = n * outH * outW, K = kh * kw * cin;
  if (isPointwise(h, w, kh, kw, strideH, strideW, padTop, padLeft, outH, outW)) {
    gemm(false, true, M, cin, cout, dy, cout, filter, cout, dx, cin, false); // dx = dy · filterᵀ
    return;
  }
  gemm(false, true, M, K, cout, dy, cout, filter, cout, scratch, K, false); // dcol [M, K]
  memory.fill(dx, 0, <usize>n * h * w * cin * 4);
  col2im(dx, scratch, n, h, w, cin, kh, kw, strideH, strideW, padTop, padLeft, outH, outW);
}

// dfilter: [kh, kw, cin, cout] += conv's filter gradient for x: [n, h, w, cin], dy: [n, outH, outW, cout]
// (accumulates, like every parameter gradient: D sums its gradients over a real and a fake pass)
export function conv2dBackwardFilter(
  dfilter: usize, x: usize, dy: usize, scratch: usize,
  n: i32, h: i32, w: i32, cin: i32, kh: i32, kw: i32, cout: i32,
  strideH: i32, strideW: i32, padTop: i32, padLeft: i32, outH: i32, outW: i32,
): void {
  const M = n * outH * outW, K = kh * kw * cin;
  let col = scratch;
  if (isPointwise(h, w, kh, kw, strideH, strideW, padTop, padLeft, outH, outW)) col = x;
  else im2col(scratch, x, n, h, w, cin, kh, kw, strideH, strideW, padTop, padLeft, outH, outW);
  gemm(true, false, K, cout, M, col, K, dy, cout, dfilter, cout, true);
}
