// Equalised learning rate (Karras, Aila, Laine & Lehtinen 2018, "Progressive Growing of GANs for
// Improved Quality, Stability, and Variation", §4.1; the official code's get_weight(use_wscale=True),
// tkarras/progressive_growing_of_gans networks.py): a dense or conv layer stores its weight W
// drawn from N(0, 1) (biases 0) and multiplies by c·W at run time, c = gain / sqrt(fan_in) (He's
// constant; gain √2 by default, 1 for toRGB and D's last layer, √2/4 for G's first dense in the
// official nets). Adam's updates are then the same size for every layer whatever its fan-in.
//   fan_in: dense in; conv2d kh·kw·cin; conv2d_transpose kh·kw·(its input's channels), as the
//   official fused upscale conv's fan_in = k²·fmaps_in.
// The host computes c (src/model/equalized_lr.ts: fround(gain / sqrt(fan_in))) and passes it in,
// so both engines and the exports multiply by the same f32 constant.
// Forward: W_eq = c·W (f32x4 products, refreshed at each forward, like spectral normalisation's
// W/σ) takes W's place in every product; backward: the gradient G computed for W_eq (into gtmp)
// maps to dL/dW = c·G, ADDED into the grads. The tangent pass (WGAN-GP) is the same map of its G.
// Serial f32x4 loops on the calling thread: the same bits whatever the thread count.
export class EqualizedLr {
  wsc: usize = 0;  // [count] f32: c·W of the last refresh()
  gtmp: usize = 0; // [count] f32: one backward's G = dL/dW_eq
  constructor(public count: i32, public scale: f32) {}

  // lays out the buffers (Net.build)
  bind(): void {
    const bytes = <usize>this.count << 2;
    this.wsc = heap.alloc(bytes);
    this.gtmp = heap.alloc(bytes);
    memory.fill(this.wsc, 0, bytes);
    memory.fill(this.gtmp, 0, bytes);
  }

  // wsc = c·W; returns wsc (every forward calls this)
  refresh(W: usize): usize {
    scaleInto(this.wsc, W, this.scale, this.count, false);
    return this.wsc;
  }

  // dW += c·G for G = gtmp
  addGradient(dW: usize): void {
    scaleInto(dW, this.gtmp, this.scale, this.count, true);
  }
}

// dst = c·src (accumulate: dst += c·src), f32x4 body and a scalar tail
function scaleInto(dst: usize, src: usize, c: f32, len: i32, accumulate: bool): void {
  const cv = f32x4.splat(c);
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const o = <usize>i << 2;
    const v = f32x4.mul(v128.load(src + o), cv);
    v128.store(dst + o, accumulate ? f32x4.add(v128.load(dst + o), v) : v);
  }
  for (; i < len; i++) {
    const o = <usize>i << 2;
    const v = load<f32>(src + o) * c;
    store<f32>(dst + o, accumulate ? load<f32>(dst + o) + v : v);
  }
}
