// The data sets that ship with the package, by name, and which one each preset trains on.
// mixtures are generated from a seed; "mnist" reads the bundled digits (Node and Deno);
// "stacked-mnist" stacks three of them as an image's channels, the triples drawn from the seed.
import { ring8, grid25 } from "./mixtures.ts";
import { mnist } from "./mnist.ts";
import { stackedMnist } from "./stacked_mnist.ts";
import type { Dataset } from "./dataset.ts";

export const BUNDLED_DATA: Record<string, (seed: number) => Promise<Dataset>> = {
  ring8: (seed) => ring8({ count: 100_000, seed }),
  grid25: (seed) => grid25({ count: 100_000, seed }),
  mnist: () => mnist(),
  "stacked-mnist": (seed) => stackedMnist({ seed }),
};

export const PRESET_DATA: Record<string, string> = {
  ring8: "ring8", grid25: "grid25", "mlp-ring8": "ring8", "mlp-grid25": "grid25",
  "dcgan-mnist": "mnist", "cgan-mnist": "mnist", "cond-ring8": "ring8",
  "dcgan-stacked-mnist": "stacked-mnist",
};

// the bundled data set of a sample shape, for a spec of one's own (undefined: none fits)
export function bundledDataForShape(shape: readonly number[]): string | undefined {
  const s = shape.join();
  return s === "2" ? "ring8" : s === "28,28,1" ? "mnist" : s === "28,28,3" ? "stacked-mnist" : undefined;
}
