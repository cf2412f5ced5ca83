// A CLI run that must fail with one line: the exit code, exactly one stderr line starting
// "wasm-gan: " and matching `re`, no stack trace.
import * as assert from "uvu/assert";

export function oneLineError(r: { status: number | null; stderr: string }, status: number, re: RegExp, what: string): void {
  assert.is(r.status, status, `${what}: exit ${r.status}: ${r.stderr}`);
  const lines = r.stderr.trim().split("\n");
  assert.is(lines.length, 1, `${what}: one line: ${r.stderr}`);
  assert.match(lines[0], /^wasm-gan: /);
  assert.match(lines[0], re, `${what}: ${lines[0]}`);
  assert.not.match(r.stderr, /\n\s+at /, `${what}: no stack trace`);
}
