// The redesign guard: every preset trained 200 steps (strict build, seed 1, the preset's bundled
// data set as the CLI loads it) and the SHA-256 of what it ends with, for a thread count.
//   weights: G's parameters then D's (f32, layer after layer in the parameter layout)
//   state:   weights, both nets' optimiser moments and update counts, batch-norm running
//            statistics, the training stream's RNG, the step count
// Usage: node --import tsx bench/weights_hash.ts [--threads N] [--steps N] [preset ...]
//        deno run -A bench/weights_hash.ts --threads 2
// bench/weights-hashes.json holds the figures recorded before the redesign; tests/regression/
// checks the fast presets against it.
import { createHash } from "node:crypto";
import { createGAN, preset, presets, type GanState, type GanSpec } from "../src/index.ts";
import { BUNDLED_DATA, PRESET_DATA } from "../src/data/bundled.ts";

const bytes = (a: Float32Array | Uint32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
function sha(parts: (Float32Array | Uint32Array)[]): string {
  const h = createHash("sha256");
  for (const p of parts) h.update(bytes(p));
  return h.digest("hex");
}

export function stateHashes(s: GanState): { weights: string; state: string } {
  const nets = [s.generator, s.discriminator];
  const weights = sha(nets.map((n) => n.params));
  const state = sha([
    ...nets.flatMap((n) => [n.params, n.opt1, n.opt2, n.state, new Uint32Array([n.updates])]),
    s.rng, new Uint32Array([s.step]),
  ]);
  return { weights, state };
}

// Presets whose recipe changed after the record was taken: the spec it was taken with (the grid25
// and ring8 presets moved to R1 without packing in the remedies study, issue 15), so the guard keeps
// checking the engine on the same computation
const packedRecipe = (base: string, name: string) => () => ({
  ...(preset(base) as GanSpec & object), name, pack: 2,
  lrSchedule: { type: "linear", steps: 10_000 },
  optimizer: { generator: { type: "adam", lr: 1e-3, beta1: 0.5, beta2: 0.999 }, discriminator: { type: "adam", lr: 1e-3, beta1: 0.5, beta2: 0.999 } },
}) as GanSpec;
export const RECORDED_SPECS: Record<string, () => GanSpec> = {
  grid25: packedRecipe("mlp-grid25", "grid25"),
  ring8: packedRecipe("mlp-ring8", "ring8"),
};

// `spec`: the recorded spec (the preset's, or RECORDED_SPECS'); another spelling of it (the named
// form) must give the same bits
export async function presetHashes(name: string, threads: number, steps = 200, spec: GanSpec = RECORDED_SPECS[name]?.() ?? preset(name)): Promise<{ weights: string; state: string }> {
  const data = await BUNDLED_DATA[PRESET_DATA[name]](1);
  const gan = await createGAN(spec, { seed: 1, threads, mode: "worker", engine: "wasm" });
  try {
    await gan.train(data, { steps });
    return stateHashes(await gan.saveState());
  } finally {
    await gan.dispose();
  }
}

const isMain = (globalThis as any).Deno ? (import.meta as any).main : process.argv[1]?.endsWith("weights_hash.ts");
if (isMain) {
  const args = ((globalThis as any).Deno?.args ?? process.argv.slice(2)) as string[];
  let threads = 1, steps = 200;
  const names: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--threads") threads = Number(args[++i]);
    else if (args[i] === "--steps") steps = Number(args[++i]);
    else names.push(args[i]);
  }
  const runtime = (globalThis as any).Deno ? `deno ${(globalThis as any).Deno.version.deno}` : `node ${process.version}`;
  const out: Record<string, unknown> = {};
  for (const name of names.length ? names : Object.keys(presets)) {
    const t0 = performance.now();
    const h = await presetHashes(name, threads, steps);
    out[name] = h;
    console.error(`${name}: ${h.weights.slice(0, 16)} ${h.state.slice(0, 16)} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  }
  console.log(JSON.stringify({ runtime, threads, steps, seed: 1, build: "strict", presets: out }, null, 2));
}
