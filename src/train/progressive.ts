// A progressive-growing run as library code (Karras et al. 2018; the phases and nets of
// src/model/progressive.ts): one GAN per phase, built from the phase's spec, the state of the
// phase before carried over by name (src/train/grow.ts), the reals at the phase's resolution
// (src/data/progressive_data.ts). In a fade phase both nets' "fade" blend takes
//   α = (images seen in the phase) / (the phase's images), moved every `alphaEvery` steps,
// set before the step (the official code recomputes lod from the images seen before each
// minibatch), and the reals are blended with the same α. The generator keeps a moving average
// (emaDecay, the official G_smoothing 0.999) for sampling.
// Checkpoints: the phase's spec with its blends' α set to the current α (a GAN built from it
// starts at that α, and exports take it) and `__metadata__.progressive` = {config, phase, alpha}:
// resume() rebuilds the phase's GAN, loads the state and goes on, bit for bit as a run that never
// stopped, mid-fade included (tests/train/progressive.test.ts).
import type { GAN, Threads } from "../worker/gan_api.ts";
import type { Dataset } from "../data/dataset.ts";
import type { StepStats } from "../engine/engine.ts";
import type { GanState } from "../engine/engine.ts";
import type { LayerSpec, NormalisedSpec, ShorthandSpec } from "../model/spec.ts";
import { validateSpec } from "../model/spec.ts";
import { createGAN } from "../worker/create_gan.ts";
import { phases, phaseSpec, fadeAlpha, phaseAt, checkProgressive, ProgressiveError, type Phase, type ProgressiveConfig } from "../model/progressive.ts";
import { atResolution, fadeReals } from "../data/progressive_data.ts";
import { carryState, type CarryReport } from "./grow.ts";

export interface ProgressiveOptions {
  seed?: number;            // initial weights of every phase's new layers and the training stream
  threads?: Threads;
  mode?: "auto" | "worker" | "in-process";
  carryOptimizer?: boolean; // default false: Adam reset at each phase change, as the official code
  // at every phase's start (the GAN built, the state carried) and end (before the next phase's GAN)
  onPhase?: (p: Phase, gan: GAN, report?: CarryReport) => Promise<void> | void;
  onPhaseEnd?: (p: Phase, gan: GAN, seconds: number) => Promise<void> | void;
}

export interface ProgressiveCheckpoint { spec: NormalisedSpec; state: GanState; metadata: Record<string, string> }

// a phase's spec with its blends' α
function withAlpha(spec: ShorthandSpec, alpha: number): ShorthandSpec {
  const set = (ls: LayerSpec[]) => ls.map((l) => (l.type === "blend" ? { ...l, alpha } : l));
  return { ...spec, generator: set(spec.generator), discriminator: set(spec.discriminator) };
}

export class ProgressiveRun {
  readonly phases: Phase[];
  gan!: GAN;
  phase!: Phase;
  private reals!: Dataset;
  private realsAt?: (alpha: number) => Dataset;
  private realsAlpha = -1;
  private phaseStarted = 0;
  private fadeData?: Dataset;
  private ended = false;

  // data: the images at the final resolution (pggan-mnist32: padImages(await mnist(), 32))
  private constructor(readonly config: ProgressiveConfig, readonly data: Dataset, readonly options: ProgressiveOptions) {
    checkProgressive(config);
    const R = config.resolutions.at(-1)!;
    if (data.shape.join() !== [R, R, config.imageChannels].join()) throw new ProgressiveError(`progressive: the data must be ${R}×${R}×${config.imageChannels} images (got [${data.shape.join(", ")}])`);
    this.phases = phases(config);
  }

  get seed(): number { return this.options.seed ?? 0; }
  get steps(): number { const p = this.phases.at(-1)!; return p.start + p.steps; }
  get alphaEvery(): number { return this.config.alphaEvery ?? 1; }

  // a run at step 0 (the first phase's GAN)
  static async start(config: ProgressiveConfig, data: Dataset, options: ProgressiveOptions = {}): Promise<ProgressiveRun> {
    const run = new ProgressiveRun(config, data, options);
    await run.enter(run.phases[0]);
    return run;
  }

  // the run a checkpoint() left (the same config, data and options give the same bits)
  static async resume(config: ProgressiveConfig, data: Dataset, c: ProgressiveCheckpoint, options: ProgressiveOptions = {}): Promise<ProgressiveRun> {
    const run = new ProgressiveRun(config, data, options);
    const md = JSON.parse(c.metadata.progressive ?? "null") as { phase: number; alpha: number } | null;
    if (!md || !run.phases[md.phase]) throw new ProgressiveError("progressive resume: the checkpoint holds no progressive phase (__metadata__.progressive)");
    const p = run.phases[md.phase];
    if (c.state.step < p.start || c.state.step > p.start + p.steps) throw new ProgressiveError(`progressive resume: step ${c.state.step} is outside phase ${p.index} (steps ${p.start} to ${p.start + p.steps})`);
    const alpha = fadeAlpha(p, c.state.step, run.alphaEvery);
    if (Math.fround(alpha) !== Math.fround(md.alpha)) throw new ProgressiveError(`progressive resume: the checkpoint's α ${md.alpha} is not the schedule's ${alpha} at step ${c.state.step}`);
    const expected = validateSpec(withAlpha(phaseSpec(config, p), alpha));
    if (JSON.stringify(expected) !== JSON.stringify(c.spec)) throw new ProgressiveError(`progressive resume: the checkpoint's spec is not phase ${p.index}'s of ${config.name} (${expected.name}; the checkpoint holds ${c.spec.name})`);
    await run.enter(p, c.state);
    return run;
  }

