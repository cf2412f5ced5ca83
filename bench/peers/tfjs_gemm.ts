// C[n, n] = A[n, n] @ B[n, n] in f32 on the active tfjs backend: the peer for the GEMM bench.
// Each rep includes dataSync (the product read back to JS), as a user of the result would pay.
import type * as tfType from "@tensorflow/tfjs";
type TF = typeof tfType;

export interface MatMulTiming { n: number; reps: number; bestGflops: number; medianGflops: number; bestMs: number; medianMs: number }

export function timeTfjsMatMul(tf: TF, n: number, reps: number, warmup = 3): MatMulTiming {
  const a = tf.randomUniform([n, n], -1, 1, "float32", 1); // A: [n, n]
  const b = tf.randomUniform([n, n], -1, 1, "float32", 2); // B: [n, n]
  const once = (): number => {
    const t0 = performance.now();
    const c = tf.matMul(a, b); // C: [n, n]
    c.dataSync();
    const ms = performance.now() - t0;
    c.dispose();
    return ms;
  };
  // Warm-up: the first calls pay kernel set-up (wasm: XNNPACK operator creation, heap growth).
  for (let i = 0; i < warmup; i++) once();
  const ms = Array.from({ length: reps }, once).sort((x, y) => x - y);
  a.dispose();
  b.dispose();
  const flop = 2 * n ** 3;
  const bestMs = ms[0], medianMs = (ms[(reps - 1) >> 1] + ms[reps >> 1]) / 2;
  return { n, reps, bestMs, medianMs, bestGflops: flop / bestMs / 1e6, medianGflops: flop / medianMs / 1e6 };
}
