// Seconds per training step of the MNIST presets on this machine, now: for comparisons at equal
// wall time with runs measured here in the same conditions (pggan-mnist32's phases, whose own
// times pggan_mnist.ts records). Quality depends on steps, not on the machine, so a preset's
// quality at the steps this time buys is read off its recorded curve (bench/remedies-images-*).
// One thread, the bundled digits, 20 untimed steps, then STEPS timed ones.
//   npx tsx bench/experiments/preset_step_time.ts [steps 200] [presets dcgan-mnist,cgan-mnist]
import { createGAN, preset } from "../../src/index.ts";
import { mnist } from "../../src/data/mnist.ts";

const steps = Number(process.argv[2] ?? 200), names = (process.argv[3] ?? "dcgan-mnist,cgan-mnist").split(",");
const data = await mnist();
for (const name of names) {
  const gan = await createGAN(preset(name), { seed: 1, threads: 1 });
  await gan.train(data, { steps: 20 });
  const t = performance.now();
  await gan.train(data, { steps });
  const sec = (performance.now() - t) / 1000 / steps;
  console.log(JSON.stringify({ preset: name, steps, secPerStep: +sec.toFixed(4), stepsPerSec: +(1 / sec).toFixed(2) }));
  await gan.dispose();
}
