// Seeded 2-D Gaussian mixtures: the standard mode-collapse benchmarks (docs/workloads.md).
// Every component has the same weight and an isotropic std; labels are component indices.
import { HostRng } from "../random/rng.ts";
import type { Dataset, MixtureInfo } from "./dataset.ts";

export interface MixtureOptions { count?: number; seed?: number }

// a mixture's data set always carries its centres and std (what the mode metrics need)
export type MixtureDataset = Dataset & { mixture: MixtureInfo; labels: Int32Array; numClasses: number };

async function mixture(name: string, centres: Float32Array, std: number, count: number, seed: number): Promise<MixtureDataset> {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`${name}: count must be a positive integer (got ${count})`);
  const K = centres.length / 2;
  const rng = await HostRng.create(seed);
  const labels = rng.below(count, K);
  const noise = rng.normal(2 * count, 0, std);
  const x = new Float32Array(2 * count);
  for (let i = 0; i < count; i++) {
    const k = labels[i];
    x[2 * i] = centres[2 * k] + noise[2 * i];
    x[2 * i + 1] = centres[2 * k + 1] + noise[2 * i + 1];
  }
  return { name, x, shape: [2], count, labels, numClasses: K, mixture: { centres, std } };
}

// K Gaussians evenly spaced on a circle (default: 8 on radius 2, std 0.02)
export function ring({ count = 100_000, seed = 0, modes = 8, radius = 2, std = 0.02 }: MixtureOptions & { modes?: number; radius?: number; std?: number } = {}) {
  const c = new Float32Array(2 * modes);
  for (let k = 0; k < modes; k++) {
    c[2 * k] = radius * Math.cos((2 * Math.PI * k) / modes);
    c[2 * k + 1] = radius * Math.sin((2 * Math.PI * k) / modes);
  }
  return mixture(`ring${modes}`, c, std, count, seed);
}

// side x side Gaussians on a grid (default: 5 x 5, centres at -4, -2, 0, 2, 4, std 0.05)
export function grid({ count = 100_000, seed = 0, side = 5, spacing = 2, std = 0.05 }: MixtureOptions & { side?: number; spacing?: number; std?: number } = {}) {
  const c = new Float32Array(2 * side * side);
  const off = ((side - 1) * spacing) / 2;
  for (let i = 0; i < side; i++) for (let j = 0; j < side; j++) {
    c[2 * (i * side + j)] = i * spacing - off;
    c[2 * (i * side + j) + 1] = j * spacing - off;
  }
  return mixture(`grid${side * side}`, c, std, count, seed);
}

// K Gaussians along an Archimedean spiral (r grows linearly with the angle)
export function spiral({ count = 100_000, seed = 0, modes = 12, turns = 1.5, maxRadius = 3, std = 0.03 }: MixtureOptions & { modes?: number; turns?: number; maxRadius?: number; std?: number } = {}) {
  const c = new Float32Array(2 * modes);
  for (let k = 0; k < modes; k++) {
    const t = (k + 1) / modes;
    const theta = 2 * Math.PI * turns * t;
    c[2 * k] = maxRadius * t * Math.cos(theta);
    c[2 * k + 1] = maxRadius * t * Math.sin(theta);
  }
  return mixture(`spiral${modes}`, c, std, count, seed);
}

export const ring8 = (o: MixtureOptions = {}) => ring({ ...o, modes: 8, radius: 2, std: 0.02 });
export const grid25 = (o: MixtureOptions = {}) => grid({ ...o, side: 5, spacing: 2, std: 0.05 });
