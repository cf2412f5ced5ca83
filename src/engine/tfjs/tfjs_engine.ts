// The tfjs engine: the WASM engine's GAN (src/engine/wasm_engine.ts, assembly/train/gan.ts) on a
// TensorFlow.js backend, built from the same spec with the same weights layout, objectives,
// optimisers and step, and drawing from the same random stream, so that both engines start from
// the same bits, see the same batches, and a GanState (a checkpoint) moves between them.
// One training step, as assembly/train/gan.ts (B = batch, Z = latent size, X = sample size):
//   dSteps times:  z ~ N(0, I) [B, Z] (+ fake labels), a minibatch of B indices (with replacement)
//                  (+ ε ~ U[0, 1) [B] for WGAN-GP), in that order from the training stream;
//                  G(z) in training mode (batch statistics; moves G's running statistics);
//                  D ← D − ∇_D [L_D(D(x)) + L_D(D(G(z))) (+ λ·GP at x̂ = ε·x + (1 − ε)·G(z))],
//                  (+ γ/2·mean‖∇D(x)‖² for R1, + ε·mean D(x)² for the drift term, both on the real rows),
//                  real and fake through D separately (each moves D's running statistics);
//                  weight clipping after the update; spectral normalisation: D's power
//                  iteration first (G's once per step, before the first D step)
//   then:          G ← G − ∇_G L_G(D(G(z))) with the last D step's z (and fake labels) against
//                  the updated D; the moving average of G, when kept, after G's update.
// tfjs keeps no tape across the two updates, so the G update runs G(z) forward again (same
// weights, same z: the same batch statistics; its running statistics are not moved twice).
// Statistics stay on the device as one [STAT_COUNT] tensor (the WASM engine's block, laid out by
// name from src/model/stats.ts) and are read back only for onStep, stats() and at the end of train().
// Every method that reads from the device has an async twin (getWeightsAsync, saveStateAsync,
// generateAsync, sampleAsync, statsAsync): tfjs-webgpu under Deno cannot read synchronously.
import { sampleClasses } from "../sample_labels.ts";
import type * as tfNs from "@tensorflow/tfjs";
import { validateSpec, roleNet, type NormalisedSpec } from "../../model/spec.ts";
import { INIT_CODES } from "../../model/ops.ts";
import type { Dataset } from "../../data/dataset.ts";
import { STAT_COUNT, stepStats, statsBlock, type StatName, type StepStats } from "../../model/stats.ts";
import type { Engine, TrainOptions, GenerateOptions, NetWeights, GanState, NetTrainState, ParamCounts } from "../engine.ts";
import {
  checkSeed, dataSamples, dataLabels, checkLabels, checkSamples, checkTrainOptions, checkFinite, checkLatents,
  checkSampleCount, checkDecay, checkWeights, checkState, blendTarget,
} from "../checks.ts";
import { TfNet, readSync, type Moments, type TF } from "./tfjs_nets.ts";
import { TfOptimizer } from "./tfjs_optim.ts";
import { Losses } from "./tfjs_losses.ts";
import { GanInputs } from "./tfjs_inputs.ts";
import { TrainStream, initialParams } from "./tfjs_rng.ts";
import { startTfjs, type BackendAttempt, type TfjsBackendName } from "./backends.ts";

type Tensor = tfNs.Tensor;
type Scalar = tfNs.Scalar;
type DStats = Record<Exclude<StatName, "G.loss" | "G.gradNorm">, Tensor>;

export interface TfjsCreateOptions {
  seed?: number;                        // as the WASM engine: weights, latent draws and minibatches follow from it
  backend?: TfjsBackendName | "auto";   // default "auto": a GPU backend (see backends.ts startTfjs)
  reasons?: string[];                   // the selection's reasons, reported by engineInfo()
}

export interface TfjsEngineInfo {
  engine: "tfjs";
  backend: TfjsBackendName;
  gpu: boolean;       // a real GPU (not a software adapter, not cpu / wasm)
  adapter?: string;
  reason: string;     // why this backend
  attempts: BackendAttempt[];
  reasons: string[];  // the engine selection's reasons (select.ts), when it made the choice
}

