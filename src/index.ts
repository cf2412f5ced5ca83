// wasm-gan: the public API.
export { createGAN, WasmGAN } from "./engine/wasm_engine.ts";
export type { CreateOptions, TrainOptions, StepStats, EngineInfo, NetWeights } from "./engine/wasm_engine.ts";
export { validateSpec, SpecError } from "./spec/spec.ts";
export type { GanSpec, LayerSpec, OptimizerSpec, NormalisedSpec } from "./spec/spec.ts";
export { preset, presets, ring8 as ring8Spec, grid25 as grid25Spec } from "./spec/presets.ts";
export { ring, grid, spiral, ring8, grid25 } from "./data/mixtures.ts";
export type { Dataset, MixtureInfo } from "./data/dataset.ts";
export { mixtureMetrics } from "./eval/mixture_metrics.ts";
export type { MixtureMetrics } from "./eval/mixture_metrics.ts";
export { relaxedSimdSupported, simdSupported } from "./engine/wasm_module.ts";
