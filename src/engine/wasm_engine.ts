// The WASM engine: builds G and D from a validated spec inside one module instance, hands the
// data set to the in-wasm training loop, and reads results back as copies.
import { sampleClasses } from "./sample_labels.ts";
import { instantiate, instantiateModule, chooseFlavour, type SimdFlavour } from "./wasm_module.ts";
import { leaderImports } from "./thread_control.ts";
import { LinearMemory } from "./memory.ts";
import type { Handle, Ptr, WasmExports } from "./abi.ts";
import { LOSS_CODES, OPTIMIZER_CODES, INIT_CODES } from "../model/ops.ts";
import { buildWasmNet, engineLayerIndices, initNets } from "./net_builder.ts";
import { validateSpec, roleNet, type LayerSpec, type NormalisedSpec, type OptimizerSpec } from "../model/spec.ts";
import { sampleSize, type Dataset } from "../data/dataset.ts";
import { stepStats, STAT_COUNT, type StepStats } from "../model/stats.ts";
import type { Engine, GanState, GenerateOptions, NetTrainState, NetWeights, ParamCounts, TrainOptions } from "./engine.ts";
import {
  checkSeed, dataSamples, dataLabels, checkLabels, checkSamples, checkTrainOptions, checkFinite, checkLatents,
  checkSampleCount, checkDecay, checkWeights, checkState, blendTarget,
} from "./checks.ts";

// the shared types (src/engine/engine.ts), where callers have imported them from
export type { StepStats, TrainOptions, GenerateOptions, NetWeights, NetTrainState, GanState } from "./engine.ts";

export interface CreateOptions {
  seed?: number;           // initial weights, latent draws and minibatches all follow from it
  deterministic?: boolean; // true (default): the strict-SIMD build, bit-reproducible everywhere
}

export interface EngineInfo {
  engine: "wasm";
  simd: SimdFlavour;
  reason: string;
  threads: number;
  // where the engine runs: a worker thread behind comlink, or the caller's own thread (and why)
  mode?: "worker" | "in-process";
  modeReason?: string;
  selection?: string[]; // why this engine (createGAN's engine selection, src/engine/select.ts)
}

// A threads build's instance joins helper threads that share its memory (src/worker/): the
// compiled threads module, the shared memory, the control array and the thread count (the
// leader included). Used by the engine worker; helpers must be running before create().
export interface ThreadLink {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: Int32Array;
  count: number;
  flavour: SimdFlavour;
  reason: string;
}

interface NetHandle { net: Handle; opt: Handle; paramCount: number; inSize: number; outSize: number }

export class WasmGAN implements Engine {
  readonly spec: NormalisedSpec;
  private readonly mem: LinearMemory;
  private readonly gan: Handle;
  private readonly G: NetHandle;
  private readonly D: NetHandle;
  private readonly sampleRng: Ptr;
  private readonly sampleZ: Ptr;
  private data: { source: Float32Array; ptr: Ptr; capacity: number } | undefined;
  private labelData: { source: ArrayLike<number>; ptr: Ptr; capacity: number } | undefined; // conditional models
  private disposed = false;

  readonly seed: number; // the creation seed (initial weights and the training stream)

  private constructor(private readonly wasm: WasmExports, spec: NormalisedSpec, seed: number, private readonly info: EngineInfo) {
    this.spec = spec;
    this.seed = seed;
    this.mem = new LinearMemory(wasm);
    const B = spec.batchSize;
    const X = sampleSize(spec.dataShape);
    const g = roleNet(spec, "generator"), d = roleNet(spec, "discriminator");
    this.G = this.buildNet(g.layers, g.input, B, spec.optimizer[g.name]);
    this.D = this.buildNet(d.layers, d.input, B, spec.optimizer[d.name]);
    if (spec.lrSchedule.type === "linear") {
      wasm.optimizerSetDecay(this.G.opt, spec.lrSchedule.steps);
      wasm.optimizerSetDecay(this.D.opt, spec.lrSchedule.steps * spec.dSteps);
    }
    // one seed: weights first (G then D, then their spectral-normalisation vectors), then the training stream
    initNets(wasm, [this.G.net, this.D.net], seed, INIT_CODES[spec.init]);
    this.gan = wasm.ganNew(this.G.net, this.D.net, B, LOSS_CODES[spec.loss], this.G.opt, this.D.opt,
      spec.dSteps, 1 - spec.labelSmoothing, (seed ^ 0x9e3779b9) >>> 0, spec.pack);
    if (spec.clip !== undefined) wasm.ganSetClip(this.gan, spec.clip);
    if (spec.gradientPenalty !== undefined) wasm.ganSetGradientPenalty(this.gan, spec.gradientPenalty);
    if (spec.r1 !== undefined) wasm.ganSetR1(this.gan, spec.r1 * (spec.r1Every ?? 1), spec.r1Every ?? 1);
    if (spec.drift !== undefined) wasm.ganSetDrift(this.gan, spec.drift);
    // conditional: the one-hot joins every pixel of an image (its last axis), or a flat sample once
    if (spec.numClasses !== undefined) wasm.ganSetConditional(this.gan, spec.numClasses, spec.dataShape.length > 1 ? X / spec.dataShape.at(-1)! : 1);
    this.sampleRng = wasm.rngNew(0);
    this.sampleZ = wasm.alloc(B * this.G.inSize * 4); // [B, latentDim (+ numClasses)]
    if (spec.average !== undefined) this.averageGenerator(spec.average);
  }

