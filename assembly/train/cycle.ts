// The CycleGAN training step, entirely inside WebAssembly (Zhu et al. 2017, "Unpaired
// Image-to-Image Translation using Cycle-Consistent Adversarial Networks", §3 and §4; the official
// code's CycleGANModel.optimize_parameters, junyanz/pytorch-CycleGAN-and-pix2pix
// models/cycle_gan_model.py, with its defaults: LSGAN (MSE) losses, λ = 10, identity 0.5·λ, D's
// loss halved, a pool of 50 fakes per D). Naming here: G: A -> B, F: B -> A, D_B judges domain B
// (real b against G(a): the official netD_A), D_A judges domain A (the official netD_B).
//   a, b: a minibatch of each domain, drawn independently (unpaired), B rows each
//   generators (one update of G and one of F, D held fixed, as set_requires_grad(D, False)):
//     L = MSE(D_B(G(a)), 1) + MSE(D_A(F(b)), 1)
//       + λ·|F(G(a)) − a|₁ + λ·|G(F(b)) − b|₁                  (cycle consistency)
//       + λ·idt·|G(b) − b|₁ + λ·idt·|F(a) − a|₁                  (identity; idt = 0.5)
//     |·|₁ = the mean absolute difference over every value (PyTorch's L1Loss; its gradient takes
//     sign(0) = 0), MSE = the mean squared difference over every logit of D's map (PatchGAN)
//   discriminators (after the generators' update, on the fakes computed before it):
//     L_DB = ½·[MSE(D_B(b), 1) + MSE(D_B(pool_B(G(a))), 0)],  L_DA likewise with a, pool_A(F(b))
// Each generator runs three times in the step (G on a, on F(b) and on b), each call on its own
// tape (assembly/nn/tape.ts), and all three backward passes add into its one gradient.
// The gradient reaching G(a) is the sum of D_B's input gradient and F's (through the cycle),
// added in that fixed order; likewise F(b).
// The image pool (the official ImagePool.query, one per D, `poolSize` images): per image of the
// batch, in order, while the pool is not full the image is stored and returned; then with
// u ~ U[0, 1) from this step's stream, u > 0.5 returns a stored image chosen uniformly (rngBelow)
// and stores the new one in its place, else returns the new one. poolSize 0: the fakes themselves.
// Learning rates (the official "linear" policy scaled to steps): every net's lr is held for the
// steps before decayStart, then falls linearly to 0 at decayEnd: at step s (0-based),
// lr·(1 − (s − decayStart)/(decayEnd − decayStart)) clamped to [0, 1]; decayEnd 0 keeps it constant.
// Random draws per step, from one stream: B indices into A, B into B, then pool_B's u and
// indices, then pool_A's (only once the pools are full).
// Nothing here allocates or calls into JS.
import { Net } from "../nn/net";
import { Tape } from "../nn/tape";
import { Optimizer } from "./optimizer";
import { sumSquares } from "../kernels/optim";
import { rngBelow, rngUniform } from "../kernels/rng";

// the statistics block's slots (the host's names: src/engine/cycle_engine.ts)
export const CYCLE_DA_LOSS: i32 = 0;    // L_DA (halved)
export const CYCLE_DB_LOSS: i32 = 1;    // L_DB (halved)
export const CYCLE_G_ADV: i32 = 2;      // MSE(D_B(G(a)), 1)
export const CYCLE_F_ADV: i32 = 3;      // MSE(D_A(F(b)), 1)
export const CYCLE_REC_A: i32 = 4;      // |F(G(a)) − a|₁ (unweighted)
export const CYCLE_REC_B: i32 = 5;      // |G(F(b)) − b|₁ (unweighted)
export const CYCLE_IDT_A: i32 = 6;      // |F(a) − a|₁ (unweighted; 0 when identity is off)
export const CYCLE_IDT_B: i32 = 7;      // |G(b) − b|₁
export const CYCLE_G_LOSS: i32 = 8;     // the generators' whole weighted objective
export const CYCLE_DA_REAL: i32 = 9;    // mean D_A logit on real a
export const CYCLE_DA_FAKE: i32 = 10;   // mean D_A logit on the pooled fakes
export const CYCLE_DB_REAL: i32 = 11;
export const CYCLE_DB_FAKE: i32 = 12;
export const CYCLE_G_GRAD_NORM: i32 = 13; // ‖∇_G L‖₂
export const CYCLE_F_GRAD_NORM: i32 = 14; // ‖∇_F L‖₂
export const CYCLE_STAT_COUNT: i32 = 15;

