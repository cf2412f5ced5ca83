// The CycleGAN engine: the four nets of a validated CycleGAN spec (src/model/cyclegan_spec.ts)
// inside one WASM module instance, trained by the in-wasm step (assembly/train/cycle.ts), on the
// caller's thread, which leads: with `threads` above 1 its big kernels are split with threads - 1
// helper workers sharing the instance's memory (assembly/kernels/threads.ts, src/worker/helpers.ts),
// the same bits as one thread. Results come back as copies.
//   train(a, b, {steps}):   unpaired images of domain A and of domain B ([count, h, w, c] flat, in
//                           [−1, 1]), drawn independently each step
//   translate(x, {direction}): "a2b" runs G, "b2a" runs F, in chunks of the batch size
//   saveState() / loadState(): everything the next step reads (every net's parameters, optimiser
//                           moments and update count, state blocks, both pools, the stream, the
//                           step), so a run resumed from it continues with the same bits
//   dispose():              ends the helper threads (a no-op on one thread); the model is unusable after
// A helper that fails inside a kernel is reported by the step it fails (HelperFailure). A helper
// worker that ends without a word (terminated from outside) is noticed between calls (the caller's
// thread is busy during one): the next call throws; one ended during a step leaves that step waiting.
import { instantiate, instantiateModule, chooseFlavour, type SimdFlavour } from "./wasm_module.ts";
import { leaderImports, markHelperDead, HelperFailure, CTL } from "./thread_control.ts";
import { resolveThreads, startHelpers, endHelpers, type Helpers } from "../worker/helpers.ts";
import { workersUnavailable } from "../worker/spawn.ts";
import type { Threads } from "../worker/gan_api.ts";
import { LinearMemory } from "./memory.ts";
import type { Handle, Ptr, WasmExports } from "./abi.ts";
import { OPTIMIZER_CODES, INIT_CODES } from "../model/ops.ts";
import { buildWasmNet, initNets } from "./net_builder.ts";
import { validateCycleSpec, CYCLE_ROLES, type CycleSpec, type CycleRole } from "../model/cyclegan_spec.ts";
import { checkData, sampleSize } from "../data/dataset.ts";
import { checkSeed } from "./checks.ts";

// the step's statistics, by the slots of assembly/train/cycle.ts
export const CYCLE_STATS = ["dALoss", "dBLoss", "gAdv", "fAdv", "recA", "recB", "idtA", "idtB", "gLoss", "dAReal", "dAFake", "dBReal", "dBFake", "gGradNorm", "fGradNorm"] as const;
export type CycleStats = Record<(typeof CYCLE_STATS)[number], number> & { step: number };

export interface CycleNetState { params: Float32Array; opt1: Float32Array; opt2: Float32Array; t: number; state: Float32Array }
export interface CycleState {
  step: number;
  rng: Uint32Array;                       // the training stream's 4 words
  nets: Record<string, CycleNetState>;    // by net name
  poolA: { images: Float32Array; count: number };
  poolB: { images: Float32Array; count: number };
}

export interface CycleTrainOptions {
  steps: number;                 // train until this step (from the current one)
  every?: number;                // onStep's cadence (default 1)
  onStep?: (s: CycleStats) => void;
}

export type Direction = "a2b" | "b2a";

export interface CycleCreateOptions {
  seed?: number;            // weights, minibatches and pools follow from it
  deterministic?: boolean;  // true (default): the strict-SIMD build, bit-reproducible everywhere
  threads?: Threads;        // kernel threads, the caller's included (default 1; "auto": one per core)
}

export interface CycleEngineInfo { engine: "wasm"; simd: SimdFlavour; threads: number; reason: string }

// The caller's thread may block in Atomics.wait (Node, Deno, a worker), not a browser page's main thread.
const canBlock = () => typeof (globalThis as any).window === "undefined" || typeof (globalThis as any).WorkerGlobalScope !== "undefined";

interface NetHandle { net: Handle; opt: Handle; paramCount: number; stateCount: number }

