// The wasm module's exports, typed by hand (assembly/index.ts is the other side).
// Pointers are byte offsets into `memory`; object handles (Net, Optimizer, Gan) are pointers too.
export type Ptr = number;
export type Handle = number;

export interface WasmExports {
  memory: WebAssembly.Memory;
  alloc(bytes: number): Ptr;
  // threads builds (assembly/kernels/threads.ts); the plain builds run everything on one thread
  threadsSetup(count: number): number;
  threadsWork(task: Ptr, part: number, parts: number): void;
  threadsCount(): number;
  rngNew(seed: number): Ptr;
  rngSeed(state: Ptr, seed: number): void;
  rngUniformFill(state: Ptr, out: Ptr, len: number, lo: number, hi: number): void;
  rngNormalFill(state: Ptr, out: Ptr, len: number, mean: number, std: number): void;

  gemm(transA: number, transB: number, m: number, n: number, k: number,
    A: Ptr, lda: number, B: Ptr, ldb: number, C: Ptr, ldc: number, accumulate: number): void;
  gemmReference(transA: number, transB: number, m: number, n: number, k: number,
    A: Ptr, lda: number, B: Ptr, ldb: number, C: Ptr, ldc: number, accumulate: number): void;
  biasAddForward(y: Ptr, b: Ptr, n: number, c: number): void;
  biasAddBackward(db: Ptr, dy: Ptr, n: number, c: number): void;
  reluForward(y: Ptr, x: Ptr, len: number): void;
  reluBackward(dx: Ptr, dy: Ptr, x: Ptr, len: number): void;
  leakyReluForward(y: Ptr, x: Ptr, len: number, alpha: number): void;
  leakyReluBackward(dx: Ptr, dy: Ptr, x: Ptr, len: number, alpha: number): void;
  tanhForward(y: Ptr, x: Ptr, len: number): void;
  tanhBackward(dx: Ptr, dy: Ptr, y: Ptr, len: number): void;
  sigmoidForward(y: Ptr, x: Ptr, len: number): void;
  sigmoidBackward(dx: Ptr, dy: Ptr, y: Ptr, len: number): void;
  bceLogitsReal(dl: Ptr, l: Ptr, n: number, target: number): number;
  bceLogitsFake(dl: Ptr, l: Ptr, n: number): number;
  generatorMinimax(dl: Ptr, l: Ptr, n: number): number;
  generatorNonSaturating(dl: Ptr, l: Ptr, n: number): number;
  meanSigmoid(l: Ptr, n: number): number;
  wassersteinReal(dl: Ptr, l: Ptr, n: number): number;
  wassersteinFake(dl: Ptr, l: Ptr, n: number): number;
  generatorWasserstein(dl: Ptr, l: Ptr, n: number): number;
  hingeReal(dl: Ptr, l: Ptr, n: number): number;
  hingeFake(dl: Ptr, l: Ptr, n: number): number;
  leastSquares(dl: Ptr, l: Ptr, n: number, target: number): number;
  meanLogit(l: Ptr, n: number): number;
  adamUpdate(p: Ptr, g: Ptr, m: Ptr, v: Ptr, len: number, lr: number, beta1: number, beta2: number, eps: number, t: number): void;
  sgdUpdate(p: Ptr, g: Ptr, buf: Ptr, len: number, lr: number, momentum: number): void;
  rmspropUpdate(p: Ptr, g: Ptr, s: Ptr, len: number, lr: number, alpha: number, eps: number): void;
  sumSquares(g: Ptr, len: number): number;
  clipUpdate(p: Ptr, len: number, c: number): void;
  // conv (assembly/kernels/conv.ts): NHWC, filter [kh, kw, cin, cout], padding resolved by the caller;
  // scratch holds conv2dScratchSize(...) floats. Transposed conv: see the header of conv.ts.
  convOutSize(inSize: number, k: number, stride: number, same: number): number;
  convPadBefore(inSize: number, k: number, stride: number, same: number): number;
  conv2dScratchSize(n: number, outH: number, outW: number, kh: number, kw: number, cin: number): number;
  im2col(col: Ptr, x: Ptr, n: number, h: number, w: number, c: number, kh: number, kw: number,
    strideH: number, strideW: number, padTop: number, padLeft: number, outH: number, outW: number): void;
  col2im(dx: Ptr, col: Ptr, n: number, h: number, w: number, c: number, kh: number, kw: number,
    strideH: number, strideW: number, padTop: number, padLeft: number, outH: number, outW: number): void;
  conv2dForward(y: Ptr, x: Ptr, filter: Ptr, scratch: Ptr, n: number, h: number, w: number, cin: number,
    kh: number, kw: number, cout: number, strideH: number, strideW: number, padTop: number, padLeft: number,
    outH: number, outW: number): void;
  conv2dBackwardInput(dx: Ptr, dy: Ptr, filter: Ptr, scratch: Ptr, n: number, h: number, w: number, cin: number,
    kh: number, kw: number, cout: number, strideH: number, strideW: number, padTop: number, padLeft: number,
    outH: number, outW: number): void;
  conv2dBackwardFilter(dfilter: Ptr, x: Ptr, dy: Ptr, scratch: Ptr, n: number, h: number, w: number, cin: number,
    kh: number, kw: number, cout: number, strideH: number, strideW: number, padTop: number, padLeft: number,
    outH: number, outW: number): void;