// w·mean (l − t)² over n logits; ADDS w·2(l − t)/n into dl
function mse(dl: usize, l: usize, n: i32, target: f32, w: f64): f32 {
  let s: f64 = 0;
  const c = 2.0 * w / <f64>n;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const d = <f64>load<f32>(l + o) - <f64>target;
    s += d * d;
    store<f32>(dl + o, load<f32>(dl + o) + <f32>(c * d));
  }
  return <f32>(w * s / <f64>n);
}

// mean |a − b| over len values (unweighted); WRITES d = w·sign(a − b)/len (sign(0) = 0)
function l1(d: usize, a: usize, b: usize, len: i32, w: f64): f32 {
  let s: f64 = 0;
  const g = <f32>(w / <f64>len);
  for (let i = 0; i < len; i++) {
    const o = <usize>i << 2;
    const e = load<f32>(a + o) - load<f32>(b + o);
    s += <f64>Mathf.abs(e);
    store<f32>(d + o, e > 0 ? g : e < 0 ? -g : 0);
  }
  return <f32>(s / <f64>len);
}

// mean of n logits
function mean(l: usize, n: i32): f32 {
  let s: f64 = 0;
  for (let i = 0; i < n; i++) s += <f64>load<f32>(l + (<usize>i << 2));
  return <f32>(s / <f64>n);
}

// dst += src over len floats
function addInto(dst: usize, src: usize, len: i32): void {
  for (let i = 0; i < len; i++) {
    const o = <usize>i << 2;
    store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
  }
}

// The official ImagePool: `size` images of `len` floats, `count` of them stored so far.
export class ImagePool {
  images: usize;
  count: i32 = 0;
  constructor(public size: i32, public len: i32) {
    const bytes = <usize>max(size, 1) * <usize>len * 4;
    this.images = heap.alloc(bytes);
    memory.fill(this.images, 0, bytes);
  }

  // out [n, len] = the batch x [n, len] as the pool answers it (see the header)
  query(out: usize, x: usize, n: i32, rng: usize): void {
    const bytes = <usize>this.len << 2;
    for (let i = 0; i < n; i++) {
      const img = x + <usize>i * bytes, dst = out + <usize>i * bytes;
      if (this.size == 0) { memory.copy(dst, img, bytes); continue; }
      if (this.count < this.size) {
        memory.copy(this.images + <usize>this.count * bytes, img, bytes);
        this.count++;
        memory.copy(dst, img, bytes);
        continue;
      }
      if (rngUniform(rng) > 0.5) {
        const slot = this.images + <usize>rngBelow(rng, <u32>this.size) * bytes;
        memory.copy(dst, slot, bytes);
        memory.copy(slot, img, bytes);
      } else memory.copy(dst, img, bytes);
    }
  }
}

export class CycleGan {
  rng: usize;
  stats: usize;
  steps: i32 = 0;
  lambda: f64 = 10;   // cycle consistency weight
  identity: f64 = 0.5; // the identity loss's weight, as a multiple of lambda
  decayStart: i32 = 0;
  decayEnd: i32 = 0;  // 0: constant learning rates
  lrG: f32; lrF: f32; lrDA: f32; lrDB: f32; // the base rates
  dataA: usize = 0; countA: i32 = 0;
  dataB: usize = 0; countB: i32 = 0;
  realA: usize; realB: usize;        // [B, XA], [B, XB]: this step's minibatches
  tG1: Tape; tG2: Tape; tG3: Tape;   // G(a), G(F(b)), G(b)
  tF1: Tape; tF2: Tape; tF3: Tape;   // F(G(a)), F(b), F(a)
  dFakeB: usize; dFakeA: usize;      // dL/dG(a) [B, XB], dL/dF(b) [B, XA]
  dAdvB: usize; dAdvA: usize;        // D's input gradients, the adversarial part
  dRecA: usize; dRecB: usize;        // dL/d F(G(a)) [B, XA], dL/d G(F(b)) [B, XB]
  dIdtA: usize; dIdtB: usize;        // dL/d F(a), dL/d G(b)
  dlA: usize; dlB: usize;            // dL/d logits [B, M_A], [B, M_B]
  pooledA: usize; pooledB: usize;    // the pools' answers [B, XA], [B, XB]
  poolA: ImagePool; poolB: ImagePool; // fakes of A (for D_A), of B (for D_B)

