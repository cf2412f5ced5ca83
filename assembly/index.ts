// The only export surface of the module: a pointer ABI (output first where a kernel writes),
// typed by hand on the host side in src/engine/abi.ts.
import { Net } from "./nn/net";
import { Dense } from "./nn/dense";
import { Activation, isActivation } from "./nn/activation";
import { LAYER_DENSE, LAYER_CONV2D, LAYER_CONV2D_TRANSPOSE, LAYER_ADD, LAYER_CONCAT, LAYER_BLEND } from "./nn/layer";
import { Add, Blend, Concat } from "./nn/merge";
import { Tape } from "./nn/tape";
import { Conv2D, Conv2DTranspose, ConvGeometry } from "./nn/conv2d";
import { BatchNorm } from "./nn/batch_norm";
import { MinibatchStd } from "./nn/minibatch_std";
import { Upsample } from "./nn/upsample";
import { AvgPool } from "./nn/avg_pool";
import { PixelNorm } from "./nn/pixel_norm";
import { InstanceNorm } from "./nn/instance_norm";
import { ReflectionPad } from "./nn/reflection_pad";
import { Optimizer } from "./train/optimizer";
import { Gan, STAT_COUNT } from "./train/gan";
import { GradientPenalty, PENALTY_R1 } from "./train/penalty";
import { rngSeed } from "./kernels/rng";
import { CycleGan, CYCLE_STAT_COUNT } from "./train/cycle";

export { gemm, gemmReference } from "./kernels/gemm";
export { biasAddForward, biasAddBackward } from "./kernels/bias";
export { batchNormForwardTrain, batchNormForwardInference, batchNormBackward } from "./kernels/batchnorm";
export { convOutSize, convPadBefore, conv2dScratchSize, im2col, col2im, conv2dForward, conv2dBackwardInput, conv2dBackwardFilter } from "./kernels/conv";
export {
  reluForward, reluBackward, leakyReluForward, leakyReluBackward,
  tanhForward, tanhBackward, sigmoidForward, sigmoidBackward,
} from "./kernels/activations";
export {
  bceLogitsReal, bceLogitsFake, generatorMinimax, generatorNonSaturating, meanSigmoid,
  wassersteinReal, wassersteinFake, generatorWasserstein, hingeReal, hingeFake, leastSquares, meanLogit,
} from "./kernels/losses";
export { adamUpdate, sgdUpdate, rmspropUpdate, sumSquares, clipUpdate } from "./kernels/optim";
export { rngSeed, rngUniformFill, rngNormalFill } from "./kernels/rng";
export { threadsSetup, threadsWork, threadsCount } from "./kernels/threads";

// ---- memory (bump allocation: everything is laid out once, when a model is built) and a
// new random stream's state: the same two functions as the random-stream module's
export { alloc, rngNew } from "./random";

// ---- nets
export function netNew(inSize: i32, maxBatch: i32): Net {
  return new Net(inSize, maxBatch);
}

// Adds a layer; returns 0, or -1 for an unknown kind (the host validates first; this is the backstop).
export function netAdd(net: Net, kind: i32, units: i32, alpha: f32): i32 {
  const inSize = net.nextInSize;
  if (kind == LAYER_DENSE) net.add(new Dense(inSize, units));
  else if (isActivation(kind)) net.add(new Activation(kind, inSize, alpha));
  else return -1;
  return 0;
}

// A conv2d (kind LAYER_CONV2D) or conv2d_transpose with the geometry of its convolution
// (h, w, cin -> outH, outW, cout; see assembly/nn/conv2d.ts). Returns 0, or -1 when the
// geometry does not fit the layer's input (the net's current output, or netInput's) or the kind is not a conv.
export function netAddConv(net: Net, kind: i32, h: i32, w: i32, cin: i32, outH: i32, outW: i32, cout: i32,
  kh: i32, kw: i32, strideH: i32, strideW: i32, padTop: i32, padLeft: i32): i32 {
  const g = new ConvGeometry(h, w, cin, outH, outW, cout, kh, kw, strideH, strideW, padTop, padLeft);
  if (kind == LAYER_CONV2D && g.bigSize == net.nextInSize) net.add(new Conv2D(g));
  else if (kind == LAYER_CONV2D_TRANSPOSE && g.smallSize == net.nextInSize) net.add(new Conv2DTranspose(g));
  else return -1;
  return 0;
}

