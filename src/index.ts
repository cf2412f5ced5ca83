// wasm-gan: the public API.
// createGAN: the asynchronous GAN, in worker threads on every core where the runtime has them
export { createGAN, resolveThreads } from "./worker/create_gan.ts";
export type { GAN, GanOptions, Threads } from "./worker/gan_api.ts";
export { WorkerDiedError } from "./worker/worker_gan.ts";
// WasmGAN / createWasmGAN: the engine itself on the caller's thread (synchronous except train)
export { createGAN as createWasmGAN, WasmGAN } from "./engine/wasm_engine.ts";
export type { CreateOptions, TrainOptions, StepStats, EngineInfo, NetWeights, GenerateOptions } from "./engine/wasm_engine.ts";
export type { GanState, NetTrainState } from "./engine/wasm_engine.ts";
export { CheckpointError, CHECKPOINT_FILE, saveCheckpoint, readCheckpoint, loadCheckpoint, checkpointEngine, restoreCheckpoint, encodeCheckpoint, decodeCheckpoint, specDifference } from "./io/checkpoint.ts";
export type { EngineFactory, LoadOptions } from "./io/checkpoint.ts";
export type { Checkpoint } from "./io/checkpoint.ts";
export { encodeNpy, decodeNpy, NpyError } from "./io/npy.ts";
// untrusted model files: the limits every loader enforces, the error a model file's refusal throws
export { ModelFileError, DEFAULT_LIMITS } from "./io/limits.ts";
export type { LoadLimits } from "./io/limits.ts";
export { parseSpecJson } from "./io/spec_file.ts";
export { decodeGeneratorFile, GeneratorFileError } from "./export/generator_file.ts";
export type { GeneratorFile } from "./export/generator_file.ts";
export { NodeOnlyError } from "./io/node_only.ts";
export { validateSpec, SpecError } from "./model/spec.ts";
export type { GanSpec, ShorthandSpec, NamedSpec, LayerSpec, OptimizerSpec, NormalisedSpec, GanObjective, Role, RoleNet } from "./model/spec.ts";
export { roleNet } from "./model/spec.ts";
export { preset, presets, ring8 as ring8Spec, grid25 as grid25Spec, mlpRing8 as mlpRing8Spec, mlpGrid25 as mlpGrid25Spec, dcganMnist as dcganMnistSpec, dcganStackedMnist as dcganStackedMnistSpec } from "./model/presets.ts";
export { ring, grid, spiral, ring8, grid25 } from "./data/mixtures.ts";
export type { MixtureOptions, MixtureDataset } from "./data/mixtures.ts";
export type { Dataset, MixtureInfo } from "./data/dataset.ts";
export { mixtureMetrics } from "./eval/mixture_metrics.ts";
export type { MixtureMetrics } from "./eval/mixture_metrics.ts";
export { relaxedSimdSupported, simdSupported } from "./engine/wasm_module.ts";
export { mnist } from "./data/mnist.ts";
export type { MnistOptions } from "./data/mnist.ts";
export { stackedMnist, stackedChannel, STACKED_MNIST_COUNT } from "./data/stacked_mnist.ts";
export type { StackedMnistOptions } from "./data/stacked_mnist.ts";
export { loadIdx } from "./data/idx.ts";
export { imageFolder } from "./data/image_folder.ts";
export { DataError } from "./data/errors.ts";
export { imageGrid, writeImageGrid } from "./io/image_grid.ts";
export { classifyDigits, digitQuality } from "./eval/digit_classifier.ts";
export type { DigitQuality } from "./eval/digit_classifier.ts";
// the one engine interface (WasmGAN, TfjsGAN) and the step's statistics by name
export type { Engine, ParamCounts } from "./engine/engine.ts";
export { STATS, STAT_COUNT, namedStats } from "./model/stats.ts";
export type { StatName } from "./model/stats.ts";
// the training run as library code: chunks, snapshots and checkpoints on a cadence, abort, hooks
export { runTraining, RunDivergedError } from "./train/run.ts";
export type { RunOptions, RunResult, Best } from "./train/run.ts";
export { EVAL_KINDS, METRIC_DIRECTION, evalKindFor, evalChoices, evalKeys, evaluator, isBetter } from "./eval/training_eval.ts";
export type { EvalKind, EvalMetrics, EvalSource, Better } from "./eval/training_eval.ts";
export { snapshotter } from "./train/snapshot.ts";
export type { Snapshot } from "./train/snapshot.ts";

