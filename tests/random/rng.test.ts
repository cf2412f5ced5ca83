// The random module (assembly/random.ts, src/random/rng.ts) against the engine's own kernels:
// the same xoshiro128** source compiled into a module of its own must give the same streams,
// bit for bit, or every data set (and so every preset's trained weights) would change.
//  - rngUniformFill / rngNormalFill: several seeds, odd and even lengths, consecutive fills on
//    one state mixing both kinds and their parameters: every value and the state after each fill
//    equal to the engine's (strict build).
//  - HostRng's chunked draws (64 Ki floats a round trip) equal one engine fill of the full length.
//  - ring8 / grid25 data: equal, bit for bit, to the same draws made from the engine's stream
//    (the way src/data/mixtures.ts drew them before the random module), and to a SHA-256 of
//    ring8 { count: 1000, seed: 1 } recorded from that engine-backed version.
//  - the arrows run one way: nothing in src/data/ or src/random/ imports from src/engine/.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { instantiate } from "../../src/engine/wasm_module.ts";
import type { WasmExports } from "../../src/engine/abi.ts";
import { HostRng, instantiateRandom, type RandomExports } from "../../src/random/rng.ts";
import { ring8, grid25 } from "../../src/data/mixtures.ts";
import { expectBitIdentical } from "../util/check.ts";

const engine = await instantiate("strict");
const random = await instantiateRandom();

// one stream in one module: fills write into a scratch block and are copied out
function stream(wasm: WasmExports | RandomExports, seed: number, maxLen: number) {
  const state = wasm.rngNew(seed >>> 0), out = wasm.alloc(4 * maxLen);
  const read = (n: number) => new Float32Array(wasm.memory.buffer, out, n).slice();
  return {
    uniform: (n: number, lo: number, hi: number) => { wasm.rngUniformFill(state, out, n, lo, hi); return read(n); },
    normal: (n: number, mean: number, std: number) => { wasm.rngNormalFill(state, out, n, mean, std); return read(n); },
    state: () => new Uint32Array(wasm.memory.buffer, state, 4).slice(),
  };
}

const SEEDS = [0, 1, 2, 7, 12345, 0x9e3779b9, 0xffffffff];
const LENGTHS = [1, 2, 3, 7, 64, 255, 1000, 4097];

test("uniform and normal fills: the random module's streams equal the engine's, bit for bit (7 seeds, lengths 1 to 4097)", () => {
  for (const seed of SEEDS) {
    const a = stream(engine, seed, 4097), b = stream(random, seed, 4097);
    assert.equal(Array.from(b.state()), Array.from(a.state()), `seed ${seed}: seeded state`);
    for (const n of LENGTHS) {
      const label = `seed ${seed}, length ${n}`;
      expectBitIdentical(`${label}: uniform [0, 1)`, b.uniform(n, 0, 1), a.uniform(n, 0, 1));
      expectBitIdentical(`${label}: normal (0, 1)`, b.normal(n, 0, 1), a.normal(n, 0, 1));
      expectBitIdentical(`${label}: uniform [-1, 1)`, b.uniform(n, -1, 1), a.uniform(n, -1, 1));
      expectBitIdentical(`${label}: normal (3, 0.02)`, b.normal(n, 3, 0.02), a.normal(n, 3, 0.02));
      assert.equal(Array.from(b.state()), Array.from(a.state()), `${label}: state after the fills`);
    }
  }
});

test("HostRng's chunked draws equal one engine fill of the whole length (across the 64 Ki chunk boundary, odd tail)", async () => {
  for (const seed of [1, 99]) {
    const n = 2 * 65536 + 5;
    const ref = stream(engine, seed, n), rng = await HostRng.create(seed);
    expectBitIdentical(`seed ${seed}: normal(${n}, 0, 0.05)`, rng.normal(n, 0, 0.05), ref.normal(n, 0, 0.05));
    expectBitIdentical(`seed ${seed}: uniform(${n}, -1, 1) next`, rng.uniform(n, -1, 1), ref.uniform(n, -1, 1));
    const u = ref.uniform(1001, 0, 1);
    assert.equal(Array.from(rng.below(1001, 25)), Array.from(u, (x) => Math.min(24, Math.floor(x * 25))), `seed ${seed}: below(1001, 25)`);
  }
});

// the mixture draw as src/data/mixtures.ts made it from the engine: labels from uniforms, then
// 2·count normals (std) added to the centres
function engineMixture(centres: Float32Array, std: number, count: number, seed: number) {
  const K = centres.length / 2;
  const s = stream(engine, seed, 2 * count);
  const labels = Int32Array.from(s.uniform(count, 0, 1), (u) => Math.min(K - 1, Math.floor(u * K)));
  const noise = s.normal(2 * count, 0, std);
  const x = new Float32Array(2 * count);
  for (let i = 0; i < count; i++) {
    x[2 * i] = centres[2 * labels[i]] + noise[2 * i];
    x[2 * i + 1] = centres[2 * labels[i] + 1] + noise[2 * i + 1];
  }
  return { x, labels };
}

const sha256 = (a: Float32Array) => createHash("sha256").update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).digest("hex");

test("ring8 and grid25 data are unchanged: equal to the engine-backed draws, bit for bit", async () => {
  for (const [name, make] of [["ring8", ring8], ["grid25", grid25]] as const) {
    for (const [count, seed] of [[100_000, 1], [4097, 0], [3, 7]]) {
      const d = await make({ count, seed });
      const ref = engineMixture(d.mixture!.centres, d.mixture!.std, count, seed);
      expectBitIdentical(`${name} { count: ${count}, seed: ${seed} }: samples`, d.x, ref.x);
      assert.equal(Array.from(d.labels!), Array.from(ref.labels), `${name} { count: ${count}, seed: ${seed} }: labels`);
    }
  }
  assert.is(sha256((await ring8({ count: 1000, seed: 1 })).x), RING8_1000_SEED1, "ring8 { count: 1000, seed: 1 }: SHA-256 recorded from the engine-backed version");
});

const RING8_1000_SEED1 = "5e6eb120f991bdeb340f5a78c53730b9cc9f69f2c73167ab55da18e0521ac9bf";

test("src/data/ and src/random/ import nothing from src/engine/ (data sets never start an engine)", () => {
  const root = new URL("../../src/", import.meta.url);
  let files = 0;
  for (const dir of ["data", "random"]) {
    for (const name of readdirSync(new URL(`${dir}/`, root)).filter((f) => f.endsWith(".ts"))) {
      const text = readFileSync(new URL(`${dir}/${name}`, root), "utf8");
      const specifiers = [...text.matchAll(/\b(?:from|import)\s*\(?\s*["']([^"']+)["']/g)].map((m) => m[1]);
      assert.equal(specifiers.filter((s) => /(^|\/)engine\//.test(s)), [], `src/${dir}/${name}: imports from src/engine/`);
      files++;
    }
  }
  assert.ok(files >= 8, `checked ${files} files`);
});

test.run();
