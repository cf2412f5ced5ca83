// dcgan-mnist on tfjs-core ops (no tfjs-layers): the peer the wasm-gan engine is timed against.
// Built from the engine's own spec (default `preset("dcgan-mnist")`), layer by layer, so the
// architecture is identical by construction:
//   G: z[B,100] -> Dense 6272 -> BatchNorm -> ReLU -> reshape [7,7,128] -> ConvT 64 4x4 s2 same
//      -> BatchNorm -> ReLU -> ConvT 1 4x4 s2 same -> tanh                      ([B,28,28,1])
//   D: Conv 64 4x4 s2 same -> LeakyReLU 0.2 -> Conv 128 4x4 s2 same -> LeakyReLU 0.2 -> flatten
//      -> Dense 1 (logit)
// Weights in the engine's layouts and order (tests/util/tf_net.ts): dense W [in, out], b [out];
// conv2d filter [kh, kw, cin, cout], bias [cout]; conv2d_transpose filter [kh, kw, filters, inC],
// bias [filters]; batch_norm gamma [c], beta [c]. Init "dcgan" (the preset's): weights N(0, 0.02),
// biases 0, gamma N(1, 0.02), beta 0; or the engine's weights passed in (`weights`).
// Batch norm in training mode: tf.moments over every axis but the channels (biased variance, as
// the engine normalises) + tf.batchNorm; running statistics are not kept (they do not enter a
// training step). Plain tf.matMul / tf.conv2d + tf.add, not tf.fused.*: the fused ops' gradients
// are custom gradients that compute every input's gradient eagerly (D's filter gradients in the
// G update, which the engine skips, and Conv2DBackpropFilter in dInputGradient on tfjs-wasm);
// with plain ops tfjs's tape prunes to the gradients the step needs, as the engine does.
// One step, as assembly/train/gan.ts: z ~ N(0, 1) [B, 100] and a real minibatch (with
// replacement); D ← Adam(∇ mean softplus(−D(x)) + mean softplus(D(G(z)))) with G(z) a constant;
// then G ← Adam(∇ mean softplus(−D(G(z)))) with the same z against the updated D.
// Adam lr 2e-4, betas (0.5, 0.999), eps 1e-8 (from the spec), one per net.
// tfjs keeps no tape across two minimize calls, so G(z) is run forward again inside the G update:
// one extra G forward a step (bench/flops.ts: tfjsExtra); D's weight gradients in the G update
// are pruned by tfjs (its tape only walks paths from G's variables), as the engine skips them.
//
// tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter kernel, so a step there throws
// "Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'" (docs/platform.md).
// `registerComposedConv2DBackpropFilter` adds that one kernel to 'wasm', composed from tfjs-wasm's
// own Transpose and Conv2D kernels (a labelled hybrid, not tfjs-wasm as shipped). Taking the
// kernel from tfjs-backend-cpu instead is no use for timing: its Conv2DBackpropFilter is a
// scalar loop through TensorBuffer.get, and a dcgan-mnist step on tfjs-cpu took 235 s (2 cores,
// load average ~5), almost all of it in that kernel.
import type * as tfType from "@tensorflow/tfjs";
import { preset } from "../../src/model/presets.ts";
import { validateSpec, roleNet, type GanSpec, type LayerSpec, type NormalisedSpec } from "../../src/model/spec.ts";
import { convGeometry, layerShapes } from "../../src/model/shapes.ts";

type TF = typeof tfType;
type Tensor = tfType.Tensor;
type Variable = tfType.Variable;

const prod = (s: number[]) => s.reduce((a, b) => a * b, 1);

