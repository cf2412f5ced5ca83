// The one engine interface: what the WASM engine (wasm_engine.ts, WasmGAN) and the tfjs engine
// (tfjs/tfjs_engine.ts, TfjsGAN) both do, on the caller's thread, and the types they share.
// Their checks of what callers hand them live once, in checks.ts. createGAN's asynchronous GAN
// (src/worker/gan_api.ts) is this interface behind a worker, every method a promise.
import type { NormalisedSpec } from "../model/spec.ts";
import type { Dataset } from "../data/dataset.ts";
import type { StepStats } from "../model/stats.ts";

export type { StepStats } from "../model/stats.ts";

export interface TrainOptions {
  steps: number;
  onStep?: (s: StepStats) => void; // called every `every` steps with that step's statistics
  every?: number;                  // default 1
  signal?: AbortSignal;            // stops at a step boundary, the model intact
}

export interface GenerateOptions {
  // conditional models (spec.numClasses K): the class of each sample (n of them) or one class for
  // all; left out, sample i gets class i mod K (0, 1, ..., K-1, 0, ...). Unconditional models refuse it.
  labels?: ArrayLike<number> | number;
  average?: boolean;    // the generator's moving average (averageGenerator) instead of its live weights
  batchStats?: boolean; // batch norm with the batch's own statistics instead of the running ones
}

export interface NetWeights { generator: Float32Array; discriminator: Float32Array }

// One net's training state (saveState / loadState): copies of its blocks, in the parameter
// layout of src/model/layout.ts
export interface NetTrainState {
  params: Float32Array;  // parameters, layer after layer in tfjs layouts (Dense kernel [in, out] then bias)
  opt1: Float32Array;    // optimiser state: Adam's first moment, SGD's momentum buffer, RMSProp's square average
  opt2: Float32Array;    // Adam's second moment (zeros for SGD and RMSProp)
  updates: number;       // optimiser updates taken (Adam's bias correction, the learning-rate schedule)
  state: Float32Array;   // non-trained state: batch norm's running mean then running variance, layer after layer
  average?: Float32Array; // generator only: the moving average of its parameters, when one is kept
}

export interface GanState {
  step: number;          // training steps completed
  rng: Uint32Array;      // the training stream's xoshiro128** state (latent draws, minibatch picks)
  stats: Float32Array;   // the last step's statistics block (src/model/stats.ts)
  generator: NetTrainState;
  discriminator: NetTrainState;
}

export interface ParamCounts { generator: number; discriminator: number }

export interface Engine {
  readonly spec: NormalisedSpec;
  readonly seed: number;  // the creation seed (initial weights and the training stream)
  readonly step: number;  // training steps completed
  engineInfo(): { engine: "wasm" | "tfjs" };
  // hands the data set to the engine (once per distinct array); train() calls it
  setData(data: Dataset | Float32Array): void;
  stats(): StepStats;
  // `steps` steps; every `every` steps (and after the last) onStep gets that step's statistics;
  // the signal is seen at every step boundary
  train(data: Dataset | Float32Array, options: TrainOptions): Promise<StepStats>;
  // z: [n, latentDim] -> G(z): [n, ...dataShape], in chunks of batchSize (inference mode)
  generate(z: Float32Array, options?: GenerateOptions): Float32Array;
  // n latents z ~ N(0, I) from a stream of their own seeded with `seed` (the same in both engines)
  latent(n: number, seed?: number): Float32Array;
  sample(n: number, options?: { seed?: number } & GenerateOptions): Float32Array;
  // an exponential moving average of G's weights, updated after every G update from now on
  averageGenerator(decay?: number): void;
  // a blend layer's α (α·a + (1 − α)·b) from the next step on: progressive growing's fade-in.
  // net: a name in spec.nets; layer: the layer's name or index there. α is not part of the
  // saved state (a checkpoint holds the spec's initial α): set it again after loading one.
  setBlendAlpha(net: string, layer: string | number, alpha: number): void;
  getWeights(): NetWeights;
  setWeights(w: Partial<NetWeights>): void;
  paramCounts(): ParamCounts;
  // everything a bit-exact resume needs, as copies; loadState takes either engine's
  saveState(): GanState;
  loadState(s: GanState): void;
  dispose(): void;
}
