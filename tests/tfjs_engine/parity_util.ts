// Runs the WASM engine and the tfjs engine side by side from one seed on the same data and
// measures how far apart they end up (shared by tests/tfjs_engine/*.test.ts and
// bench/tfjs_engine_parity.ts).
// Gauge parameters: a few parameters have an exactly-zero gradient in exact arithmetic, so both
// engines update them from f32 rounding noise, and Adam / RMSProp turn noise of either sign into
// steps of ±lr (their update is scale-free): they drift apart by O(lr) per step without changing
// what the nets compute. They are
//   - the bias of a layer followed directly by batch_norm (batch norm subtracts the batch mean),
//   - the critic's output bias under "wasserstein" (L_D = mean D(G(z)) − mean D(x) and L_G =
//     −mean D(G(z)) + const: a constant shift of D leaves every gradient unchanged; the penalty
//     depends on ∇ₓD only),
// and they are compared apart. Statistics that move with the critic's output bias (dReal, dFake,
// and gLoss under "wasserstein") are compared after adding the bias back (gLoss + b, as
// −mean(D − b) is invariant); dReal / dFake only with dSteps 1 there.
import { validateSpec, roleNet, type LayerSpec, type NormalisedSpec } from "../../src/model/spec.ts";
import { layerInputShapes, convGeometry } from "../../src/model/shapes.ts";
import type { StepStats } from "../../src/engine/wasm_engine.ts";

// Chaos: GAN training amplifies rounding differences (a hinge or relu kink that flips, Adam's
// ±lr steps on cancelling gradients), so after tens of steps two correct engines drift apart by as
// much as one engine drifts from itself when its initial weights move by an ulp or three. nudge() makes
// that reference: every nonzero weight k ulps away from 0 (k > 0) or towards it (k < 0).
export function nudge(w: Float32Array, k: number): Float32Array {
  const c = w.slice(), u = new Uint32Array(c.buffer);
  for (let i = 0; i < u.length; i++) if (c[i] !== 0) u[i] += k;
  return c;
}

export const STAT_KEYS = ["dLoss", "gLoss", "dReal", "dFake", "dGradNorm", "gGradNorm", "penalty"] as const;

// the parameter offsets of each layer, and which are gauge parameters
export function gaugeMask(layers: LayerSpec[], input: number[], outputBiasIsGauge: boolean): { mask: Uint8Array; outputBias: number } {
  const inShapes = layerInputShapes(layers, input); // each layer's input (the layer graph)
  const sizes: [number, number][] = []; // [weights, bias] per layer (0, 0 for none)
  layers.forEach((l, i) => {
    const before = inShapes[i];
    if (l.type === "dense") sizes.push([before[0] * l.units!, l.units!]);
    else if (l.type === "conv2d" || l.type === "conv2d_transpose") {
      const g = convGeometry(l, before);
      sizes.push([g.kh * g.kw * g.cin * g.cout, l.filters!]);
    } else if (l.type === "batch_norm") sizes.push([before.at(-1)!, before.at(-1)!]);
    else sizes.push([0, 0]);
  });
  const total = sizes.reduce((s, [w, b]) => s + w + b, 0);
  const mask = new Uint8Array(total);
  let off = 0, outputBias = -1;
  layers.forEach((l, i) => {
    const [w, b] = sizes[i];
    const hasBias = l.type === "dense" || l.type === "conv2d" || l.type === "conv2d_transpose";
    if (hasBias && layers[i + 1]?.type === "batch_norm") mask.fill(1, off + w, off + w + b);
    if (hasBias && i === layers.length - 1) outputBias = off + w;
    off += w + b;
  });
  if (outputBiasIsGauge && outputBias >= 0) mask[outputBias] = 1;
  return { mask, outputBias };
}

export interface Trace { stats: StepStats[]; dBias: number[] } // per step; dBias: D's output bias after it

export interface Engine {
  train(data: any, o: { steps: number; every?: number; onStep?: (s: StepStats) => void }): Promise<StepStats>;
  getWeights(): { generator: Float32Array; discriminator: Float32Array };
}

