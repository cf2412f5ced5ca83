// The GAN training step, entirely inside WebAssembly (Goodfellow et al. 2014, Alg. 1):
//   dSteps times:  z ~ N(0, I);  x ~ data;  D ← D − ∇_D [ L_D(D(x), 1) + L_D(D(G(z)), 0) ]
//   then:          G ← G − ∇_G L_G(D(G(z)))  reusing the last D step's z and G(z), as the
//                  PyTorch DCGAN reference does when dSteps = 1.
// Nothing here allocates or calls into JS; the host writes the data set into linear memory
// once and reads the statistics block after each call.
//   B = batch, Z = latent size, X = per-sample data size
// Packing (PacGAN, Lin et al. 2018): D judges `pack` samples at once, so its input is
// [B/pack, pack·X], which is the same row-major buffer as [B, X]: no copy, just a reshape;
// the losses are over B/pack logits.
// Objectives (assembly/kernels/losses.ts): minimax and non-saturating (BCE on logits, one-sided
// label smoothing), wasserstein (the logit is the critic value; with clip > 0 the critic's
// parameters are clipped to [−clip, clip] after each of its updates: WGAN, Arjovsky et al. 2017,
// Alg. 1), hinge, least-squares (LSGAN a = 0, b = 1, c = 1).
// Conditional GANs (cGAN, Mirza & Osindero 2014), classes K > 0: G's input is [z (Z), onehot(y) (K)];
// D's input is the sample with onehot(y) joined: flat [X] -> [X + K]; images [h, w, c] ->
// [h, w, c + K] (the one-hot appended as K channels at every pixel, NHWC). In general a sample is
// P = pixels rows of C = channels values (P = 1, C = X when flat), and the joined sample P rows
// of C + K. Each D step draws the real rows with their own labels (the same index j) and the fake
// labels uniformly over 0..K-1 (rngBelow), independent of the data's class frequencies: every
// class is trained equally often, which is what sample({labels}) asks of G (for the balanced
// data sets here, MNIST and the mixtures, the two coincide in expectation). The G step reuses the
// last D step's fake labels and joined fake batch; only the data part of D's input gradient
// flows back into G (the label channels are dropped when copying into dFake).
// Spectral normalisation (assembly/nn/spectral_norm.ts): each net's power iteration runs once per
// update of that net, before the first forward the update's gradient depends on: D's at the start
// of each D step (its real, fake and x̂ passes share that σ), G's at the start of the training
// step (G's weights do not move during the D steps, so the G(z) of every D step and the one G's
// update backpropagates through share it). G's pass through D uses D's stored u, v with D's
// updated weights, as every forward outside an update does. No net with it: empty loops.
// A PatchGAN discriminator (Isola et al. 2017, "Image-to-Image Translation with Conditional
// Adversarial Networks", §3.2.2; CycleGAN's D) outputs a map of M = D.outSize logits per row
// (each judging one patch of the input) instead of one: every loss is then the mean over the
// B·M logits, so each patch counts as one judgement (the official code's MSELoss on the map).
// M = 1 for every other D: the same counts, the same bits as before.
import { Net } from "../nn/net";
import { Optimizer } from "./optimizer";
import {
  LOSS_MINIMAX, LOSS_NON_SATURATING, LOSS_WASSERSTEIN, LOSS_HINGE, LOSS_LEAST_SQUARES,
  bceLogitsReal, bceLogitsFake, generatorMinimax, generatorNonSaturating, meanSigmoid,
  wassersteinReal, wassersteinFake, generatorWasserstein, hingeReal, hingeFake, leastSquares, meanLogit,
} from "../kernels/losses";
import { sumSquares, clipUpdate } from "../kernels/optim";
import { rngNormalFill, rngBelow, rngUniformFill } from "../kernels/rng";
import { GradientPenalty, PENALTY_R1 } from "./penalty";