export class TfjsGAN implements Engine {
  readonly spec: NormalisedSpec;
  readonly seed: number;
  private readonly G: TfNet;
  private readonly D: TfNet;
  private readonly optG: TfOptimizer;
  private readonly optD: TfOptimizer;
  private readonly losses: Losses;
  private readonly inputs: GanInputs;
  private steps = 0;
  private statsT: Tensor;                 // [STAT_COUNT]
  private data: { source: Float32Array; tensor: Tensor; count: number } | undefined;
  private labels: ArrayLike<number> | undefined;
  private disposed = false;

  private constructor(private readonly tf: TF, private readonly rng: TrainStream, spec: NormalisedSpec, seed: number,
    init: Awaited<ReturnType<typeof initialParams>>, private readonly info: TfjsEngineInfo) {
    this.spec = spec;
    this.seed = seed;
    const g = roleNet(spec, "generator"), d = roleNet(spec, "discriminator");
    this.G = new TfNet(tf, g.layers, g.input, init.generator.params, init.generator.state);
    this.D = new TfNet(tf, d.layers, d.input, init.discriminator.params, init.discriminator.state);
    this.optG = new TfOptimizer(tf, spec.optimizer[g.name], this.G.params);
    this.optD = new TfOptimizer(tf, spec.optimizer[d.name], this.D.params);
    if (spec.lrSchedule.type === "linear") {
      this.optG.decay = spec.lrSchedule.steps;
      this.optD.decay = spec.lrSchedule.steps * spec.dSteps;
    }
    this.losses = new Losses(tf, spec.loss, Math.fround(1 - spec.labelSmoothing));
    this.inputs = new GanInputs(tf, spec, this.D.inSize);
    this.statsT = tf.zeros([STAT_COUNT]);
    if (spec.average !== undefined) this.averageGenerator(spec.average);
  }

  static async create(specInput: unknown, options: TfjsCreateOptions = {}): Promise<TfjsGAN> {
    const spec = validateSpec(specInput);
    const seed = checkSeed(options.seed ?? 0);
    const { tf, attempt, attempts } = await startTfjs(options.backend ?? "auto");
    const g = roleNet(spec, "generator"), d = roleNet(spec, "discriminator");
    const convs = [...g.layers, ...d.layers].some((l) => l.type === "conv2d" || l.type === "conv2d_transpose");
    if (convs && !tf.getKernel("Conv2DBackpropFilter", tf.getBackend())) {
      throw new Error(`the tfjs engine cannot train this spec's conv layers on backend '${tf.getBackend()}': it has no Conv2DBackpropFilter kernel (tfjs-backend-wasm 4.22: tfjs issue #8474)`);
    }
    const [rng, init] = await Promise.all([
      TrainStream.create(seed),
      initialParams(g.layers, g.input, d.layers, d.input, seed, INIT_CODES[spec.init]),
    ]);
    const info: TfjsEngineInfo = {
      engine: "tfjs", backend: attempt.backend, gpu: attempt.gpu, ...(attempt.adapter ? { adapter: attempt.adapter } : {}),
      reason: attempt.reason, attempts, reasons: options.reasons ?? [],
    };
    return new TfjsGAN(tf, rng, spec, seed, init, info);
  }

  engineInfo(): TfjsEngineInfo {
    return { ...this.info, attempts: [...this.info.attempts], reasons: [...this.info.reasons] };
  }

  get step(): number {
    return this.steps;
  }

  private alive(): void {
    if (this.disposed) throw new Error("this GAN was disposed");
  }

  // Uploads the data set as one [count, X] tensor (once per distinct array).
  setData(data: Dataset | Float32Array): void {
    this.alive();
    const x = dataSamples(this.spec, data);
    if (this.spec.numClasses !== undefined) this.setLabels(data, x);
    if (this.data?.source === x) return;
    const count = checkSamples(this.spec, x);
    this.data?.tensor.dispose();
    this.data = { source: x, tensor: this.tf.tensor2d(x, [count, x.length / count]), count };
  }

  private setLabels(data: Dataset | Float32Array, x: Float32Array): void {
    const labels = dataLabels(this.spec, data);
    checkLabels(this.spec, data, labels, x);
    this.labels = labels;
  }