  // batch norm (assembly/kernels/batchnorm.ts)
  batchNormForwardTrain(y: Ptr, x: Ptr, gamma: Ptr, beta: Ptr, saveMean: Ptr, saveInvStd: Ptr,
    runningMean: Ptr, runningVar: Ptr, rows: number, c: number, eps: number, momentum: number): void;
  batchNormForwardInference(y: Ptr, x: Ptr, gamma: Ptr, beta: Ptr, runningMean: Ptr, runningVar: Ptr,
    rows: number, c: number, eps: number): void;
  batchNormBackward(dx: Ptr, dgamma: Ptr, dbeta: Ptr, dy: Ptr, x: Ptr, gamma: Ptr, saveMean: Ptr,
    saveInvStd: Ptr, rows: number, c: number): void;

  netNew(inSize: number, maxBatch: number): Handle;
  netAdd(net: Handle, kind: number, units: number, alpha: number): number;
  netAddConv(net: Handle, kind: number, h: number, w: number, cin: number, outH: number, outW: number, cout: number,
    kh: number, kw: number, strideH: number, strideW: number, padTop: number, padLeft: number): number;
  netAddBatchNorm(net: Handle, channels: number, eps: number, momentum: number): number;
  netSpectralNorm(net: Handle): number; // the last layer added gets spectral normalisation (0 / -1)
  // minibatch standard deviation (assembly/nn/minibatch_std.ts): [n, P, channels] -> [n, P, channels + 1]
  netAddMinibatchStd(net: Handle, channels: number, groupSize: number): number;
  // progressive growing (assembly/nn/upsample.ts, avg_pool.ts, pixel_norm.ts, equalized_lr.ts): 0 / -1
  netAddUpsample(net: Handle, h: number, w: number, c: number): number;
  netAddAvgPool(net: Handle, h: number, w: number, c: number): number;
  netAddPixelNorm(net: Handle, channels: number, eps: number): number;
  netEqualizedLr(net: Handle, scale: number): number; // the last layer added multiplies by scale·W
  // CycleGAN (assembly/train/cycle.ts)
  cycleNew(G: Handle, F: Handle, DA: Handle, DB: Handle, batch: number, optG: Handle, optF: Handle, optDA: Handle, optDB: Handle, poolSize: number, seed: number): Handle;
  cycleSetLambda(gan: Handle, lambda: number, identity: number): void;
  cycleSetSchedule(gan: Handle, decayStart: number, decayEnd: number): void;
  cycleSetData(gan: Handle, which: number, ptr: Ptr, count: number): void; // which: 0 = A, 1 = B
  cycleTrain(gan: Handle, steps: number): void;
  cycleStats(gan: Handle): Ptr;
  cycleStatCount(): number;
  cycleSteps(gan: Handle): number;
  cycleSetSteps(gan: Handle, steps: number): void;
  cycleRng(gan: Handle): Ptr;
  cycleReal(gan: Handle, which: number): Ptr;
  cyclePool(gan: Handle, which: number): Ptr;
  cyclePoolCount(gan: Handle, which: number): number;
  cycleSetPoolCount(gan: Handle, which: number, count: number): void;
  // instance normalisation (assembly/nn/instance_norm.ts) over the last axis, per sample; affine 0 / 1
  netAddInstanceNorm(net: Handle, channels: number, eps: number, affine: number): number;
  // reflection padding (assembly/nn/reflection_pad.ts): [n, h, w, c] -> [n, h + 2ph, w + 2pw, c]
  netAddReflectionPad(net: Handle, h: number, w: number, c: number, ph: number, pw: number): number;
  netBuild(net: Handle): void;
  netInit(net: Handle, rng: Ptr, scheme: number): void;
  netInitSpectral(net: Handle, rng: Ptr): void; // the normalised layers' u and v, after every net's netInit
  netPowerIteration(net: Handle): void;         // one power iteration of every normalised layer
  netSpectralSigma(net: Handle, layer: number): number; // σ = vᵀ K u with the stored u, v (0: not normalised)
  netStateCount(net: Handle): number;
  netState(net: Handle): Ptr;
  netParamCount(net: Handle): number;
  netParams(net: Handle): Ptr;
  netGrads(net: Handle): Ptr;
  netOptState(net: Handle, which: number): Ptr;
  netOutSize(net: Handle): number;
  netLayerParamOffset(net: Handle, layer: number): number;
  netZeroGrads(net: Handle): void;
  netForward(net: Handle, x: Ptr, n: number, training: number): Ptr;
  netBackward(net: Handle, dy: Ptr, dx: Ptr, n: number, paramGrads: number): void;

