// What the engine worker serves through comlink: a WasmGAN (leading the helper threads when
// there are any), driven by messages. Every array it returns is a copy, transferred.
import * as Comlink from "comlink";
import { WasmGAN, type CreateOptions, type GenerateOptions, type GanState, type NetWeights, type StepStats, type ThreadLink, type EngineInfo } from "../engine/wasm_engine.ts";
import type { Dataset } from "../data/dataset.ts";
import type { NormalisedSpec } from "../model/spec.ts";

// a data set as it crosses to the worker (once; later calls name it by id)
export interface DatasetMessage { name: string; x: Float32Array; shape: number[]; count: number; labels?: Int32Array; numClasses?: number }

export interface Created { spec: NormalisedSpec; info: EngineInfo; paramCounts: { generator: number; discriminator: number } }

const copyOut = <T extends ArrayBufferView>(a: T): T => Comlink.transfer(a, [a.buffer as ArrayBuffer]);

export class EngineApi {
  private gan: WasmGAN | undefined;
  private readonly datasets = new Map<number, Dataset>();

  private get model(): WasmGAN {
    if (!this.gan) throw new Error("wasm-gan worker: no model created");
    return this.gan;
  }

  async create(spec: unknown, options: CreateOptions, link?: ThreadLink): Promise<Created> {
    this.gan = await WasmGAN.create(spec, options, link);
    return { spec: this.gan.spec, info: this.gan.engineInfo(), paramCounts: this.gan.paramCounts() };
  }

  addDataset(id: number, d: DatasetMessage): void {
    this.datasets.set(id, d);
  }

  dropDataset(id: number): void {
    this.datasets.delete(id);
  }

  // abort: a shared flag the host sets (1) when its AbortSignal fires; seen at every step boundary
  async train(datasetId: number, steps: number, every: number, abort: Int32Array,
    onStep?: (s: StepStats) => void): Promise<StepStats> {
    const data = this.datasets.get(datasetId);
    if (!data) throw new Error(`wasm-gan worker: unknown data set ${datasetId}`);
    const signal = { get aborted() { return Atomics.load(abort, 0) !== 0; } } as AbortSignal;
    return this.model.train(data, { steps, every, signal, onStep: onStep ? (s) => { void onStep(s); } : undefined });
  }

  step(): number { return this.model.step; }
  stats(): StepStats { return this.model.stats(); }
  generate(z: Float32Array, options?: GenerateOptions): Float32Array { return copyOut(this.model.generate(z, options)); }
  latent(n: number, seed?: number): Float32Array { return copyOut(this.model.latent(n, seed)); }
  sample(n: number, options?: { seed?: number } & GenerateOptions): Float32Array { return copyOut(this.model.sample(n, options)); }
  averageGenerator(decay?: number): void { this.model.averageGenerator(decay); }
  setBlendAlpha(net: string, layer: string | number, alpha: number): void { this.model.setBlendAlpha(net, layer, alpha); }
  getWeights(): NetWeights { return this.model.getWeights(); }
  setWeights(w: Partial<NetWeights>): void { this.model.setWeights(w); }
  saveState(): GanState { return this.model.saveState(); }
  loadState(s: GanState): void { this.model.loadState(s); }
  // tests: an error this worker does not catch, thrown `ms` from now (mid-step when training)
  crashForTesting(ms: number): void {
    setTimeout(() => { throw new Error("engine worker crash (test)"); }, ms);
  }

  dispose(): void { this.gan?.dispose(); this.gan = undefined; this.datasets.clear(); }
}