// Batch norm over `channels` (the last axis of its input). Returns 0, or -1
// when channels does not divide the input size.
export function netAddBatchNorm(net: Net, channels: i32, eps: f64, momentum: f64): i32 {
  const size = net.nextInSize;
  if (channels <= 0 || size % channels != 0) return -1;
  net.add(new BatchNorm(size, channels, eps, momentum));
  return 0;
}

// Spectral normalisation (assembly/nn/spectral_norm.ts) of the last layer added: a dense, conv2d
// or conv2d_transpose, before netBuild. Returns 0, or -1 when the last layer is none of those.
export function netSpectralNorm(net: Net): i32 { return net.spectralNorm() ? 0 : -1; }
// Minibatch standard deviation over groups of `groupSize` samples (assembly/nn/minibatch_std.ts):
// [n, P, channels] -> [n, P, channels + 1]. Returns 0, or -1 when channels does not divide the
// input size or groupSize < 1.
export function netAddMinibatchStd(net: Net, channels: i32, groupSize: i32): i32 {
  const size = net.nextInSize;
  if (channels <= 0 || groupSize < 1 || size % channels != 0) return -1;
  net.add(new MinibatchStd(size / channels, channels, groupSize));
  return 0;
}

// Progressive growing's layers (Karras et al. 2018): nearest-neighbour upsampling ×2
// (assembly/nn/upsample.ts) and 2×2 average pooling (assembly/nn/avg_pool.ts) of an input
// [h, w, c], and pixelwise feature normalisation over `channels` (assembly/nn/pixel_norm.ts).
// Return 0, or -1 when the geometry does not fit the input (avg_pool: h and w even).
export function netAddUpsample(net: Net, h: i32, w: i32, c: i32): i32 {
  if (h <= 0 || w <= 0 || c <= 0 || h * w * c != net.nextInSize) return -1;
  net.add(new Upsample(h, w, c));
  return 0;
}
export function netAddAvgPool(net: Net, h: i32, w: i32, c: i32): i32 {
  if (h <= 0 || w <= 0 || c <= 0 || (h & 1) != 0 || (w & 1) != 0 || h * w * c != net.nextInSize) return -1;
  net.add(new AvgPool(h, w, c));
  return 0;
}
export function netAddPixelNorm(net: Net, channels: i32, eps: f64): i32 {
  const size = net.nextInSize;
  if (channels <= 0 || size % channels != 0 || !(eps > 0)) return -1;
  net.add(new PixelNorm(size, channels, eps));
  return 0;
}
// Equalised learning rate (assembly/nn/equalized_lr.ts) of the last layer added: a dense, conv2d
// or conv2d_transpose without spectral normalisation, before netBuild; `scale` = c (the host's
// fround(gain / sqrt(fan_in))). Returns 0, or -1 otherwise.
export function netEqualizedLr(net: Net, scale: f32): i32 { return net.equalizedLr(scale) ? 0 : -1; }
// Instance normalisation over `channels` (assembly/nn/instance_norm.ts): [n, P, channels], per
// sample and channel over the P pixels; affine != 0 adds gamma, beta [channels]. Returns 0, or -1
// when channels does not divide the input size.
export function netAddInstanceNorm(net: Net, channels: i32, eps: f64, affine: i32): i32 {
  const size = net.nextInSize;
  if (channels <= 0 || size % channels != 0) return -1;
  net.add(new InstanceNorm(size / channels, channels, eps, affine != 0));
  return 0;
}
// Reflection padding (assembly/nn/reflection_pad.ts): [n, h, w, c] -> [n, h + 2ph, w + 2pw, c].
// Returns 0, or -1 when h·w·c is not the input size or a pad is negative or not below its side.
export function netAddReflectionPad(net: Net, h: i32, w: i32, c: i32, ph: i32, pw: i32): i32 {
  if (h <= 0 || w <= 0 || c <= 0 || h * w * c != net.nextInSize || ph < 0 || pw < 0 || ph >= h || pw >= w) return -1;
  net.add(new ReflectionPad(h, w, c, ph, pw));
  return 0;
}

