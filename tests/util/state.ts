// Two training states compared bit for bit: the first field that differs, or undefined.
import type { GanState } from "../../src/index.ts";

const bits = (a: Float32Array | Uint32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

export function stateDifference(a: GanState, b: GanState): string | undefined {
  if (a.step !== b.step) return `step ${a.step} vs ${b.step}`;
  if (!bits(a.rng).equals(bits(b.rng))) return "rng";
  if (!bits(a.stats).equals(bits(b.stats))) return "stats";
  for (const net of ["generator", "discriminator"] as const) {
    for (const k of ["params", "opt1", "opt2", "state"] as const) if (!bits(a[net][k]).equals(bits(b[net][k]))) return `${net}.${k}`;
    if (a[net].updates !== b[net].updates) return `${net}.updates`;
  }
  if (!!a.generator.average !== !!b.generator.average) return "generator.average present in one only";
  if (a.generator.average && !bits(a.generator.average).equals(bits(b.generator.average!))) return "generator.average";
  return undefined;
}
