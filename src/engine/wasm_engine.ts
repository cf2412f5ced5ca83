// The WASM engine: builds G and D from a validated spec inside one module instance, hands the
// data set to the in-wasm training loop, and reads results back as copies.
import { instantiate, chooseFlavour, type SimdFlavour } from "./wasm_module.ts";
import { LinearMemory } from "./memory.ts";
import { STAT, type Handle, type Ptr, type WasmExports } from "./abi.ts";
import { LOSS_CODES, OPTIMIZER_CODES, INIT_CODES } from "../spec/ops.ts";
import { buildWasmNet } from "./net_builder.ts";
import { validateSpec, type LayerSpec, type NormalisedSpec, type OptimizerSpec } from "../spec/spec.ts";
import { checkData, sampleSize, type Dataset } from "../data/dataset.ts";

export interface CreateOptions {
  seed?: number;           // initial weights, latent draws and minibatches all follow from it
  deterministic?: boolean; // true (default): the strict-SIMD build, bit-reproducible everywhere
}

export interface StepStats {
  step: number;      // steps completed so far
  dLoss: number;
  gLoss: number;
  dReal: number;     // mean D(x) on the real batch
  dFake: number;     // mean D(G(z)) on the fake batch (before D's update)
  dGradNorm: number; // ‖∇_D L_D‖₂ of the last discriminator update
  gGradNorm: number; // ‖∇_G L_G‖₂
}

export interface TrainOptions {
  steps: number;
  onStep?: (s: StepStats) => void; // called every `every` steps with that step's statistics
  every?: number;                  // default 1
  signal?: AbortSignal;            // stops at a step boundary, the model intact
}

export interface EngineInfo {
  engine: "wasm";
  simd: SimdFlavour;
  reason: string;
  threads: number;
}

export interface NetWeights { generator: Float32Array; discriminator: Float32Array }

interface NetHandle { net: Handle; opt: Handle; paramCount: number; inSize: number; outSize: number }

export class WasmGAN {
  readonly spec: NormalisedSpec;
  private readonly mem: LinearMemory;
  private readonly gan: Handle;
  private readonly G: NetHandle;
  private readonly D: NetHandle;
  private readonly sampleRng: Ptr;
  private readonly sampleZ: Ptr;
  private data: { source: Float32Array; ptr: Ptr; capacity: number } | undefined;
  private disposed = false;

  private constructor(private readonly wasm: WasmExports, spec: NormalisedSpec, seed: number, private readonly info: EngineInfo) {
    this.spec = spec;
    this.mem = new LinearMemory(wasm);
    const B = spec.batchSize;
    const X = sampleSize(spec.dataShape);
    this.G = this.buildNet(spec.generator, [spec.latentDim], B, spec.optimizer.generator);
    this.D = this.buildNet(spec.discriminator, spec.pack > 1 ? [X * spec.pack] : spec.dataShape, B, spec.optimizer.discriminator);
    if (spec.lrSchedule.type === "linear") {
      wasm.optimizerSetDecay(this.G.opt, spec.lrSchedule.steps);
      wasm.optimizerSetDecay(this.D.opt, spec.lrSchedule.steps * spec.dSteps);
    }
    // one seed: weights first (G then D), then the training stream
    const initRng = wasm.rngNew(seed >>> 0);
    wasm.netInit(this.G.net, initRng, INIT_CODES[spec.init]);
    wasm.netInit(this.D.net, initRng, INIT_CODES[spec.init]);
    this.gan = wasm.ganNew(this.G.net, this.D.net, B, LOSS_CODES[spec.loss], this.G.opt, this.D.opt,
      spec.dSteps, 1 - spec.labelSmoothing, (seed ^ 0x9e3779b9) >>> 0, spec.pack);
    this.sampleRng = wasm.rngNew(0);
    this.sampleZ = wasm.alloc(B * spec.latentDim * 4);
  }

