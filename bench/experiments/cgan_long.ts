// cgan-mnist (the plain preset, docs/workloads.md's nets and rates) trained for `steps` in one run and
// scored every `evalEvery` steps exactly as cgan_run.ts does (200 samples per label, latent seed
// 99): for each label k the share the digit classifier calls k, and the share of all 2,000 with
// confidence >= 0.9; here also, per label, the share called k *with* confidence >= 0.9.
// The preset has a constant learning rate and sampling draws from a latent stream of its own
// (running batch-norm statistics are left alone), so the state at step s is that of an s-step
// run: one 10k run gives the 6k and 10k figures. A generator moving average (EMA 0.999) is kept
// alongside; it is never read by training, and its figures are reported separately ("avg").
// At each step listed in `bigAt` a second, larger score is taken (1,000 samples per label,
// latent seed 7), FID on 2,000 samples (latent seed 1, labels 0-9 in turn) against the bundled
// digits' shipped statistics, and a grid with one row per label is written to `figDir`.
//   npx tsx bench/experiments/cgan_long.ts [steps] [evalEvery] [seed] [bigAt, comma list] [figDir]
import { createWasmGAN as createGAN, preset, mnist, classifyDigits, writeImageGrid, saveCheckpoint } from "../../src/index.ts";
import { evaluateImages } from "../../src/eval/evaluate.ts";
import { mkdirSync } from "node:fs";

const steps = Number(process.argv[2] ?? 10000), evalEvery = Number(process.argv[3] ?? 500), seed = Number(process.argv[4] ?? 1);
const bigAt = new Set((process.argv[5] ?? "6000,10000").split(",").map(Number));
const figDir = process.argv[6] ?? "bench/figures";
const outDir = `out/cgan-long-s${seed}`;
mkdirSync(outDir, { recursive: true });
mkdirSync(figDir, { recursive: true });

const data = await mnist();
const gan = await createGAN(preset("cgan-mnist"), { seed });
gan.averageGenerator(0.999);

const round = (v: number) => +v.toFixed(3);
function score(per: number, latentSeed: number, average: boolean) {
  const labels = Int32Array.from({ length: 10 * per }, (_, i) => Math.floor(i / per));
  const x = gan.sample(labels.length, { seed: latentSeed, labels, average });
  const { labels: got, confidences } = classifyDigits(x, labels.length);
  const accuracy: number[] = [], confidentCorrect: number[] = [];
  let confident = 0;
  for (let k = 0; k < 10; k++) {
    let hit = 0, hitConf = 0;
    for (let i = k * per; i < (k + 1) * per; i++) {
      if (got[i] === k) { hit++; if (confidences[i] >= 0.9) hitConf++; }
      if (confidences[i] >= 0.9) confident++;
    }
    accuracy.push(round(hit / per)); confidentCorrect.push(round(hitConf / per));
  }
  const mean = accuracy.reduce((a, b) => a + b, 0) / 10;
  return { minAccuracy: Math.min(...accuracy), meanAccuracy: round(mean), accuracy, confident: round(confident / labels.length), confidentCorrect };
}

const t0 = performance.now();
for (let s = evalEvery; s <= steps; s += evalEvery) {
  const st = await gan.train(data, { steps: evalEvery });
  const sec = +((performance.now() - t0) / 1000).toFixed(0);
  const row: Record<string, unknown> = { seed, step: s, sec, dLoss: round(st.dLoss), gLoss: round(st.gLoss), live: score(200, 99, false), avg: score(200, 99, true) };
  if (bigAt.has(s)) {
    row.live1000 = score(1000, 7, false);
    row.avg1000 = score(1000, 7, true);
    const fid = async (average: boolean) => +(await evaluateImages(gan.sample(2000, { seed: 1, average }), 2000, { metrics: ["fid"] })).fid!.toFixed(2);
    row.fid = { live: await fid(false), avg: await fid(true) };
    // one row per label: row k holds 10 samples asked for digit k
    const grid = Int32Array.from({ length: 100 }, (_, i) => Math.floor(i / 10));
    await writeImageGrid(`${figDir}/cgan-mnist-${s}${seed === 1 ? "" : `-s${seed}`}-rows.png`, gan.sample(100, { seed: 5, labels: grid }), 100, 28, 28, 1, { cols: 10, scale: 2 });
    await saveCheckpoint(`${outDir}/checkpoint-${s}.safetensors`, gan);
  }
  console.log(JSON.stringify(row));
}