export async function trace(gan: Engine, data: unknown, steps: number, outputBias: number): Promise<Trace> {
  const t: Trace = { stats: [], dBias: [] };
  await gan.train(data, { steps, onStep: (s) => { t.stats.push(s); if (outputBias >= 0) t.dBias.push(gan.getWeights().discriminator[outputBias]); } });
  return t;
}

// Statistic k at step t passes when |a_t − b_t| <= STAT_ATOL + STAT_RTOL·max_t |b_t| (its scale over
// the run: a loss that crosses 0, or a critic whose outputs are ~1e-3, is judged against the size
// it has in this run); `ratio` is |a_t − b_t| / that bound (<= 1 passes).
export const STAT_ATOL = 1e-4, STAT_RTOL = 1e-2;

export interface Comparison {
  worstStat: { ratio: number; diff: number; scale: number; step: number; key: string };
  firstStep: number;  // max over statistics of |a_1 − b_1| / (1e-6 + |b_1|)
  weights: { net: string; maxAbs: number; relNorm: number; gaugeMaxAbs: number }[]; // relNorm: ‖a − b‖ / ‖b − b0‖ (non-gauge)
}

export function specGauges(spec: NormalisedSpec) {
  const wass = spec.loss === "wasserstein";
  return {
    G: gaugeMask(roleNet(spec, "generator").layers, roleNet(spec, "generator").input, false),
    D: gaugeMask(roleNet(spec, "discriminator").layers, roleNet(spec, "discriminator").input, wass),
    wass,
  };
}

// a: tfjs, b: WASM (the reference); w0: the common initial weights
export function compare(specIn: unknown, a: Trace, b: Trace, wa: Engine, wb: Engine, w0: { generator: Float32Array; discriminator: Float32Array }): Comparison {
  const spec = validateSpec(specIn);
  const g = specGauges(spec);
  // the statistics with the critic's output bias taken out where it is a gauge
  const series = (t: Trace, key: (typeof STAT_KEYS)[number]): number[] | undefined => {
    if (!g.wass || !["gLoss", "dReal", "dFake"].includes(key)) return t.stats.map((s) => s[key]);
    if (key === "gLoss") return t.stats.map((s, i) => s.gLoss + t.dBias[i]);
    if (spec.dSteps !== 1) return undefined; // evaluated before a D update whose bias is not seen
    return t.stats.map((s, i) => s[key] - (i === 0 ? 0 : t.dBias[i - 1])); // before step i's D update: bias after step i − 1 (equal at 0)
  };
  let worst = { ratio: 0, diff: 0, scale: 0, step: 0, key: "" }, first = 0;
  for (const key of STAT_KEYS) {
    const x = series(a, key), y = series(b, key);
    if (!x || !y) continue;
    const scale = y.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    x.forEach((v, i) => {
      const diff = Math.abs(v - y[i]), ratio = diff / (STAT_ATOL + STAT_RTOL * scale);
      if (!(ratio <= worst.ratio)) worst = { ratio, diff, scale, step: i + 1, key };
      if (i === 0) first = Math.max(first, diff / (1e-6 + Math.abs(y[0])));
    });
  }
  const WA = wa.getWeights(), WB = wb.getWeights();
  const weights = (["generator", "discriminator"] as const).map((net) => {
    const mask = (net === "generator" ? g.G : g.D).mask;
    const x = WA[net], y = WB[net], y0 = w0[net];
    let maxAbs = 0, gaugeMaxAbs = 0, d2 = 0, m2 = 0;
    for (let i = 0; i < y.length; i++) {
      const d = Math.abs(x[i] - y[i]);
      if (mask[i]) { gaugeMaxAbs = Math.max(gaugeMaxAbs, d); continue; }
      maxAbs = Math.max(maxAbs, d);
      d2 += d * d;
      m2 += (y[i] - y0[i]) ** 2;
    }
    return { net, maxAbs, relNorm: Math.sqrt(d2) / Math.sqrt(m2), gaugeMaxAbs };
  });
  return { worstStat: worst, firstStep: first, weights };
}
