// The cost of spectral normalisation on the dcgan-mnist discriminator: steps/s of the preset and
// of the same spec with spectralNorm on D's two convs and its dense layer, WASM engine on the
// caller's thread (1 kernel thread, strict build), interleaved rounds of `steps` timed steps
// after 3 warm-up steps each, seed 1, the bundled MNIST digits.
//   node --import tsx bench/spectral_norm_cost.ts [steps=30] [rounds=2]
import { createWasmGAN, preset, mnist, type LayerSpec } from "../src/index.ts";

const steps = Number(process.argv[2] ?? 30), rounds = Number(process.argv[3] ?? 2);
const data = await mnist();
const plain = preset("dcgan-mnist") as any;
const sn = { ...plain, discriminator: plain.discriminator.map((l: LayerSpec) => (l.type === "dense" || l.type === "conv2d" ? { ...l, spectralNorm: true } : l)) };
const rates: Record<string, number[]> = { plain: [], "SN in D": [] };
for (let r = 0; r < rounds; r++) {
  for (const [name, spec] of [["plain", plain], ["SN in D", sn]] as const) {
    const gan = await createWasmGAN(spec, { seed: 1 });
    await gan.train(data, { steps: 3 });
    const t0 = performance.now();
    await gan.train(data, { steps });
    rates[name].push(steps / ((performance.now() - t0) / 1000));
  }
}
const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const ratios = rates.plain.map((p, i) => rates["SN in D"][i] / p);
console.log(JSON.stringify({ steps, rounds, rates, medianRatio: median(ratios), ratios }, null, 1));
