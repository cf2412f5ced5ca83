// Spectral normalisation (Miyato, Kataoka, Koyama & Yoshida 2018, "Spectral Normalization for
// Generative Adversarial Networks"; PyTorch's torch.nn.utils.spectral_norm): a dense or conv layer
// multiplies by W_SN = W / σ(W), σ(W) the largest singular value of its weight as a matrix,
// estimated by power iteration with vectors kept in the net's state.
//   The matrix K [R, C] is the kernel exactly as the arena stores it, row-major:
//     dense             kernel [in, out]            -> K [in, out]                 (R = in, C = out)
//     conv2d            kernel [kh, kw, cin, cout]  -> K [kh·kw·cin, cout]
//     conv2d_transpose  kernel [kh, kw, filters, c] -> K [kh·kw·filters, c]        (c: its input's channels)
//   K is PyTorch's weight matrix transposed (dense; conv: with its fan-in axis permuted, which
//   moves no singular value). The transposed conv's K is the matrix of the convolution it is the
//   adjoint of (PyTorch's dim=1 reshape of a ConvTranspose2d weight is another matrix).
//   state (the layer's slice of the net's state block): u [C], then v [R]
// In PyTorch's terms (W = Kᵀ): one power iteration is v = normalise(Wᵀu) = normalise(K u),
// u = normalise(W v) = normalise(Kᵀ v); σ = uᵀ W v = vᵀ K u; normalise(x) = x / max(‖x‖, 1e-12).
// Every forward (training or not) uses σ = vᵀ K u with the STORED u, v and the current K: that is
// PyTorch's evaluation mode, and after an iteration it is the iteration's σ. The iteration itself
// runs only at iterate(), which the GAN step calls once per update of the net (see
// assembly/train/gan.ts), so every forward between two updates (D on real, fake, x̂, and G's pass
// through D) sees one σ per weight, and sampling never moves u or v.
// Gradient, u and v held constant (as PyTorch, whose iteration runs under no_grad):
//   W_SN = W/σ, dσ/dW = u vᵀ  =>  dL/dW = G/σ − (⟨G, W⟩/σ²)·u vᵀ = (G − ⟨G, W_SN⟩·u vᵀ)/σ,
//   G = dL/dW_SN; in K's layout dL/dK = (G − ⟨G, K_SN⟩·v uᵀ)/σ. The map is linear in G, so each
//   backward maps its own G (computed into `gtmp`) and ADDS the result, as every layer does. The
//   tangent pass (WGAN-GP): with u, v and so W_SN fixed the layer is linear in x (ẏ = ẋ·W_SN), and
//   its parameter gradient is the same map of the tangent rule's G.
// Determinism: every loop here is serial, in a fixed order, with f64 sums, on the calling
// (leading) thread; only the G-gradient GEMM / conv filter gradient is split, by the same-bits
// rules of assembly/kernels/threads.ts. So T threads give the bits of one.
import { rngNormalFill } from "../kernels/rng";

const NORM_EPS: f64 = 1e-12; // F.normalize's eps

export class SpectralNorm {
  u: usize = 0;     // [C] f32, in the net's state block
  v: usize = 0;     // [R] f32, likewise
  wsn: usize = 0;   // [R, C] f32: K / σ of the last refresh()
  gtmp: usize = 0;  // [R, C] f32: one backward's G = dL/dK_SN
  acc: usize = 0;   // [max(R, C)] f64 scratch for Kᵀv
  sigma: f64 = 1;   // σ of the last refresh()

  constructor(public R: i32, public C: i32, public paramOffset: i32) {}

  get stateCount(): i32 { return this.R + this.C; }

  // points u, v at the layer's state and lays out the buffers (Net.build)
  bind(state: usize): void {
    const RC = <usize>this.R * <usize>this.C;
    this.u = state;
    this.v = state + (<usize>this.C << 2);
    this.wsn = heap.alloc(RC << 2);
    this.gtmp = heap.alloc(RC << 2);
    this.acc = heap.alloc(<usize>max(this.R, this.C) << 3);
    memory.fill(this.wsn, 0, RC << 2);
    memory.fill(this.gtmp, 0, RC << 2);
    // until initVectors: u = e_0, v = e_0 (finite, so an uninitialised net computes something)
    memory.fill(state, 0, <usize>this.stateCount << 2);
    store<f32>(this.u, 1);
    store<f32>(this.v, 1);
  }

  // u ~ normalise(N(0, I)) from the init stream, then v = normalise(K u): σ = ‖K u‖ > 0 from the start
  initVectors(K: usize, rng: usize): void {
    rngNormalFill(rng, this.u, this.C, 0, 1);
    normaliseInPlace(this.u, this.C);
    this.multiplyU(K);
  }

