// Memory of a dcgan-mnist training process over a long run: is it flat?
// Trains preset("dcgan-mnist") (seed 1, strict build) on the bundled MNIST digits (random data of
// the same shape if src/data/mnist.ts has no loader) and every `every` steps samples
// process.memoryUsage() (rss, heapTotal, heapUsed, external, arrayBuffers), the wasm linear
// memory's size and the process's peak RSS so far (process.resourceUsage().maxRSS). Prints the
// samples, the growth from step 200 (the warm baseline: allocations are all made when the model
// is built, the first steps settle JIT tiers and GC heaps) to the end and the least-squares slope
// of rss over the same span; writes bench/dcgan-memory.json.
// Usage: node --expose-gc --import tsx bench/dcgan_memory.ts [--steps 2000] [--every 100]
//   (--expose-gc: a full GC before each sample, so heapUsed is live data rather than garbage;
//   without it the samples are taken as they fall). 2,000 steps take several minutes.
import { writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { createWasmGAN as createGAN, preset } from "../src/index.ts";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} needs a positive integer`);
  return v;
};
const steps = arg("steps", 2000);
const every = Math.min(arg("every", 100), steps);
const X = 28 * 28;
const gc = (globalThis as { gc?: () => void }).gc;

let data: Float32Array, dataSource: string;
const mnistModule = await import("../src/data/mnist.ts").catch(() => undefined);
if (typeof mnistModule?.mnist === "function") {
  data = (await mnistModule.mnist()).x;
  dataSource = `bundled MNIST, ${data.length / X} digits`;
} else {
  let a = 12345;
  data = Float32Array.from({ length: 10_000 * X }, () => ((a = (Math.imul(a, 1103515245) + 12345) >>> 0) / 2 ** 31) - 1);
  dataSource = "random data in [-1, 1], 10000 x [28, 28, 1] (no MNIST loader)";
}

const gan = await createGAN(preset("dcgan-mnist"), { seed: 1 });
gan.setData(data);
const MB = 1024 * 1024;
interface Sample {
  step: number; seconds: number; rss: number; heapTotal: number; heapUsed: number; external: number; arrayBuffers: number;
  wasmMemory: number; peakRss: number; dLoss: number; gLoss: number;
}
const samples: Sample[] = [];
const t0 = performance.now();
const take = (step: number) => {
  gc?.();
  const m = process.memoryUsage();
  const st = gan.stats();
  const s: Sample = {
    step, seconds: (performance.now() - t0) / 1000, rss: m.rss, heapTotal: m.heapTotal, heapUsed: m.heapUsed,
    external: m.external, arrayBuffers: m.arrayBuffers, wasmMemory: gan.raw.wasm.memory.buffer.byteLength,
    peakRss: process.resourceUsage().maxRSS * 1024, dLoss: st.dLoss, gLoss: st.gLoss,
  };
  samples.push(s);
  const f = (b: number) => (b / MB).toFixed(2).padStart(8);
  console.log(`| ${String(step).padStart(5)} | ${s.seconds.toFixed(1).padStart(7)} | ${f(s.rss)} | ${f(s.heapTotal)} | ${f(s.heapUsed)} | ${f(s.external)} | ${f(s.arrayBuffers)} | ${f(s.wasmMemory)} | ${f(s.peakRss)} | ${st.dLoss.toFixed(3)} / ${st.gLoss.toFixed(3)} |`);
};

const startLoad = loadavg().map((x) => +x.toFixed(2));
console.log(`dcgan-mnist memory over ${steps} steps (sample every ${every}), node ${process.versions.node}, data: ${dataSource}, ` +
  `GC before each sample: ${gc ? "yes" : "no (run with --expose-gc for that)"}, load average ${startLoad.join(" ")}`);
console.log("| step | seconds | rss MB | heapTotal MB | heapUsed MB | external MB | arrayBuffers MB | wasm memory MB | peak rss MB | D / G loss |");
console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
take(0);
for (let done = 0; done < steps;) {
  const n = Math.min(every, steps - done);
  await gan.train(data, { steps: n });
  done += n;
  take(done);
}

// growth from the warm baseline (step 200; the first sample after 0 when the run is shorter)
const base = samples.find((s) => s.step >= 200 && s.step < steps) ?? samples[1] ?? samples[0];
const end = samples.at(-1)!;
const keys = ["rss", "heapTotal", "heapUsed", "external", "arrayBuffers", "wasmMemory", "peakRss"] as const;
const growth = Object.fromEntries(keys.map((k) => [k, end[k] - base[k]])) as Record<(typeof keys)[number], number>;
const span = samples.filter((s) => s.step >= base.step);
const slope = (k: (typeof keys)[number]) => { // bytes per 1,000 steps, least squares
  if (span.length < 2) return 0;
  const mx = span.reduce((a, s) => a + s.step, 0) / span.length, my = span.reduce((a, s) => a + s[k], 0) / span.length;
  const sxy = span.reduce((a, s) => a + (s.step - mx) * (s[k] - my), 0), sxx = span.reduce((a, s) => a + (s.step - mx) ** 2, 0);
  return (1000 * sxy) / sxx;
};
const slopes = Object.fromEntries(keys.map((k) => [k, slope(k)])) as Record<(typeof keys)[number], number>;
console.log(`\ngrowth from step ${base.step} to step ${end.step}:`);
for (const k of keys) console.log(`  ${k.padEnd(12)} ${(growth[k] >= 0 ? "+" : "") + (growth[k] / MB).toFixed(2)} MB   (slope ${(slopes[k] / MB).toFixed(3)} MB per 1,000 steps)`);
console.log(`peak rss of the process: ${(end.peakRss / MB).toFixed(1)} MB; wasm linear memory ${(end.wasmMemory / MB).toFixed(1)} MB ` +
  `(${growth.wasmMemory === 0 ? "unchanged" : "CHANGED"} since step ${base.step}); ${(end.seconds / steps * 1000).toFixed(0)} ms a step on average`);
const endLoad = loadavg().map((x) => +x.toFixed(2));
console.log(`load average at start ${startLoad.join(" ")}, at end ${endLoad.join(" ")}`);

writeFileSync(new URL("./dcgan-memory.json", import.meta.url), JSON.stringify({
  date: new Date().toISOString(), node: process.versions.node, steps, every, data: dataSource, gcBeforeSample: Boolean(gc),
  loadAverage: { start: startLoad, end: endLoad }, baselineStep: base.step,
  growthBytes: growth, slopeBytesPer1000Steps: slopes, peakRssBytes: end.peakRss, samples,
}, null, 2) + "\n");