export class CycleGAN {
  private readonly mem: LinearMemory;
  private readonly nets: Record<CycleRole, NetHandle>;
  private readonly gan: Handle;
  private readonly X: number;
  private data: { a?: Float32Array; b?: Float32Array; ptrA: Ptr; ptrB: Ptr; capA: number; capB: number } = { ptrA: 0, ptrB: 0, capA: 0, capB: 0 };
  private input: { ptr: Ptr; cap: number } = { ptr: 0, cap: 0 };
  private failure: Error | undefined; // a helper that failed or ended: every later call throws it
  private disposed = false;

  private constructor(private readonly wasm: WasmExports, readonly spec: CycleSpec, readonly seed: number, readonly simd: SimdFlavour,
    private readonly info: CycleEngineInfo, private readonly helpers?: Helpers) {
    this.mem = new LinearMemory(wasm);
    const B = spec.batchSize;
    this.X = sampleSize(spec.dataShape);
    const handles = {} as Record<CycleRole, NetHandle>;
    for (const r of CYCLE_ROLES) {
      const name = spec.objective[r], o = spec.optimizer[name];
      const net = buildWasmNet(wasm, spec.nets[name], spec.dataShape, B);
      const beta1 = o.type === "adam" ? o.beta1! : o.type === "sgd" ? o.momentum! : o.alpha!;
      const opt = wasm.optimizerNew(OPTIMIZER_CODES[o.type], o.lr, beta1, o.beta2 ?? 0, o.eps ?? 0);
      handles[r] = { net, opt, paramCount: wasm.netParamCount(net), stateCount: wasm.netStateCount(net) };
    }
    this.nets = handles;
    // the initial weights: one stream from the seed, the nets in role order (G, F, D_A, D_B)
    initNets(wasm, CYCLE_ROLES.map((r) => handles[r].net), seed, INIT_CODES[spec.init]);
    const h = handles;
    this.gan = wasm.cycleNew(h.generator.net, h.inverse.net, h.discriminatorA.net, h.discriminatorB.net, B,
      h.generator.opt, h.inverse.opt, h.discriminatorA.opt, h.discriminatorB.opt, spec.poolSize, (seed ^ 0x9e3779b9) >>> 0);
    wasm.cycleSetLambda(this.gan, spec.lambda, spec.identity);
    if (spec.lrSchedule.type === "linear") wasm.cycleSetSchedule(this.gan, spec.lrSchedule.start, spec.lrSchedule.steps);
    this.watchHelpers();
  }

  // spec: a CycleGAN spec (validated here). threads > 1 needs workers (Worker, SharedArrayBuffer):
  // where there are none the model runs on one thread and engineInfo() says why.
  static async create(spec: unknown, options: CycleCreateOptions = {}): Promise<CycleGAN> {
    const s = validateCycleSpec(spec);
    const seed = checkSeed(options.seed ?? 0);
    const threads = await resolveThreads(options.threads ?? 1);
    const { flavour, reason } = chooseFlavour(options.deterministic ?? true);
    const missing = threads > 1 ? await workersUnavailable() : undefined;
    if (threads > 1 && !missing) {
      const h = await startHelpers(flavour, threads);
      try {
        const wasm = await instantiateModule(h.module, { memory: h.memory, ...leaderImports(h.control, threads, canBlock()) });
        wasm.threadsSetup(threads); // per-helper GEMM scratch, before anything else is laid out
        return new CycleGAN(wasm, s, seed, flavour, { engine: "wasm", simd: flavour, threads, reason: `${reason}; ${threads} kernel threads (this thread leads, ${threads - 1} helper worker${threads > 2 ? "s" : ""})` }, h);
      } catch (e) {
        await endHelpers(h.control, h.workers);
        throw e;
      }
    }
    const why = missing ? `; ${threads} threads asked for, but ${missing}: 1 kernel thread` : "; 1 kernel thread";
    return new CycleGAN(await instantiate(flavour), s, seed, flavour, { engine: "wasm", simd: flavour, threads: 1, reason: reason + why });
  }