  // gradients of f over vars, in vars' order (zeros where f does not depend on one)
  private gradsOf(f: () => Scalar, vars: tfNs.Variable[]): { value: Scalar; grads: Tensor[] } {
    const { value, grads } = this.tf.variableGrads(f, vars);
    return { value, grads: vars.map((v) => grads[v.name] ?? this.tf.zerosLike(v)) };
  }

  // ‖grads‖₂. Summed with binary adds: tfjs-backend-webgpu 4.22's addN silently drops every input
  // after the 7th (seen under Deno: addN of 8 scalars 1..8 gave 28)
  private norm(grads: Tensor[]): Scalar {
    const tf = this.tf;
    return tf.sqrt(grads.map((g) => tf.sum(tf.square(g))).reduce((a, b) => tf.add(a, b))) as Scalar;
  }

  // R1's weight on the next D update: γ, or γ·k on every k-th with lazy regularisation (0 on the others)
  private r1Weight(): number { const { r1, r1Every: k = 1 } = this.spec; return r1 === undefined || this.optD.t % k !== 0 ? 0 : Math.fround(r1 * k); }

  private trainStep(): void {
    const tf = this.tf, spec = this.spec, B = spec.batchSize, Z = spec.latentDim, K = spec.numClasses ?? 0;
    const data = this.data!;
    let zIn: Tensor | undefined, fakeHot: Tensor | undefined;
    let dStats: DStats | undefined; // the last D update's statistics, by name
    this.G.powerIteration(); // once per G update, before every G(z) that update depends on
    for (let k = 0; k < spec.dSteps; k++) {
      this.D.powerIteration();
      // the draws, in the WASM engine's order
      const z = this.rng.normal(B * Z);
      const fakeClasses = K ? this.rng.belowMany(B, K) : undefined;
      const idx = this.rng.belowMany(B, data.count);
      const realClasses = K ? Int32Array.from(idx, (j) => this.labels![j]) : undefined;
      const eps = spec.gradientPenalty !== undefined ? this.rng.uniform(B) : undefined;
      zIn?.dispose();
      fakeHot?.dispose();
      for (const t of Object.values(dStats ?? {})) t.dispose();
      [zIn, fakeHot, dStats] = tf.tidy(() => {
        const zT = this.inputs.generator(z, B, fakeClasses);
        const gm: Moments[] = [];
        const fake = this.G.apply(zT, { training: true, moments: gm });
        this.G.updateRunning(gm);
        const real = tf.gather(data.tensor, tf.tensor1d(idx, "int32"));
        const hotF = fakeClasses ? this.inputs.oneHot(fakeClasses) : undefined;
        const realD = this.inputs.discriminator(real, realClasses ? this.inputs.oneHot(realClasses) : undefined);
        const fakeD = this.inputs.discriminator(fake, hotF);
        const dm: Moments[] = [];
        const kept: Scalar[] = [];
        const { value, grads } = this.gradsOf(() => {
          const lr = this.D.apply(realD, { training: true, moments: dm });
          const lf = this.D.apply(fakeD, { training: true, moments: dm });
          // x̂ = ε·x + (1 − ε)·G(z) per sample, ε and 1 − ε in f32 as the engine forms them
          const xhat = eps && this.inputs.discriminator(tf.add(tf.mul(tf.tensor2d(eps, [B, 1]), real), tf.mul(tf.tensor2d(eps.map((v) => Math.fround(1 - v)), [B, 1]), fake)), undefined);
          const t = this.losses.critic(lr, lf, spec, this.r1Weight(), (x) => this.D.inputGradient(x), xhat, realD);
          kept.push(tf.keep(this.losses.meanD(lr)), tf.keep(this.losses.meanD(lf)), tf.keep(t.penalty));
          return t.total;
        }, this.D.params);
        this.D.updateRunning(dm);
        const dNorm = this.norm(grads);
        this.optD.step(grads);
        if (spec.clip !== undefined) this.optD.clip(spec.clip);
        // kept[]: tf.keep'd, disposed with dStats
        const out: DStats = { "D.loss": value, "D.real": kept[0], "D.fake": kept[1], "D.gradNorm": dNorm, "D.penalty": kept[2] };
        return [zT, hotF, out] as [Tensor, Tensor | undefined, DStats];
      });
    }
    const [gLoss, gNorm] = tf.tidy(() => {
      const dm: Moments[] = [];
      const { value, grads } = this.gradsOf(() => {
        const fake = this.G.apply(zIn!, { training: true }); // no moments: G's running statistics moved once
        return this.losses.generator(this.D.apply(this.inputs.discriminator(fake, fakeHot), { training: true, moments: dm }));
      }, this.G.params);
      this.D.updateRunning(dm);
      const gNorm = this.norm(grads);
      this.optG.step(grads);
      return [value, gNorm];
    });
    const named = { ...dStats!, "G.loss": gLoss, "G.gradNorm": gNorm };
    const stats = tf.tidy(() => tf.stack(statsBlock<Tensor>(named, () => tf.scalar(0))));
    for (const t of [zIn!, fakeHot, ...Object.values(named)]) t?.dispose();
    this.statsT.dispose();
    this.statsT = stats;
    this.steps++;
  }

