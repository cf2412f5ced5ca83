// The inference module's load-time checks (assembly/kernels/checks.ts) against their JavaScript
// definitions: crc32Update equals src/io/crc32.ts (itself checked against zlib's in tests/io) for
// every length 0..40 at every start offset 0..7 (the 8-byte loop, its tail, unaligned loads), for
// a value carried across calls split anywhere, and on 3 MB; firstNonFinite finds a NaN, +Inf or
// -Inf at every position of arrays of 1..13 floats (the f32x4 loop and its tail), gives -1 where
// every value is finite (including ±0, subnormals and ±max), and the first of two.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { crc32 } from "../../src/io/crc32.ts";
import type { InferExports } from "../../src/infer/abi.ts";
import { testRandom } from "../util/check.ts";

const { instance: { exports } } = await WebAssembly.instantiate(readFileSync("dist/infer.wasm"), { env: { abort() { throw new Error("abort"); } } });
const x = exports as unknown as InferExports;
const put = (b: Uint8Array, align = 0) => { const p = x.alloc(b.length + 16) + align; new Uint8Array(x.memory.buffer).set(b, p); return p; };
const r = testRandom(5);
const bytes = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(256 * r()));

test("crc32Update = src/io/crc32.ts: lengths 0..40 at offsets 0..7, split calls, 3 MB", () => {
  for (let n = 0; n <= 40; n++) {
    const b = bytes(n);
    for (let off = 0; off < 8; off++) assert.is(x.crc32Update(put(b, off), n, 0) >>> 0, crc32(b), `length ${n}, offset ${off}`);
    for (let cut = 0; cut <= n; cut += 7) {
      const p = put(b);
      assert.is(x.crc32Update(p + cut, n - cut, x.crc32Update(p, cut, 0)) >>> 0, crc32(b), `length ${n} split at ${cut}`);
    }
  }
  const big = bytes(3_166_741);
  assert.is(x.crc32Update(put(big, 3), big.length, 0) >>> 0, crc32(big), "3 MB, unaligned");
});

test("firstNonFinite: NaN / +Inf / -Inf at every position of 1..13 floats; -1 for finite values; the first of two", () => {
  const finite = [0, -0, 1e-45, -1e-45, 3.4028234663852886e38, -3.4028234663852886e38, 1.5, -2];
  for (let n = 1; n <= 13; n++) {
    const v = Float32Array.from({ length: n }, (_, i) => finite[i % finite.length]);
    assert.is(x.firstNonFinite(put(new Uint8Array(v.buffer)), n), -1, `${n} finite values`);
    for (const bad of [NaN, Infinity, -Infinity]) {
      for (let i = 0; i < n; i++) {
        const w = v.slice(); w[i] = bad;
        assert.is(x.firstNonFinite(put(new Uint8Array(w.buffer)), n), i, `${bad} at ${i} of ${n}`);
        if (i + 2 < n) { w[i + 2] = NaN; assert.is(x.firstNonFinite(put(new Uint8Array(w.buffer)), n), i, `${bad} at ${i}, NaN at ${i + 2}`); }
      }
    }
  }
});

test.run();
