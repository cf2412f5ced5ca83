// FLOP count of one GAN training step, from the spec's layers.
//
// Counted: the multiply-adds of the dense, conv2d and conv2d_transpose layers, 2 FLOP each, at
// their nominal size (the im2col GEMM's: every output pixel times every filter tap, taps that fall
// in the 'same' padding included, as the engine's GEMM runs them):
//   dense  in -> out, batch n:            forward = backward-input = backward-weights = 2·n·in·out
//   conv2d (geometry h,w,cin -> outH,outW,cout, kernel kh x kw), batch n, M = n·outH·outW, K = kh·kw·cin:
//                                          forward = backward-input = backward-weights = 2·M·K·cout
//   conv2d_transpose: the same three products with the roles swapped (its forward is the conv's
//                                          input gradient, its input gradient the conv), same count.
// Not counted (elementwise, O(activations) or O(params)): biases, batch norm, activations, the
// losses, the optimiser update, im2col / col2im copies, latent draws and minibatch copies.
//
// Passes of one engine step (assembly/train/gan.ts, dSteps D updates then one G update):
//   per D update:  1 G forward (fresh z), 2 D forwards (real, fake), 2 D backward passes with
//                  weight gradients; input gradients for every D layer but the first (its input is
//                  data: Net.backward stops there)
//   G update:      1 D forward on G(z) (G's forward is reused from the last D update), 1 D backward
//                  with input gradients through every layer and no weight gradients, 1 G backward
//                  with weight gradients and input gradients for every layer but the first (z).
//   dSteps = 1 (dcgan-mnist): 1 G forward, 3 D forwards, 2 D weight-gradient passes, 2 partial + 1
//   full D input-gradient passes, 1 G backward.
// The tfjs peers run one more G forward a step (tfjs keeps no tape across two minimize calls);
// `tfjsExtra` gives its count. Every system's GFLOP/s is computed from the engine's count (the
// same useful work), so GFLOP/s ratios equal steps/s ratios.
import { validateSpec, roleNet, type GanSpec, type LayerSpec } from "../src/model/spec.ts";
import { convGeometry, layerShapes } from "../src/model/shapes.ts";

const prod = (s: number[]) => s.reduce((a, b) => a * b, 1);

export interface LayerFlops {
  index: number;          // index in the spec's layer list
  type: LayerSpec["type"];
  input: number[];        // per-sample shapes
  output: number[];
  forward: number;        // FLOP of one pass over a batch of n
  backwardInput: number;
  backwardWeights: number;
}

// per-layer FLOP of one pass at batch n (0 for the layers not counted)
export function layerFlops(layers: LayerSpec[], input: number[], n: number): LayerFlops[] {
  const shapes = layerShapes(layers, input);
  return layers.map((l, i) => {
    const before = i === 0 ? input : shapes[i - 1];
    let f = 0;
    if (l.type === "dense") f = 2 * n * before[0] * l.units!;
    else if (l.type === "conv2d" || l.type === "conv2d_transpose") {
      const g = convGeometry(l, before);
      f = 2 * n * g.outH * g.outW * g.kh * g.kw * g.cin * g.cout;
    }
    return { index: i, type: l.type, input: before, output: shapes[i], forward: f, backwardInput: f, backwardWeights: f };
  });
}

export interface NetFlops {
  forward: number;          // one forward pass
  backwardWeights: number;  // weight gradients of every layer
  backwardInputAll: number; // input gradients through every layer (down to the net's input)
  backwardInputInner: number; // input gradients of every layer but the first
  perLayer: LayerFlops[];
}

export function netFlops(layers: LayerSpec[], input: number[], n: number): NetFlops {
  const perLayer = layerFlops(layers, input, n);
  const sum = (k: "forward" | "backwardInput" | "backwardWeights", from = 0) => perLayer.slice(from).reduce((s, l) => s + l[k], 0);
  return {
    forward: sum("forward"), backwardWeights: sum("backwardWeights"),
    backwardInputAll: sum("backwardInput"), backwardInputInner: sum("backwardInput", 1), perLayer,
  };
}