export function netBuild(net: Net): void { net.build(); }
export function netInit(net: Net, rng: usize, scheme: i32): void { net.initParams(rng, scheme); }
// the normalised layers' u (from `rng`) and v = normalise(K u); after netInit of every net of the
// model (so the weights do not depend on which layers are normalised)
export function netInitSpectral(net: Net, rng: usize): void { net.initSpectral(rng); }
// one power iteration of every normalised layer (what each update of the net does in ganTrain)
export function netPowerIteration(net: Net): void { net.powerIteration(); }
// σ = vᵀ K u of engine layer i with its stored u, v and current weights; 0 when it is not normalised
export function netSpectralSigma(net: Net, i: i32): f64 {
  if (i < 0 || i >= net.layers.length) return 0;
  const sn = net.layers[i].sn;
  return sn == null ? 0 : sn.sigmaOf(net.params + (<usize>sn.paramOffset << 2));
}
export function netStateCount(net: Net): i32 { return net.stateCount; }
export function netState(net: Net): usize { return net.state; }
export function netParamCount(net: Net): i32 { return net.paramCount; }
export function netParams(net: Net): usize { return net.params; }
export function netGrads(net: Net): usize { return net.grads; }
export function netOptState(net: Net, which: i32): usize { return which == 0 ? net.opt1 : net.opt2; }
export function netOutSize(net: Net): i32 { return net.outSize; }
export function netLayerParamOffset(net: Net, i: i32): i32 { return net.layers[i].paramOffset; }
export function netZeroGrads(net: Net): void { net.zeroGrads(); }
export function netForward(net: Net, x: usize, n: i32, training: bool): usize { return net.forward(x, n, training); }
export function netBackward(net: Net, dy: usize, dx: usize, n: i32, paramGrads: bool): void { net.backward(dy, dx, n, paramGrads); }

// ---- the layer graph and tapes (assembly/nn/net.ts, assembly/nn/merge.ts, assembly/nn/tape.ts)
// Layers are engine layers in the order added (the host maps spec indices: reshape and flatten
// have none); a source is an earlier engine layer, or -1 for the net's input.
// The next layer added (netAdd, netAddConv, netAddBatchNorm) reads source `src` instead of the
// previous layer. Returns 0, or -1 when src is not an existing layer or -1.
export function netInput(net: Net, src: i32): i32 { return net.setNextInput(src) ? 0 : -1; }
// A graph node over `count` sources (i32 [count] at `srcs`): LAYER_ADD (count >= 2, one size),
// LAYER_BLEND (2 of one size; `alpha`: α·a + (1 − α)·b), LAYER_CONCAT (2 sources of `pixels`
// rows each, joined row by row: NHWC channels; pixels = 1 for flat features). Returns 0, or -1
// for a bad kind, count, source or size.
export function netAddMerge(net: Net, kind: i32, srcs: usize, count: i32, pixels: i32, alpha: f32): i32 {
  if (count < 2 || (kind != LAYER_ADD && count != 2)) return -1;
  const ins = new StaticArray<i32>(count);
  for (let k = 0; k < count; k++) {
    const j = load<i32>(srcs + (<usize>k << 2));
    if (j < -1 || j >= net.layers.length) return -1;
    ins[k] = j;
  }
  const size = net.sizeOf(ins[0]);
  if (kind == LAYER_CONCAT) {
    const sb = net.sizeOf(ins[1]);
    if (pixels <= 0 || size % pixels != 0 || sb % pixels != 0) return -1;
    net.addMerge(new Concat(pixels, size / pixels, sb / pixels), ins);
    return 0;
  }
  for (let k = 1; k < count; k++) if (net.sizeOf(ins[k]) != size) return -1;
  if (kind == LAYER_ADD) net.addMerge(new Add(count, size), ins);
  else if (kind == LAYER_BLEND) net.addMerge(new Blend(size, alpha), ins);
  else return -1;
  return 0;
}
// Sets a blend's α (between calls: progressive growing's fade-in). Returns 0, or -1 when
// engine layer `layer` is not a blend.
export function netSetBlendAlpha(net: Net, layer: i32, alpha: f32): i32 {
  if (layer < 0 || layer >= net.layers.length || net.layers[layer].kind != LAYER_BLEND) return -1;
  changetype<Blend>(net.layers[layer]).alpha = alpha;
  return 0;
}
export function netLayerCount(net: Net): i32 { return net.layers.length; }
// the net's default tape (the one netForward / netBackward and the GAN step use)
export function netTape(net: Net): Tape { return net.tape; }
// Another tape for calls of up to maxBatch rows (after netBuild; maxBatch at most the net's):
// its own activations, gradients of activations and batch statistics, the same parameters.
// Returns 0 (null) for a bad maxBatch.
export function netNewTape(net: Net, maxBatch: i32): Tape | null {
  if (!net.built || maxBatch < 1 || maxBatch > net.maxBatch) return null;
  return net.newTape(maxBatch);
}
// netForward / netBackward on a given tape (n <= the tape's maxBatch); backward ADDS the
// parameter gradients into the net's one arena, so passes on several tapes accumulate
export function netForwardTape(net: Net, tape: Tape, x: usize, n: i32, training: bool): usize { return net.forwardTape(tape, x, n, training); }
export function netBackwardTape(net: Net, tape: Tape, dy: usize, dx: usize, n: i32, paramGrads: bool): void { net.backwardTape(tape, dy, dx, n, paramGrads); }
// engine layer i's output buffer on a tape ([maxBatch, its outSize]; diagnostics and tests)
export function tapeActivation(tape: Tape, i: i32): usize { return tape.acts[i]; }

