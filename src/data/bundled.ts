// The data sets that ship with the package, by name, and which one each preset trains on.
// mixtures are generated from a seed; "mnist" reads the bundled digits (Node and Deno).
import { ring8, grid25 } from "./mixtures.ts";
import { mnist } from "./mnist.ts";
import type { Dataset } from "./dataset.ts";

export const BUNDLED_DATA: Record<string, (seed: number) => Promise<Dataset>> = {
  ring8: (seed) => ring8({ count: 100_000, seed }),
  grid25: (seed) => grid25({ count: 100_000, seed }),
  mnist: () => mnist(),
};

export const PRESET_DATA: Record<string, string> = {
  ring8: "ring8", grid25: "grid25", "mlp-ring8": "ring8", "mlp-grid25": "grid25",
  "dcgan-mnist": "mnist", "cgan-mnist": "mnist", "cond-ring8": "ring8",
};

// the bundled data set of a sample shape, for a spec of one's own (undefined: none fits)
export function bundledDataForShape(shape: readonly number[]): string | undefined {
  const s = shape.join();
  return s === "2" ? "ring8" : s === "28,28,1" ? "mnist" : undefined;
}
