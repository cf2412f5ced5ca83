// The Node 20 fact behind threads parking in JS (docs/platform.md, "Liftoff and atomic.wait32"):
// a wasm loop that calls memory.atomic.wait32 (which returns at once here: "not-equal", or a
// 1 µs timeout) and sums its counter. Correct: 0 + 1 + ... + 99 = 4950. Node 20.20 (V8 11.3)
// in its baseline tier, Liftoff, returns 99; with --no-liftoff, and in Deno, 4950.
// Usage: node scripts/check_liftoff_wait.mjs          (Liftoff first, as Node runs by default)
//        node --no-liftoff scripts/check_liftoff_wait.mjs
//        npx deno run -A scripts/check_liftoff_wait.mjs
import { main as asc } from "assemblyscript/asc";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const SOURCE = `
export function sumWithWait(n: i32, addr: usize, expected: i32, timeoutNs: i64): i32 {
  let s = 0;
  for (let i = 0; i < n; i++) {
    atomic.wait<i32>(addr, expected, timeoutNs);
    s += i;
  }
  return s;
}`;

const dir = mkdtempSync(join(tmpdir(), "liftoff-wait-"));
try {
  writeFileSync(join(dir, "wait.ts"), SOURCE);
  const { error, stderr } = await asc([join(dir, "wait.ts"), "-O3", "--runtime", "stub", "--enable", "threads",
    "--importMemory", "--sharedMemory", "--initialMemory", "1", "--maximumMemory", "1", "-o", join(dir, "wait.wasm")]);
  if (error) throw new Error(`asc: ${error.message}\n${stderr}`);
  const module = new WebAssembly.Module(readFileSync(join(dir, "wait.wasm")));
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
  const { exports } = new WebAssembly.Instance(module, { env: { memory, abort() {} } });
  const runtime = globalThis.Deno ? `deno ${globalThis.Deno.version.deno} (V8 ${globalThis.Deno.version.v8})` : `node ${process.version} (V8 ${process.versions.v8}) ${process.execArgv.join(" ")}`;
  const notEqual = exports.sumWithWait(100, 64, 1, -1n); // memory holds 0, wait for 1: returns "not-equal"
  const timedOut = exports.sumWithWait(100, 64, 0, 1000n); // wait for 0 with a 1 µs timeout: "timed-out"
  console.log(JSON.stringify({ runtime, expected: 4950, notEqual, timedOut, correct: notEqual === 4950 && timedOut === 4950 }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