// the statistics block's slots (one table: assembly/train/stats.ts)
import {
  STAT_D_LOSS, STAT_G_LOSS, STAT_D_REAL, STAT_D_FAKE, STAT_D_GRAD_NORM, STAT_G_GRAD_NORM, STAT_D_PENALTY, STAT_COUNT,
} from "./stats";
export { STAT_COUNT };

export class Gan {
  z: usize;       // [B, Z]
  real: usize;    // [B, X]
  dLogits: usize; // [B, M]  dL/d logits (M = D.outSize: 1, or a PatchGAN's map)
  dFake: usize;   // [B, X] dL_G / d G(z)
  rng: usize;     // xoshiro state (16 bytes)
  stats: usize;   // STAT_COUNT f32
  data: usize = 0;
  dataCount: i32 = 0;
  steps: i32 = 0;
  dSteps: i32 = 1;
  realLabel: f32 = 1; // < 1 for one-sided label smoothing
  pack: i32 = 1;      // samples per discriminator input (batch % pack == 0, D.inSize == pack·X)
  clip: f32 = 0;      // > 0: D's parameters are clipped to [−clip, clip] after each D update (WGAN)
  // conditional (classes > 0); laid out by setConditional(), before training
  classes: i32 = 0;
  pixels: i32 = 1;        // P: rows of a sample that get the one-hot joined (h·w for images, 1 flat)
  labels: usize = 0;      // the data set's labels, i32 [dataCount], in linear memory next to the data
  realLabels: usize = 0;  // i32 [B]: labels of the last real batch
  fakeLabels: usize = 0;  // i32 [B]: labels the last fake batch was asked for
  realJoined: usize = 0;  // [B, P·(C + K)]: D's input for the real batch
  fakeJoined: usize = 0;  // [B, P·(C + K)]: D's input for the fake batch
  dJoined: usize = 0;     // [B, P·(C + K)]: dL_G / d fakeJoined
  // WGAN-GP (setGradientPenalty): after the real and fake passes of each critic update,
  // x̂ = ε·x + (1 − ε)·G(z) with ε ~ U[0, 1) per sample (this gan's rng, drawn after the latent
  // and the minibatch), and λ·mean(‖∇D(x̂)‖ − 1)² is added to the critic's loss and its gradient.
  // Interpolated is D's whole input row of each sample (with pack > 1 each of the packed
  // samples has its own ε; the norm is over the packed row).
  penalty: GradientPenalty | null = null;
  eps: usize = 0;    // [B]: the last ε
  interp: usize = 0; // [B, D's input per sample]: the last x̂
  // R1 (Mescheder et al. 2018; setR1): after the real and fake passes of each D update,
  // (γ/2)·mean_i ‖∇ₓ D(x_i)‖² at the real rows (no interpolation, no draws) is added to D's loss
  // and its gradient (assembly/train/penalty.ts, kind PENALTY_R1). Lazy regularisation (StyleGAN2,
  // Karras et al. 2020, §3.1): with r1Every = k > 1 only the D updates whose count of earlier
  // updates is a multiple of k take it, with γ·k (the host passes that weight), the others none.
  // Its value is the D.penalty statistic (WGAN-GP and R1 never meet: the spec ties them to losses).
  r1: GradientPenalty | null = null;
  r1Every: i32 = 1;
  // PGGAN's drift term (Karras et al. 2018, §A.1: ε_drift·E[D(x)²] on real data, keeping the
  // critic's values near 0): > 0 adds drift·mean(l²) over the real logits l to D's loss, its
  // gradient 2·drift·l/B to the real pass's dL/dl.
  drift: f32 = 0;

  constructor(
    public G: Net, public D: Net, public batch: i32, public loss: i32,
    public optG: Optimizer, public optD: Optimizer,
  ) {
    const B = <usize>batch, X = <usize>G.outSize;
    this.z = heap.alloc(B * G.inSize * 4);
    this.real = heap.alloc(B * X * 4);
    this.dLogits = heap.alloc(B * <usize>D.outSize * 4);
    this.dFake = heap.alloc(B * X * 4);
    this.rng = heap.alloc(16);
    this.stats = heap.alloc(STAT_COUNT * 4);
    memory.fill(this.stats, 0, STAT_COUNT * 4);
  }