// Training health (src/health/): the monitor, its detectors and their thresholds
export { HealthMonitor, healthIntervals } from "./health/monitor.ts";
export type { HealthOptions } from "./health/monitor.ts";
export { VanishingGradients, VANISHING } from "./health/vanishing.ts";
export { ModeCollapse, COLLAPSE, effectiveModes } from "./health/collapse.ts";
export { Instability, INSTABILITY } from "./health/instability.ts";
export { sampleSpread, neighbourSpread, meanNeighbourDistance } from "./health/spread.ts";
export { healthMetrics } from "./health/sample_metrics.ts";
export type { HealthState, HealthEvent, HealthReport, HealthInterval, Evidence, Verdict, Detector, DetectorContext, SampleMetrics } from "./health/types.ts";

// evaluation: FID, KID, precision/recall on the digit classifier's features, TF-GAN's classifier
// score and Fréchet distance on its logits, the mixture mode metrics for 2-D samples (src/eval/)
export { evaluate, evaluateImages, IMAGE_METRICS, DEFAULT_IMAGE_SAMPLES, DEFAULT_POINT_SAMPLES, DEFAULT_STACKED_SAMPLES } from "./eval/evaluate.ts";
// Stacked MNIST's mode count and KL from uniform (VEEGAN, PacGAN)
export { stackedModes, klFromUniform, STACKED_EVAL_SAMPLES } from "./eval/stacked_modes.ts";
export type { StackedModes } from "./eval/stacked_modes.ts";
export type { Evaluation, EvalOptions, ImageEvaluation, ImageEvalOptions, ImageMetric, RealImages, SampleSource } from "./eval/evaluate.ts";
export { frechetDistance, frechetDistanceOf } from "./eval/fid.ts";
export { kernelInceptionDistance, mmd2Unbiased, KID_SUBSET_SIZE, KID_SUBSETS } from "./eval/kid.ts";
export type { Kid, KidOptions } from "./eval/kid.ts";
export { precisionRecall } from "./eval/precision_recall.ts";
export type { PrecisionRecall } from "./eval/precision_recall.ts";
export { classifierScore } from "./eval/classifier_score.ts";
export { gaussianStats } from "./eval/linalg.ts";
export type { Gaussian } from "./eval/linalg.ts";
export { mnistReferenceStats } from "./eval/reference_stats.ts";
export type { ReferenceStats } from "./eval/reference_stats.ts";
export { digitClassifier, DigitClassifier } from "./eval/digit_classifier.ts";
export { exportGenerator, EXPORT_FORMATS, ExportError } from "./export/index.ts";
export type { ExportFormat, Exported, ExportedFile, ExportSource, CycleSource, ExportOptions, WeightChoice } from "./export/index.ts";

// CycleGAN (issue 18; Zhu et al. 2017): the engine, its spec and preset, its nets, the bundled
// digits task and checkpoints
export { CycleGAN, CYCLE_STATS, type CycleStats, type CycleState, type CycleNetState, type CycleTrainOptions, type CycleCreateOptions, type CycleEngineInfo, type Direction } from "./engine/cycle_engine.ts";
export { validateCycleSpec, isCycleSpec, CYCLE_ROLES, type CycleSpec, type CycleObjective, type CycleRole } from "./model/cyclegan_spec.ts";
export { cyclePreset, CYCLE_PRESETS, CYCLE_PRESET_STEPS } from "./model/cyclegan_preset.ts";
export { resnetGenerator, patchDiscriminator, residualBlock, type ResnetGeneratorOptions, type PatchDiscriminatorOptions } from "./model/cyclegan_nets.ts";
export { cycleDigits, transformDigits, DIGIT_TRANSFORMS, type DigitTransform, type CycleDigits } from "./data/cycle_digits.ts";
export { encodeCycleCheckpoint, decodeCycleCheckpoint, saveCycleCheckpoint, readCycleCheckpoint, CYCLE_CHECKPOINT_FORMAT, type CycleCheckpoint } from "./io/cycle_checkpoint.ts";

// progressive growing (issue 19; Karras et al. 2018): the run over its phases, the schedule and
// each phase's spec, the pggan-mnist32 preset, the data at every resolution, the carry by name
export { ProgressiveRun, type ProgressiveOptions, type ProgressiveCheckpoint } from "./train/progressive.ts";
export { pgganMnist32, phases as progressivePhases, phaseSpec as progressivePhaseSpec, phaseAt as progressivePhaseAt, fadeAlpha, checkProgressive, ProgressiveError, type ProgressiveConfig, type Phase as ProgressivePhase } from "./model/progressive.ts";
export { padImages, atResolution, judgeFrame } from "./data/progressive_data.ts";
export { carryState, type CarryReport, type CarryOptions } from "./train/grow.ts";