  constructor(
    public G: Net, public F: Net, public DA: Net, public DB: Net, public batch: i32,
    public optG: Optimizer, public optF: Optimizer, public optDA: Optimizer, public optDB: Optimizer, poolSize: i32,
  ) {
    const B = <usize>batch, XA = <usize>G.inSize, XB = <usize>G.outSize;
    const buf = (floats: usize): usize => { const p = heap.alloc(floats * 4 + 16); memory.fill(p, 0, floats * 4 + 16); return p; };
    this.rng = buf(4);
    this.stats = buf(CYCLE_STAT_COUNT);
    this.realA = buf(B * XA); this.realB = buf(B * XB);
    this.dFakeB = buf(B * XB); this.dFakeA = buf(B * XA);
    this.dAdvB = buf(B * XB); this.dAdvA = buf(B * XA);
    this.dRecA = buf(B * XA); this.dRecB = buf(B * XB);
    this.dIdtA = buf(B * XA); this.dIdtB = buf(B * XB);
    this.dlA = buf(B * <usize>DA.outSize); this.dlB = buf(B * <usize>DB.outSize);
    this.pooledA = buf(B * XA); this.pooledB = buf(B * XB);
    this.tG1 = G.tape; this.tG2 = G.newTape(batch); this.tG3 = G.newTape(batch);
    this.tF1 = F.tape; this.tF2 = F.newTape(batch); this.tF3 = F.newTape(batch);
    this.poolA = new ImagePool(poolSize, <i32>XA);
    this.poolB = new ImagePool(poolSize, <i32>XB);
    this.lrG = optG.lr; this.lrF = optF.lr; this.lrDA = optDA.lr; this.lrDB = optDB.lr;
  }

  private stat(slot: i32, v: f32): void { store<f32>(this.stats + (<usize>slot << 2), v); }

  // the factor of step s's learning rates
  private lrFactor(s: i32): f64 {
    if (this.decayEnd <= this.decayStart || s < this.decayStart) return 1;
    return max(0.0, 1.0 - <f64>(s - this.decayStart) / <f64>(this.decayEnd - this.decayStart));
  }

  private sample(): void {
    const rowA = <usize>this.G.inSize << 2, rowB = <usize>this.G.outSize << 2;
    for (let i = 0; i < this.batch; i++) {
      const j = rngBelow(this.rng, <u32>this.countA);
      memory.copy(this.realA + <usize>i * rowA, this.dataA + <usize>j * rowA, rowA);
    }
    for (let i = 0; i < this.batch; i++) {
      const j = rngBelow(this.rng, <u32>this.countB);
      memory.copy(this.realB + <usize>i * rowB, this.dataB + <usize>j * rowB, rowB);
    }
  }

