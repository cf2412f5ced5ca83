// The `dcgan` preset: DCGAN nets derived from the shape of the user's images (Radford et al. 2016:
// strided convolutions instead of pooling, batch norm in G, ReLU in G with tanh at its output,
// LeakyReLU 0.2 in D, no fully connected hidden layers, Adam 2e-4 (0.5, 0.999), N(0, 0.02)
// weights). On [28, 28, 1] it is exactly dcgan-mnist's nets and recipe.
//
// The stack: s stride-2 stages, the largest s <= MAX_STAGES with h and w both divisible by 2^s
// and the smallest side of the coarsest map still >= MIN_SIDE (28 -> 2 stages from 7x7, 32 -> 3
// from 4x4, 64 -> 4 from 4x4, 48x32 -> 3 from 6x4; 30 -> 1 from 15x15). Widths: 64 filters at
// the finest stage, doubling per stage towards the coarse end, at most MAX_FILTERS.
//   G: z(100) -> Dense h0·w0·F0 -> BatchNorm -> ReLU -> reshape [h0, w0, F0]
//      -> (s - 1) x [ConvT F, 4x4, s2, same -> BatchNorm -> ReLU] -> ConvT c, 4x4, s2, same -> tanh
//   D: s x [Conv F, 4x4, s2, same -> LeakyReLU 0.2] -> flatten -> Dense 1 (logit)
import type { ShorthandSpec as GanSpec, LayerSpec } from "./spec.ts";
import { SpecError } from "./spec_check.ts";

export const MAX_STAGES = 4, MIN_SIDE = 4, MAX_FILTERS = 512, BASE_FILTERS = 64, MAX_SIDE = 256;

export interface ImageShapeStack { stages: number; coarse: [number, number]; filters: number[] } // filters: coarse -> fine

// the stages for an image shape; refuses shapes no stride-2 stack reaches, with the way out
export function imageStack(shape: readonly number[]): ImageShapeStack {
  const [h, w, c] = shape;
  const field = "the data's sample shape";
  if (shape.length !== 3 || ![h, w, c].every((v) => Number.isInteger(v) && v > 0)) {
    throw new SpecError(field, `the dcgan preset needs images [height, width, channels] (got [${shape.join(", ")}])`);
  }
  if (c !== 1 && c !== 3) throw new SpecError(field, `the dcgan preset takes 1 (grey) or 3 (RGB) channels (got ${c})`);
  if (h > MAX_SIDE || w > MAX_SIDE) throw new SpecError(field, `images of ${h}x${w} are larger than the dcgan preset's ${MAX_SIDE}x${MAX_SIDE}: resize them (a DCGAN of that size would not train in reasonable time on a CPU)`);
  let stages = 0;
  while (stages < MAX_STAGES) {
    const k = 2 ** (stages + 1);
    if (h % k !== 0 || w % k !== 0 || Math.min(h, w) / k < MIN_SIDE) break;
    stages++;
  }
  if (stages === 0) {
    throw new SpecError(field, `images of ${h}x${w} cannot be reached by a stack of stride-2 layers: the height and width must be even and at least ${2 * MIN_SIDE} (resize or crop them, e.g. to 28x28, 32x32 or 64x64)`);
  }
  const filters = Array.from({ length: stages }, (_, i) => Math.min(MAX_FILTERS, BASE_FILTERS * 2 ** (stages - 1 - i)));
  return { stages, coarse: [h / 2 ** stages, w / 2 ** stages], filters };
}

export function dcganFor(shape: readonly number[], name = `dcgan-${shape.join("x")}`): GanSpec {
  const { coarse: [h0, w0], filters } = imageStack(shape);
  const c = shape[2];
  const stage = (type: "conv2d" | "conv2d_transpose", f: number): LayerSpec => ({ type, filters: f, kernelSize: 4, strides: 2, padding: "same" });
  const generator: LayerSpec[] = [
    { type: "dense", units: h0 * w0 * filters[0] }, { type: "batch_norm" }, { type: "relu" },
    { type: "reshape", targetShape: [h0, w0, filters[0]] },
  ];
  // upsampling stages: each doubles the side; all but the last map to the next (finer) width
  for (let i = 1; i < filters.length; i++) generator.push(stage("conv2d_transpose", filters[i]), { type: "batch_norm" }, { type: "relu" });
  generator.push(stage("conv2d_transpose", c), { type: "tanh" });
  const discriminator: LayerSpec[] = [];
  for (let i = filters.length - 1; i >= 0; i--) discriminator.push(stage("conv2d", filters[i]), { type: "leaky_relu", alpha: 0.2 });
  discriminator.push({ type: "flatten" }, { type: "dense", units: 1 });
  return {
    name,
    latentDim: 100,
    dataShape: [...shape],
    generator,
    discriminator,
    loss: "non-saturating",
    batchSize: 64,
    dSteps: 1,
    init: "dcgan",
    optimizer: { generator: { type: "adam", lr: 2e-4, beta1: 0.5, beta2: 0.999 }, discriminator: { type: "adam", lr: 2e-4, beta1: 0.5, beta2: 0.999 } },
  };
}