  // x: the data set, [count, X], already in linear memory
  setData(ptr: usize, count: i32): void {
    this.data = ptr;
    this.dataCount = count;
  }

  // Makes the GAN conditional on `classes` labels, with the one-hot joined at each of `pixels`
  // rows of a sample (G.outSize / pixels channels each). G.inSize must be Z + classes and
  // D.inSize pixels·(G.outSize/pixels + classes) (the host builds the nets so). Lays out the
  // label and joined buffers once.
  setConditional(classes: i32, pixels: i32): void {
    const B = <usize>this.batch;
    this.classes = classes;
    this.pixels = pixels;
    this.realLabels = heap.alloc(B * 4);
    this.fakeLabels = heap.alloc(B * 4);
    memory.fill(this.realLabels, 0, B * 4);
    memory.fill(this.fakeLabels, 0, B * 4);
    const joined = B * <usize>this.D.inSize * 4;
    this.realJoined = heap.alloc(joined);
    this.fakeJoined = heap.alloc(joined);
    this.dJoined = heap.alloc(joined);
  }

  // WGAN-GP with weight lambda (> 0); lays out its buffers once, before training
  setGradientPenalty(lambda: f32): void {
    const B = <usize>this.batch;
    this.penalty = new GradientPenalty(this.D, lambda);
    this.eps = heap.alloc(B * 4);
    memory.fill(this.eps, 0, B * 4);
    const bytes = <usize>(this.batch / this.pack) * <usize>this.D.inSize * 4;
    this.interp = heap.alloc(bytes);
    memory.fill(this.interp, 0, bytes);
  }

  // R1 with weight gamma (> 0); lays out its buffers once, before training
  setR1(gamma: f32, every: i32): void {
    this.r1 = new GradientPenalty(this.D, gamma, PENALTY_R1);
    this.r1Every = max(every, 1);
  }

  // drift·mean(l²) over the B real logits l (B·M for a PatchGAN); ADDS its gradient 2·drift·l/B into dLogits
  private driftTerm(l: usize, B: i32): f32 {
    let s: f64 = 0;
    const c = <f32>(2 * <f64>this.drift / <f64>B);
    for (let i = 0; i < B; i++) {
      const o = <usize>i << 2, v = load<f32>(l + o);
      s += <f64>v * <f64>v;
      store<f32>(this.dLogits + o, load<f32>(this.dLogits + o) + c * v);
    }
    return <f32>(<f64>this.drift * s / <f64>B);
  }

  // x̂ = ε·real + (1 − ε)·fake, row by row (B sample rows of D's input); returns P after adding ∂P/∂θ_D
  private gradientPenalty(real: usize, fake: usize, rows: i32): f32 {
    const pen = this.penalty!;
    rngUniformFill(this.rng, this.eps, this.batch, 0, 1);
    const len = <usize>((rows * this.D.inSize) / this.batch); // floats per sample
    for (let i = 0; i < this.batch; i++) {
      const e = load<f32>(this.eps + (<usize>i << 2)), f: f32 = 1 - e;
      const base = <usize>i * len * 4;
      for (let j: usize = 0; j < len; j++) {
        const o = base + (j << 2);
        store<f32>(this.interp + o, e * load<f32>(real + o) + f * load<f32>(fake + o));
      }
    }
    return pen.run(this.interp, rows);
  }

  // the data set's labels: i32 [dataCount], each in [0, classes)
  setLabels(ptr: usize): void {
    this.labels = ptr;
  }

