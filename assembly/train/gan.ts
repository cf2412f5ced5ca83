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
import { Net } from "../nn/net";
import { Optimizer } from "./optimizer";
import {
  LOSS_MINIMAX, bceLogitsReal, bceLogitsFake, generatorMinimax, generatorNonSaturating, meanSigmoid,
} from "../kernels/losses";
import { sumSquares } from "../kernels/optim";
import { rngNormalFill, rngBelow } from "../kernels/rng";

// Layout of the statistics block (f32): mirrored by src/engine/wasm_engine.ts
export const STAT_D_LOSS = 0;
export const STAT_G_LOSS = 1;
export const STAT_D_REAL = 2;   // mean D(x) on the last real batch
export const STAT_D_FAKE = 3;   // mean D(G(z)) on the last fake batch, before D's update
export const STAT_D_GRAD_NORM = 4;
export const STAT_G_GRAD_NORM = 5;
export const STAT_COUNT = 8;

export class Gan {
  z: usize;       // [B, Z]
  real: usize;    // [B, X]
  dLogits: usize; // [B]  dL/d logits
  dFake: usize;   // [B, X] dL_G / d G(z)
  rng: usize;     // xoshiro state (16 bytes)
  stats: usize;   // STAT_COUNT f32
  data: usize = 0;
  dataCount: i32 = 0;
  steps: i32 = 0;
  dSteps: i32 = 1;
  realLabel: f32 = 1; // < 1 for one-sided label smoothing
  pack: i32 = 1;      // samples per discriminator input (batch % pack == 0, D.inSize == pack·X)

  constructor(
    public G: Net, public D: Net, public batch: i32, public loss: i32,
    public optG: Optimizer, public optD: Optimizer,
  ) {
    const B = <usize>batch, X = <usize>G.outSize;
    this.z = heap.alloc(B * G.inSize * 4);
    this.real = heap.alloc(B * X * 4);
    this.dLogits = heap.alloc(B * 4);
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

  private sampleReal(): void {
    const rowBytes = <usize>this.G.outSize << 2;
    for (let i = 0; i < this.batch; i++) {
      const j = rngBelow(this.rng, <u32>this.dataCount);
      memory.copy(this.real + <usize>i * rowBytes, this.data + <usize>j * rowBytes, rowBytes);
    }
  }

  private discriminatorStep(): void {
    const G = this.G, D = this.D;
    rngNormalFill(this.rng, this.z, this.batch * G.inSize, 0, 1);
    this.sampleReal();
    const fake = G.forward(this.z, this.batch, true);
    const B = this.batch / this.pack; // discriminator rows
    D.zeroGrads();
    const lReal = D.forward(this.real, B, true);
    memory.fill(this.dLogits, 0, <usize>B << 2);
    const lossReal = bceLogitsReal(this.dLogits, lReal, B, this.realLabel);
    store<f32>(this.stats, meanSigmoid(lReal, B), STAT_D_REAL << 2);
    D.backward(this.dLogits, 0, B, true);
    const lFake = D.forward(fake, B, true);
    memory.fill(this.dLogits, 0, <usize>B << 2);
    const lossFake = bceLogitsFake(this.dLogits, lFake, B);
    store<f32>(this.stats, meanSigmoid(lFake, B), STAT_D_FAKE << 2);
    D.backward(this.dLogits, 0, B, true);
    store<f32>(this.stats, lossReal + lossFake, STAT_D_LOSS << 2);
    store<f32>(this.stats, <f32>Math.sqrt(sumSquares(D.grads, D.paramCount)), STAT_D_GRAD_NORM << 2);
    this.optD.step(D);
  }

  private generatorStep(): void {
    const G = this.G, D = this.D, B = this.batch / this.pack;
    // G's activations still hold G(z) from the last discriminator step
    const fake = unchecked(G.acts[G.layers.length - 1]);
    const l = D.forward(fake, B, true);
    memory.fill(this.dLogits, 0, <usize>B << 2);
    const lossG = this.loss == LOSS_MINIMAX
      ? generatorMinimax(this.dLogits, l, B)
      : generatorNonSaturating(this.dLogits, l, B);
    D.backward(this.dLogits, this.dFake, B, false);
    G.zeroGrads();
    G.backward(this.dFake, 0, this.batch, true);
    store<f32>(this.stats, lossG, STAT_G_LOSS << 2);
    store<f32>(this.stats, <f32>Math.sqrt(sumSquares(G.grads, G.paramCount)), STAT_G_GRAD_NORM << 2);
    this.optG.step(G);
  }

  train(steps: i32): void {
    for (let s = 0; s < steps; s++) {
      for (let k = 0; k < this.dSteps; k++) this.discriminatorStep();
      this.generatorStep();
      this.steps++;
    }
  }
}
