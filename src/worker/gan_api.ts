// The public, asynchronous face of a GAN: the same whether the engine runs in worker threads
// (worker_gan.ts) or, where workers cannot run, on the caller's thread (in_process_gan.ts).
import type { TfjsEngineInfo } from "../engine/tfjs/tfjs_engine.ts";
import type { EngineInfo, GanState, GenerateOptions, NetWeights, StepStats, TrainOptions } from "../engine/wasm_engine.ts";
import type { Dataset } from "../data/dataset.ts";
import type { NormalisedSpec } from "../model/spec.ts";

// the WASM engine's info (SIMD build, threads, mode) or the tfjs engine's (backend, GPU, why)
export type AnyEngineInfo = EngineInfo | TfjsEngineInfo;

export interface GAN {
  readonly spec: NormalisedSpec;
  readonly seed: number;
  engineInfo(): AnyEngineInfo;
  paramCounts(): { generator: number; discriminator: number };
  step(): Promise<number>;
  stats(): Promise<StepStats>;
  // resolves with the last step's statistics; options.signal stops it at a step boundary (the
  // model intact, training can go on); onStep gets every `every`-th step's statistics
  train(data: Dataset | Float32Array, options: TrainOptions): Promise<StepStats>;
  generate(z: Float32Array, options?: GenerateOptions): Promise<Float32Array>;
  latent(n: number, seed?: number): Promise<Float32Array>;
  sample(n: number, options?: { seed?: number } & GenerateOptions): Promise<Float32Array>;
  averageGenerator(decay?: number): Promise<void>;
  // a blend layer's α from the next step on (Engine.setBlendAlpha: net name, layer name or index)
  setBlendAlpha(net: string, layer: string | number, alpha: number): Promise<void>;
  getWeights(): Promise<NetWeights>;
  setWeights(w: Partial<NetWeights>): Promise<void>;
  saveState(): Promise<GanState>;
  loadState(s: GanState): Promise<void>;
  // ends every worker this GAN started; later calls reject
  dispose(): Promise<void>;
}

export type Threads = "auto" | number;

export interface GanOptions {
  seed?: number;
  deterministic?: boolean; // true (default): the strict-SIMD build, bit-reproducible
  threads?: Threads;       // "auto" (default): one per core; results equal one thread's bit for bit
  // "auto" (default): worker threads where Worker and SharedArrayBuffer exist, else this thread;
  // "worker": refuse to run without workers; "in-process": this thread, one kernel thread
  mode?: "auto" | "worker" | "in-process";
  // "auto" (default): the tfjs engine only where a real GPU backend starts and passes a self-test
  // on this model (correct and faster than the WASM engine), else the WASM engine; "tfjs" with
  // `backend` forces it (an error lists what was tried); engineInfo() gives the reasons
  engine?: "auto" | "wasm" | "tfjs";
  backend?: "auto" | "webgpu" | "webgl" | "tensorflow" | "wasm" | "cpu";
}