  engineInfo(): CycleEngineInfo { return { ...this.info }; }
  get threads(): number { return this.info.threads; }

  // a helper's end is watched from here (between calls: see the header)
  private watchHelpers(): void {
    this.helpers?.workers.forEach((w, i) => w.onDeath((e) => {
      this.failure ??= new Error(`wasm-gan: helper thread ${i + 1} stopped: ${e.message}`);
      markHelperDead(this.helpers!.control, i + 1); // a leader waiting on it stops waiting
    }));
  }

  private alive(): void {
    if (this.disposed) throw new Error("this CycleGAN was disposed");
    if (this.failure) throw this.failure;
  }

  // runs f, which calls kernels; a helper's failure in it ends the model
  private guarded<T>(f: () => T): T {
    this.alive();
    try {
      return f();
    } catch (e) {
      if (e instanceof HelperFailure) this.failure ??= e;
      throw e;
    }
  }

  // ends the helper threads; every later call throws
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    if (this.helpers) await endHelpers(this.helpers.control, this.helpers.workers);
  }

  // tests: kernel tasks split across the threads so far (a split really happened), and the helper workers
  get threadTasksForTesting(): number { return this.helpers ? Atomics.load(this.helpers.control, CTL.GEN) : 0; }
  get helpersForTesting(): readonly { kill(): void }[] { return this.helpers?.workers ?? []; }

  get step(): number { return this.wasm.cycleSteps(this.gan); }

  // copies each domain's images into linear memory (once per distinct array)
  private setData(a: Float32Array, b: Float32Array): void {
    const put = (x: Float32Array, which: 0 | 1) => {
      const key = which === 0 ? "a" : "b", capKey = which === 0 ? "capA" : "capB", ptrKey = which === 0 ? "ptrA" : "ptrB";
      if (this.data[key] === x) return;
      const count = checkData(x, this.spec.dataShape, which === 0 ? "domain A" : "domain B");
      if (this.data[capKey] < x.length) {
        this.data[ptrKey] = this.wasm.alloc(x.length * 4);
        this.data[capKey] = x.length;
      }
      this.mem.write(this.data[ptrKey], x);
      this.data[key] = x;
      this.wasm.cycleSetData(this.gan, which, this.data[ptrKey], count);
    };
    put(a, 0);
    put(b, 1);
  }

  stats(): CycleStats {
    const v = this.mem.read(this.wasm.cycleStats(this.gan), CYCLE_STATS.length);
    const out = { step: this.step } as CycleStats;
    CYCLE_STATS.forEach((k, i) => { out[k] = v[i]; });
    return out;
  }

  train(a: Float32Array, b: Float32Array, o: CycleTrainOptions): CycleStats {
    if (!Number.isInteger(o.steps) || o.steps < 0) throw new RangeError(`steps: must be a non-negative integer (got ${o.steps})`);
    const every = o.every ?? 1;
    if (!Number.isInteger(every) || every < 1) throw new RangeError(`every: must be a positive integer (got ${every})`);
    this.alive();
    this.setData(a, b);
    while (this.step < o.steps) {
      const k = Math.min(every - (this.step % every), o.steps - this.step);
      this.guarded(() => this.wasm.cycleTrain(this.gan, k));
      const s = this.stats();
      for (const key of CYCLE_STATS) if (!Number.isFinite(s[key])) throw new Error(`CycleGAN training diverged at step ${s.step}: ${key} is ${s[key]}`);
      o.onStep?.(s);
    }
    return this.stats();
  }

  // images [n, h, w, c] of domain A ("a2b": G) or B ("b2a": F) -> the other domain's
  translate(x: Float32Array, options: { direction?: Direction } = {}): Float32Array {
    const direction = options.direction ?? "a2b";
    if (direction !== "a2b" && direction !== "b2a") throw new RangeError(`direction: must be "a2b" or "b2a" (got ${JSON.stringify(direction)})`);
    const n = checkData(x, this.spec.dataShape, "translate: images");
    this.alive();
    const net = this.nets[direction === "a2b" ? "generator" : "inverse"].net;
    const B = this.spec.batchSize, X = this.X, out = new Float32Array(n * X);
    if (this.input.cap < B * X) this.input = { ptr: this.wasm.alloc(B * X * 4), cap: B * X };
    for (let i = 0; i < n; i += B) {
      const k = Math.min(B, n - i);
      this.mem.write(this.input.ptr, x.subarray(i * X, (i + k) * X));
      out.set(this.mem.f32(this.guarded(() => this.wasm.netForward(net, this.input.ptr, k, 0)), k * X), i * X);
    }
    return out;
  }

  // every net's parameters, by name
  getWeights(): Record<string, Float32Array> {
    this.alive();
    return Object.fromEntries(CYCLE_ROLES.map((r) => [this.spec.objective[r], this.mem.read(this.wasm.netParams(this.nets[r].net), this.nets[r].paramCount)]));
  }

  saveState(): CycleState {
    this.alive();
    const w = this.wasm, nets: Record<string, CycleNetState> = {};
    for (const r of CYCLE_ROLES) {
      const h = this.nets[r];
      nets[this.spec.objective[r]] = {
        params: this.mem.read(w.netParams(h.net), h.paramCount), opt1: this.mem.read(w.netOptState(h.net, 0), h.paramCount),
        opt2: this.mem.read(w.netOptState(h.net, 1), h.paramCount), t: w.optimizerGetT(h.opt), state: this.mem.read(w.netState(h.net), h.stateCount),
      };
    }
    const pool = (which: 0 | 1) => ({ images: this.mem.read(w.cyclePool(this.gan, which), Math.max(this.spec.poolSize, 1) * this.X), count: w.cyclePoolCount(this.gan, which) });
    return { step: this.step, rng: new Uint32Array(w.memory.buffer, w.cycleRng(this.gan), 4).slice(), nets, poolA: pool(0), poolB: pool(1) };
  }

  loadState(s: CycleState): void {
    this.alive();
    const w = this.wasm;
    for (const r of CYCLE_ROLES) {
      const name = this.spec.objective[r], h = this.nets[r], t = s.nets[name];
      if (!t) throw new RangeError(`state: no net ${JSON.stringify(name)}`);
      for (const [k, len] of [["params", h.paramCount], ["opt1", h.paramCount], ["opt2", h.paramCount], ["state", h.stateCount]] as const) {
        if (t[k].length !== len) throw new RangeError(`state: ${name}.${k} holds ${t[k].length} values, the net ${len}`);
      }
      this.mem.write(w.netParams(h.net), t.params);
      this.mem.write(w.netOptState(h.net, 0), t.opt1);
      this.mem.write(w.netOptState(h.net, 1), t.opt2);
      this.mem.write(w.netState(h.net), t.state);
      w.optimizerSetT(h.opt, t.t);
    }
    const poolLen = Math.max(this.spec.poolSize, 1) * this.X;
    for (const [which, p] of [[0, s.poolA], [1, s.poolB]] as const) {
      if (p.images.length !== poolLen) throw new RangeError(`state: a pool holds ${p.images.length} values, this model's ${poolLen}`);
      this.mem.write(w.cyclePool(this.gan, which), p.images);
      w.cycleSetPoolCount(this.gan, which, p.count);
    }
    if (s.rng.length !== 4) throw new RangeError(`state: rng must be 4 words (got ${s.rng.length})`);
    new Uint32Array(w.memory.buffer, w.cycleRng(this.gan), 4).set(s.rng);
    w.cycleSetSteps(this.gan, s.step);
  }

  // the last step's minibatches (tests)
  lastBatch(): { a: Float32Array; b: Float32Array } {
    const n = this.spec.batchSize * this.X;
    return { a: this.mem.read(this.wasm.cycleReal(this.gan, 0), n), b: this.mem.read(this.wasm.cycleReal(this.gan, 1), n) };
  }
}
