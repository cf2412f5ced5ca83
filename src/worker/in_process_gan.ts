// The GAN API on the caller's own thread, one kernel thread: for runtimes without Worker or
// SharedArrayBuffer (edge functions, pages that are not cross-origin isolated), or when asked.
// Training steps block this thread; the engine yields between steps every ~50 ms.
import { WasmGAN, type EngineInfo, type GenerateOptions, type GanState, type NetWeights, type TrainOptions } from "../engine/wasm_engine.ts";
import type { Dataset } from "../data/dataset.ts";
import type { GAN } from "./gan_api.ts";

export class InProcessGAN implements GAN {
  private constructor(private readonly gan: WasmGAN, private readonly info: EngineInfo) {}

  static async create(spec: unknown, options: { seed?: number; deterministic?: boolean }, modeReason: string): Promise<InProcessGAN> {
    const gan = await WasmGAN.create(spec, options);
    return new InProcessGAN(gan, { ...gan.engineInfo(), mode: "in-process", modeReason });
  }

  get spec() { return this.gan.spec; }
  get seed() { return this.gan.seed; }
  selection: string[] | undefined; // createGAN's engine-selection reasons
  engineInfo(): EngineInfo { return { ...this.info, ...(this.selection ? { selection: [...this.selection] } : {}) }; }
  paramCounts() { return this.gan.paramCounts(); }
  async step() { return this.gan.step; }
  async stats() { return this.gan.stats(); }
  train(data: Dataset | Float32Array, options: TrainOptions) { return this.gan.train(data, options); }
  async generate(z: Float32Array, options?: GenerateOptions) { return this.gan.generate(z, options); }
  async latent(n: number, seed?: number) { return this.gan.latent(n, seed); }
  async sample(n: number, options?: { seed?: number } & GenerateOptions) { return this.gan.sample(n, options); }
  async averageGenerator(decay?: number) { this.gan.averageGenerator(decay); }
  async setBlendAlpha(net: string, layer: string | number, alpha: number) { this.gan.setBlendAlpha(net, layer, alpha); }
  async getWeights() { return this.gan.getWeights(); }
  async setWeights(w: Partial<NetWeights>) { this.gan.setWeights(w); }
  async saveState() { return this.gan.saveState(); }
  async loadState(s: GanState) { this.gan.loadState(s); }
  async dispose() { this.gan.dispose(); }
}
