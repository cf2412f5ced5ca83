// The bundled CycleGAN task (issue 18): two unpaired domains of digits with a known, exactly
// invertible transform between them, so a translation can be measured.
//   domain A: the bundled MNIST digits (src/data/mnist.ts) as they are
//   domain B: other digits under the transform: "invert" (colour-inverted, x -> −x in [−1, 1]:
//             a black digit on white; default) or "rotate90" (a quarter turn clockwise)
// Training: A = digits 0..3999 of the fixed order, B = the transform of digits 4000..7999 (disjoint
// halves of the digit classifier's training split: no image of B is the transform of one of A).
// Held out ("test"): digits 8000..9999 (the classifier's held-out split) in both domains.
// Both transforms are exact in f32 (a negation, a permutation of pixels), so undoing one gives
// back the digit bit for bit.
import { mnist, MNIST_SIZE } from "./mnist.ts";
import type { Dataset } from "./dataset.ts";

export const DIGIT_TRANSFORMS = ["invert", "rotate90"] as const;
export type DigitTransform = (typeof DIGIT_TRANSFORMS)[number];

// the transform (inverse: its inverse) of `count` 28x28x1 images, as a new array
export function transformDigits(x: Float32Array, t: DigitTransform, inverse = false): Float32Array {
  const S = MNIST_SIZE, D = S * S, out = new Float32Array(x.length);
  if (t === "invert") {
    for (let i = 0; i < x.length; i++) out[i] = -x[i];
    return out;
  }
  // clockwise: out[r][c] = in[S − 1 − c][r]; its inverse: out[r][c] = in[c][S − 1 − r]
  for (let k = 0; k < x.length / D; k++) {
    const o = k * D;
    for (let r = 0; r < S; r++) for (let c = 0; c < S; c++) {
      out[o + r * S + c] = inverse ? x[o + c * S + (S - 1 - r)] : x[o + (S - 1 - c) * S + r];
    }
  }
  return out;
}

export interface CycleDigits { a: Dataset; b: Dataset; transform: DigitTransform }

export async function cycleDigits(options: { transform?: DigitTransform; split?: "train" | "test" } = {}): Promise<CycleDigits> {
  const transform = options.transform ?? "invert", split = options.split ?? "train";
  if (!DIGIT_TRANSFORMS.includes(transform)) throw new RangeError(`transform: must be one of ${DIGIT_TRANSFORMS.map((t) => JSON.stringify(t)).join(", ")} (got ${JSON.stringify(transform)})`);
  if (split !== "train" && split !== "test") throw new RangeError(`split: must be "train" or "test" (got ${JSON.stringify(split)})`);
  const a = split === "train" ? await mnist({ count: 4000 }) : await mnist({ offset: 8000 });
  const src = split === "train" ? await mnist({ offset: 4000, count: 4000 }) : a;
  const b: Dataset = { ...src, name: `mnist-${transform}`, x: transformDigits(src.x, transform) };
  return { a: { ...a, name: "mnist" }, b, transform };
}
