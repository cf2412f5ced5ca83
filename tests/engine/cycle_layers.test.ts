// CycleGAN's layers in the WASM engine (assembly/nn/instance_norm.ts, assembly/nn/reflection_pad.ts),
// the residual block on the graph's add and the PatchGAN discriminator (src/model/cyclegan_nets.ts),
// against references written apart from the engine:
//  (1) reflection padding alone on a hand-made image: the forward equals tf.mirrorPad "reflect"
//      exactly (a copy), and the backward is the adjoint: padᵀ(g) by loops within 1e-6, and
//      <pad(x), g> = <x, padᵀ(g)> within 1e-6·Σ|terms| (f32 sums of a few terms per pixel).
//  (2) nets holding the layers, against the same stack in tfjs-cpu ops (tests/util/tf_net.ts:
//      tf.moments for instance norm, tf.gather for the padding) and the tfjs engine's TfNet: y,
//      dParams and dx for a random dy, each tensor within 1e-4·max|b| + 1e-4·|b| (f32 on both sides
//      with different summation orders; instance norm's 1/σ amplifies rounding as batch norm's does).
//  (3) finite differences of L = <y, r> in random unit directions of all parameters and of the
//      input, h = 1e-2, f32 forward in f64 differences: |FD − ∇L·v| <= 3e-3·(|∇L·v| + 1e-2)
//      (as tests/engine/conv_net.test.ts), on the nets with tanh in place of leaky ReLU (its kink).
//  (4) reflection padding's tangent rules inside a WGAN-GP critic: the penalty and its ∂/∂θ
//      against tfjs's double backprop through TfNet.inputGradient, 1e-5 + 1e-4·|P| and
//      1e-4·max|∇| + 1e-3·|∇_k|.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { instantiate } from "../../src/engine/wasm_module.ts";
import { LinearMemory } from "../../src/engine/memory.ts";
import { buildWasmNet } from "../../src/engine/net_builder.ts";
import { TfNet } from "../../src/engine/tfjs/tfjs_nets.ts";
import { layerShapes } from "../../src/model/shapes.ts";
import { residualBlock, patchDiscriminator, resnetGenerator } from "../../src/model/cyclegan_nets.ts";
import type { LayerSpec } from "../../src/model/spec.ts";
import { testRandom, randomArray, expectClose } from "../util/check.ts";
import { tfCpu } from "../util/tfjs.ts";
import { tfForward } from "../util/tf_net.ts";

const wasm = await instantiate("strict");
const mem = new LinearMemory(wasm);
const tf = await tfCpu();
const prod = (s: number[]) => s.reduce((a, b) => a * b, 1);
const maxAbs = (a: ArrayLike<number>) => Array.from(a).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => { let s = 0; for (let i = 0; i < a.length; i++) s += a[i] * b[i]; return s; };

const pad = (p: number, q = p): LayerSpec => ({ type: "reflection_pad", pad: [p, q] });
const inorm = (affine = false): LayerSpec => (affine ? { type: "instance_norm", eps: 1e-5, affine: true } : { type: "instance_norm", eps: 1e-5 });
const conv = (filters: number, k: number, s: number, padding: "same" | "valid"): LayerSpec =>
  ({ type: "conv2d", filters, kernelSize: [k, k], strides: [s, s], padding });

function build(layers: LayerSpec[], input: number[], maxBatch: number, seed: number) {
  const net = buildWasmNet(wasm, layers, input, maxBatch);
  wasm.netInit(net, wasm.rngNew(seed), 0);
  const P = wasm.netParamCount(net), inSize = prod(input), out = wasm.netOutSize(net);
  assert.is(out, prod(layerShapes(layers, input).at(-1)!), "output size");
  const forward = (x: Float32Array, n: number) => mem.read(wasm.netForward(net, mem.put(x), n, 1), n * out);
  const run = (x: Float32Array, r: Float32Array, n: number) => {
    const px = mem.put(x), pr = mem.put(r), pdx = mem.zeros(n * inSize);
    const y = mem.read(wasm.netForward(net, px, n, 1), n * out);
    wasm.netZeroGrads(net);
    wasm.netBackward(net, pr, pdx, n, 1);
    return { y, dParams: mem.read(wasm.netGrads(net), P), dx: mem.read(pdx, n * inSize) };
  };
  return { net, P, inSize, out, forward, run, params: () => mem.read(wasm.netParams(net), P), setParams: (p: Float32Array) => mem.write(wasm.netParams(net), p) };
}