// ---- optimisers and the GAN
export function optimizerNew(kind: i32, lr: f32, beta1: f32, beta2: f32, eps: f32): Optimizer {
  return new Optimizer(kind, lr, beta1, beta2, eps);
}
export function optimizerStep(opt: Optimizer, net: Net): void { opt.step(net); }
export function optimizerGetT(opt: Optimizer): i32 { return opt.t; }
export function optimizerSetT(opt: Optimizer, t: i32): void { opt.t = t; }
export function optimizerSetDecay(opt: Optimizer, updates: i32): void { opt.decayUpdates = updates; }
// keeps a moving average of `net`'s parameters after each update, starting from the current ones
export function optimizerSetEma(opt: Optimizer, net: Net, decay: f32): void { opt.enableEma(net, decay); }
export function optimizerEma(opt: Optimizer): usize { return opt.ema; }
// points the net at another parameter block of the same layout (e.g. the average); returns the old one
export function netSetParams(net: Net, params: usize): usize { const old = net.params; net.params = params; return old; }
export { setBatchNormFreezeRunning } from "./nn/batch_norm";

export function ganNew(G: Net, D: Net, batch: i32, loss: i32, optG: Optimizer, optD: Optimizer, dSteps: i32, realLabel: f32, seed: u32, pack: i32): Gan {
  const gan = new Gan(G, D, batch, loss, optG, optD);
  gan.dSteps = dSteps;
  gan.pack = pack;
  gan.realLabel = realLabel;
  rngSeed(gan.rng, seed);
  return gan;
}
// WGAN weight clipping: c > 0 clips D's parameters to [−c, c] after each D update; 0 turns it off
export function ganSetClip(gan: Gan, c: f32): void { gan.clip = c; }
// WGAN-GP: call once, before training (lays out the double-backprop buffers)
export function ganSetGradientPenalty(gan: Gan, lambda: f32): void { gan.setGradientPenalty(lambda); }
export function ganPenaltyEps(gan: Gan): usize { return gan.eps; }       // f32 [B]: the last ε
export function ganPenaltyInput(gan: Gan): usize { return gan.interp; }  // f32 [B, D in]: the last x̂
// the gradient penalty on its own, for tests: penaltyRun ADDS ∂P/∂θ into the net's grads and returns P
export function penaltyNew(net: Net, lambda: f32): GradientPenalty { return new GradientPenalty(net, lambda); }
export function penaltyRun(pen: GradientPenalty, x: usize, n: i32): f32 { return pen.run(x, n); }
export function penaltyInputGrad(pen: GradientPenalty): usize { return pen.g; } // [n, D in] of the last run
// R1 (Mescheder et al. 2018): call once, before training; (γ/2)·mean‖∇D(x)‖² at the real rows,
// on the D updates whose count of earlier updates is a multiple of `every` (lazy: γ already ·every)
export function ganSetR1(gan: Gan, gamma: f32, every: i32): void { gan.setR1(gamma, every); }
// PGGAN's drift term: drift·mean(D(x)²) on the real rows (0: off)
export function ganSetDrift(gan: Gan, drift: f32): void { gan.drift = drift; }
// R1 on its own, for tests: penaltyRun on it ADDS ∂R/∂θ into the net's grads and returns R
export function r1New(net: Net, gamma: f32): GradientPenalty { return new GradientPenalty(net, gamma, PENALTY_R1); }
export function ganRng(gan: Gan): usize { return gan.rng; }
export function ganSetData(gan: Gan, ptr: usize, count: i32): void { gan.setData(ptr, count); }
export function ganTrain(gan: Gan, steps: i32): void { gan.train(steps); }
export function ganStats(gan: Gan): usize { return gan.stats; }
export function ganStatCount(): i32 { return STAT_COUNT; }
export function ganSteps(gan: Gan): i32 { return gan.steps; }
export function ganSetSteps(gan: Gan, steps: i32): void { gan.steps = steps; }
// the last step's latent batch [B, Z] and real batch [B, X] (for parity tests and diagnostics)
export function ganZ(gan: Gan): usize { return gan.z; }
export function ganReal(gan: Gan): usize { return gan.real; }
// conditional GANs (cGAN): `classes` labels joined as one-hot to G's latent input and at each of
// `pixels` rows of D's input (see assembly/train/gan.ts); call once, before training
export function ganSetConditional(gan: Gan, classes: i32, pixels: i32): void { gan.setConditional(classes, pixels); }
// the data set's labels, i32 [count] in [0, classes), in linear memory (set with or after ganSetData)
export function ganSetLabels(gan: Gan, ptr: usize): void { gan.setLabels(ptr); }
// the last step's labels (i32 [B]): of the real batch, and those the fake batch was asked for
export function ganRealLabels(gan: Gan): usize { return gan.realLabels; }
export function ganFakeLabels(gan: Gan): usize { return gan.fakeLabels; }