  private toStats(s: ArrayLike<number>): StepStats {
    return stepStats(this.steps, s);
  }

  stats(): StepStats {
    this.alive();
    return this.toStats(readSync(this.statsT));
  }

  async statsAsync(): Promise<StepStats> {
    this.alive();
    return this.toStats(await this.statsT.data());
  }

  // Runs `steps` training steps; onStep every `every` steps (and after the last), as the WASM
  // engine. Yields to the event loop about every 50 ms; on a GPU backend it waits for the device
  // every 8 steps so that queued work cannot pile up.
  async train(data: Dataset | Float32Array, options: TrainOptions): Promise<StepStats> {
    this.alive();
    const { onStep, signal } = options;
    const { steps, every } = checkTrainOptions(options);
    this.setData(data);
    if (this.tf.getBackend() !== this.info.backend) await this.tf.setBackend(this.info.backend);
    const sync = this.info.backend !== "cpu";
    let lastYield = Date.now();
    for (let done = 0; done < steps;) {
      if (signal?.aborted) break;
      this.trainStep();
      done++;
      if (onStep && (done % every === 0 || done === steps)) {
        onStep(checkFinite(this.toStats(await this.statsT.data())));
      } else if (sync && done % 8 === 0) await this.statsT.data();
      if (Date.now() - lastYield > 50) {
        await new Promise((r) => setTimeout(r, 0));
        lastYield = Date.now();
      }
    }
    return this.toStats(await this.statsT.data());
  }

  // z: [n, latentDim] -> G(z): [n, ...dataShape], in chunks of batchSize (as the WASM engine:
  // batchStats normalises each chunk by its own statistics); options as WasmGAN.generate
  generate(z: Float32Array, options: GenerateOptions = {}): Float32Array {
    const { out, chunks } = this.generateChunks(z, options);
    for (const [at, y] of chunks) { out.set(readSync(y), at); y.dispose(); }
    return out;
  }

  async generateAsync(z: Float32Array, options: GenerateOptions = {}): Promise<Float32Array> {
    const { out, chunks } = this.generateChunks(z, options);
    for (const [at, y] of chunks) { out.set((await y.data()) as Float32Array, at); y.dispose(); }
    return out;
  }

  // G(z) chunk by chunk: [offset in the output, tensor [m, X]]
  private generateChunks(z: Float32Array, options: GenerateOptions): { out: Float32Array; chunks: [number, Tensor][] } {
    this.alive();
    const tf = this.tf, Z = this.spec.latentDim, B = this.spec.batchSize, X = this.G.outSize;
    const n = checkLatents(z, Z);
    const classes = sampleClasses(this.spec.numClasses, n, options.labels);
    let params: Tensor[] | undefined;
    if (options.average ?? this.spec.average !== undefined) {
      if (!this.optG.ema) throw new Error("no generator average: call averageGenerator(decay) before training");
      params = this.optG.ema;
    }
    const chunks: [number, Tensor][] = [];
    for (let i = 0; i < n; i += B) {
      const m = Math.min(B, n - i);
      chunks.push([i * X, tf.tidy(() => this.G.apply(this.inputs.generator(z.subarray(i * Z, (i + m) * Z), m, classes?.subarray(i, i + m)), { training: !!options.batchStats, params }))]);
    }
    return { out: new Float32Array(n * X), chunks };
  }


  // n samples from z ~ N(0, I) drawn with `seed` from a stream of their own (WasmGAN.latent's draws)
  latent(n: number, seed = 1): Float32Array {
    const Z = this.spec.latentDim;
    return this.rng.latent(n * Z, seed, this.spec.batchSize * Z);
  }