export interface StepFlops {
  total: number;        // one engine training step
  generator: NetFlops;  // at batch B
  discriminator: NetFlops; // at batch B / pack
  byPass: Record<string, number>; // the step's total split by pass kind (sums to total)
  counts: { gForward: number; dForward: number; dBackwardWeights: number; dBackwardInputInner: number; dBackwardInputAll: number; gBackwardWeights: number; gBackwardInputInner: number };
  tfjsExtra: number;    // FLOP the tfjs peers run on top (one more G forward a step)
  counted: string;
}

export function ganStepFlops(specInput: GanSpec): StepFlops {
  const spec = validateSpec(specInput);
  const B = spec.batchSize, X = prod(spec.dataShape);
  const G = netFlops(roleNet(spec, "generator").layers, [spec.latentDim], B);
  const D = netFlops(roleNet(spec, "discriminator").layers, spec.pack > 1 ? [X * spec.pack] : spec.dataShape, B / spec.pack);
  const k = spec.dSteps;
  const counts = {
    gForward: k, dForward: 2 * k + 1, dBackwardWeights: 2 * k, dBackwardInputInner: 2 * k, dBackwardInputAll: 1,
    gBackwardWeights: 1, gBackwardInputInner: 1,
  };
  const byPass = {
    "G forward": counts.gForward * G.forward,
    "D forward": counts.dForward * D.forward,
    "D backward, weights": counts.dBackwardWeights * D.backwardWeights,
    "D backward, input": counts.dBackwardInputInner * D.backwardInputInner + counts.dBackwardInputAll * D.backwardInputAll,
    "G backward, weights": counts.gBackwardWeights * G.backwardWeights,
    "G backward, input": counts.gBackwardInputInner * G.backwardInputInner,
  };
  return {
    total: Object.values(byPass).reduce((a, b) => a + b, 0), generator: G, discriminator: D, byPass, counts,
    tfjsExtra: G.forward,
    counted: "2 FLOP per multiply-add of dense / conv2d / conv2d_transpose (nominal im2col size, 'same' padding taps included); " +
      `per step: ${counts.gForward} G forward, ${counts.dForward} D forwards, ${counts.dBackwardWeights} D weight-gradient passes, ` +
      `${counts.dBackwardInputInner} D input-gradient passes without the first layer + ${counts.dBackwardInputAll} through all of D (G update), ` +
      "1 G backward (weights; input gradients but the first layer's); biases, batch norm, activations, losses, optimiser not counted",
  };
}

// Sub-workloads the bench times on tfjs-backend-wasm (which cannot run a whole conv step):
//   forward:        G(z) forward + D(real) + D(G(z)) forwards (a step's forward passes but the G update's D forward)
//   dInputGradient: one D forward + the input gradient through all of D (the G update's pass through D)
export function subWorkloadFlops(specInput: GanSpec): { forward: number; dInputGradient: number } {
  const s = ganStepFlops(specInput);
  return { forward: s.generator.forward + 2 * s.discriminator.forward, dInputGradient: s.discriminator.forward + s.discriminator.backwardInputAll };
}

// `node --import tsx bench/flops.ts [preset]` prints the breakdown
if (import.meta.url === `file://${process.argv[1]}`) {
  const { preset } = await import("../src/model/presets.ts");
  const name = process.argv[2] ?? "dcgan-mnist";
  const s = ganStepFlops(preset(name));
  const M = (f: number) => (f / 1e6).toFixed(1);
  console.log(`${name}: ${M(s.total)} MFLOP per training step (${s.counted})`);
  for (const [k, v] of Object.entries(s.byPass)) console.log(`  ${k.padEnd(22)} ${M(v).padStart(9)} MFLOP  ${(100 * v / s.total).toFixed(1)}%`);
  for (const [net, f] of [["G", s.generator], ["D", s.discriminator]] as const) {
    for (const l of f.perLayer.filter((l) => l.forward > 0)) {
      console.log(`  ${net}[${l.index}] ${l.type.padEnd(17)} [${l.input.join("x")}] -> [${l.output.join("x")}]: ${M(l.forward)} MFLOP a pass`);
    }
  }
  console.log(`  tfjs peers run one more G forward: +${M(s.tfjsExtra)} MFLOP`);
  const sub = subWorkloadFlops(preset(name));
  console.log(`  sub-workloads: forward ${M(sub.forward)} MFLOP, D forward + input gradient ${M(sub.dInputGradient)} MFLOP`);
}