  private sampleReal(): void {
    const rowBytes = <usize>this.G.outSize << 2;
    const conditional = this.classes > 0;
    for (let i = 0; i < this.batch; i++) {
      const j = rngBelow(this.rng, <u32>this.dataCount);
      memory.copy(this.real + <usize>i * rowBytes, this.data + <usize>j * rowBytes, rowBytes);
      if (conditional) store<i32>(this.realLabels + (<usize>i << 2), load<i32>(this.labels + (<usize>j << 2)));
    }
  }

  // z ~ N(0, I) into G's input; conditional: fake labels uniform over the classes and each row
  // becomes [z, onehot(y)] (the B·Z normals are drawn as one stream, then spread out in place)
  private sampleLatent(): void {
    const G = this.G, K = this.classes;
    if (K == 0) {
      rngNormalFill(this.rng, this.z, this.batch * G.inSize, 0, 1);
      return;
    }
    const Z = <usize>(G.inSize - K);
    rngNormalFill(this.rng, this.z, this.batch * <i32>Z, 0, 1);
    for (let i = 0; i < this.batch; i++) store<i32>(this.fakeLabels + (<usize>i << 2), <i32>rngBelow(this.rng, <u32>K));
    const row = <usize>G.inSize;
    for (let i = this.batch - 1; i >= 0; i--) {
      const dst = this.z + <usize>i * row * 4;
      memory.copy(dst, this.z + <usize>i * Z * 4, Z * 4); // dst >= src: rows move right, last first
      memory.fill(dst + Z * 4, 0, <usize>K * 4);
      store<f32>(dst + ((Z + <usize>load<i32>(this.fakeLabels + (<usize>i << 2))) << 2), 1);
    }
  }

  // out [B, P·(C + K)] = x [B, P·C] with onehot(labels[i]) joined at each of the P rows
  private join(out: usize, x: usize, labels: usize): void {
    const K = <usize>this.classes, P = this.pixels;
    const C = <usize>(this.G.outSize / P);
    for (let i = 0; i < this.batch; i++) {
      const hot = <usize>load<i32>(labels + (<usize>i << 2));
      for (let p = 0; p < P; p++) {
        const r = <usize>i * <usize>P + <usize>p;
        const dst = out + r * (C + K) * 4;
        memory.copy(dst, x + r * C * 4, C * 4);
        memory.fill(dst + C * 4, 0, K * 4);
        store<f32>(dst + ((C + hot) << 2), 1);
      }
    }
  }

  // dFake [B, P·C] = the data part of dJoined [B, P·(C + K)]
  private unjoinGrad(): void {
    const K = <usize>this.classes, P = this.pixels;
    const C = <usize>(this.G.outSize / P);
    const rows = <usize>this.batch * <usize>P;
    for (let r: usize = 0; r < rows; r++) memory.copy(this.dFake + r * C * 4, this.dJoined + r * (C + K) * 4, C * 4);
  }

  // The objective's three terms on B logits l (B·M for a PatchGAN): each returns its mean and ADDS dL/dl into dLogits.
  private dLossReal(l: usize, B: i32): f32 {
    const loss = this.loss;
    if (loss == LOSS_WASSERSTEIN) return wassersteinReal(this.dLogits, l, B);
    if (loss == LOSS_HINGE) return hingeReal(this.dLogits, l, B);
    if (loss == LOSS_LEAST_SQUARES) return leastSquares(this.dLogits, l, B, 1);
    return bceLogitsReal(this.dLogits, l, B, this.realLabel);
  }

  private dLossFake(l: usize, B: i32): f32 {
    const loss = this.loss;
    if (loss == LOSS_WASSERSTEIN) return wassersteinFake(this.dLogits, l, B);
    if (loss == LOSS_HINGE) return hingeFake(this.dLogits, l, B);
    if (loss == LOSS_LEAST_SQUARES) return leastSquares(this.dLogits, l, B, 0);
    return bceLogitsFake(this.dLogits, l, B);
  }

