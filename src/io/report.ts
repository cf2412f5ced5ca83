// A self-contained HTML report of a training run: settings and final numbers, the training
// curves (inline SVG) and the sample pictures over time (inline PNG data URIs), one file that
// opens anywhere without its directory.

export interface ReportInput {
  title: string;
  facts: [string, string][];                  // a small table: setting or measure, value
  curvesSvg: string;                          // trainingCurvesSvg(...)
  snapshots: { step: number; png: Uint8Array }[]; // in step order
  note?: string;                              // one line under the title (e.g. the final metrics)
  // the health monitor's changes of state (src/health/), listed under the curves (whose band
  // shows the same stretches)
  health?: { step: number; detector: string; state: string; advice: string; evidence: Record<string, unknown> }[];
  evalSvg?: string;                           // evalCurvesSvg(...): the evaluations over steps (train --eval-every)
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

export function base64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export function reportHtml(r: ReportInput): string {
  const rows = r.facts.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join("\n");
  const health = !r.health ? "" : r.health.length === 0 ? "<p>No detector warned or fired.</p>"
    : `<table class="health">\n<tr><th>step</th><th>detector</th><th>state</th><th>evidence</th><th>advice</th></tr>\n${r.health.map((e) =>
      `<tr><td>${e.step.toLocaleString("en")}</td><td>${esc(e.detector)}</td><td class="${esc(e.state)}">${esc(e.state)}</td><td>${esc(Object.entries(e.evidence).map(([k, v]) => `${k} ${v}`).join(", "))}</td><td>${esc(e.advice)}</td></tr>`).join("\n")}\n</table>`;
  const shots = r.snapshots.map((s) =>
    `<figure><img src="data:image/png;base64,${base64(s.png)}" alt="samples at step ${s.step}"><figcaption>step ${s.step.toLocaleString("en")}</figcaption></figure>`).join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(r.title)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 24px; color: #222; max-width: 1200px; }
table { border-collapse: collapse; margin: 12px 0; font-size: 14px; }
th, td { text-align: left; padding: 3px 12px 3px 0; vertical-align: top; }
th { font-weight: 600; color: #555; }
.grid { display: flex; flex-wrap: wrap; gap: 12px; }
figure { margin: 0; } figure img { max-width: 360px; image-rendering: pixelated; border: 1px solid #ddd; }
figcaption { font-size: 13px; color: #555; text-align: center; }
table.health td { font-size: 13px; } td.warning { color: #b07a00; font-weight: 600; } td.firing { color: #d62728; font-weight: 600; }
</style></head>
<body>
<h1>${esc(r.title)}</h1>
${r.note ? `<p>${esc(r.note)}</p>` : ""}
<table>
${rows}
</table>
<h2>Training curves</h2>
${r.curvesSvg}
${r.health ? `<h2>Training health</h2>\n${health}` : ""}
${r.evalSvg ? `<h2>Evaluation</h2>\n${r.evalSvg}` : ""}
<h2>Samples over time</h2>
<div class="grid">
${shots}
</div>
</body></html>
`;
}
