// FID / KID / precision-recall / classifier score of dcgan-mnist (and cgan-mnist) at a few points
// over training (seed 1, 2 threads), and the classifier score of the real bundled MNIST on the
// project's digit classifier. Writes bench/eval-results.json after every point (the presets not
// named keep their earlier rows).
//   node --import tsx bench/experiments/eval_over_training.ts [presets=dcgan-mnist,cgan-mnist] [points=0,500,1000,2000] [n=5000]
import { writeFileSync, readFileSync, existsSync } from "node:fs";
import { createGAN, preset } from "../../src/index.ts";
import { mnist } from "../../src/data/mnist.ts";
import { evaluate, evaluateImages } from "../../src/eval/evaluate.ts";

const presets = (process.argv[2] ?? "dcgan-mnist,cgan-mnist").split(",");
const points = (process.argv[3] ?? "0,500,1000,2000").split(",").map(Number);
const n = Number(process.argv[4] ?? 5000);
const path = new URL("../eval-results.json", import.meta.url);
const data = await mnist();
// the presets not run this time keep their rows from an earlier run
const earlier: Record<string, unknown> = existsSync(path) ? JSON.parse(readFileSync(path, "utf8")) : {};
const results: Record<string, unknown> = { ...earlier, n, seed: 1, threads: 2, metrics: "features: digit classifier pre-ReLU penultimate (64); FID/KID vs the bundled 10,000 digits (FID: shipped stats)" };
const save = () => writeFileSync(path, JSON.stringify(results, null, 1) + "\n");

// the real digits: 5,000 against the other 5,000, and the classifier score of all 10,000
const half = 5000;
const realVsReal = await evaluateImages(data.x.subarray(0, half * 784), half, { real: { x: data.x.slice(half * 784), count: half } });
const realAll = await evaluateImages(data.x, data.count, { metrics: ["score"] });
results.real = { classifierScoreAll10000: realAll.classifierScore, halvesVsHalves: realVsReal };
console.log(JSON.stringify(results.real));
save();

for (const name of presets) {
  const rows: unknown[] = [];
  results[name] = rows;
  const gan = await createGAN(preset(name), { seed: 1, threads: 2, mode: "worker", engine: "wasm" });
  let step = 0, trainSec = 0;
  for (const p of points) {
    const t0 = performance.now();
    if (p > step) await gan.train(data, { steps: p - step });
    trainSec += (performance.now() - t0) / 1000;
    step = p;
    const t1 = performance.now();
    const e = await evaluate(gan, { n, seed: 1 });
    const row = { step, trainSec: +trainSec.toFixed(1), evalSec: +((performance.now() - t1) / 1000).toFixed(1), ...e };
    rows.push(row);
    console.log(name, JSON.stringify(row));
    save();
  }
  await gan.dispose();
}
