// Progressive growing (Karras, Aila, Laine & Lehtinen 2018, "Progressive Growing of GANs for
// Improved Quality, Stability, and Variation"; the official code tkarras/progressive_growing_of_gans,
// scaled down): a generator and a discriminator that start at 4×4 and gain a block per doubling
// of the resolution. A run is a list of phases, each counted in images seen (steps = images /
// batchSize): the start resolution's stable phase, then for each doubling a fade phase (the new
// block blended in with α ramped linearly from 0 towards 1: src/train/progressive.ts) and a
// stable phase (the new block alone). Each phase has its own spec (phaseSpec), nets named so
// that every trained tensor keeps its name (`G.g8_conv0.kernel`) from the phase that adds it to
// the end: the growing run carries them over by name.
//   G (resolution R):  z -> pixel_norm -> dense 4·4·C₄ (gain √2/4) -> reshape [4, 4, C₄] -> lrelu
//     -> pixel_norm -> conv 3×3 C₄ -> lrelu -> pixel_norm  ("g4")
//     for r = 8 .. R: upsample -> (conv 3×3 C_r -> lrelu -> pixel_norm) ×2  ("g<r>")
//     -> toRGB: conv 1×1 to the image's channels (gain 1), linear              ("rgb<R>")
//     fade at R: blend(rgb<R>(g<R>), upsample(rgb<R/2>(g<R/2>))) named "fade"
//   D (resolution R):  x -> fromRGB: conv 1×1 C_R -> lrelu                       ("from<R>")
//     for r = R .. 8: conv 3×3 C_r -> lrelu -> conv 3×3 C_{r/2} -> lrelu -> avg_pool ("d<r>")
//     fade at R: blend(d<R>(from<R>(x)), from<R/2>(avg_pool(x))) named "fade", before d<R/2>
//     at 4×4: minibatch_std -> conv 3×3 C₄ -> lrelu -> flatten -> dense C₄ -> lrelu -> dense 1 (gain 1)
// Every dense and conv has equalised learning rate (gain √2 unless said), leaky ReLU slope 0.2,
// as the official networks.py; one D step per G step, Adam (0, 0.99, ε 1e-8); the loss WGAN-GP
// (λ 10) with the drift term (ε_drift 0.001) as the paper, or non-saturating with R1 (the preset's).
import type { ShorthandSpec, LayerSpec, OptimizerSpec } from "./spec.ts";

export interface ProgressiveConfig {
  name: string;
  latentDim: number;
  imageChannels: number;              // the data's channels (1 for MNIST)
  resolutions: number[];              // 4, 8, ... doubling (4 → 32: [4, 8, 16, 32])
  channels: Record<number, number>;   // C_r: feature maps at each resolution
  batchSize: number;
  fadeImages: number;                 // images seen in each fade phase
  stableImages: number;               // images seen in each stable phase (the first resolution's too)
  finalImages?: number;               // the last resolution's stable phase (default stableImages): the official
                                      // code trains on at full resolution until its total
  loss?: "wasserstein" | "non-saturating"; // default wasserstein with gradientPenalty and drift
  gradientPenalty?: number;           // default 10 (wasserstein)
  drift?: number;                     // default 0.001 (wasserstein)
  r1?: number;                        // non-saturating only: R1 on the reals, γ (StyleGAN's pairing; default none)
  optimizer?: OptimizerSpec;          // both nets; default Adam 1e-3 (0, 0.99, 1e-8)
  groupSize?: number;                 // minibatch std (default 4)
  emaDecay?: number;                  // the sampling generator's moving average (default 0.999)
  alphaEvery?: number;                // steps between α updates in a fade (default 1: every step)
}

export interface Phase {
  index: number;
  resolution: number;
  kind: "fade" | "stable";
  start: number;   // the global step the phase starts at
  steps: number;
}

const lrelu: LayerSpec = { type: "leaky_relu", alpha: 0.2 };
const conv = (filters: number, k: number, name?: string, gain?: number): LayerSpec =>
  ({ type: "conv2d", filters, kernelSize: k, padding: "same", equalizedLr: gain ?? true, ...(name ? { name } : {}) });

export class ProgressiveError extends Error {}