const close = (label: string, a: Float32Array, b: Float32Array) => expectClose(`${label} (1e-4·max|b| + 1e-4·|b|)`, a, b, 1e-4 * maxAbs(b), 1e-4);

test("reflection pad: tf.mirrorPad's forward exactly, and the exact adjoint backward", () => {
  const rand = testRandom(7);
  for (const [h, w, c, ph, pw] of [[4, 5, 2, 1, 2], [3, 3, 1, 2, 2], [6, 4, 3, 3, 0]]) {
    const n = 2, layers = [pad(ph, pw)];
    const e = build(layers, [h, w, c], n, 1);
    assert.is(e.P, 0, "no parameters");
    const x = randomArray(n * h * w * c, rand), g = randomArray(n * e.out, rand);
    const { y, dx } = e.run(x, g, n);
    const ref = tf.mirrorPad(tf.tensor4d(x, [n, h, w, c]), [[0, 0], [ph, ph], [pw, pw], [0, 0]], "reflect");
    expectClose(`[${h}, ${w}, ${c}] pad [${ph}, ${pw}]: y == tf.mirrorPad (exact)`, y, ref.dataSync(), 0);
    let terms = 0;
    for (let i = 0; i < y.length; i++) terms += Math.abs(y[i] * g[i]);
    const lhs = dot(y, g), rhs = dot(x, dx);
    assert.ok(Math.abs(lhs - rhs) <= 1e-6 * terms, `<pad(x), g> ${lhs} vs <x, padᵀ g> ${rhs} (1e-6·Σ|terms| = ${1e-6 * terms})`);
    // padᵀ by loops: every output position adds its g into the pixel it copies (edge-near pixels
    // get two or more: the adjoint is not the centre slice tfjs 4.22's MirrorPad gradient takes)
    const H = h + 2 * ph, W = w + 2 * pw, want = new Float64Array(x.length);
    const refl = (i: number, m: number) => (i < 0 ? -i : i >= m ? 2 * (m - 1) - i : i);
    for (let i = 0; i < n; i++) for (let r = 0; r < H; r++) for (let q = 0; q < W; q++) for (let k = 0; k < c; k++) {
      want[((i * h + refl(r - ph, h)) * w + refl(q - pw, w)) * c + k] += g[((i * H + r) * W + q) * c + k];
    }
    expectClose(`[${h}, ${w}, ${c}] pad [${ph}, ${pw}]: dx == padᵀ(g) by loops (1e-6)`, dx, want, 1e-6);
    ref.dispose();
  }
});

test("instance norm: each sample's channels come out with mean 0 and variance σ²/(σ² + eps)", () => {
  const rand = testRandom(3);
  const n = 3, h = 4, w = 5, c = 2;
  const e = build([inorm()], [h, w, c], n, 1);
  assert.is(e.P, 0, "affine off: no parameters");
  const x = randomArray(n * h * w * c, rand, -3, 5);
  const y = e.forward(x, n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < c; k++) {
      const xs: number[] = [], ys: number[] = [];
      for (let p = 0; p < h * w; p++) { xs.push(x[(i * h * w + p) * c + k]); ys.push(y[(i * h * w + p) * c + k]); }
      const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
      const mx = mean(xs), vx = mean(xs.map((v) => (v - mx) ** 2)), my = mean(ys), vy = mean(ys.map((v) => (v - my) ** 2));
      assert.ok(Math.abs(my) < 1e-6, `sample ${i} channel ${k}: mean ${my} (< 1e-6)`);
      assert.ok(Math.abs(vy - vx / (vx + 1e-5)) < 1e-5, `sample ${i} channel ${k}: variance ${vy} vs ${vx / (vx + 1e-5)} (1e-5)`);
    }
  }
});

