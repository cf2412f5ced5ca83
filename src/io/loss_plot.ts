// Training curves as SVG (no dependencies): one panel per group of series, a shared step axis,
// "nice" ticks, a legend. The y range covers the 1st to 99th percentile of the values (a few
// spikes do not flatten the rest; values outside are drawn at the panel's edge).

export interface Series { name: string; color: string; points: [number, number][]; marks?: boolean } // [step, value]; marks: a dot at each point
export interface Panel { title: string; series: Series[] }

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

// a tick spacing of 1, 2 or 5 times a power of ten; a range of 0 (one point, or a run of 0
// steps) or a non-finite one gets 1, so the tick loops always end
export function niceStep(range: number, target: number): number {
  if (!(range > 0) || !Number.isFinite(range)) return 1;
  const raw = range / Math.max(target, 1);
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  const m = raw / p;
  return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

function fmt(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 10000) return `${+(v / 1000).toFixed(a >= 100000 ? 0 : 1)}k`;
  if (a >= 100) return v.toFixed(0);
  if (a >= 1) return String(+v.toFixed(2));
  return String(+v.toPrecision(2));
}

function quantile(sorted: number[], q: number): number {
  if (!sorted.length) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))));
  return sorted[i];
}

// A stretch of steps drawn behind every panel: progressive growing's phases (src/model/progressive.ts),
// a fade shaded, each phase's start a dashed line, its label on the first panel
export interface Region { from: number; to: number; label: string; shade: boolean }

function regionsSvg(regions: Region[], x0: number, y0: number, w: number, h: number, stepMax: number, labels: boolean): string {
  const L = 56, R = 12, T = 26, B = 30, pw = w - L - R, ph = h - T - B;
  const sx = (s: number) => x0 + L + (pw * Math.min(Math.max(s, 0), stepMax)) / Math.max(stepMax, 1);
  return regions.map((r) => {
    const x = sx(r.from), x2 = sx(r.to);
    return [
      r.shade ? `<rect x="${x.toFixed(1)}" y="${y0 + T}" width="${(x2 - x).toFixed(1)}" height="${ph}" fill="#e8f0fb"/>` : "",
      r.from > 0 ? `<line x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${y0 + T}" y2="${y0 + T + ph}" stroke="#8aa" stroke-dasharray="3,3"/>` : "",
      labels ? `<text x="${((x + x2) / 2).toFixed(1)}" y="${y0 + T + 11}" font-size="10" fill="#468" text-anchor="middle">${esc(r.label)}</text>` : "",
    ].join("");
  }).join("\n");
}