  private generatorStep(): void {
    const G = this.G, F = this.F, DA = this.DA, DB = this.DB, B = this.batch;
    const XA = G.inSize, XB = G.outSize, nA = B * XA, nB = B * XB;
    const wId = this.lambda * this.identity;
    G.powerIteration();
    F.powerIteration();
    G.zeroGrads();
    F.zeroGrads();
    const fakeB = G.forwardTape(this.tG1, this.realA, B, true);
    const recA = F.forwardTape(this.tF1, fakeB, B, true);
    const fakeA = F.forwardTape(this.tF2, this.realB, B, true);
    const recB = G.forwardTape(this.tG2, fakeA, B, true);
    // cycles: F's and G's gradients from the reconstructions, and their input gradients into
    // dFakeB / dFakeA (WRITTEN: the first contribution)
    const recLossA = l1(this.dRecA, recA, this.realA, nA, this.lambda);
    F.backwardTape(this.tF1, this.dRecA, this.dFakeB, B, true);
    const recLossB = l1(this.dRecB, recB, this.realB, nB, this.lambda);
    G.backwardTape(this.tG2, this.dRecB, this.dFakeA, B, true);
    // adversarial: D's input gradients added in, then G and F back through their first calls
    const mB = B * DB.outSize, mA = B * DA.outSize;
    const lB = DB.forward(fakeB, B, true);
    memory.fill(this.dlB, 0, <usize>mB << 2);
    const advG = mse(this.dlB, lB, mB, 1, 1);
    DB.backward(this.dlB, this.dAdvB, B, false);
    addInto(this.dFakeB, this.dAdvB, nB);
    G.backwardTape(this.tG1, this.dFakeB, 0, B, true);
    const lA = DA.forward(fakeA, B, true);
    memory.fill(this.dlA, 0, <usize>mA << 2);
    const advF = mse(this.dlA, lA, mA, 1, 1);
    DA.backward(this.dlA, this.dAdvA, B, false);
    addInto(this.dFakeA, this.dAdvA, nA);
    F.backwardTape(this.tF2, this.dFakeA, 0, B, true);
    // identity: G(b) ≈ b, F(a) ≈ a
    let idtB: f32 = 0, idtA: f32 = 0;
    if (wId > 0) {
      const gb = G.forwardTape(this.tG3, this.realB, B, true);
      idtB = l1(this.dIdtB, gb, this.realB, nB, wId);
      G.backwardTape(this.tG3, this.dIdtB, 0, B, true);
      const fa = F.forwardTape(this.tF3, this.realA, B, true);
      idtA = l1(this.dIdtA, fa, this.realA, nA, wId);
      F.backwardTape(this.tF3, this.dIdtA, 0, B, true);
    }
    this.stat(CYCLE_G_ADV, advG);
    this.stat(CYCLE_F_ADV, advF);
    this.stat(CYCLE_REC_A, recLossA);
    this.stat(CYCLE_REC_B, recLossB);
    this.stat(CYCLE_IDT_A, idtA);
    this.stat(CYCLE_IDT_B, idtB);
    this.stat(CYCLE_G_LOSS, <f32>(<f64>advG + <f64>advF + this.lambda * (<f64>recLossA + <f64>recLossB) + wId * (<f64>idtA + <f64>idtB)));
    this.stat(CYCLE_G_GRAD_NORM, <f32>Math.sqrt(sumSquares(G.grads, G.paramCount)));
    this.stat(CYCLE_F_GRAD_NORM, <f32>Math.sqrt(sumSquares(F.grads, F.paramCount)));
    this.optG.step(G);
    this.optF.step(F);
  }

  // ½·[MSE(D(real), 1) + MSE(D(pool(fake)), 0)], then D's update; returns the loss
  private discriminatorStep(D: Net, opt: Optimizer, real: usize, fake: usize, pool: ImagePool, pooled: usize, dl: usize, realSlot: i32, fakeSlot: i32): f32 {
    const B = this.batch, m = B * D.outSize;
    pool.query(pooled, fake, B, this.rng);
    D.powerIteration();
    D.zeroGrads();
    const lr = D.forward(real, B, true);
    memory.fill(dl, 0, <usize>m << 2);
    const lossReal = mse(dl, lr, m, 1, 0.5);
    this.stat(realSlot, mean(lr, m));
    D.backward(dl, 0, B, true);
    const lf = D.forward(pooled, B, true);
    memory.fill(dl, 0, <usize>m << 2);
    const lossFake = mse(dl, lf, m, 0, 0.5);
    this.stat(fakeSlot, mean(lf, m));
    D.backward(dl, 0, B, true);
    opt.step(D);
    return lossReal + lossFake;
  }

  train(steps: i32): void {
    for (let s = 0; s < steps; s++) {
      const f = this.lrFactor(this.steps);
      this.optG.lr = <f32>(<f64>this.lrG * f);
      this.optF.lr = <f32>(<f64>this.lrF * f);
      this.optDA.lr = <f32>(<f64>this.lrDA * f);
      this.optDB.lr = <f32>(<f64>this.lrDB * f);
      this.sample();
      this.generatorStep();
      // the fakes of before G's and F's update: their first tapes' outputs
      const fakeB = this.tG1.output, fakeA = this.tF2.output;
      this.stat(CYCLE_DB_LOSS, this.discriminatorStep(this.DB, this.optDB, this.realB, fakeB, this.poolB, this.pooledB, this.dlB, CYCLE_DB_REAL, CYCLE_DB_FAKE));
      this.stat(CYCLE_DA_LOSS, this.discriminatorStep(this.DA, this.optDA, this.realA, fakeA, this.poolA, this.pooledA, this.dlA, CYCLE_DA_REAL, CYCLE_DA_FAKE));
      this.steps++;
    }
  }
}
