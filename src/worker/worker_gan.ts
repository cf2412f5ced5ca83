// The GAN API backed by worker threads: one engine worker (the leading wasm instance, behind
// comlink) and threads - 1 helper workers sharing its memory (kernels split across them,
// assembly/kernels/threads.ts). The caller's thread only sends messages: it never blocks.
//
// Failure: if any worker dies (an error it did not catch, running out of memory, terminated
// from outside), the pending call rejects with that error, every other worker is ended, and
// later calls reject with the same error.
import * as Comlink from "comlink";
import { spawnWorker, type SpawnedWorker } from "./spawn.ts";
import { newControl, stopHelpers, markHelperDead } from "../engine/thread_control.ts";
import { startHelpers } from "./helpers.ts";
import type { EngineApi, Created, DatasetMessage } from "./engine_api.ts";
import type { EngineInfo, GanState, GenerateOptions, NetWeights, StepStats, TrainOptions, ThreadLink } from "../engine/wasm_engine.ts";
import type { Dataset } from "../data/dataset.ts";
import type { NormalisedSpec } from "../model/spec.ts";
import type { GAN } from "./gan_api.ts";

export class WorkerDiedError extends Error {}

let nextDatasetId = 1;

export class WorkerGAN implements GAN {
  private failure: Error | undefined;
  private readonly failed: Promise<never>;
  private fail!: (e: Error) => void;
  private disposed = false;
  private readonly sent = new WeakMap<Float32Array, number>(); // data sets already in the worker

  private constructor(
    private readonly engine: SpawnedWorker,
    private readonly remote: Comlink.Remote<EngineApi>,
    private readonly helpers: SpawnedWorker[],
    private readonly control: Int32Array,
    private readonly created: Created,
    readonly seed: number,
    modeReason: string,
  ) {
    this.info = { ...created.info, mode: "worker", modeReason };
    this.failed = new Promise<never>((_, reject) => { this.fail = reject; });
    this.failed.catch(() => {}); // observed through the calls it fails
  }
  private readonly info: EngineInfo;

  // threads: kernel threads in all (the engine worker leads, threads - 1 helpers); build: the
  // wasm build ("strict"/"relaxed" for one thread, "-threads" builds for more)
  static async create(spec: NormalisedSpec, options: { seed: number; deterministic: boolean }, threads: number,
    flavour: { flavour: "strict" | "relaxed"; reason: string }, modeReason: string): Promise<WorkerGAN> {
    const control = newControl();
    let helpers: SpawnedWorker[] = [];
    let engine: SpawnedWorker | undefined;
    try {
      let link: ThreadLink | undefined;
      if (threads > 1) {
        const h = await startHelpers(flavour.flavour, threads, control);
        helpers = h.workers;
        link = { module: h.module, memory: h.memory, control, count: threads, flavour: flavour.flavour, reason: flavour.reason };
      }
      engine = await spawnWorker();
      engine.post({ role: "engine" });
      await engine.firstMessage();
      const remote = Comlink.wrap<EngineApi>(engine.endpoint);
      const created = await remote.create(spec, options, link);
      const gan = new WorkerGAN(engine, remote, helpers, control, created, options.seed, modeReason);
      engine.onDeath((e) => gan.die(new WorkerDiedError(`wasm-gan: the engine worker stopped: ${e.message}`)));
      helpers.forEach((h, i) => h.onDeath((e) => gan.die(new WorkerDiedError(`wasm-gan: helper thread ${i + 1} stopped: ${e.message}`))));
      return gan;
    } catch (e) {
      stopHelpers(control);
      await Promise.all([...helpers, ...(engine ? [engine] : [])].map((w) => w.terminate().catch(() => {})));
      throw e;
    }
  }

  private die(e: Error): void {
    if (this.failure || this.disposed) return;
    this.failure = e;
    markHelperDead(this.control, 1); // a leader waiting on helpers stops waiting
    this.fail(e);
    void this.shutdown();
  }

  private async shutdown(): Promise<void> {
    stopHelpers(this.control);
    try { this.remote[Comlink.releaseProxy](); } catch { /* already gone */ }
    await Promise.all([this.engine, ...this.helpers].map((w) => w.terminate().catch(() => {})));
  }