function panelSvg(p: Panel, x0: number, y0: number, w: number, h: number, stepMax: number, regions?: Region[], labels = false): string {
  const L = 56, R = 12, T = 26, B = 30; // margins
  const pw = w - L - R, ph = h - T - B;
  const values = p.series.flatMap((s) => s.points.map((q) => q[1])).filter(Number.isFinite).sort((a, b) => a - b);
  let lo = quantile(values, values.length > 200 ? 0.01 : 0), hi = quantile(values, values.length > 200 ? 0.99 : 1);
  if (!(hi > lo)) { lo -= 1; hi += 1; }
  const pad = 0.08 * (hi - lo);
  lo -= pad; hi += pad;
  const sx = (s: number) => x0 + L + (pw * s) / Math.max(stepMax, 1);
  const sy = (v: number) => y0 + T + ph - (ph * (Math.min(hi, Math.max(lo, v)) - lo)) / (hi - lo);
  const out: string[] = [];
  out.push(`<rect x="${x0 + L}" y="${y0 + T}" width="${pw}" height="${ph}" fill="#fff" stroke="#999"/>`);
  if (regions?.length) out.push(regionsSvg(regions, x0, y0, w, h, stepMax, labels));
  out.push(`<text x="${x0 + L}" y="${y0 + 17}" font-size="13" font-weight="bold">${esc(p.title)}</text>`);
  const ys = niceStep(hi - lo, 5);
  for (let v = Math.ceil(lo / ys) * ys; v <= hi; v += ys) {
    const y = sy(v).toFixed(1);
    out.push(`<line x1="${x0 + L}" x2="${x0 + L + pw}" y1="${y}" y2="${y}" stroke="#eee"/>`);
    out.push(`<text x="${x0 + L - 5}" y="${y}" font-size="11" text-anchor="end" dominant-baseline="middle">${fmt(+v.toPrecision(6))}</text>`);
  }
  const xs = niceStep(stepMax, 6);
  for (let s = 0; s <= stepMax; s += xs) {
    const x = sx(s).toFixed(1);
    out.push(`<line x1="${x}" x2="${x}" y1="${y0 + T + ph}" y2="${y0 + T + ph + 4}" stroke="#999"/>`);
    out.push(`<text x="${x}" y="${y0 + T + ph + 16}" font-size="11" text-anchor="middle">${fmt(s)}</text>`);
  }
  out.push(`<text x="${x0 + L + pw / 2}" y="${y0 + h - 2}" font-size="11" text-anchor="middle">step</text>`);
  let lx = x0 + L + pw;
  for (const s of [...p.series].reverse()) {
    const label = esc(s.name);
    lx -= 14 + 7 * s.name.length + 16;
    out.push(`<line x1="${lx}" x2="${lx + 14}" y1="${y0 + 13}" y2="${y0 + 13}" stroke="${s.color}" stroke-width="2"/>`);
    out.push(`<text x="${lx + 18}" y="${y0 + 17}" font-size="12">${label}</text>`);
  }
  for (const s of p.series) {
    const pts = s.points.filter((q) => Number.isFinite(q[1])).map((q) => `${sx(q[0]).toFixed(1)},${sy(q[1]).toFixed(1)}`);
    if (pts.length) out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="1.2" points="${pts.join(" ")}"/>`);
    if (s.marks) for (const p of pts) { const [x, y] = p.split(","); out.push(`<circle cx="${x}" cy="${y}" r="2.5" fill="${s.color}"/>`); }
  }
  return out.join("\n");
}

// A stretch of steps a health detector spent warning or firing (src/health/monitor.ts)
export interface BandInterval { detector: string; state: "warning" | "firing"; from: number; to: number }
export interface Band { rows: string[]; intervals: BandInterval[] }

const BAND_ROW = 18, BAND_TOP = 24, BAND_BOTTOM = 10;
const bandHeight = (b: Band) => BAND_TOP + BAND_ROW * b.rows.length + BAND_BOTTOM;

// The health band: one row per detector on the panels' step axis, amber where it warned, red
// where it fired, grey (nothing) where it was ok.
function bandSvg(b: Band, y0: number, w: number, stepMax: number): string {
  const L = 56, R = 12, pw = w - L - R;
  const sx = (s: number) => L + (pw * Math.min(Math.max(s, 0), stepMax)) / Math.max(stepMax, 1);
  const out = [`<text x="${L}" y="${y0 + 17}" font-size="13" font-weight="bold">training health</text>`,
    `<text x="${L + pw}" y="${y0 + 17}" font-size="11" text-anchor="end"><tspan fill="#e6a100">■</tspan> warning <tspan fill="#d62728">■</tspan> firing</text>`];
  b.rows.forEach((name, i) => {
    const y = y0 + BAND_TOP + i * BAND_ROW;
    out.push(`<rect x="${L}" y="${y}" width="${pw}" height="${BAND_ROW - 4}" fill="#eee"/>`);
    out.push(`<text x="${L - 5}" y="${y + (BAND_ROW - 4) / 2}" font-size="10" text-anchor="end" dominant-baseline="middle">${esc(name)}</text>`);
    for (const iv of b.intervals.filter((v) => v.detector === name)) {
      const x = sx(iv.from), x2 = Math.max(sx(iv.to), x + 1.5);
      out.push(`<rect x="${x.toFixed(1)}" y="${y}" width="${(x2 - x).toFixed(1)}" height="${BAND_ROW - 4}" fill="${iv.state === "firing" ? "#d62728" : "#e6a100"}"><title>${esc(`${name}: ${iv.state}, steps ${iv.from}-${iv.to}`)}</title></rect>`);
    }
  });
  return out.join("\n");
}

