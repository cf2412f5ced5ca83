// The bundled CycleGAN task (src/data/cycle_digits.ts): both transforms undo exactly, the training
// domains come from disjoint halves (no B image is the transform of an A image), held-out digits
// are the classifier's held-out split, and a rotation is the quarter turn it says.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { cycleDigits, transformDigits } from "../../src/data/cycle_digits.ts";
import { expectBitIdentical } from "../util/check.ts";

const key = (x: Float32Array, i: number) => Buffer.from(x.buffer, x.byteOffset + i * 784 * 4, 784 * 4).toString("base64");

for (const transform of ["invert", "rotate90"] as const) {
  test(`${transform}: undone bit for bit; training halves disjoint; held out = digits 8000..9999`, async () => {
    const train = await cycleDigits({ transform }), test = await cycleDigits({ transform, split: "test" });
    assert.is(train.a.count, 4000);
    assert.is(train.b.count, 4000);
    assert.is(test.a.count, 2000);
    const back = transformDigits(train.b.x, transform, true);
    expectBitIdentical("inverse(transform(x)) == x", transformDigits(transformDigits(train.a.x, transform), transform, true), train.a.x);
    const inA = new Set(Array.from({ length: train.a.count }, (_, i) => key(train.a.x, i)));
    let shared = 0;
    for (let i = 0; i < train.b.count; i++) if (inA.has(key(back, i))) shared++;
    assert.is(shared, 0, "B images whose undone transform is an A image");
    expectBitIdentical("held-out B undone == held-out A", transformDigits(test.b.x, transform, true), test.a.x);
    assert.equal(Array.from(test.b.labels!.subarray(0, 20)), Array.from(test.a.labels!.subarray(0, 20)), "labels follow the source digit");
  });
}

test("rotate90 is a clockwise quarter turn: the top row becomes the right column", () => {
  const x = new Float32Array(784);
  for (let c = 0; c < 28; c++) x[c] = c + 1; // the top row 1..28
  const y = transformDigits(x, "rotate90");
  for (let r = 0; r < 28; r++) assert.is(y[r * 28 + 27], r + 1, `row ${r} of the right column`);
});

test.run();