  // the WASM engine's averageGenerator: an EMA of G's weights after every G update, from now on
  averageGenerator(decay = 0.999): void {
    this.alive();
    checkDecay(decay);
    this.optG.enableEma(decay);
  }

  // a blend's α from the next step on (the WASM engine's setBlendAlpha)
  setBlendAlpha(net: string, layer: string | number, alpha: number): void {
    this.alive();
    const { role, index } = blendTarget(this.spec, net, layer, alpha);
    (role === "generator" ? this.G : this.D).setBlendAlpha(index, Math.fround(alpha)); // f32, as the WASM engine holds it
  }

  sample(n: number, options: { seed?: number } & GenerateOptions = {}): Float32Array {
    checkSampleCount(n);
    return this.generate(this.latent(n, options.seed ?? 1), options);
  }

  sampleAsync(n: number, options: { seed?: number } & GenerateOptions = {}): Promise<Float32Array> {
    checkSampleCount(n);
    return this.generateAsync(this.latent(n, options.seed ?? 1), options);
  }

  getWeights(): NetWeights {
    this.alive();
    return { generator: this.G.readParams(), discriminator: this.D.readParams() };
  }

  async getWeightsAsync(): Promise<NetWeights> {
    this.alive();
    const [generator, discriminator] = await Promise.all([this.G.readParamsAsync(), this.D.readParamsAsync()]);
    return { generator, discriminator };
  }

  setWeights(w: Partial<NetWeights>): void {
    this.alive();
    for (const [name, net] of [["generator", this.G], ["discriminator", this.D]] as const) {
      const v = w[name];
      if (!v) continue;
      checkWeights(name, v, net.paramCount);
      net.writeParams(v);
    }
  }

  paramCounts(): ParamCounts {
    return { generator: this.G.paramCount, discriminator: this.D.paramCount };
  }

  // The WASM engine's GanState (see WasmGAN.saveState), so checkpoints cross engines.
  saveState(): GanState {
    this.alive();
    const net = (n: TfNet, o: TfOptimizer): NetTrainState => {
      const s = o.readState();
      return { params: n.readParams(), opt1: s.opt1, opt2: s.opt2, updates: o.t, state: n.readState(), ...(s.average ? { average: s.average } : {}) };
    };
    return {
      step: this.steps, rng: this.rng.rng, stats: Float32Array.from(readSync(this.statsT)),
      generator: net(this.G, this.optG), discriminator: net(this.D, this.optD),
    };
  }

  async saveStateAsync(): Promise<GanState> {
    this.alive();
    const net = async (n: TfNet, o: TfOptimizer): Promise<NetTrainState> => {
      const [p, st, s] = await Promise.all([n.readParamsAsync(), n.readStateAsync(), o.readStateAsync()]);
      return { params: p, opt1: s.opt1, opt2: s.opt2, updates: o.t, state: st, ...(s.average ? { average: s.average } : {}) };
    };
    const step = this.steps, rng = this.rng.rng;
    const [stats, generator, discriminator] = await Promise.all([this.statsT.data(), net(this.G, this.optG), net(this.D, this.optD)]);
    return { step, rng, stats: Float32Array.from(stats as Float32Array), generator, discriminator };
  }

  // Restores a saveState() of either engine; validates everything before writing anything (the
  // WASM engine's rules and messages).
  loadState(s: GanState): void {
    this.alive();
    checkState(s, this.paramCounts(), { generator: this.G.stateCount, discriminator: this.D.stateCount }, !!this.optG.ema);
    const nets = [[this.G, this.optG, s.generator], [this.D, this.optD, s.discriminator]] as const;
    for (const [net, opt, n] of nets) {
      net.writeParams(n.params);
      net.writeState(n.state);
      opt.writeState(n.opt1, n.opt2, n.average);
      opt.t = n.updates;
    }
    this.rng.rng = s.rng;
    this.statsT.dispose();
    this.statsT = this.tf.tensor1d(s.stats);
    this.steps = s.step;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const x of [this.G, this.D, this.optG, this.optD]) x.dispose();
    this.statsT.dispose();
    this.data?.tensor.dispose();
    this.data = undefined;
  }
}