// Panels stacked vertically (and the health band under them); steps run from 0 to the largest
// step seen (or `steps`).
// `regions`: stretches drawn behind every panel (labelled on the first)
export function lineChartSvg(panels: Panel[], { width = 760, panelHeight = 240, steps, band, regions }: { width?: number; panelHeight?: number; steps?: number; band?: Band; regions?: Region[] } = {}): string {
  const stepMax = steps ?? Math.max(1, ...panels.flatMap((p) => p.series.flatMap((s) => s.points.map((q) => q[0]))));
  const height = panelHeight * panels.length + (band ? bandHeight(band) : 0);
  const body = panels.map((p, i) => panelSvg(p, 0, i * panelHeight, width, panelHeight, stepMax, regions, i === 0)).join("\n")
    + (band ? "\n" + bandSvg(band, panelHeight * panels.length, width, stepMax) : "");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">\n<rect width="100%" height="100%" fill="#fafafa"/>\n${body}\n</svg>\n`;
}

export interface CurvePoint { step: number; dLoss: number; gLoss: number; dReal: number; dFake: number }

// The training curves of a run: losses, and D's mean outputs on real and generated samples.
// `health`: the detectors' warning and firing stretches, drawn as a band under the curves (a row
// for each of the three detectors, and any other named in an interval).
export const HEALTH_ROWS = ["vanishing-G", "mode-collapse", "unstable"];
// Progressive growing: `phases` shade each fade and mark each phase's start on every panel, and
// `alpha` ([step, α] points: the fade blends' α) adds a panel under the curves.
export function trainingCurvesSvg(points: CurvePoint[], options: { steps?: number; outputLabel?: string; health?: BandInterval[]; phases?: Region[]; alpha?: [number, number][] } = {}): string {
  const series = (name: string, color: string, key: keyof CurvePoint): Series => ({ name, color, points: points.map((p) => [p.step, p[key]]) });
  return lineChartSvg([
    { title: "losses", series: [series("D loss", "#d62728", "dLoss"), series("G loss", "#1f77b4", "gLoss")] },
    { title: options.outputLabel ?? "discriminator outputs", series: [series("D(x)", "#2ca02c", "dReal"), series("D(G(z))", "#9467bd", "dFake")] },
    ...(options.alpha ? [{ title: "fade α (the new block's weight in both nets' blend)", series: [{ name: "α", color: "#17becf", points: options.alpha }] }] : []),
  ], { steps: options.steps, regions: options.phases, band: options.health && { rows: [...new Set([...HEALTH_ROWS, ...options.health.map((h) => h.detector)])], intervals: options.health } });
}

// The evaluations of a run (train --eval-every): one small panel per metric (their scales differ
// by orders of magnitude: FID in the hundreds, precision in [0, 1]), points joined over steps.
// `lines`: the {step, n, ...numbers} records; `keys`: the numbers to draw, in panel order;
// `best`: the kept best, a black dot in its metric's panel.
const EVAL_COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"];
export function evalCurvesSvg(lines: Record<string, number | null>[], keys: string[], options: { steps?: number; best?: { metric: string; step: number; value: number } } = {}): string {
  const { best } = options;
  const panels: Panel[] = keys.map((k, i) => ({
    title: `${k} (n ${[...new Set(lines.map((l) => l.n))].join(", ")})${best?.metric === k ? `, best at step ${best.step.toLocaleString("en")}` : ""}`,
    series: [
      { name: k, color: EVAL_COLORS[i % EVAL_COLORS.length], points: lines.map((l) => [l.step as number, l[k] ?? NaN] as [number, number]), marks: true },
      ...(best?.metric === k ? [{ name: "best", color: "#000", points: [[best.step, best.value]] as [number, number][], marks: true }] : []),
    ],
  }));
  return lineChartSvg(panels, { steps: options.steps, panelHeight: 150 });
}
