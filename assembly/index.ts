// The only export surface of the module: a pointer ABI (output first where a kernel writes),
// typed by hand on the host side in src/engine/abi.ts.
import { Net } from "./nn/net";
import { Dense } from "./nn/dense";
import { Activation, isActivation } from "./nn/activation";
import { LAYER_DENSE, LAYER_CONV2D, LAYER_CONV2D_TRANSPOSE } from "./nn/layer";
import { Conv2D, Conv2DTranspose, ConvGeometry } from "./nn/conv2d";
import { BatchNorm } from "./nn/batch_norm";
import { Optimizer } from "./train/optimizer";
import { Gan, STAT_COUNT } from "./train/gan";
import { GradientPenalty } from "./train/penalty";
import { rngSeed } from "./kernels/rng";

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

// ---- memory (bump allocation: everything is laid out once, when a model is built)
export function alloc(bytes: usize): usize {
  return heap.alloc(bytes);
}

export function rngNew(seed: u32): usize {
  const s = heap.alloc(16);
  rngSeed(s, seed);
  return s;
}

// ---- nets
export function netNew(inSize: i32, maxBatch: i32): Net {
  return new Net(inSize, maxBatch);
}

// Adds a layer; returns 0, or -1 for an unknown kind (the host validates first; this is the backstop).
export function netAdd(net: Net, kind: i32, units: i32, alpha: f32): i32 {
  const inSize = net.outSize;
  if (kind == LAYER_DENSE) net.add(new Dense(inSize, units));
  else if (isActivation(kind)) net.add(new Activation(kind, inSize, alpha));
  else return -1;
  return 0;
}

// A conv2d (kind LAYER_CONV2D) or conv2d_transpose with the geometry of its convolution
// (h, w, cin -> outH, outW, cout; see assembly/nn/conv2d.ts). Returns 0, or -1 when the
// geometry does not chain onto the net's current output or the kind is not a conv.
export function netAddConv(net: Net, kind: i32, h: i32, w: i32, cin: i32, outH: i32, outW: i32, cout: i32,
  kh: i32, kw: i32, strideH: i32, strideW: i32, padTop: i32, padLeft: i32): i32 {
  const g = new ConvGeometry(h, w, cin, outH, outW, cout, kh, kw, strideH, strideW, padTop, padLeft);
  if (kind == LAYER_CONV2D && g.bigSize == net.outSize) net.add(new Conv2D(g));
  else if (kind == LAYER_CONV2D_TRANSPOSE && g.smallSize == net.outSize) net.add(new Conv2DTranspose(g));
  else return -1;
  return 0;
}

// Batch norm over `channels` (the last axis of the net's current output). Returns 0, or -1
// when channels does not divide the output size.
export function netAddBatchNorm(net: Net, channels: i32, eps: f64, momentum: f64): i32 {
  if (channels <= 0 || net.outSize % channels != 0) return -1;
  net.add(new BatchNorm(net.outSize, channels, eps, momentum));
  return 0;
}

export function netBuild(net: Net): void { net.build(); }
export function netInit(net: Net, rng: usize, scheme: i32): void { net.initParams(rng, scheme); }
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