const nets: { name: string; input: number[]; layers: LayerSpec[]; smooth: boolean }[] = [
  { name: "pad -> conv valid -> instance norm -> tanh -> conv", input: [6, 5, 2], smooth: true,
    layers: [pad(2, 1), conv(3, 3, 1, "valid"), inorm(), { type: "tanh" }, conv(2, 3, 2, "same")] },
  { name: "conv -> affine instance norm -> leaky -> pad -> conv valid", input: [5, 5, 3], smooth: true,
    layers: [conv(4, 3, 1, "same"), inorm(true), { type: "leaky_relu", alpha: 0.2 }, pad(1), conv(2, 3, 1, "valid")] },
  { name: "two residual blocks (reflection pad, conv, instance norm, relu; add)", input: [6, 6, 3], smooth: false,
    layers: [conv(4, 3, 1, "same"), { ...inorm(), name: "stem" }, ...residualBlock("r0", "stem", 4), ...residualBlock("r1", "r0", 4)] },
  { name: "PatchGAN (ndf 4, 2 stride-2 layers): a map of logits [4, 4, 1]", input: [16, 16, 1], smooth: true,
    layers: patchDiscriminator({ ndf: 4, layers: 2 }) },
  { name: "ResNet generator (ngf 2, 1 block) on 8x8", input: [8, 8, 1], smooth: false,
    layers: resnetGenerator({ channels: 1, ngf: 2, blocks: 1 }) },
];

test("the PatchGAN's output is a map of logits [h/4, w/4, 1], the generator's an image of its input's shape", () => {
  assert.equal(layerShapes(patchDiscriminator(), [28, 28, 1]).at(-1), [7, 7, 1]);
  assert.equal(layerShapes(patchDiscriminator({ ndf: 4, layers: 2 }), [16, 16, 1]).at(-1), [4, 4, 1]);
  assert.equal(layerShapes(resnetGenerator({ channels: 1 }), [28, 28, 1]).at(-1), [28, 28, 1]);
  assert.equal(layerShapes(resnetGenerator({ channels: 3, blocks: 2 }), [32, 32, 3]).at(-1), [32, 32, 3]);
});

for (const { name, input, layers } of nets) {
  test(`${name}: y, dParams, dx match tfjs-cpu ops and the tfjs engine's TfNet (batch 1, 3)`, () => {
    const rand = testRandom(name.length * 13);
    const h = build(layers, input, 3, 3);
    for (const n of [1, 3]) {
      const p = h.params().map((v) => v + 0.1 * (rand() - 0.5));
      h.setParams(p);
      const x = randomArray(n * h.inSize, rand), r = randomArray(n * h.out, rand);
      const { y, dParams, dx } = h.run(x, r, n);
      const tp = tf.tensor1d(p), tx = tf.tensor2d(x, [n, h.inSize]), tr = tf.tensor2d(r, [n, h.out]);
      const ty = tfForward(tf, layers, input, tp, tx);
      close(`${name} n=${n}: y vs tfjs ops`, y, ty.dataSync() as Float32Array);
      const [gp, gx] = tf.grads((pp: any, xx: any) => tf.sum(tf.mul(tfForward(tf, layers, input, pp, xx), tr)))([tp, tx]);
      close(`${name} n=${n}: dParams vs tfjs ops`, dParams, gp.dataSync() as Float32Array);
      close(`${name} n=${n}: dx vs tfjs ops`, dx, gx.dataSync() as Float32Array);
      // the tfjs engine's own ops (src/engine/tfjs/tfjs_cycle_layers.ts) on the same weights
      const net = new TfNet(tf, layers, input, p, new Float32Array(0));
      close(`${name} n=${n}: y vs TfNet`, y, net.apply(tx, { training: true }).dataSync() as Float32Array);
      const tdx = tf.grad((xx: any) => tf.sum(tf.mul(net.apply(xx, { training: true }), tr)))(tx);
      close(`${name} n=${n}: dx vs TfNet`, dx, tdx.dataSync() as Float32Array);
      if (net.params.length > 0) {
        const g = tf.variableGrads(() => tf.sum(tf.mul(net.apply(tx, { training: true }), tr)) as any, net.params).grads;
        close(`${name} n=${n}: dParams vs TfNet`, dParams, Float32Array.from(net.params.flatMap((v) => Array.from(g[v.name].dataSync()))));
      }
      net.dispose();
      tf.dispose([tp, tx, tr, ty, gp, gx, tdx]);
    }
  });
}