export function checkProgressive(c: ProgressiveConfig): void {
  const fail = (field: string, why: string): never => { throw new ProgressiveError(`progressive.${field}: ${why}`); };
  const r = c.resolutions;
  if (!Array.isArray(r) || r.length === 0 || r[0] !== 4 || r.some((v, i) => i > 0 && v !== 2 * r[i - 1])) fail("resolutions", `must start at 4 and double each time, e.g. [4, 8, 16, 32] (got ${JSON.stringify(r)})`);
  for (const res of r) if (!(Number.isInteger(c.channels[res]) && c.channels[res] >= 1)) fail(`channels.${res}`, `must be a positive integer (feature maps at ${res}×${res}) (got ${c.channels[res]})`);
  for (const k of ["fadeImages", "stableImages", "finalImages"] as const) {
    const v = c[k];
    if (v === undefined && k === "finalImages") continue;
    if (!(v !== undefined && Number.isInteger(v) && v >= c.batchSize && v % c.batchSize === 0)) fail(k, `must be a positive multiple of batchSize ${c.batchSize} (got ${v})`);
  }
  if (c.r1 !== undefined && (c.loss ?? "wasserstein") === "wasserstein") fail("r1", "is for the non-saturating loss; the wasserstein loss takes gradientPenalty");
  if (c.alphaEvery !== undefined && !(Number.isInteger(c.alphaEvery) && c.alphaEvery >= 1)) fail("alphaEvery", `must be an integer >= 1 (got ${c.alphaEvery})`);
}

// the phases in order: the first resolution stable, then fade + stable per doubling
export function phases(c: ProgressiveConfig): Phase[] {
  checkProgressive(c);
  const out: Phase[] = [];
  let start = 0;
  const push = (resolution: number, kind: Phase["kind"], images: number) => {
    const steps = images / c.batchSize;
    out.push({ index: out.length, resolution, kind, start, steps });
    start += steps;
  };
  c.resolutions.forEach((res, i) => {
    if (i > 0) push(res, "fade", c.fadeImages);
    push(res, "stable", i === c.resolutions.length - 1 ? c.finalImages ?? c.stableImages : c.stableImages);
  });
  return out;
}

// the phase a global step falls in (the last phase for the run's final step)
export function phaseAt(list: Phase[], step: number): Phase {
  return list.find((p) => step < p.start + p.steps) ?? list.at(-1)!;
}

// α of a fade phase before the step `step` (global): images seen in the phase / its images,
// moved every alphaEvery steps: α = alphaEvery·floor(k / alphaEvery) / steps, k = step − start;
// 1 once the phase is done (k = steps)
export function fadeAlpha(p: Phase, step: number, alphaEvery = 1): number {
  if (p.kind !== "fade") return 1;
  const k = Math.min(Math.max(step - p.start, 0), p.steps);
  return k >= p.steps ? 1 : (alphaEvery * Math.floor(k / alphaEvery)) / p.steps;
}

function generator(c: ProgressiveConfig, R: number, fade: boolean): LayerSpec[] {
  const C = (r: number) => c.channels[r];
  const L: LayerSpec[] = [
    { type: "pixel_norm", name: "z_norm" },
    { type: "dense", units: 16 * C(4), equalizedLr: Math.SQRT2 / 4, name: "g4_dense" }, { type: "reshape", targetShape: [4, 4, C(4)] }, lrelu,
    { type: "pixel_norm" }, conv(C(4), 3, "g4_conv"), lrelu, { type: "pixel_norm", name: "g4" },
  ];
  for (let r = 8; r <= R; r *= 2) {
    L.push({ type: "upsample", inputs: [`g${r / 2}`] }, conv(C(r), 3, `g${r}_conv0`), lrelu, { type: "pixel_norm" },
      conv(C(r), 3, `g${r}_conv1`), lrelu, { type: "pixel_norm", name: `g${r}` });
  }
  L.push({ ...conv(c.imageChannels, 1, `rgb${R}`, 1), inputs: [`g${R}`] });
  if (fade) {
    L.push({ ...conv(c.imageChannels, 1, `rgb${R / 2}`, 1), inputs: [`g${R / 2}`] }, { type: "upsample", name: `rgb${R / 2}_up` },
      { type: "blend", inputs: [`rgb${R}`, `rgb${R / 2}_up`], name: "fade" });
  }
  return L;
}

function discriminator(c: ProgressiveConfig, R: number, fade: boolean): LayerSpec[] {
  const C = (r: number) => c.channels[r];
  const block = (r: number): LayerSpec[] => [conv(C(r), 3, `d${r}_conv0`), lrelu, conv(C(r / 2), 3, `d${r}_conv1`), lrelu, { type: "avg_pool", name: `d${r}` }];
  const L: LayerSpec[] = [conv(C(R), 1, `from${R}`), { ...lrelu, name: `from${R}_act` }];
  if (R > 4) L.push(...block(R));
  if (fade) {
    L.push({ type: "avg_pool", inputs: ["input"], name: `down${R}` }, conv(C(R / 2), 1, `from${R / 2}`), { ...lrelu, name: `from${R / 2}_act` },
      { type: "blend", inputs: [`d${R}`, `from${R / 2}_act`], name: "fade" });
  }
  for (let r = R / 2; r >= 8; r /= 2) L.push(...block(r));
  L.push({ type: "minibatch_std", groupSize: c.groupSize ?? 4 }, conv(C(4), 3, "d4_conv"), lrelu, { type: "flatten" },
    { type: "dense", units: C(4), equalizedLr: true, name: "d4_dense" }, lrelu, { type: "dense", units: 1, equalizedLr: 1, name: "d4_out" });
  return L;
}