// mulberry32 and Box-Muller, as bench/peers/tfjs_mlp_gan.ts: every backend draws the same
// weights, batches and z for a given seed.
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function gaussian(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

interface Net {
  vars: Variable[];
  apply(x: Tensor): Tensor; // x: [n, ...input] -> [n, ...output]
}

// One sequential net of tfjs variables from the spec's layers. `flat`: the engine's parameter
// arena for these layers (copied in); otherwise drawn with `init`.
function buildNet(tf: TF, layers: LayerSpec[], input: number[], rand: () => number, init: string, flat?: Float32Array): Net {
  const shapes = layerShapes(layers, input);
  const vars: Variable[] = [];
  let off = 0;
  // unnamed variables (tfjs names them uniquely), so several peers coexist in one process;
  // tf.variable copies its initial value's handle, so the initial tensor is disposed here
  const param = (shape: number[], draw: () => number): Variable => {
    const n = prod(shape);
    let values: Float32Array;
    if (flat) {
      if (off + n > flat.length) throw new Error(`weights: ${flat.length} floats are too few for these layers`);
      values = flat.slice(off, off + n);
    } else values = Float32Array.from({ length: n }, draw);
    off += n;
    const t = tf.tensor(values, shape);
    const v = tf.variable(t, true);
    t.dispose();
    vars.push(v);
    return v;
  };
  const normal = (mean: number, std: number) => () => mean + std * gaussian(rand);
  const uniform = (bound: number) => () => (2 * rand() - 1) * bound;
  const zero = () => 0;
  const weightInit = (fanIn: number) => (init === "dcgan" ? normal(0, 0.02) : uniform(1 / Math.sqrt(fanIn)));
  const biasInit = (fanIn: number) => (init === "dcgan" ? zero : uniform(1 / Math.sqrt(fanIn)));

  type Op = (h: Tensor, n: number) => Tensor;
  const ops: Op[] = layers.map((l, i): Op => {
    const before = i === 0 ? input : shapes[i - 1], out = shapes[i];
    switch (l.type) {
      case "dense": {
        const W = param([before[0], l.units!], weightInit(before[0]));
        const b = param([l.units!], biasInit(before[0]));
        return (h) => tf.add(tf.matMul(h as tfType.Tensor2D, W as unknown as tfType.Tensor2D), b);
      }
      case "conv2d": {
        const g = convGeometry(l, before), fanIn = g.kh * g.kw * g.cin;
        const f = param([g.kh, g.kw, g.cin, g.cout], weightInit(fanIn));
        const b = param([g.cout], biasInit(fanIn));
        return (h) => tf.add(tf.conv2d(h as tfType.Tensor4D, f as unknown as tfType.Tensor4D, [g.strideH, g.strideW], l.padding!), b);
      }
      case "conv2d_transpose": {
        // the engine's geometry: the conv this is the adjoint of; PyTorch's fan-in is its cin
        const g = convGeometry(l, before), fanIn = g.kh * g.kw * g.cin;
        const f = param([g.kh, g.kw, l.filters!, before[2]], weightInit(fanIn));
        const b = param([l.filters!], biasInit(fanIn));
        return (h, n) => tf.add(tf.conv2dTranspose(h as tfType.Tensor4D, f as unknown as tfType.Tensor4D, [n, out[0], out[1], out[2]], l.strides as [number, number], l.padding!), b);
      }
      case "batch_norm": {
        const c = before.at(-1)!;
        const gamma = param([c], init === "dcgan" ? normal(1, 0.02) : () => 1);
        const beta = param([c], zero);
        const axes = Array.from({ length: before.length }, (_, k) => k); // every axis but the channels
        return (h) => {
          const { mean, variance } = tf.moments(h, axes);
          return tf.batchNorm(h, mean, variance, beta, gamma, l.eps ?? 1e-5);
        };
      }
      case "reshape": case "flatten": return (h, n) => tf.reshape(h, [n, ...out]);
      case "relu": return (h) => tf.relu(h);
      case "leaky_relu": return (h) => tf.leakyRelu(h, l.alpha ?? 0.2);
      case "tanh": return (h) => tf.tanh(h);
      case "sigmoid": return (h) => tf.sigmoid(h);
      default: throw new Error(`tfjs peer: layer type ${l.type} not supported`);
    }
  });
  if (flat && off !== flat.length) throw new Error(`weights: ${flat.length} floats given, these layers hold ${off}`);
  return {
    vars,
    apply(x) {
      const n = x.shape[0];
      return ops.reduce((h, op) => op(h, n), x);
    },
  };
}

export interface TfjsDcgan {
  readonly backend: string;
  step(): void;                                    // one training step on a fresh z and minibatch
  draw(): void;                                    // draws a fresh z and minibatch (as step() does) without stepping
  stepWith(z: Float32Array, real: Float32Array): void; // one step on the given z [B, Z] and real batch [B, X]
  losses(): { d: number; g: number };              // of the last step
  // sub-workloads that tfjs-backend-wasm can run (no filter gradients), on the last step's z and batch:
  forward(): void;        // G(z) (training-mode batch norm), D(real), D(G(z))
  dInputGradient(): void; // D forward on a fixed G(z) + the gradient of mean softplus(−D(x)) w.r.t. x
  getWeights(): { generator: Float32Array; discriminator: Float32Array }; // engine layout
  dispose(): void;
}

export interface TfjsDcganOptions {
  data: Float32Array; // [count, ...dataShape] flat, values in [-1, 1]
  seed: number;
  spec?: GanSpec;     // default preset("dcgan-mnist")
  weights?: { generator: Float32Array; discriminator: Float32Array }; // start from these (engine layout)
}

export function createTfjsDcgan(tf: TF, opts: TfjsDcganOptions): TfjsDcgan {
  const spec: NormalisedSpec = validateSpec(opts.spec ?? preset("dcgan-mnist"));
  const g = roleNet(spec, "generator"), d = roleNet(spec, "discriminator");
  const optG0 = spec.optimizer[g.name], optD0 = spec.optimizer[d.name];
  const bad = [
    spec.loss !== "non-saturating" && `loss ${spec.loss}`, spec.dSteps !== 1 && `dSteps ${spec.dSteps}`,
    spec.pack !== 1 && `pack ${spec.pack}`, spec.labelSmoothing !== 0 && `labelSmoothing ${spec.labelSmoothing}`,
    spec.lrSchedule.type !== "constant" && "an lr schedule",
    optG0.type !== "adam" && "a non-Adam G optimiser", optD0.type !== "adam" && "a non-Adam D optimiser",
  ].filter(Boolean);
  if (bad.length) throw new Error(`tfjs dcgan peer: implements the non-saturating, dSteps 1, Adam step only (spec has ${bad.join(", ")})`);
  const { data, seed } = opts;
  const B = spec.batchSize, Z = spec.latentDim, X = prod(spec.dataShape);
  const nData = data.length / X;
  if (!Number.isInteger(nData) || nData < 1) throw new Error(`data must hold samples of ${X} floats`);
  // The backend the variables live on. Stepping on another backend would make tfjs silently move
  // every weight across and time the wrong system, so every entry point refuses instead.
  const backend = tf.getBackend();
  const here = () => {
    if (tf.getBackend() !== backend) throw new Error(`tfjs dcgan was built on '${backend}' but '${tf.getBackend()}' is active: await useTfjsBackend('${backend}') first`);
  };
  const rand = mulberry32(seed);
  const G = buildNet(tf, g.layers, [Z], rand, spec.init, opts.weights?.generator);
  const D = buildNet(tf, d.layers, spec.dataShape, rand, spec.init, opts.weights?.discriminator);
  const adam = (o: NormalisedSpec["optimizer"][string]) => tf.train.adam(o.lr, o.beta1, o.beta2, o.eps);
  const optG = adam(optG0), optD = adam(optD0);

  const zBuf = new Float32Array(B * Z);    // z: [B, Z]
  const realBuf = new Float32Array(B * X); // x_real: [B, X]
  let fixedFake: Tensor | undefined;       // G(z) for dInputGradient, made on first use
  let last = { d: NaN, g: NaN };
  const logit = (x: Tensor) => D.apply(x); // [n, 1]

  function draw(): void {
    for (let i = 0; i < B; i++) {
      const j = Math.min(nData - 1, Math.floor(rand() * nData));
      realBuf.set(data.subarray(j * X, (j + 1) * X), i * X);
    }
    for (let i = 0; i < B * Z; i++) zBuf[i] = gaussian(rand);
  }

  function stepWith(zArr: Float32Array, realArr: Float32Array): void {
    here();
    const [dLoss, gLoss] = tf.tidy(() => {
      const z = tf.tensor2d(zArr, [B, Z]);
      const real = tf.tensor(realArr, [B, ...spec.dataShape]);
      // fake, computed outside any gradient tape: a constant for the D update (fake.detach())
      const fake = G.apply(z);
      const dl = optD.minimize(() => tf.add(tf.mean(tf.softplus(tf.neg(logit(real)))), tf.mean(tf.softplus(logit(fake)))) as tfType.Scalar,
        true, D.vars)!;
      const gl = optG.minimize(() => tf.mean(tf.softplus(tf.neg(logit(G.apply(z))))) as tfType.Scalar, true, G.vars)!;
      return [dl, gl];
    });
    // dataSync forces the whole step to finish before step() returns, so timing is honest
    last = { d: dLoss.dataSync()[0], g: gLoss.dataSync()[0] };
    dLoss.dispose();
    gLoss.dispose();
  }

  return {
    backend,
    step() {
      here();
      draw();
      stepWith(zBuf, realBuf);
    },
    draw,
    stepWith(z, real) {
      if (z.length !== B * Z || real.length !== B * X) throw new Error(`stepWith: z needs ${B * Z} floats and real ${B * X}`);
      stepWith(z, real);
    },
    losses: () => last,
    forward() {
      here();
      const [a, b] = tf.tidy(() => {
        const z = tf.tensor2d(zBuf, [B, Z]);
        const real = tf.tensor(realBuf, [B, ...spec.dataShape]);
        return [logit(real), logit(G.apply(z))];
      });
      a.dataSync(); b.dataSync();
      a.dispose(); b.dispose();
    },
    dInputGradient() {
      here();
      fixedFake ??= tf.tidy(() => G.apply(tf.tensor2d(zBuf, [B, Z])));
      const dx = tf.tidy(() => tf.grad((x: Tensor) => tf.mean(tf.softplus(tf.neg(logit(x)))))(fixedFake!));
      dx.dataSync();
      dx.dispose();
    },
    getWeights() {
      here();
      const flat = (vs: Variable[]) => {
        const out = new Float32Array(vs.reduce((s, v) => s + v.size, 0));
        let o = 0;
        for (const v of vs) { out.set(v.dataSync() as Float32Array, o); o += v.size; }
        return out;
      };
      return { generator: flat(G.vars), discriminator: flat(D.vars) };
    },
    dispose() {
      fixedFake?.dispose();
      optG.dispose(); // Adam's moment accumulators and beta powers
      optD.dispose();
      for (const v of [...G.vars, ...D.vars]) v.dispose();
    },
  };
}

// Registers Conv2DBackpropFilter for the 'wasm' backend, composed from tfjs-wasm's own kernels
// (Transpose, and Conv2D, i.e. XNNPACK, with dilation): the filter gradient of a convolution with
// stride s is a stride-1 convolution, dilated by s, of the input with the output gradient, the
// batch axis being the one summed over:
//   dW[i, j, c, o] = Σ_{b, y, x} xpad[b, y·sh + i, x·sw + j, c] · dy[b, y, x, o]
//                  = conv2d(x as [cin, H, W, n], dy as a filter [oh, ow, n, cout],
//                           stride 1, dilation (sh, sw), explicit padding)  as [cin, kh, kw, cout]
// then transposed to [kh, kw, cin, cout]. Returns false when 'wasm' already has the kernel. It
// stays registered for the process: record what tfjs-wasm as shipped does before calling this.
export function registerComposedConv2DBackpropFilter(tf: TF): boolean {
  const name = "Conv2DBackpropFilter";
  if (tf.getKernel(name, "wasm")) return false;
  const kernel = (k: string) => {
    const c = tf.getKernel(k, "wasm");
    if (!c) throw new Error(`tfjs-backend-wasm has no ${k} kernel`);
    return c.kernelFunc;
  };
  const transpose = kernel("Transpose"), conv2d = kernel("Conv2D"), slice = kernel("Slice");
  tf.registerKernel({
    kernelName: name,
    backendName: "wasm",
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, dy } = inputs as { x: tfType.TensorInfo; dy: tfType.TensorInfo };
      const a = attrs as unknown as { strides: number | [number, number]; pad: "same" | "valid" | number; dimRoundingMode?: "floor" | "round" | "ceil"; filterShape: [number, number, number, number]; dataFormat?: string };
      if (a.dataFormat && a.dataFormat !== "NHWC") throw new Error(`composed Conv2DBackpropFilter: NHWC only (got ${a.dataFormat})`);
      const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], a.filterShape, a.strides, 1, a.pad, a.dimRoundingMode);
      const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow, inHeight: H, inWidth: W } = info;
      const top = info.padInfo.top, left = info.padInfo.left;
      // rows / columns after the input that the taps reach (negative: input rows no tap reaches)
      const bottom = kh + (oh - 1) * sh - H - top, right = kw + (ow - 1) * sw - W - left;
      const run = (f: tfType.KernelFunc, ins: Record<string, tfType.TensorInfo>, at: object) =>
        f({ inputs: ins, backend, attrs: at as tfType.NamedAttrMap }) as tfType.TensorInfo;
      const temps: tfType.TensorInfo[] = [];
      let xs = x;
      if (bottom < 0 || right < 0) {
        xs = run(slice, { x }, { begin: [0, 0, 0, 0], size: [-1, H + Math.min(bottom, 0), W + Math.min(right, 0), -1] });
        temps.push(xs);
      }
      const xt = run(transpose, { x: xs }, { perm: [3, 1, 2, 0] });  // [cin, H, W, n]
      const ft = run(transpose, { x: dy }, { perm: [1, 2, 0, 3] });  // [oh, ow, n, cout]
      const r = run(conv2d, { x: xt, filter: ft }, {                 // [cin, kh, kw, cout]
        strides: [1, 1], dilations: [sh, sw], dataFormat: "NHWC",
        pad: [[0, 0], [top, Math.max(bottom, 0)], [left, Math.max(right, 0)], [0, 0]],
      });
      temps.push(xt, ft, r);
      const out = run(transpose, { x: r }, { perm: [1, 2, 0, 3] }); // [kh, kw, cin, cout]
      for (const t of temps) (backend as unknown as tfType.KernelBackend).disposeData(t.dataId);
      return out;
    },
  });
  return true;
}