  // the layer graph and tapes (assembly/nn/net.ts, merge.ts, tape.ts): engine layer indices,
  // sources are earlier engine layers or -1 (the net's input); 0 / -1 return codes
  netInput(net: Handle, src: number): number; // the next layer added reads src
  netAddMerge(net: Handle, kind: number, srcs: Ptr, count: number, pixels: number, alpha: number): number; // srcs: i32 [count]
  netSetBlendAlpha(net: Handle, layer: number, alpha: number): number;
  netLayerCount(net: Handle): number;
  netTape(net: Handle): Handle;                       // the default tape
  netNewTape(net: Handle, maxBatch: number): Handle;  // 0 for a bad maxBatch (after netBuild; <= the net's)
  netForwardTape(net: Handle, tape: Handle, x: Ptr, n: number, training: number): Ptr;
  netBackwardTape(net: Handle, tape: Handle, dy: Ptr, dx: Ptr, n: number, paramGrads: number): void; // ADDS parameter gradients
  tapeActivation(tape: Handle, layer: number): Ptr;

  optimizerNew(kind: number, lr: number, beta1: number, beta2: number, eps: number): Handle;
  optimizerStep(opt: Handle, net: Handle): void;
  optimizerGetT(opt: Handle): number;
  optimizerSetT(opt: Handle, t: number): void;
  optimizerSetDecay(opt: Handle, updates: number): void;
  optimizerSetEma(opt: Handle, net: Handle, decay: number): void;
  optimizerEma(opt: Handle): Ptr;
  netSetParams(net: Handle, params: Ptr): Ptr;
  setBatchNormFreezeRunning(on: number): void;

  ganNew(G: Handle, D: Handle, batch: number, loss: number, optG: Handle, optD: Handle,
    dSteps: number, realLabel: number, seed: number, pack: number): Handle;
  ganSetClip(gan: Handle, c: number): void;
  // WGAN-GP (assembly/train/penalty.ts): once, before training
  ganSetGradientPenalty(gan: Handle, lambda: number): void;
  ganPenaltyEps(gan: Handle): Ptr;   // f32 [B]: the last critic update's ε
  ganPenaltyInput(gan: Handle): Ptr; // f32 [B, D's input per sample]: the last x̂
  // the penalty alone on a net (tests): penaltyRun ADDS ∂P/∂θ into the net's grads and returns P
  penaltyNew(net: Handle, lambda: number): Handle;
  penaltyRun(pen: Handle, x: Ptr, n: number): number;
  penaltyInputGrad(pen: Handle): Ptr;
  // R1 (assembly/train/penalty.ts, Mescheder et al. 2018) and PGGAN's drift: once, before training
  ganSetR1(gan: Handle, gamma: number, every: number): void; // every > 1: lazy, gamma already times every
  ganSetDrift(gan: Handle, drift: number): void;
  // R1 alone on a net (tests): run it with penaltyRun / penaltyInputGrad
  r1New(net: Handle, gamma: number): Handle;
  ganRng(gan: Handle): Ptr;
  ganSetData(gan: Handle, ptr: Ptr, count: number): void;
  ganTrain(gan: Handle, steps: number): void;
  ganStats(gan: Handle): Ptr;   // f32 [ganStatCount()]: the statistics block, slots named in src/model/stats.ts
  ganStatCount(): number;
  ganSteps(gan: Handle): number;
  ganSetSteps(gan: Handle, steps: number): void;
  ganZ(gan: Handle): Ptr;
  ganReal(gan: Handle): Ptr;
  // conditional GANs: G's input is [z, onehot] and ganZ holds it so ([B, latentDim + classes])
  ganSetConditional(gan: Handle, classes: number, pixels: number): void;
  ganSetLabels(gan: Handle, ptr: Ptr): void;
  ganRealLabels(gan: Handle): Ptr;
  ganFakeLabels(gan: Handle): Ptr;
}