// ---- CycleGAN (assembly/train/cycle.ts): G: A -> B, F: B -> A, D_A and D_B (PatchGANs), one
// optimiser each (their lr is the base rate of the schedule), a pool of `poolSize` fakes per D
export function cycleNew(G: Net, F: Net, DA: Net, DB: Net, batch: i32, optG: Optimizer, optF: Optimizer, optDA: Optimizer, optDB: Optimizer, poolSize: i32, seed: u32): CycleGan {
  const gan = new CycleGan(G, F, DA, DB, batch, optG, optF, optDA, optDB, poolSize);
  rngSeed(gan.rng, seed);
  return gan;
}
// λ (cycle consistency) and the identity loss's weight as a multiple of λ
export function cycleSetLambda(gan: CycleGan, lambda: f64, identity: f64): void { gan.lambda = lambda; gan.identity = identity; }
// learning rates held until step decayStart, then linear to 0 at decayEnd (0: constant)
export function cycleSetSchedule(gan: CycleGan, decayStart: i32, decayEnd: i32): void { gan.decayStart = decayStart; gan.decayEnd = decayEnd; }
// domain `which` (0: A, 1: B): [count, its image size] in linear memory
export function cycleSetData(gan: CycleGan, which: i32, ptr: usize, count: i32): void {
  if (which == 0) { gan.dataA = ptr; gan.countA = count; } else { gan.dataB = ptr; gan.countB = count; }
}
export function cycleTrain(gan: CycleGan, steps: i32): void { gan.train(steps); }
export function cycleStats(gan: CycleGan): usize { return gan.stats; }
export function cycleStatCount(): i32 { return CYCLE_STAT_COUNT; }
export function cycleSteps(gan: CycleGan): i32 { return gan.steps; }
export function cycleSetSteps(gan: CycleGan, steps: i32): void { gan.steps = steps; }
export function cycleRng(gan: CycleGan): usize { return gan.rng; }
// the last step's minibatch of domain `which` (0: A, 1: B)
export function cycleReal(gan: CycleGan, which: i32): usize { return which == 0 ? gan.realA : gan.realB; }
// the pool of fakes of domain `which` (0: A's, for D_A; 1: B's, for D_B): its images
// [poolSize, image size] and how many are stored (checkpoints save and restore both)
export function cyclePool(gan: CycleGan, which: i32): usize { return which == 0 ? gan.poolA.images : gan.poolB.images; }
export function cyclePoolCount(gan: CycleGan, which: i32): i32 { return which == 0 ? gan.poolA.count : gan.poolB.count; }
export function cycleSetPoolCount(gan: CycleGan, which: i32, count: i32): void {
  const pool = which == 0 ? gan.poolA : gan.poolB;
  pool.count = min(max(count, 0), pool.size);
}
