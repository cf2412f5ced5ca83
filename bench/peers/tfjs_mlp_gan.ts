// mlp-ring8 on tfjs-core (no tfjs-layers): the peer the wasm-gan engines are timed against.
// B = batch (256), Z = latent dim (2), H = hidden width (128).
// G: z[B,2] -> 4 x (Dense 128, ReLU) -> Dense 2        D: x[B,2] -> 3 x (Dense 128, ReLU) -> Dense 1 (logit)
// Dense weights W: [in, out] (tfjs layout), b: [out]; both ~ U(-1/sqrt(in), 1/sqrt(in)) (PyTorch Linear).
// Adam lr 2e-4, betas (0.5, 0.999), eps 1e-8, one per net. Non-saturating loss on logits:
//   L_D = mean softplus(-D(x)) + mean softplus(D(G(z)))     L_G = mean softplus(-D(G(z)))
// One step (PyTorch DCGAN-reference order): draw z and a real batch; update D on (real, G(z));
// then update G against the *updated* D with the *same* z.
import type * as tfType from "@tensorflow/tfjs";
type TF = typeof tfType;
type Tensor2D = tfType.Tensor2D;
type Variable = tfType.Variable;

const B = 256, Z = 2, H = 128;

// mulberry32: a tiny seeded uniform [0, 1) PRNG, so every backend draws the same weights,
// batches and z for a given seed (tf.random* with a fixed seed repeats itself every call).
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// N(0, 1) by Box-Muller; 1 - u keeps log() away from 0.
function gaussian(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

type Dense = { W: Variable; b: Variable };

function dense(tf: TF, rand: () => number, nIn: number, nOut: number, name: string): Dense {
  const k = 1 / Math.sqrt(nIn);
  const u = (n: number) => Float32Array.from({ length: n }, () => (2 * rand() - 1) * k);
  // tf.variable copies its initial value's handle; dispose the initial tensor or it leaks.
  // unnamed: tfjs names variables uniquely itself, so several peers can live in one process
  const v = (t: tfType.Tensor, _n: string) => { const x = tf.variable(t, true); t.dispose(); return x; };
  return {
    W: v(tf.tensor2d(u(nIn * nOut), [nIn, nOut]), `${name}/W`), // W: [in, out]
    b: v(tf.tensor1d(u(nOut)), `${name}/b`),                    // b: [out]
  };
}

// x: [B, in] -> [B, out]; ReLU on every layer but the last.
function mlp(tf: TF, layers: Dense[], x: Tensor2D): Tensor2D {
  let h = x;
  layers.forEach(({ W, b }, i) => {
    h = tf.add(tf.matMul(h, W as Tensor2D), b);
    if (i < layers.length - 1) h = tf.relu(h);
  });
  return h;
}

export interface TfjsMlpGan {
  step(): void;
  losses(): { d: number; g: number };
  dispose(): void;
}

export function createTfjsMlpGan(tf: TF, opts: { data: Float32Array; seed: number }): TfjsMlpGan {
  const { data, seed } = opts;
  const nData = data.length / 2; // data: [nData, 2], row-major (x, y) pairs
  if (!Number.isInteger(nData) || nData < 1) throw new Error("data must hold (x, y) pairs");
  // The backend the variables live on. Stepping on another backend would make tfjs silently
  // move every weight across and time the wrong system, so step() refuses instead.
  const backend = tf.getBackend();
  const rand = mulberry32(seed);

  const G = [dense(tf, rand, Z, H, "g0"), dense(tf, rand, H, H, "g1"), dense(tf, rand, H, H, "g2"),
             dense(tf, rand, H, H, "g3"), dense(tf, rand, H, 2, "g4")];
  const D = [dense(tf, rand, 2, H, "d0"), dense(tf, rand, H, H, "d1"), dense(tf, rand, H, H, "d2"),
             dense(tf, rand, H, 1, "d3")];
  const gVars = G.flatMap(l => [l.W, l.b]);
  const dVars = D.flatMap(l => [l.W, l.b]);
  const optG = tf.train.adam(2e-4, 0.5, 0.999, 1e-8);
  const optD = tf.train.adam(2e-4, 0.5, 0.999, 1e-8);

  const zBuf = new Float32Array(B * Z);    // z: [B, 2]
  const realBuf = new Float32Array(B * 2); // x_real: [B, 2]
  let last = { d: NaN, g: NaN };

  function step(): void {
    if (tf.getBackend() !== backend)
      throw new Error(`tfjs mlp-gan was built on '${backend}' but '${tf.getBackend()}' is active: await useTfjsBackend('${backend}') first`);
    // Batches drawn in JS with replacement (512 floats; not a tensor op worth timing apart).
    for (let i = 0; i < B; i++) {
      const j = Math.min(nData - 1, Math.floor(rand() * nData));
      realBuf[2 * i] = data[2 * j];
      realBuf[2 * i + 1] = data[2 * j + 1];
    }
    for (let i = 0; i < B * Z; i++) zBuf[i] = gaussian(rand);

    const [dLoss, gLoss] = tf.tidy(() => {
      const z = tf.tensor2d(zBuf, [B, Z]);
      const real = tf.tensor2d(realBuf, [B, 2]);
      // fake: [B, 2], computed outside any gradient tape: a constant for the D update
      // (PyTorch's fake.detach()).
      const fake = mlp(tf, G, z);
      const dl = optD.minimize(() => {
        const lReal = mlp(tf, D, real); // [B, 1]
        const lFake = mlp(tf, D, fake); // [B, 1]
        return tf.add(tf.mean(tf.softplus(tf.neg(lReal))), tf.mean(tf.softplus(lFake))) as tfType.Scalar;
      }, true, dVars)!;
      // G update against the updated D with the same z. tfjs cannot keep a tape across two
      // minimize calls, so G(z) is run forward again here (PyTorch reuses the first graph): one
      // extra G forward, ~25 MFLOP a step; in exchange tfjs prunes D's weight gradients here,
      // which PyTorch computes and discards (~17 MFLOP).
      const gl = optG.minimize(() => tf.mean(tf.softplus(tf.neg(mlp(tf, D, mlp(tf, G, z))))) as tfType.Scalar,
        true, gVars)!;
      return [dl, gl];
    });
    // dataSync forces the whole step to finish before step() returns, so timing is honest.
    last = { d: dLoss.dataSync()[0], g: gLoss.dataSync()[0] };
    dLoss.dispose();
    gLoss.dispose();
  }

  return {
    step,
    losses: () => last,
    dispose() {
      optG.dispose(); // Adam's moment accumulators and beta powers
      optD.dispose();
      for (const v of [...gVars, ...dVars]) v.dispose();
    },
  };
}

// The ring8 data set (8 Gaussians on a ring of radius 2, std 0.02) as [n, 2] points, for checks;
// the bench supplies its own shared copy to every system.
export function ring8Points(n: number, seed: number): Float32Array {
  const rand = mulberry32(seed);
  const out = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const a = (2 * Math.PI * Math.floor(rand() * 8)) / 8;
    out[2 * i] = 2 * Math.cos(a) + 0.02 * gaussian(rand);
    out[2 * i + 1] = 2 * Math.sin(a) + 0.02 * gaussian(rand);
  }
  return out;
}