  static async create(specInput: unknown, options: CreateOptions = {}, threads?: ThreadLink): Promise<WasmGAN> {
    const spec = validateSpec(specInput);
    const seed = checkSeed(options.seed ?? 0);
    if (threads && threads.count > 1) {
      const wasm = await instantiateModule(threads.module, { memory: threads.memory, ...leaderImports(threads.control, threads.count, true) });
      wasm.threadsSetup(threads.count); // per-helper GEMM scratch, before anything else is laid out
      return new WasmGAN(wasm, spec, seed, { engine: "wasm", simd: threads.flavour, reason: threads.reason, threads: threads.count });
    }
    const { flavour, reason } = chooseFlavour(options.deterministic ?? true);
    const wasm = await instantiate(flavour);
    return new WasmGAN(wasm, spec, seed, { engine: "wasm", simd: flavour, reason, threads: 1 });
  }

  // input: one sample's shape
  private buildNet(layers: LayerSpec[], input: number[], batch: number, o: OptimizerSpec): NetHandle {
    const w = this.wasm;
    const net = buildWasmNet(w, layers, input, batch);
    const inSize = sampleSize(input);
    const beta1 = o.type === "adam" ? o.beta1! : o.type === "sgd" ? o.momentum! : o.alpha!;
    const opt = w.optimizerNew(OPTIMIZER_CODES[o.type], o.lr, beta1, o.beta2 ?? 0, o.eps ?? 0);
    return { net, opt, paramCount: w.netParamCount(net), inSize, outSize: w.netOutSize(net) };
  }

  engineInfo(): EngineInfo {
    return { ...this.info };
  }

  get step(): number {
    return this.wasm.ganSteps(this.gan);
  }

  private alive(): void {
    if (this.disposed) throw new Error("this GAN was disposed");
  }

  // Copies the data set into linear memory (once per distinct array; reused while it fits).
  setData(data: Dataset | Float32Array): void {
    this.alive();
    const x = dataSamples(this.spec, data);
    if (this.spec.numClasses !== undefined) this.setLabels(data, x);
    if (this.data?.source === x) return;
    const count = checkSamples(this.spec, x);
    if (!this.data || this.data.capacity < x.length) {
      this.data = { source: x, ptr: this.wasm.alloc(x.length * 4), capacity: x.length };
    }
    this.data.source = x;
    this.mem.write(this.data.ptr, x);
    this.wasm.ganSetData(this.gan, this.data.ptr, count);
  }

  // conditional models: the data set's labels go into linear memory next to the data (i32)
  private setLabels(data: Dataset | Float32Array, x: Float32Array): void {
    const labels = dataLabels(this.spec, data);
    if (this.labelData?.source === labels) return;
    const count = checkLabels(this.spec, data, labels, x);
    if (!this.labelData || this.labelData.capacity < count) {
      this.labelData = { source: labels, ptr: this.wasm.alloc(count * 4), capacity: count };
    }
    this.labelData.source = labels;
    new Int32Array(this.wasm.memory.buffer, this.labelData.ptr, count).set(labels);
    this.wasm.ganSetLabels(this.gan, this.labelData.ptr);
  }

  stats(): StepStats {
    return stepStats(this.step, this.mem.f32(this.wasm.ganStats(this.gan), STAT_COUNT));
  }