// the spec of one phase: images of the phase's resolution, nets as in the header
export function phaseSpec(c: ProgressiveConfig, p: Phase): ShorthandSpec {
  const fade = p.kind === "fade";
  const loss = c.loss ?? "wasserstein";
  const opt: OptimizerSpec = c.optimizer ?? { type: "adam", lr: 1e-3, beta1: 0, beta2: 0.99, eps: 1e-8 };
  return {
    name: `${c.name}@${p.resolution}${fade ? "-fade" : ""}`,
    latentDim: c.latentDim,
    dataShape: [p.resolution, p.resolution, c.imageChannels],
    generator: generator(c, p.resolution, fade),
    discriminator: discriminator(c, p.resolution, fade),
    loss, batchSize: c.batchSize, dSteps: 1,
    ...(loss === "wasserstein" ? { gradientPenalty: c.gradientPenalty ?? 10, drift: c.drift ?? 0.001 } : c.r1 ? { r1: c.r1 } : {}),
    optimizer: { generator: opt, discriminator: opt },
  };
}

// pggan-mnist32: the bundled digits padded to 32×32, 4×4 → 32×32 (src/data/progressive_data.ts).
// The official schedule scaled down: 16,000 images a phase (the paper's 600k / 800k), batch 16
// (the paper's at low resolutions), feature maps halving with each doubling from 64 at 4×4 (as
// the official nf(stage) does from 512) so every conv costs the same; α moves every 20 steps
// (320 images: 50 levels a fade; the official code every minibatch), since each move re-blends
// the reals; the generator's average at decay 0.99 (a half-life of 69 steps, 1,100 images, 7% of
// a phase: the official 0.999 at batch 16 is ~11k images, 2% of its 600k-image phases, and
// 0.999 here would lag a whole phase). The last phase runs 112,000 images (7,000 steps), as the
// official code trains on at full resolution. The loss: non-saturating with R1 γ 10 (StyleGAN's
// pairing) by default, which beat the paper's WGAN-GP + drift on each of seeds 1–5 (README,
// bench/pggan-seeds-results.json); `pgganMnist32("wasserstein")` is the paper's.
export function pgganMnist32(loss: "non-saturating" | "wasserstein" = "non-saturating"): ProgressiveConfig {
  return {
    name: "pggan-mnist32", latentDim: 64, imageChannels: 1, resolutions: [4, 8, 16, 32],
    channels: { 4: 64, 8: 32, 16: 16, 32: 8 }, batchSize: 16, fadeImages: 16_000, stableImages: 16_000, finalImages: 112_000,
    ...(loss === "wasserstein" ? { loss, gradientPenalty: 10, drift: 0.001 } : { loss, r1: 10 }),
    optimizer: { type: "adam", lr: 1e-3, beta1: 0, beta2: 0.99, eps: 1e-8 },
    groupSize: 4, emaDecay: 0.99, alphaEvery: 20,
  };
}

// the phases as the report's curves draw them (src/io/loss_plot.ts Region), and α over the run
// at each phase's start, at each α move and at each phase's end ([step, α] points)
export function phaseRegions(list: Phase[]): { from: number; to: number; label: string; shade: boolean }[] {
  return list.map((p) => ({ from: p.start, to: p.start + p.steps, label: `${p.resolution}²${p.kind === "fade" ? " fade" : ""}`, shade: p.kind === "fade" }));
}
export function alphaCurve(list: Phase[], alphaEvery = 1): [number, number][] {
  const out: [number, number][] = [];
  for (const p of list) {
    if (p.kind !== "fade") { out.push([p.start, 1], [p.start + p.steps, 1]); continue; }
    for (let k = 0; k < p.steps; k += alphaEvery) out.push([p.start + k, fadeAlpha(p, p.start + k, alphaEvery)], [Math.min(p.start + k + alphaEvery, p.start + p.steps), fadeAlpha(p, p.start + k, alphaEvery)]);
    out.push([p.start + p.steps, 1]);
  }
  return out;
}
