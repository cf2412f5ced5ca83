// cgan-mnist on the bundled digits, scored every `evalEvery` steps: for each label k, the share
// of 200 samples asked for k that the digit classifier calls k (the objectives issue's target:
// >= 85% for every k), and the share classified with confidence >= 0.9. One JSON line per eval.
//   npx tsx bench/experiments/cgan_run.ts [steps] [evalEvery] [seed]
import { createWasmGAN as createGAN, preset, mnist, classifyDigits, writeImageGrid } from "../../src/index.ts";
import { mkdirSync } from "node:fs";

const steps = Number(process.argv[2] ?? 3000), evalEvery = Number(process.argv[3] ?? 500), seed = Number(process.argv[4] ?? 1);
const data = await mnist();
const gan = await createGAN(preset("cgan-mnist"), { seed });
mkdirSync("out/cgan-run", { recursive: true });
const per = 200, labels = Int32Array.from({ length: 10 * per }, (_, i) => Math.floor(i / per));
const t0 = performance.now();
for (let s = evalEvery; s <= steps; s += evalEvery) {
  await gan.train(data, { steps: evalEvery });
  const x = gan.sample(labels.length, { seed: 99, labels });
  const { labels: got, confidences } = classifyDigits(x, labels.length);
  const accuracy = Array.from({ length: 10 }, (_, k) => {
    let hit = 0;
    for (let i = k * per; i < (k + 1) * per; i++) if (got[i] === k) hit++;
    return +(hit / per).toFixed(3);
  });
  const confident = confidences.filter((c) => c >= 0.9).length / labels.length;
  const grid = Int32Array.from({ length: 100 }, (_, i) => i % 10);
  await writeImageGrid(`out/cgan-run/grid-${s}.png`, gan.sample(100, { seed: 5, labels: grid }), 100, 28, 28, 1, { cols: 10, scale: 2 });
  console.log(JSON.stringify({ seed, step: s, sec: +((performance.now() - t0) / 1000).toFixed(0), minAccuracy: Math.min(...accuracy), accuracy, confident: +confident.toFixed(3) }));
}
