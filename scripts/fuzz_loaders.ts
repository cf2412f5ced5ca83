// The long fuzz of the loaders (issue 16, item 4; the harness: tests/util/fuzz.ts):
//   node --import tsx scripts/fuzz_loaders.ts [--cases 10000] [--seed 1] [--out bench/fuzz-results.json]
// prints the counts (cases, refusals by error class, valid loads, worst time, worst allocation)
// and writes them to --out; exits 1 when any case failed (an unrecognised error, a case over
// 1 s), listing the first failures.
// Measured on the project's 2-core machine, shared: see the report in bench/fuzz-results.json.
import { parseArgs } from "node:util";
import { writeFileAtomic } from "../src/io/files.ts";
import { runFuzz } from "../tests/util/fuzz.ts";

const { values } = parseArgs({ options: { cases: { type: "string", default: "10000" }, seed: { type: "string", default: "1" }, out: { type: "string", default: "bench/fuzz-results.json" } } });
const cases = Number(values.cases), seed = Number(values.seed);
const mib = (b: number) => `${(b / 2 ** 20).toFixed(2)} MiB`;
const report = await runFuzz({ seed, cases, onProgress: (n, r) => console.error(`${n} cases, ${r.valid} valid, ${r.failures.length} failures, ${((performance.now()) / 1000).toFixed(0)} s`) });
console.log(`fuzz: ${report.cases} cases (seed ${seed}) in ${report.seconds.toFixed(1)} s: ${report.valid} valid loads (each generated or checked), ${report.cases - report.valid} refusals`);
for (const [k, n] of Object.entries(report.errors).sort((a, b) => b[1] - a[1])) console.log(`  ${k.padEnd(22)} ${n}`);
for (const [t, s] of Object.entries(report.byTarget)) console.log(`  ${t.padEnd(11)} ${s.cases} cases, ${s.valid} valid, ${Object.entries(s.errors).map(([k, n]) => `${k} ${n}`).join(", ")}`);
console.log(`  slowest load ${report.worstMs.toFixed(1)} ms wall: ${report.worstCase}`);
console.log(`  most CPU a load took ${report.worstCpuMs.toFixed(1)} ms: ${report.worstCpuCase}`);
console.log(`  slowest case with its proof ${report.worstTotalMs.toFixed(1)} ms: ${report.worstTotalCase}`);
console.log(`  worst growth across a decode: arrayBuffers ${mib(report.worstArrayBuffersBytes)}, rss ${mib(report.worstRssBytes)} (cap: maxTensorBytes ${mib(report.limits.maxTensorBytes!)})`);
console.log(`  failures: ${report.failures.length}`);
for (const f of report.failures.slice(0, 20)) console.log(`    #${f.caseIndex} ${f.target} ${f.file} [${f.mutation}]: ${f.error}`);
const { byMutation, ...counts } = report;
await writeFileAtomic(values.out!, JSON.stringify({ ...counts, failures: report.failures.slice(0, 100), mutations: Object.keys(byMutation).length, node: process.version }, null, 2) + "\n");
process.exitCode = report.failures.length ? 1 : 0;
