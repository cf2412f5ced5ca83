// A dcgan-mnist training run on the bundled digits, scored as it goes: every `evalEvery` steps
// a grid of a fixed latent batch (PNG) and the digit classifier's verdict on 1,000 samples
// (share with confidence >= 0.9, classes present, largest class share). One JSON line per eval.
//   npx tsx bench/experiments/dcgan_run.ts [steps] [evalEvery] [seed] [outDir] [spec overrides as JSON]
import { createWasmGAN as createGAN, preset } from "../../src/index.ts";
import { mnist } from "../../src/data/mnist.ts";
import { digitQuality } from "../../src/eval/digit_classifier.ts";
import { writeImageGrid } from "../../src/io/image_grid.ts";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const steps = Number(process.argv[2] ?? 3000);
const evalEvery = Number(process.argv[3] ?? 500);
const seed = Number(process.argv[4] ?? 1);
const out = process.argv[5] ?? "out/dcgan-run";
const overrides = JSON.parse(process.argv[6] ?? "{}");
mkdirSync(out, { recursive: true });

const data = await mnist();
const spec = { ...preset("dcgan-mnist"), ...overrides };
const gan = await createGAN(spec, { seed });
const fixedZ = gan.latent(64, 12345);
const t0 = performance.now();
for (let s = evalEvery; s <= steps; s += evalEvery) {
  const st = await gan.train(data, { steps: evalEvery });
  const sec = (performance.now() - t0) / 1000;
  await writeImageGrid(join(out, `grid-${String(s).padStart(6, "0")}.png`), gan.generate(fixedZ), 64, 28, 28, 1, { cols: 8, scale: 2 });
  const q = digitQuality(gan.sample(1000, { seed: 99 }), 1000);
  console.log(JSON.stringify({
    seed, step: s, sec: +sec.toFixed(1), msPerStep: +(1000 * sec / s).toFixed(1),
    confident: +q.confidentShare.toFixed(3), classes: q.classesPresent, maxShare: +q.maxClassShare.toFixed(3),
    dLoss: +st.dLoss.toFixed(3), gLoss: +st.gLoss.toFixed(3), dReal: +st.dReal.toFixed(3), dFake: +st.dFake.toFixed(3),
  }));
}

// the generator's weights at the end, for a later look (raw f32, the engine's arena layout)
writeFileSync(join(out, "generator.f32"), gan.getWeights().generator);