  private async build(p: Phase, alpha: number): Promise<GAN> {
    const o = this.options;
    const gan = await createGAN(withAlpha(phaseSpec(this.config, p), alpha), { seed: this.seed, ...(o.threads !== undefined ? { threads: o.threads } : {}), ...(o.mode ? { mode: o.mode } : {}) });
    await gan.averageGenerator(this.config.emaDecay ?? 0.999);
    return gan;
  }

  // builds phase p's GAN: from a checkpoint's state, or (none) from the phase before's by name
  private async enter(p: Phase, resumed?: GanState): Promise<void> {
    const alpha = fadeAlpha(p, resumed?.step ?? p.start, this.alphaEvery);
    const gan = await this.build(p, alpha);
    let report: CarryReport | undefined;
    if (resumed) await gan.loadState(resumed);
    else if (this.gan) {
      const carried = carryState(this.gan.spec, await this.gan.saveState(), gan.spec, await gan.saveState(), { carryOptimizer: this.options.carryOptimizer });
      await gan.loadState(carried.state);
      report = carried.report;
      await this.gan.dispose();
    }
    this.gan = gan;
    this.phase = p;
    this.reals = atResolution(this.data, p.resolution);
    this.realsAt = p.kind === "fade" ? fadeReals(this.reals) : undefined;
    this.realsAlpha = -1;
    this.phaseStarted = performance.now();
    await this.options.onPhase?.(p, gan, report);
  }

  async step(): Promise<number> { return this.gan.step(); }

  // α of the current phase at the current step (1 outside fades)
  async alpha(): Promise<number> { return fadeAlpha(this.phase, await this.gan.step(), this.alphaEvery); }

  // trains to global step `to` (at most the run's end), across phases; onStep every `every` steps
  async runTo(to: number, o: { onStep?: (s: StepStats) => void; every?: number; signal?: AbortSignal } = {}): Promise<number> {
    let step = await this.gan.step();
    to = Math.min(to, this.steps);
    while (step < to && !o.signal?.aborted) {
      const p = this.phase, end = p.start + p.steps;
      if (step === end) { // the phase is done: the next one
        await this.phaseEnd();
        await this.enter(this.phases[p.index + 1]);
        continue;
      }
      let next = Math.min(to, end);
      let data = this.reals;
      if (p.kind === "fade") {
        const k = step - p.start;
        next = Math.min(next, p.start + (Math.floor(k / this.alphaEvery) + 1) * this.alphaEvery);
        const alpha = await this.setAlpha(step);
        if (alpha !== this.realsAlpha) { this.fadeData = this.realsAt!(alpha); this.realsAlpha = alpha; }
        data = this.fadeData!;
      }
      await this.gan.train(data, { steps: next - step, every: o.every ?? 1, ...(o.onStep ? { onStep: o.onStep } : {}), ...(o.signal ? { signal: o.signal } : {}) });
      step = await this.gan.step();
    }
    if (step === this.steps && !this.ended) {
      this.ended = true;
      await this.phaseEnd();
    }
    return step;
  }

  // both nets' fade α for the step about to run (1 at a fade's end: all its images seen)
  private async setAlpha(step: number): Promise<number> {
    const alpha = fadeAlpha(this.phase, step, this.alphaEvery), gan = this.gan;
    await gan.setBlendAlpha(gan.spec.objective.generator, "fade", alpha);
    await gan.setBlendAlpha(gan.spec.objective.discriminator, "fade", alpha);
    return alpha;
  }

  // a phase's end: a fade's α reaches 1 (samples then are the next stable phase's, exactly)
  private async phaseEnd(): Promise<void> {
    const p = this.phase;
    if (p.kind === "fade") await this.setAlpha(p.start + p.steps);
    await this.options.onPhaseEnd?.(p, this.gan, (performance.now() - this.phaseStarted) / 1000);
  }

  // what a checkpoint file holds (encodeCheckpoint(spec, state, {seed, metadata}))
  async checkpoint(): Promise<ProgressiveCheckpoint> {
    const state = await this.gan.saveState();
    const alpha = fadeAlpha(this.phase, state.step, this.alphaEvery);
    const spec = validateSpec(withAlpha(phaseSpec(this.config, this.phase), alpha));
    return { spec, state, metadata: { progressive: JSON.stringify({ config: this.config.name, phase: this.phase.index, resolution: this.phase.resolution, kind: this.phase.kind, alpha }) } };
  }

  // the run's phase at a global step (for reports)
  phaseAt(step: number): Phase { return phaseAt(this.phases, step); }

  async dispose(): Promise<void> { await this.gan?.dispose(); }
}
