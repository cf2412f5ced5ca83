// The cost of spectral normalisation on the dcgan-mnist discriminator (strict build, 1 kernel
// thread, the caller's thread, seed 1):
//  (a) whole training steps: steps/s of the preset and of the same spec with spectralNorm on D's
//      two convs and its dense layer, `steps` timed steps after 3 warm-up steps, in `rounds`
//      rounds whose order alternates (plain, SN / SN, plain) so that drift cancels;
//  (b) what SN adds to one call of D at batch 1 (where the GEMMs are small and the per-call SN
//      work — σ, K/σ, the gradient map — shows): forward, and forward + backward with parameter
//      gradients, 200 calls each, plain and SN interleaved; and one power iteration of D.
//   node --import tsx bench/spectral_norm_cost.ts [steps=20] [rounds=4]
import { createWasmGAN, preset, mnist, validateSpec, roleNet, type LayerSpec } from "../src/index.ts";
import { instantiate } from "../src/engine/wasm_module.ts";
import { LinearMemory } from "../src/engine/memory.ts";
import { buildWasmNet, initNets } from "../src/engine/net_builder.ts";

const steps = Number(process.argv[2] ?? 20), rounds = Number(process.argv[3] ?? 4);
const median = (a: number[]) => { const s = [...a].sort((x, y) => x - y); return (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2; };
const plain = preset("dcgan-mnist") as any;
const withSn = (ls: LayerSpec[]) => ls.map((l) => (l.type === "dense" || l.type === "conv2d" ? { ...l, spectralNorm: true } : l));
const sn = { ...plain, discriminator: withSn(plain.discriminator) };

// (a)
const data = await mnist();
const rates: Record<string, number[]> = { plain: [], sn: [] };
for (let r = 0; r < rounds; r++) {
  const order = r % 2 === 0 ? (["plain", "sn"] as const) : (["sn", "plain"] as const);
  for (const name of order) {
    const gan = await createWasmGAN(name === "sn" ? sn : plain, { seed: 1 });
    await gan.train(data, { steps: 3 });
    const t0 = performance.now();
    await gan.train(data, { steps });
    rates[name].push(steps / ((performance.now() - t0) / 1000));
  }
}
const ratios = rates.plain.map((p, i) => rates.sn[i] / p);

// (b)
const wasm = await instantiate("strict"), mem = new LinearMemory(wasm);
const d = roleNet(validateSpec(plain), "discriminator");
const build = (layers: LayerSpec[]) => { const net = buildWasmNet(wasm, layers, d.input, 64); initNets(wasm, [net], 1, 1); return net; };
const A = build(d.layers), B = build(withSn(d.layers));
const x = mem.put(new Float32Array(784).map((_, i) => Math.cos(i))), dy = mem.put(new Float32Array([0.1]));
const time = (f: () => void, reps: number) => { f(); const t0 = performance.now(); for (let i = 0; i < reps; i++) f(); return (performance.now() - t0) / reps; };
const added = { forward: [] as number[], forwardBackward: [] as number[] };
for (let r = 0; r < 5; r++) {
  const ms = (net: number) => [time(() => wasm.netForward(net, x, 1, 1), 200), time(() => { wasm.netForward(net, x, 1, 1); wasm.netBackward(net, dy, 0, 1, 1); }, 200)];
  const a1 = ms(A), b1 = ms(B), b2 = ms(B), a2 = ms(A);
  added.forward.push((b1[0] + b2[0] - a1[0] - a2[0]) / 2);
  added.forwardBackward.push((b1[1] + b2[1] - a1[1] - a2[1]) / 2);
}
const iteration = time(() => wasm.netPowerIteration(B), 100);
// per training step: D runs forward 3 times (real, fake, G's pass), backward with parameter gradients twice, one iteration
const perStep = 3 * median(added.forward) + 2 * (median(added.forwardBackward) - median(added.forward)) + iteration;
console.log(JSON.stringify({
  steps, rounds, stepsPerSecond: rates, ratioSnOverPlain: { median: median(ratios), perRound: ratios },
  addedMsPerCallBatch1: { forward: median(added.forward), forwardBackward: median(added.forwardBackward) }, powerIterationMs: iteration,
  addedMsPerStep: perStep, addedShareOfPlainStep: perStep / (1000 / median(rates.plain)),
}, null, 1));
