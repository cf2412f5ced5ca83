// safetensors does not require the header to be padded to 8 bytes (this writer pads it, others
// need not): a checkpoint whose header is re-written without padding decodes to the same state,
// and the tensor data, now at an odd offset in the file, comes back aligned and equal.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createWasmGAN, preset, encodeCheckpoint, decodeCheckpoint, ring8 } from "../../src/index.ts";

test("a header of a length that is not a multiple of 8 decodes to the same state", async () => {
  const spec = { ...preset("mlp-ring8"), generator: [{ type: "dense", units: 4 }, { type: "dense", units: 2 }], discriminator: [{ type: "dense", units: 4 }, { type: "dense", units: 1 }] };
  const gan = await createWasmGAN(spec, { seed: 1 });
  await gan.train(await ring8({ count: 1000, seed: 1 }), { steps: 3 });
  const padded = encodeCheckpoint(gan.spec, gan.saveState(), { seed: 1 });
  const n = Number(new DataView(padded.buffer, padded.byteOffset).getBigUint64(0, true));
  let text = new TextDecoder().decode(padded.subarray(8, 8 + n)).trimEnd();
  while (text.length % 4 !== 1) text += " "; // JSON is ASCII here: one byte a character
  const header = new TextEncoder().encode(text);
  assert.ok(header.length % 4 !== 0, `the unpadded header is ${header.length} bytes: the data starts unaligned`);
  const out = new Uint8Array(8 + header.length + padded.length - 8 - n);
  new DataView(out.buffer).setBigUint64(0, BigInt(header.length), true);
  out.set(header, 8);
  out.set(padded.subarray(8 + n), 8 + header.length);
  const a = decodeCheckpoint(padded, "padded"), b = decodeCheckpoint(out, "unpadded");
  assert.is(b.step, 3);
  for (const net of ["generator", "discriminator"] as const) {
    for (const k of ["params", "opt1", "opt2"] as const) assert.equal(Array.from(b.state[net][k]), Array.from(a.state[net][k]), `${net}.${k}`);
  }
  assert.equal(Array.from(b.state.rng), Array.from(a.state.rng), "train.rng");
});

test.run();
