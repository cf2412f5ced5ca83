// The loaders' fuzz harness (issue 16, item 4): mutated real files (tests/util/fuzz_targets.ts,
// mutations in tests/util/fuzz_mutate.ts) thrown at the library's loaders, deterministic from a
// seed. Each case must end in a recognised error (its class below, a one-line message) or a valid
// load whose proof runs (a sample from the model, the data set's values checked) — never another
// exception (TypeError, RangeError, a stack overflow), a load over 1 s, or an allocation above the
// cap. The 1 s applies to the load (decode and checks) as CPU time (process.cpuUsage: on a shared
// machine wall time measures the neighbours too), with 5 s of wall time as the bound on a hang
// that does not spin; the proof's engine build (up to the dcgan-mnist generator's) is timed and
// reported with it, not held to it. Allocation is measured as the growth of process.memoryUsage().arrayBuffers (typed arrays,
// WebAssembly memories) and of rss across the decode, with its result still held; the proof's
// engine is not counted (it is the engine's, sized by the spec the cap has passed).
import { performance } from "node:perf_hooks";
import { ModelFileError, type LoadLimits } from "../../src/io/limits.ts";
import { SpecError } from "../../src/model/spec.ts";
import { DataError } from "../../src/data/errors.ts";
import { NpyError } from "../../src/io/npy.ts";
import { fuzzTargets, Rand, type Target } from "./fuzz_targets.ts";

// the errors a refusal may throw: the model files' (CheckpointError, GeneratorFileError), specs',
// data files' and .npy files'
export const RECOGNISED = [ModelFileError, SpecError, DataError, NpyError];

// share of the cases per target
const WEIGHTS: Record<string, number> = { checkpoint: 35, generator: 20, spec: 20, idx: 10, npy: 5, png: 10 };

export interface FuzzFailure { target: string; file: string; mutation: string; caseIndex: number; error: string }
export interface FuzzReport {
  seed: number;
  cases: number;
  valid: number;                             // loads that succeeded and whose proof ran
  errors: Record<string, number>;            // refusals by error class
  byTarget: Record<string, { cases: number; valid: number; errors: Record<string, number> }>;
  byMutation: Record<string, number>;        // cases per mutation
  failures: FuzzFailure[];                   // anything else: must be empty
  worstMs: number; worstCase: string;        // the slowest load (decode and checks), wall time
  worstCpuMs: number; worstCpuCase: string;  // the most CPU time a load took
  worstTotalMs: number; worstTotalCase: string; // the slowest case with its proof
  worstArrayBuffersBytes: number; worstRssBytes: number; // the largest growth across a decode
  limits: LoadLimits;
  seconds: number;
}

export interface FuzzOptions {
  seed: number;
  cases: number;
  limits?: LoadLimits;                       // default: maxTensorBytes 64 MiB (the proofs build engines)
  targets?: Target[];                        // default: fuzzTargets()
  onProgress?: (done: number, report: FuzzReport) => void;
}

export async function runFuzz(o: FuzzOptions): Promise<FuzzReport> {
  const t0 = performance.now();
  const targets = o.targets ?? (await fuzzTargets());
  const limits = o.limits ?? { maxTensorBytes: 64 << 20 };
  const r = new Rand(o.seed);
  const report: FuzzReport = { seed: o.seed, cases: 0, valid: 0, errors: {}, byTarget: {}, byMutation: {}, failures: [], worstMs: 0, worstCase: "", worstCpuMs: 0, worstCpuCase: "", worstTotalMs: 0, worstTotalCase: "", worstArrayBuffersBytes: 0, worstRssBytes: 0, limits, seconds: 0 };
  const bag = targets.flatMap((t) => Array<Target>(WEIGHTS[t.name] ?? 10).fill(t));
  for (let i = 0; i < o.cases; i++) {
    const target = r.pick(bag), file = r.pick(target.files);
    // every 50th case the file as it is (the valid baseline); otherwise 1 to 3 mutations
    const chain = i % 50 === 0 ? [] : Array.from({ length: 1 + (r.chance(0.25) ? r.int(3) : 0) }, () => r.pick(target.mutations));
    const mutation = chain.map((m) => m.name).join(" + ") || "none";
    const bt = (report.byTarget[target.name] ??= { cases: 0, valid: 0, errors: {} });
    let bytes = file.bytes;
    try {
      for (const m of chain) bytes = m.apply(bytes, r);
    } catch (e) {
      // a mutation that does not apply to this input (e.g. a header edit of an already broken file): the input as is
    }
    report.cases++; bt.cases++;
    report.byMutation[mutation] = (report.byMutation[mutation] ?? 0) + 1;
    const m0 = process.memoryUsage(), start = performance.now(), cpu0 = process.cpuUsage();
    let outcome: string, loadMs = 0, cpuMs = 0;
    const cpuSince = () => { const c = process.cpuUsage(cpu0); return (c.user + c.system) / 1000; };
    try {
      const proof = await target.load(bytes, file.name, limits);
      loadMs = performance.now() - start; cpuMs = cpuSince();
      const m1 = process.memoryUsage();
      report.worstArrayBuffersBytes = Math.max(report.worstArrayBuffersBytes, m1.arrayBuffers - m0.arrayBuffers);
      report.worstRssBytes = Math.max(report.worstRssBytes, m1.rss - m0.rss);
      await proof();
      outcome = "valid";
      report.valid++; bt.valid++;
    } catch (e) {
      if (!loadMs) { loadMs = performance.now() - start; cpuMs = cpuSince(); }
      const m1 = process.memoryUsage();
      report.worstArrayBuffersBytes = Math.max(report.worstArrayBuffersBytes, m1.arrayBuffers - m0.arrayBuffers);
      report.worstRssBytes = Math.max(report.worstRssBytes, m1.rss - m0.rss);
      const err = e as Error;
      const known = RECOGNISED.some((c) => e instanceof c);
      const oneLine = known && typeof err.message === "string" && err.message.length > 0 && !/[\n\r]/.test(err.message);
      if (!oneLine) report.failures.push({ target: target.name, file: file.name, mutation, caseIndex: i, error: `${err?.name}: ${String(err?.message).slice(0, 300)}${known ? " (not one line)" : ""}` });
      outcome = known ? err.name : `unrecognised ${err?.name}`;
      report.errors[outcome] = (report.errors[outcome] ?? 0) + 1;
      bt.errors[outcome] = (bt.errors[outcome] ?? 0) + 1;
    }
    const ms = performance.now() - start, what = `${target.name} ${file.name} [${mutation}] → ${outcome}`;
    if (cpuMs > 1000 || loadMs > 5000) report.failures.push({ target: target.name, file: file.name, mutation, caseIndex: i, error: `the load took ${cpuMs.toFixed(0)} ms of CPU, ${loadMs.toFixed(0)} ms of wall time (${outcome})` });
    if (cpuMs > report.worstCpuMs) { report.worstCpuMs = cpuMs; report.worstCpuCase = what; }
    if (loadMs > report.worstMs) { report.worstMs = loadMs; report.worstCase = what; }
    if (ms > report.worstTotalMs) { report.worstTotalMs = ms; report.worstTotalCase = what; }
    if (o.onProgress && (i + 1) % 1000 === 0) o.onProgress(i + 1, report);
  }
  report.seconds = (performance.now() - t0) / 1000;
  return report;
}