// leaky ReLU's kink is within h of some pre-activation of these small nets: FD runs on the same
// stacks with tanh in its place (the layers under test are smooth)
const smoothed = (layers: LayerSpec[]) => layers.map((l): LayerSpec => (l.type === "leaky_relu" ? { type: "tanh", ...(l.name ? { name: l.name } : {}) } : l));
for (const { name, input, layers: raw } of nets.filter((n) => n.smooth)) {
  const layers = smoothed(raw);
  test(`${name} (leaky -> tanh): finite differences of parameters and input`, () => {
    const rand = testRandom(name.length * 97);
    const n = 2, h = build(layers, input, n, 5);
    const p0 = h.params().map((v) => v + 0.1 * (rand() - 0.5));
    const x0 = randomArray(n * h.inSize, rand), r = randomArray(n * h.out, rand);
    h.setParams(p0);
    const { dParams, dx } = h.run(x0, r, n);
    const L = (p: Float32Array, x: Float32Array) => { h.setParams(p); return dot(h.forward(x, n), r); };
    const unit = (len: number) => { const v = randomArray(len, rand); const norm = Math.hypot(...v); return v.map((e) => e / norm); };
    const step = 1e-2, vp = unit(h.P), vx = unit(x0.length);
    const fdP = (L(p0.map((v, i) => v + step * vp[i]), x0) - L(p0.map((v, i) => v - step * vp[i]), x0)) / (2 * step);
    const fdX = (L(p0, x0.map((v, i) => v + step * vx[i])) - L(p0, x0.map((v, i) => v - step * vx[i]))) / (2 * step);
    const gP = dot(dParams, vp), gX = dot(dx, vx);
    assert.ok(Math.abs(fdP - gP) <= 3e-3 * (Math.abs(gP) + 1e-2), `params: FD ${fdP} vs ∇L·v ${gP} (3e-3·(|∇L·v| + 1e-2))`);
    assert.ok(Math.abs(fdX - gX) <= 3e-3 * (Math.abs(gX) + 1e-2), `input: FD ${fdX} vs ∇L·v ${gX} (3e-3·(|∇L·v| + 1e-2))`);
  });
}

test("reflection pad in a WGAN-GP critic: the penalty's ∂/∂θ matches tfjs double backprop (the tangent rules)", () => {
  const layers: LayerSpec[] = [pad(1), conv(3, 3, 1, "valid"), { type: "tanh" }, pad(2, 1), conv(2, 3, 2, "valid"), { type: "leaky_relu", alpha: 0.2 }, { type: "flatten" }, { type: "dense", units: 1 }];
  const input = [5, 4, 2], n = 4, lambda = 10;
  const rand = testRandom(41);
  const x = randomArray(n * prod(input), rand, -1.5, 1.5);
  const net = buildWasmNet(wasm, layers, input, n);
  wasm.netInit(net, wasm.rngNew(17), 0);
  const P = wasm.netParamCount(net);
  const pen = wasm.penaltyNew(net, lambda);
  wasm.netZeroGrads(net);
  const value = wasm.penaltyRun(pen, mem.put(x), n);
  const theta = mem.read(wasm.netParams(net), P), grad = mem.read(wasm.netGrads(net), P);
  const t = new TfNet(tf, layers, input, theta, new Float32Array(0));
  const xt = tf.tensor2d(x, [n, prod(input)]);
  const f = () => tf.mul(lambda, tf.mean(tf.square(tf.sub(tf.sqrt(tf.sum(tf.square(t.inputGradient(xt)), 1)), 1)))) as any;
  const { value: tv, grads } = tf.variableGrads(f, t.params);
  const tgrad = Float32Array.from(t.params.flatMap((v) => Array.from(grads[v.name].dataSync())));
  expectClose("P vs tfjs (1e-5 + 1e-4·|P|)", [value], [tv.dataSync()[0]], 1e-5, 1e-4);
  const scale = maxAbs(tgrad);
  assert.ok(scale > 1e-3, `a nontrivial gradient (${scale})`);
  expectClose("∂P/∂θ vs tfjs double backprop (1e-4·max|∇| + 1e-3·|∇_k|)", grad, tgrad, 1e-4 * scale, 1e-3);
  t.dispose();
});

test.run();
