// Does averaging the generator help dcgan-mnist's digits? One run, scored every `evalEvery`
// steps four ways: live or averaged weights (EMA, decay 0.999), batch norm with running or batch
// statistics. The digit classifier's share of samples with confidence >= 0.9, the classes
// present and the largest class share, on 1,000 samples. One JSON line per eval.
//   npx tsx bench/experiments/dcgan_average.ts [steps] [evalEvery] [seed] [decay]
import { createWasmGAN as createGAN, preset, mnist, digitQuality, writeImageGrid } from "../../src/index.ts";
import { mkdirSync } from "node:fs";

const steps = Number(process.argv[2] ?? 3000), evalEvery = Number(process.argv[3] ?? 500);
const seed = Number(process.argv[4] ?? 1), decay = Number(process.argv[5] ?? 0.999);
const data = await mnist();
const gan = await createGAN(preset("dcgan-mnist"), { seed });
gan.averageGenerator(decay);
mkdirSync("out/dcgan-average", { recursive: true });
const fixedZ = gan.latent(64, 12345);
const t0 = performance.now();
for (let s = evalEvery; s <= steps; s += evalEvery) {
  await gan.train(data, { steps: evalEvery });
  const row: Record<string, unknown> = { seed, step: s, sec: +((performance.now() - t0) / 1000).toFixed(0) };
  for (const average of [false, true]) for (const batchStats of [false, true]) {
    const q = digitQuality(gan.sample(1000, { seed: 99, average, batchStats }), 1000);
    row[`${average ? "avg" : "live"}-${batchStats ? "batch" : "running"}`] = [+q.confidentShare.toFixed(3), q.classesPresent, +q.maxClassShare.toFixed(3)];
  }
  await writeImageGrid(`out/dcgan-average/avg-${s}.png`, gan.generate(fixedZ, { average: true }), 64, 28, 28, 1, { cols: 8, scale: 2 });
  console.log(JSON.stringify(row));
}
