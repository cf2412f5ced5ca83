// Smoke check of the tfjs peers: both backends in one process, switched in rounds as the bench
// does. Prints mlp-ring8 steps/s, matMul GFLOP/s at 256^3 and 512^3, and numTensors around the
// GAN's life (stable across steps, back to the start after dispose: no leak).
// Run: npx tsx bench/peers/check_peers.ts [steps=50] [rounds=2]
import { useTfjsBackend, tfjsWasmFlags } from "./tfjs_backend.ts";
import { createTfjsMlpGan, ring8Points } from "./tfjs_mlp_gan.ts";
import { timeTfjsMatMul } from "./tfjs_gemm.ts";

const steps = Number(process.argv[2] ?? 50);
const rounds = Number(process.argv[3] ?? 2);
const backends = ["wasm", "cpu"] as const;
const data = ring8Points(10_000, 7); // [10000, 2], shared by both backends

const tf = await useTfjsBackend("wasm");
console.log(`tfjs-core ${tf.version_core}, wasm backend flags:`, await tfjsWasmFlags());

let leaked = false;
for (let r = 1; r <= rounds; r++) {
  for (const name of backends) {
    await useTfjsBackend(name);
    const n0 = tf.memory().numTensors;
    const gan = createTfjsMlpGan(tf, { data, seed: 1 });
    gan.step(); // first step creates Adam's moments: count after it
    const n1 = tf.memory().numTensors;
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) gan.step();
    const ms = performance.now() - t0;
    const n2 = tf.memory().numTensors;
    const { d, g } = gan.losses();
    gan.dispose();
    const n3 = tf.memory().numTensors;
    leaked ||= n2 !== n1 || n3 !== n0;
    const g256 = timeTfjsMatMul(tf, 256, 20);
    const g512 = timeTfjsMatMul(tf, 512, 10);
    console.log(
      `round ${r} ${name.padEnd(4)} mlp-ring8: ${(1000 * steps / ms).toFixed(1)} steps/s ` +
      `(${(ms / steps).toFixed(2)} ms/step, ${steps + 1} steps, loss d ${d.toFixed(4)} g ${g.toFixed(4)}) | ` +
      `numTensors before ${n0}, after step 1 ${n1}, after step ${steps + 1} ${n2}, after dispose ${n3} | ` +
      `matMul GFLOP/s best/median 256^3 ${g256.bestGflops.toFixed(1)}/${g256.medianGflops.toFixed(1)}, ` +
      `512^3 ${g512.bestGflops.toFixed(1)}/${g512.medianGflops.toFixed(1)}`);
  }
}
console.log(leaked ? "LEAK: numTensors changed" : "no leak: numTensors stable across steps and back to start after dispose");
if (leaked) process.exitCode = 1;
