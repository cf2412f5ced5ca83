// The CLI's --threads, and the same CLI under Deno (`deno run -A dist/cli.js`): the weights do
// not depend on the thread count or the runtime (strict build).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeCheckpoint } from "../../src/io/checkpoint.ts";

const cli = new URL("../../dist/cli.js", import.meta.url).pathname;
const deno = new URL("../../node_modules/.bin/deno", import.meta.url).pathname;
const node = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8" });
const denoCli = (...args: string[]) => spawnSync(deno, ["run", "-A", cli, ...args], { encoding: "utf8" });

function weights(dir: string): Float32Array[] {
  const path = join(dir, "checkpoint.safetensors");
  const c = decodeCheckpoint(new Uint8Array(readFileSync(path)), path);
  return [c.state.generator.params, c.state.discriminator.params];
}

test("train --threads 1, --threads 2 (Node) and the default under Deno end with the same weights", () => {
  const dir = mkdtempSync(join(tmpdir(), "wasm-gan-cli-threads-"));
  try {
    const args = ["train", "--preset", "dcgan-mnist", "--batch", "16", "--steps", "6", "--quiet"];
    const one = node(...args, "--threads", "1", "--out", join(dir, "one"));
    assert.is(one.status, 0, one.stderr);
    assert.match(one.stdout, /strict SIMD, 1 thread ->/);
    const two = node(...args, "--threads", "2", "--out", join(dir, "two"));
    assert.is(two.status, 0, two.stderr);
    assert.match(two.stdout, /strict SIMD, 2 threads ->/);
    const d = denoCli(...args, "--out", join(dir, "deno"));
    assert.is(d.status, 0, d.stderr);
    const [a, b, c] = [weights(join(dir, "one")), weights(join(dir, "two")), weights(join(dir, "deno"))];
    for (const [x, y, what] of [[a, b, "1 vs 2 threads"], [a, c, "Node vs Deno"]] as const) {
      for (let n = 0; n < 2; n++) assert.equal(new Uint32Array(x[n].buffer, x[n].byteOffset, x[n].length), new Uint32Array(y[n].buffer, y[n].byteOffset, y[n].length), what);
    }
    const bad = node("train", "--threads", "0", "--steps", "1", "--out", join(dir, "bad"));
    assert.is(bad.status, 2);
    assert.match(bad.stderr, /^wasm-gan: --threads must be "auto" or an integer from 1 to 256 \(got "0"\)$/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("info reports the thread mode under Node and Deno", () => {
  for (const [r, runtime] of [[node("info"), /^Node /], [denoCli("info"), /^Deno /]] as const) {
    assert.is(r.status, 0, r.stderr);
    const i = JSON.parse(r.stdout);
    assert.match(i.runtime, runtime);
    assert.is(i.threads.mode, "worker");
    assert.ok(i.threads.kernelThreads >= 1);
  }
});

test.run();