  // Runs `steps` training steps, one wasm call each (the abort signal is seen at every step
  // boundary); every `every` steps (and after the last) onStep gets that step's statistics.
  // On this thread, a step blocks it: the host yields to the event loop every ~50 ms between
  // steps, so timers fire late by up to one step. createGAN's worker mode never blocks the caller.
  async train(data: Dataset | Float32Array, options: TrainOptions): Promise<StepStats> {
    this.alive();
    const { onStep, signal } = options;
    const { steps, every } = checkTrainOptions(options);
    this.setData(data);
    let lastYield = Date.now();
    let done = 0;
    while (done < steps) {
      if (signal?.aborted) break;
      this.wasm.ganTrain(this.gan, 1);
      done++;
      const s = onStep && (done % every === 0 || done === steps) ? this.stats() : undefined;
      if (s) onStep!(checkFinite(s));
      if (Date.now() - lastYield > 50) {
        await new Promise((r) => setTimeout(r, 0));
        lastYield = Date.now();
      }
    }
    return this.stats();
  }

  // z: [n, latentDim] -> G(z): [n, ...dataShape] (inference mode)
  // options.average: use the generator's moving average (see averageGenerator; default: true when
  // the spec asks for one, spec.average); options.batchStats:
  // batch norm normalises each chunk of up to batchSize samples by its own statistics (as in
  // training) instead of the running ones; the running statistics are left alone either way
  generate(z: Float32Array, options: GenerateOptions = {}): Float32Array {
    this.alive();
    const Z = this.spec.latentDim, B = this.spec.batchSize, X = this.G.outSize;
    const n = checkLatents(z, Z);
    const classes = sampleClasses(this.spec.numClasses, n, options.labels);
    const K = this.spec.numClasses ?? 0, row = Z + K;
    const joined = classes ? new Float32Array(Math.min(B, n) * row) : undefined; // [z, onehot] rows
    const out = new Float32Array(n * X);
    for (let i = 0; i < n; i += B) {
      const m = Math.min(B, n - i);
      if (joined) {
        joined.fill(0);
        for (let r = 0; r < m; r++) {
          joined.set(z.subarray((i + r) * Z, (i + r + 1) * Z), r * row);
          joined[r * row + Z + classes![i + r]] = 1;
        }
        this.mem.write(this.sampleZ, joined.subarray(0, m * row));
      } else this.mem.write(this.sampleZ, z.subarray(i * Z, (i + m) * Z));
      const w = this.wasm;
      const swapped = (options.average ?? this.spec.average !== undefined) ? w.netSetParams(this.G.net, this.averagePtr()) : 0;
      if (options.batchStats) w.setBatchNormFreezeRunning(1);
      try {
        const y = w.netForward(this.G.net, this.sampleZ, m, options.batchStats ? 1 : 0);
        out.set(this.mem.f32(y, m * X), i * X);
      } finally {
        if (options.batchStats) w.setBatchNormFreezeRunning(0);
        if (swapped) w.netSetParams(this.G.net, swapped);
      }
    }
    return out;
  }

  // n samples from z ~ N(0, I) drawn with `seed` (default: a stream of its own, independent of training)
  latent(n: number, seed = 1): Float32Array {
    const Z = this.spec.latentDim;
    this.wasm.rngSeed(this.sampleRng, seed >>> 0);
    const out = new Float32Array(n * Z);
    const B = this.spec.batchSize;
    for (let i = 0; i < n; i += B) {
      const m = Math.min(B, n - i);
      // chunks of B*Z floats keep the stream independent of the chunking only when B*Z is even
      this.wasm.rngNormalFill(this.sampleRng, this.sampleZ, m * Z, 0, 1);
      out.set(this.mem.f32(this.sampleZ, m * Z), i * Z);
    }
    return out;
  }

  // Keeps an exponential moving average of G's weights from now on (updated after every G step
  // inside wasm); generate/sample({average: true}) draw from it.
  averageGenerator(decay = 0.999): void {
    this.alive();
    checkDecay(decay);
    this.wasm.optimizerSetEma(this.G.opt, this.G.net, decay);
  }

  // a blend's α from the next step on (see Engine.setBlendAlpha); the engine's blend layers hold
  // α as f32
  setBlendAlpha(net: string, layer: string | number, alpha: number): void {
    this.alive();
    const { role, index } = blendTarget(this.spec, net, layer, alpha);
    const h = role === "generator" ? this.G : this.D;
    const rc = this.wasm.netSetBlendAlpha(h.net, engineLayerIndices(this.spec.nets[net])[index], alpha);
    if (rc !== 0) throw new Error(`internal: the engine has no blend at layer ${index} of net ${net}`);
  }

