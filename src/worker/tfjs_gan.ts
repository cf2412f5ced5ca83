// The GAN API over the tfjs engine (src/engine/tfjs/), chosen by createGAN's engine selection
// where a real GPU backend starts and passes its self-test (or when asked for). It runs on the
// caller's thread: the GPU does the work, and every read from the device is awaited.
import { TfjsGAN, type TfjsEngineInfo } from "../engine/tfjs/tfjs_engine.ts";
import type { EngineDecision } from "../engine/select.ts";
import type { GenerateOptions, GanState, NetWeights, TrainOptions } from "../engine/wasm_engine.ts";
import type { Dataset } from "../data/dataset.ts";
import type { GAN } from "./gan_api.ts";

export class TfjsGanHandle implements GAN {
  private constructor(private readonly gan: TfjsGAN) {}

  static async create(spec: unknown, seed: number, decision: EngineDecision): Promise<TfjsGanHandle> {
    return new TfjsGanHandle(await TfjsGAN.create(spec, { seed, backend: decision.backend, reasons: decision.reasons }));
  }

  get spec() { return this.gan.spec; }
  get seed() { return this.gan.seed; }
  engineInfo(): TfjsEngineInfo { return this.gan.engineInfo(); }
  paramCounts() { return this.gan.paramCounts(); }
  async step() { return this.gan.step; }
  stats() { return this.gan.statsAsync(); }
  train(data: Dataset | Float32Array, options: TrainOptions) { return this.gan.train(data, options); }
  generate(z: Float32Array, options?: GenerateOptions) { return this.gan.generateAsync(z, options); }
  async latent(n: number, seed?: number) { return this.gan.latent(n, seed); }
  sample(n: number, options?: { seed?: number } & GenerateOptions) { return this.gan.sampleAsync(n, options); }
  async averageGenerator(decay?: number) { this.gan.averageGenerator(decay); }
  async setBlendAlpha(net: string, layer: string | number, alpha: number) { this.gan.setBlendAlpha(net, layer, alpha); }
  getWeights(): Promise<NetWeights> { return this.gan.getWeightsAsync(); }
  async setWeights(w: Partial<NetWeights>) { this.gan.setWeights(w); }
  saveState(): Promise<GanState> { return this.gan.saveStateAsync(); }
  async loadState(s: GanState) { this.gan.loadState(s); }
  async dispose() { this.gan.dispose(); }
}