  // one power iteration: v = normalise(K u), u = normalise(Kᵀ v)
  iterate(K: usize): void {
    this.multiplyU(K);
    const R = this.R, C = this.C, acc = this.acc;
    memory.fill(acc, 0, <usize>C << 3);
    for (let r = 0; r < R; r++) {
      const vr = <f64>load<f32>(this.v + (<usize>r << 2));
      const row = K + (<usize>r * <usize>C << 2);
      for (let c = 0; c < C; c++) {
        const a = acc + (<usize>c << 3);
        store<f64>(a, load<f64>(a) + <f64>load<f32>(row + (<usize>c << 2)) * vr);
      }
    }
    storeNormalised(this.u, acc, C);
  }

  // v = normalise(K u)
  private multiplyU(K: usize): void {
    const R = this.R, C = this.C, acc = this.acc;
    for (let r = 0; r < R; r++) store<f64>(acc + (<usize>r << 3), rowDot(K + (<usize>r * <usize>C << 2), this.u, C));
    storeNormalised(this.v, acc, R);
  }

  // σ = vᵀ K u with the stored vectors
  sigmaOf(K: usize): f64 {
    const R = this.R, C = this.C;
    let s: f64 = 0;
    for (let r = 0; r < R; r++) s += <f64>load<f32>(this.v + (<usize>r << 2)) * rowDot(K + (<usize>r * <usize>C << 2), this.u, C);
    return s;
  }

  // σ for the current K, and wsn = K · (1/σ) (1/σ rounded to f32 once, f32x4 products); returns
  // wsn (every forward calls this)
  refresh(K: usize): usize {
    const s = this.sigmaOf(K);
    this.sigma = s;
    const n = <i32>(<usize>this.R * <usize>this.C);
    const inv = <f32>(1.0 / s), vinv = f32x4.splat(inv);
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(this.wsn + o, f32x4.mul(v128.load(K + o), vinv));
    }
    for (; i < n; i++) store<f32>(this.wsn + (<usize>i << 2), load<f32>(K + (<usize>i << 2)) * inv);
    return this.wsn;
  }

  // dK += (G − ⟨G, K_SN⟩·v uᵀ)/σ for G = gtmp (the last refresh()'s σ and K_SN)
  addGradient(dK: usize): void {
    const R = this.R, C = this.C, n = <usize>R * <usize>C, G = this.gtmp;
    let dot: f64 = 0;
    for (let i: usize = 0; i < n; i++) dot += <f64>load<f32>(G + (i << 2)) * <f64>load<f32>(this.wsn + (i << 2));
    const inv: f64 = 1.0 / this.sigma;
    for (let r = 0; r < R; r++) {
      const cv = dot * <f64>load<f32>(this.v + (<usize>r << 2));
      const base = <usize>r * <usize>C << 2;
      for (let c = 0; c < C; c++) {
        const o = base + (<usize>c << 2);
        const g = (<f64>load<f32>(G + o) - cv * <f64>load<f32>(this.u + (<usize>c << 2))) * inv;
        store<f32>(dK + o, load<f32>(dK + o) + <f32>g);
      }
    }
  }
}

// Σ_c row[c]·x[c] in f64
function rowDot(row: usize, x: usize, C: i32): f64 {
  let s: f64 = 0;
  for (let c = 0; c < C; c++) s += <f64>load<f32>(row + (<usize>c << 2)) * <f64>load<f32>(x + (<usize>c << 2));
  return s;
}

// out [len] f32 = acc / max(‖acc‖, eps), acc f64
function storeNormalised(out: usize, acc: usize, len: i32): void {
  let ss: f64 = 0;
  for (let i = 0; i < len; i++) { const a = load<f64>(acc + (<usize>i << 3)); ss += a * a; }
  const d = max(Math.sqrt(ss), NORM_EPS);
  for (let i = 0; i < len; i++) store<f32>(out + (<usize>i << 2), <f32>(load<f64>(acc + (<usize>i << 3)) / d));
}

function normaliseInPlace(x: usize, len: i32): void {
  let ss: f64 = 0;
  for (let i = 0; i < len; i++) { const a = <f64>load<f32>(x + (<usize>i << 2)); ss += a * a; }
  const d = max(Math.sqrt(ss), NORM_EPS);
  for (let i = 0; i < len; i++) store<f32>(x + (<usize>i << 2), <f32>(<f64>load<f32>(x + (<usize>i << 2)) / d));
}