  private gLoss(l: usize, B: i32): f32 {
    const loss = this.loss;
    if (loss == LOSS_WASSERSTEIN || loss == LOSS_HINGE) return generatorWasserstein(this.dLogits, l, B);
    if (loss == LOSS_LEAST_SQUARES) return leastSquares(this.dLogits, l, B, 1);
    if (loss == LOSS_MINIMAX) return generatorMinimax(this.dLogits, l, B);
    return generatorNonSaturating(this.dLogits, l, B);
  }

  // the dReal / dFake statistic: mean σ(l) for the BCE losses, mean l (the critic value) otherwise
  private meanD(l: usize, B: i32): f32 {
    return this.loss == LOSS_MINIMAX || this.loss == LOSS_NON_SATURATING ? meanSigmoid(l, B) : meanLogit(l, B);
  }

  private discriminatorStep(): void {
    const G = this.G, D = this.D, conditional = this.classes > 0;
    D.powerIteration();
    this.sampleLatent();
    this.sampleReal();
    let fake = G.forward(this.z, this.batch, true);
    let real = this.real;
    if (conditional) {
      this.join(this.realJoined, this.real, this.realLabels);
      this.join(this.fakeJoined, fake, this.fakeLabels);
      real = this.realJoined;
      fake = this.fakeJoined;
    }
    const B = this.batch / this.pack; // discriminator rows
    const nl = B * D.outSize;         // their logits
    D.zeroGrads();
    const lReal = D.forward(real, B, true);
    memory.fill(this.dLogits, 0, <usize>nl << 2);
    let lossReal = this.dLossReal(lReal, nl);
    if (this.drift > 0) lossReal += this.driftTerm(lReal, nl);
    store<f32>(this.stats, this.meanD(lReal, nl), STAT_D_REAL << 2);
    D.backward(this.dLogits, 0, B, true);
    const lFake = D.forward(fake, B, true);
    memory.fill(this.dLogits, 0, <usize>nl << 2);
    const lossFake = this.dLossFake(lFake, nl);
    store<f32>(this.stats, this.meanD(lFake, nl), STAT_D_FAKE << 2);
    D.backward(this.dLogits, 0, B, true);
    let penalty: f32 = 0;
    if (this.penalty != null) penalty = this.gradientPenalty(real, fake, B);
    if (this.r1 != null && this.optD.t % this.r1Every == 0) penalty += this.r1!.run(real, B);
    store<f32>(this.stats, penalty, STAT_D_PENALTY << 2);
    store<f32>(this.stats, lossReal + lossFake + penalty, STAT_D_LOSS << 2);
    store<f32>(this.stats, <f32>Math.sqrt(sumSquares(D.grads, D.paramCount)), STAT_D_GRAD_NORM << 2);
    this.optD.step(D);
    if (this.clip > 0) clipUpdate(D.params, D.paramCount, this.clip);
  }

  private generatorStep(): void {
    const G = this.G, D = this.D, B = this.batch / this.pack, nl = B * D.outSize;
    // G's default tape still holds G(z) from the last discriminator step (conditional: and
    // fakeJoined holds it joined with the same fake labels)
    const conditional = this.classes > 0;
    const fake = conditional ? this.fakeJoined : G.tape.output;
    const l = D.forward(fake, B, true);
    memory.fill(this.dLogits, 0, <usize>nl << 2);
    const lossG = this.gLoss(l, nl);
    D.backward(this.dLogits, conditional ? this.dJoined : this.dFake, B, false);
    if (conditional) this.unjoinGrad();
    G.zeroGrads();
    G.backward(this.dFake, 0, this.batch, true);
    store<f32>(this.stats, lossG, STAT_G_LOSS << 2);
    store<f32>(this.stats, <f32>Math.sqrt(sumSquares(G.grads, G.paramCount)), STAT_G_GRAD_NORM << 2);
    this.optG.step(G);
  }

  train(steps: i32): void {
    for (let s = 0; s < steps; s++) {
      this.G.powerIteration();
      for (let k = 0; k < this.dSteps; k++) this.discriminatorStep();
      this.generatorStep();
      this.steps++;
    }
  }
}
