// The CycleGAN measure (issue 18; Zhu et al. 2017): the cyclegan-digits preset (A = digits, B =
// digits under a known exact transform, disjoint training halves: src/data/cycle_digits.ts) trained
// for `steps`, once with the cycle loss (λ = 10, identity 0.5·λ) and once without (λ = 0: no
// cycle and no identity term), same seeds. On the 2,000 held-out digits (8000..9999):
//   a2b: G(a), the transform undone, classified by the project's digit classifier
//        (src/eval/digit_classifier.ts): the share recognised as a's own digit
//   b2a: F(b) (already in domain A), classified: the share recognised as the source digit of b
//   cycle L1: mean |F(G(a)) − a| and mean |G(F(b)) − b| (images in [−1, 1])
// and for scale: the classifier on the held-out digits themselves, and on the B images with the
// transform NOT undone (what a translation that did nothing would score). Each run writes its
// rows A | G(A) | F(G(A)) and B | F(B) | G(F(B)) (8 digits each) to bench/figures/ (named with the
// step count where it is not the preset's 4,000).
//   npx tsx bench/experiments/cyclegan_digits.ts [steps=4000] [seeds=1] [lambdas=10,0] [transform=invert] [out=bench/cyclegan-digits-results.json] [nets=ngf8-ndf16]
// nets: the first-layer filters of the generators and the PatchGANs (the preset's: ngf 8, ndf 16;
// ndf 8 before); every run and figure name carries them, except the preset's figures.
import { mkdirSync, readFileSync, existsSync } from "node:fs";
import { CycleGAN } from "../../src/engine/cycle_engine.ts";
import { cyclePreset, CYCLE_PRESET_STEPS } from "../../src/model/cyclegan_preset.ts";
import { cycleDigits, transformDigits, type DigitTransform } from "../../src/data/cycle_digits.ts";
import { classifyDigits } from "../../src/eval/digit_classifier.ts";
import { writeImageGrid } from "../../src/io/image_grid.ts";
import { writeFileAtomic } from "../../src/io/files.ts";

const steps = Number(process.argv[2] ?? 4000);
const seeds = (process.argv[3] ?? "1").split(",").map(Number);
const lambdas = (process.argv[4] ?? "10,0").split(",").map(Number);
const transform = (process.argv[5] ?? "invert") as DigitTransform;
const outPath = process.argv[6] ?? "bench/cyclegan-digits-results.json";
const nets = process.argv[7] ?? "ngf8-ndf16";
const netsMatch = /^ngf(\d+)-ndf(\d+)$/.exec(nets);
if (!netsMatch) throw new Error(`nets ${JSON.stringify(nets)}: expected ngfN-ndfM, e.g. ngf8-ndf16`);
const ngf = Number(netsMatch[1]), ndf = Number(netsMatch[2]);
const netsTag = nets === "ngf8-ndf16" ? "" : `-${nets}`;
mkdirSync("bench/figures", { recursive: true });

const train = await cycleDigits({ transform, split: "train" });
const test = await cycleDigits({ transform, split: "test" });
const n = test.a.count, X = 784, labels = test.a.labels!;
const round = (v: number) => +v.toFixed(4);
const share = (x: Float32Array) => { const got = classifyDigits(x, n).labels; let k = 0; for (let i = 0; i < n; i++) if (got[i] === labels[i]) k++; return round(k / n); };
const l1 = (x: Float32Array, y: Float32Array) => { let s = 0; for (let i = 0; i < x.length; i++) s += Math.abs(x[i] - y[i]); return round(s / x.length); };

const scale = { heldOut: share(test.a.x), untranslatedB: share(test.b.x) };
console.log(`classifier on the held-out digits ${scale.heldOut}; on B with the transform not undone ${scale.untranslatedB}`);

const runs: Record<string, unknown>[] = existsSync(outPath) ? JSON.parse(readFileSync(outPath, "utf8")).runs ?? [] : [];
for (const seed of seeds) {
  for (const lambda of lambdas) {
    const gan = await CycleGAN.create(cyclePreset("cyclegan-digits", { steps, lambda, ngf, ndf }), { seed });
    const t0 = performance.now();
    gan.train(train.a.x, train.b.x, { steps, every: 500, onStep: (s) => console.log(`seed ${seed} λ ${lambda} step ${s.step}: dA ${s.dALoss.toFixed(3)} dB ${s.dBLoss.toFixed(3)} G adv ${s.gAdv.toFixed(3)} F adv ${s.fAdv.toFixed(3)} rec ${s.recA.toFixed(3)}/${s.recB.toFixed(3)} (${((performance.now() - t0) / s.step).toFixed(0)} ms/step)`) });
    const seconds = (performance.now() - t0) / 1000;
    const gA = gan.translate(test.a.x, { direction: "a2b" }), fB = gan.translate(test.b.x, { direction: "b2a" });
    const fgA = gan.translate(gA, { direction: "b2a" }), gfB = gan.translate(fB, { direction: "a2b" });
    const run = {
      seed, lambda, steps, transform, ngf, ndf, secondsPer1000Steps: round((1000 * seconds) / steps),
      a2b: share(transformDigits(gA, transform, true)), b2a: share(fB),
      cycleL1A: l1(fgA, test.a.x), cycleL1B: l1(gfB, test.b.x),
    };
    console.log(JSON.stringify(run));
    runs.push(run);
    // rows: A | G(A) | F(G(A)) then B | F(B) | G(F(B)), 8 digits each
    const rows = [test.a.x, gA, fgA, test.b.x, fB, gfB].map((x) => x.subarray(0, 8 * X));
    const grid = new Float32Array(48 * X);
    rows.forEach((r, i) => grid.set(r, i * 8 * X));
    await writeImageGrid(`bench/figures/cyclegan-digits-${transform}-s${seed}-l${lambda}${steps === CYCLE_PRESET_STEPS ? "" : `-${steps}`}${netsTag}.png`, grid, 48, 28, 28, 1, { cols: 8, scale: 2 });
    await writeFileAtomic(outPath, JSON.stringify({ scale, runs }, null, 2) + "\n");
  }
}
