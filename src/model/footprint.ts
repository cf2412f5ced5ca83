// The least memory a spec's nets need in an engine, so that a spec from an untrusted file (a
// checkpoint's, an export's, a config) whose nets are absurdly large is refused by validateSpec
// before any engine allocates (src/io/limits.ts: maxTensorBytes, 1 GiB by default).
// A lower bound, in f32 bytes, per net:
//   parameters × 4   the weights, their gradients and two optimiser moments (adam's; the
//                    smallest optimiser state is one moment, so this is within 25% of the least)
//   state            batch-norm running statistics, spectral-norm vectors
// (the generator's moving average, when kept, would add one more copy of its parameters: not
// counted, so that this stays a lower bound)
//   activations      one batch of every layer's output (the forward values alone; the backward
//                    pass needs at least as much again)
import { modelLayout } from "./layout.ts";
import type { NormalisedSpec } from "./spec.ts";

export interface NetFootprint { net: string; params: number; state: number; activations: number; bytes: number }

const prod = (s: number[]) => s.reduce((a, b) => a * b, 1);

export function specFootprint(spec: NormalisedSpec): { bytes: number; nets: NetFootprint[] } {
  const nets = Object.entries(modelLayout(spec)).map(([net, l]): NetFootprint => {
    const activations = spec.batchSize * l.layers.reduce((a, L) => a + prod(L.output), 0);
    return { net, params: l.paramCount, state: l.stateCount, activations, bytes: 4 * (4 * l.paramCount + l.stateCount + activations) };
  });
  return { bytes: nets.reduce((a, n) => a + n.bytes, 0), nets };
}
