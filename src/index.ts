// wasm-gan: the public API.
export { createGAN, WasmGAN } from "./engine/wasm_engine.ts";
export type { CreateOptions, TrainOptions, StepStats, EngineInfo, NetWeights } from "./engine/wasm_engine.ts";
export { validateSpec, SpecError } from "./spec/spec.ts";
export type { GanSpec, LayerSpec, OptimizerSpec, NormalisedSpec } from "./spec/spec.ts";
export { preset, presets, ring8 as ring8Spec, grid25 as grid25Spec, mlpRing8 as mlpRing8Spec, mlpGrid25 as mlpGrid25Spec, dcganMnist as dcganMnistSpec } from "./spec/presets.ts";
export { ring, grid, spiral, ring8, grid25 } from "./data/mixtures.ts";
export type { Dataset, MixtureInfo } from "./data/dataset.ts";
export { mixtureMetrics } from "./eval/mixture_metrics.ts";
export type { MixtureMetrics } from "./eval/mixture_metrics.ts";
export { relaxedSimdSupported, simdSupported } from "./engine/wasm_module.ts";
export { mnist } from "./data/mnist.ts";
export type { MnistOptions } from "./data/mnist.ts";
export { loadIdx } from "./data/idx.ts";
export { imageFolder } from "./data/image_folder.ts";
export { DataError } from "./data/errors.ts";
export { imageGrid, writeImageGrid } from "./io/image_grid.ts";
export { classifyDigits, digitQuality } from "./eval/digit_classifier.ts";
export type { DigitQuality } from "./eval/digit_classifier.ts";
