// The core tests under Deno (npm test runs them after Node's full run): the same uvu files,
// imported by Deno itself. Usage: deno run -A tests/deno.ts [dir-or-file ...]
import { run } from "uvu/run";

const Deno = (globalThis as any).Deno;

// (tests/infer/infer.test.ts: wasm-gan/infer in Deno against Deno's own engine, bit for bit; the
// handler tests start their runtimes from Node)
const CORE = ["tests/kernels", "tests/random", "tests/engine", "tests/model", "tests/worker", "tests/train", "tests/regression", "tests/infer/infer.test.ts"];
const roots = Deno.args.length ? Deno.args : CORE;
const suites: { name: string; file: string }[] = [];
for (const root of roots) {
  const stat = await Deno.stat(root);
  const files = stat.isFile ? [root] : [...Deno.readDirSync(root)].map((e) => `${root}/${e.name}`).filter((f) => f.endsWith(".test.ts")).sort();
  for (const f of files) suites.push({ name: f, file: await Deno.realPath(f) });
}
console.log(`deno ${Deno.version.deno}: ${suites.length} test files (${roots.join(", ")})`);
await run(suites);
// uvu sets the exit code on failure; end now so a worker left behind cannot keep the process up
Deno.exit((globalThis as any).process?.exitCode ?? 0);