  static async create(specInput: unknown, options: CreateOptions = {}): Promise<WasmGAN> {
    const spec = validateSpec(specInput);
    const seed = options.seed ?? 0;
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RangeError(`seed must be an integer in [0, 2^32) (got ${seed})`);
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
    const x = data instanceof Float32Array ? data : data.x;
    if (!(data instanceof Float32Array) && data.shape.join() !== this.spec.dataShape.join()) {
      throw new RangeError(`data set ${data.name} has samples of shape [${data.shape.join(", ")}], the spec expects [${this.spec.dataShape.join(", ")}]`);
    }
    if (this.data?.source === x) return;
    const count = checkData(x, this.spec.dataShape);
    if (!this.data || this.data.capacity < x.length) {
      this.data = { source: x, ptr: this.wasm.alloc(x.length * 4), capacity: x.length };
    }
    this.data.source = x;
    this.mem.write(this.data.ptr, x);
    this.wasm.ganSetData(this.gan, this.data.ptr, count);
  }

  stats(): StepStats {
    const s = this.mem.read(this.wasm.ganStats(this.gan), 8);
    return {
      step: this.step, dLoss: s[STAT.dLoss], gLoss: s[STAT.gLoss], dReal: s[STAT.dReal], dFake: s[STAT.dFake],
      dGradNorm: s[STAT.dGradNorm], gGradNorm: s[STAT.gGradNorm],
    };
  }

  // Runs `steps` training steps. Every step runs inside wasm; between chunks of steps the
  // host reports progress and yields to the event loop (~every 50 ms) so timers keep firing.
  async train(data: Dataset | Float32Array, options: TrainOptions): Promise<StepStats> {
    this.alive();
    const { steps, onStep, signal } = options;
    const every = options.every ?? 1;
    if (!Number.isInteger(steps) || steps < 0) throw new RangeError(`steps must be a non-negative integer (got ${steps})`);
    if (!Number.isInteger(every) || every < 1) throw new RangeError(`every must be a positive integer (got ${every})`);
    this.setData(data);
    let lastYield = Date.now();
    let done = 0;
    while (done < steps) {
      if (signal?.aborted) break;
      const chunk = Math.min(onStep ? every : steps - done, steps - done, onStep ? Infinity : 64);
      this.wasm.ganTrain(this.gan, chunk);
      done += chunk;
      const s = onStep ? this.stats() : undefined;
      if (s) {
        if (!Number.isFinite(s.dLoss) || !Number.isFinite(s.gLoss)) {
          throw new Error(`training diverged at step ${s.step}: D loss ${s.dLoss}, G loss ${s.gLoss}`);
        }
        onStep!(s);
      }
      if (Date.now() - lastYield > 50) {
        await new Promise((r) => setTimeout(r, 0));
        lastYield = Date.now();
      }
    }
    return this.stats();
  }

  // z: [n, latentDim] -> G(z): [n, ...dataShape] (inference mode)
  generate(z: Float32Array): Float32Array {
    this.alive();
    const Z = this.spec.latentDim, B = this.spec.batchSize, X = this.G.outSize;
    if (z.length % Z !== 0) throw new RangeError(`latent batch length ${z.length} is not a multiple of latentDim ${Z}`);
    const n = z.length / Z;
    const out = new Float32Array(n * X);
    for (let i = 0; i < n; i += B) {
      const m = Math.min(B, n - i);
      this.mem.write(this.sampleZ, z.subarray(i * Z, (i + m) * Z));
      const y = this.wasm.netForward(this.G.net, this.sampleZ, m, 0);
      out.set(this.mem.f32(y, m * X), i * X);
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

  sample(n: number, options: { seed?: number } = {}): Float32Array {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`sample count must be a non-negative integer (got ${n})`);
    return this.generate(this.latent(n, options.seed ?? 1));
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
      if (v.length !== h.paramCount) throw new RangeError(`${name} weights: expected ${h.paramCount} floats, got ${v.length}`);
      for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) throw new RangeError(`${name} weights: value ${i} is ${v[i]}`);
      this.mem.write(this.wasm.netParams(h.net), v);
    }
  }

  paramCounts(): { generator: number; discriminator: number } {
    return { generator: this.G.paramCount, discriminator: this.D.paramCount };
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