  private averagePtr(): Ptr {
    const p = this.wasm.optimizerEma(this.G.opt);
    if (!p) throw new Error("no generator average: call averageGenerator(decay) before training");
    return p;
  }

  // conditional models: options.labels as in generate (default: sample i gets class i mod K)
  sample(n: number, options: { seed?: number } & GenerateOptions = {}): Float32Array {
    checkSampleCount(n);
    return this.generate(this.latent(n, options.seed ?? 1), options);
  }

  getWeights(): NetWeights {
    this.alive();
    return {
      generator: this.mem.read(this.wasm.netParams(this.G.net), this.G.paramCount),
      discriminator: this.mem.read(this.wasm.netParams(this.D.net), this.D.paramCount),
    };
  }

  setWeights(w: Partial<NetWeights>): void {
    this.alive();
    for (const [name, h] of [["generator", this.G], ["discriminator", this.D]] as const) {
      const v = w[name];
      if (!v) continue;
      checkWeights(name, v, h.paramCount);
      this.mem.write(this.wasm.netParams(h.net), v);
    }
  }

  paramCounts(): ParamCounts {
    return { generator: this.G.paramCount, discriminator: this.D.paramCount };
  }

  // Everything a bit-exact resume needs, as copies: both nets' parameters, optimiser state and
  // update counts, batch-norm running statistics (and G's moving average when one is kept), the
  // training stream's RNG state, the step count and the last statistics. loadState() of this
  // into a GAN built from the same spec continues exactly where this one stands (latent draws
  // for sampling are seeded per call, so they carry no state).
  saveState(): GanState {
    this.alive();
    const w = this.wasm;
    const net = (h: NetHandle): NetTrainState => ({
      params: this.mem.read(w.netParams(h.net), h.paramCount),
      opt1: this.mem.read(w.netOptState(h.net, 0), h.paramCount),
      opt2: this.mem.read(w.netOptState(h.net, 1), h.paramCount),
      updates: w.optimizerGetT(h.opt),
      state: this.mem.read(w.netState(h.net), w.netStateCount(h.net)),
    });
    const generator = net(this.G);
    const ema = typeof w.optimizerEma === "function" ? w.optimizerEma(this.G.opt) : 0;
    if (ema) generator.average = this.mem.read(ema, this.G.paramCount);
    return {
      step: w.ganSteps(this.gan),
      rng: new Uint32Array(w.memory.buffer, w.ganRng(this.gan), 4).slice(),
      stats: this.mem.read(w.ganStats(this.gan), STAT_COUNT),
      generator, discriminator: net(this.D),
    };
  }

  // Restores a saveState() (see there). Every array must have its net's size and finite values;
  // nothing is written unless all of it is valid. A generator average in `s` is restored when
  // this GAN keeps one (averageGenerator) and ignored otherwise.
  loadState(s: GanState): void {
    this.alive();
    const w = this.wasm;
    const ema = typeof w.optimizerEma === "function" ? w.optimizerEma(this.G.opt) : 0;
    checkState(s, this.paramCounts(), { generator: w.netStateCount(this.G.net), discriminator: w.netStateCount(this.D.net) }, !!ema);
    const nets = [[this.G, s.generator], [this.D, s.discriminator]] as const;
    for (const [h, n] of nets) {
      this.mem.write(w.netParams(h.net), n.params);
      this.mem.write(w.netOptState(h.net, 0), n.opt1);
      this.mem.write(w.netOptState(h.net, 1), n.opt2);
      this.mem.write(w.netState(h.net), n.state);
      w.optimizerSetT(h.opt, n.updates);
    }
    if (ema && s.generator.average) this.mem.write(ema, s.generator.average);
    new Uint32Array(w.memory.buffer, w.ganRng(this.gan), 4).set(s.rng);
    this.mem.write(w.ganStats(this.gan), s.stats);
    w.ganSetSteps(this.gan, s.step);
  }

  // Low-level access for tests and tools: the raw exports and net handles.
  get raw(): { wasm: WasmExports; G: Handle; D: Handle; gan: Handle } {
    return { wasm: this.wasm, G: this.G.net, D: this.D.net, gan: this.gan };
  }

  dispose(): void {
    // the instance and its memory are garbage once unreferenced
    this.disposed = true;
    this.data = undefined;
  }
}

export function createGAN(spec: unknown, options?: CreateOptions): Promise<WasmGAN> {
  return WasmGAN.create(spec, options);
}