  // every call races the workers' death
  private call<T>(f: () => Promise<T>): Promise<T> {
    if (this.disposed) return Promise.reject(new Error("this GAN was disposed"));
    if (this.failure) return Promise.reject(this.failure);
    return Promise.race([f(), this.failed]);
  }

  get spec(): NormalisedSpec { return this.created.spec; }
  selection: string[] | undefined; // createGAN's engine-selection reasons
  engineInfo(): EngineInfo { return { ...this.info, ...(this.selection ? { selection: [...this.selection] } : {}) }; }
  paramCounts() { return { ...this.created.paramCounts }; }
  step(): Promise<number> { return this.call(() => this.remote.step()); }
  stats(): Promise<StepStats> { return this.call(() => this.remote.stats()); }

  // the data set crosses once (a copy); later calls with the same array reuse it
  private async datasetId(data: Dataset | Float32Array): Promise<number> {
    const x = data instanceof Float32Array ? data : data?.x;
    if (!(x instanceof Float32Array)) {
      const what = data instanceof Promise ? "a Promise (await the data set first)" : Object.prototype.toString.call(data);
      throw new TypeError(`train: data must be a Dataset or a Float32Array of samples, got ${what}`);
    }
    let id = this.sent.get(x);
    if (id !== undefined) return id;
    id = nextDatasetId++;
    const msg: DatasetMessage = data instanceof Float32Array
      ? { name: "data", x, shape: this.spec.dataShape, count: x.length / this.spec.dataShape.reduce((a, b) => a * b, 1) }
      : { name: data.name, x: data.x, shape: data.shape, count: data.count, labels: data.labels, numClasses: data.numClasses };
    await this.remote.addDataset(id, msg);
    this.sent.set(x, id);
    return id;
  }

  train(data: Dataset | Float32Array, options: TrainOptions): Promise<StepStats> {
    return this.call(async () => {
      const { steps, every = 1, onStep, signal } = options;
      if (!Number.isInteger(steps) || steps < 0) throw new RangeError(`steps must be a non-negative integer (got ${steps})`);
      if (!Number.isInteger(every) || every < 1) throw new RangeError(`every must be a positive integer (got ${every})`);
      const id = await this.datasetId(data);
      const abort = new Int32Array(new SharedArrayBuffer(4));
      const onAbort = () => Atomics.store(abort, 0, 1);
      if (signal?.aborted) onAbort();
      signal?.addEventListener("abort", onAbort);
      try {
        return await this.remote.train(id, steps, every, abort, onStep ? Comlink.proxy(onStep) : undefined);
      } finally {
        signal?.removeEventListener("abort", onAbort);
      }
    });
  }

  generate(z: Float32Array, options?: GenerateOptions) { return this.call(() => this.remote.generate(z, options)); }
  latent(n: number, seed?: number) { return this.call(() => this.remote.latent(n, seed)); }
  sample(n: number, options?: { seed?: number } & GenerateOptions) { return this.call(() => this.remote.sample(n, options)); }
  averageGenerator(decay?: number) { return this.call(() => this.remote.averageGenerator(decay)); }
  setBlendAlpha(net: string, layer: string | number, alpha: number) { return this.call(() => this.remote.setBlendAlpha(net, layer, alpha)); }
  getWeights(): Promise<NetWeights> { return this.call(() => this.remote.getWeights()); }
  setWeights(w: Partial<NetWeights>) { return this.call(() => this.remote.setWeights(w)); }
  saveState(): Promise<GanState> { return this.call(() => this.remote.saveState()); }
  loadState(s: GanState) { return this.call(() => this.remote.loadState(s)); }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.shutdown();
  }

  // tests: the workers themselves (to end one from outside, as a crash would), and an error
  // the engine worker will not catch, thrown `ms` from now
  get workersForTesting(): { engine: SpawnedWorker; helpers: SpawnedWorker[]; crashEngine(ms: number): Promise<void> } {
    return { engine: this.engine, helpers: this.helpers, crashEngine: (ms) => this.remote.crashForTesting(ms) };
  }
}
