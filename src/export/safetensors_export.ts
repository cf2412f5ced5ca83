// The generator's weights as one safetensors file (no optimiser or training state), ready for
// inference. Tensors (F32, tfjs layouts, images NHWC), <net> the generator's name in spec.nets,
// <layer> the layer's `name` when the spec gives one and its index otherwise (the checkpoint's
// names: src/model/layout.ts tensorKey):
//   <net>.<layer>.kernel        dense [in, units]; conv2d [kh, kw, cin, filters];
//                               conv2d_transpose [kh, kw, filters, cin]; spectralNorm folded in (W/σ)
//   <net>.<layer>.bias          [units | filters]
//   <net>.<layer>.gamma, .beta, .running_mean, .running_var     batch_norm [c]
// e.g. generator.0.kernel, generator.1.gamma, G.block1.bias.
// __metadata__: format "wasm-gan-generator", format_version "1", spec (the normalised spec,
// JSON), net (the generator's name), latent_dim, num_classes ("0": unconditional; else G's input is
// [latent, one-hot label]), output_shape (JSON), weights ("ema" | "raw"), spectral_norm ("folded"),
// batch_norm ("running statistics"), crc32 (of the data section).
import { encodeSafetensors } from "../io/safetensors.ts";
import type { GeneratorNet } from "./generator.ts";

export const GENERATOR_FORMAT = "wasm-gan-generator";

export function generatorSafetensors(g: GeneratorNet): Uint8Array {
  const tensors = g.tensors.map((t) => ({ name: t.key, dtype: "F32" as const, shape: t.shape, data: t.data }));
  return encodeSafetensors(tensors, (crc) => ({
    format: GENERATOR_FORMAT, format_version: "1", spec: JSON.stringify(g.spec), net: g.net,
    latent_dim: String(g.latentDim), num_classes: String(g.numClasses), output_shape: JSON.stringify(g.outputShape),
    weights: g.weights, spectral_norm: "folded", batch_norm: "running statistics", crc32: crc,
  }));
}
