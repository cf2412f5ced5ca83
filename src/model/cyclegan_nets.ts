// CycleGAN's nets as spec layers (Zhu et al. 2017, "Unpaired Image-to-Image Translation using
// Cycle-Consistent Adversarial Networks", §4 and appendix 7.2; the official code's
// ResnetGenerator and NLayerDiscriminator, junyanz/pytorch-CycleGAN-and-pix2pix models/networks.py),
// scaled to 28–32 px images.
//
// The residual block is a spec pattern on the graph's `add` node (src/model/graph.ts), not a
// layer of its own: residualBlock() writes it out, and a spec may write the same by hand:
//   {"type": "reflection_pad", "pad": 1, "inputs": [from]}, {"type": "conv2d", "filters": k,
//   "kernelSize": 3, "padding": "valid"}, {"type": "instance_norm"}, {"type": "relu"},
//   {"type": "reflection_pad", "pad": 1}, {"type": "conv2d", "filters": k, "kernelSize": 3,
//   "padding": "valid"}, {"type": "instance_norm"}, {"type": "add", "name": name, "inputs": [from, <the last norm>]}
// (the official block: ReflectionPad2d(1), Conv2d 3×3, InstanceNorm2d, ReLU, ReflectionPad2d(1),
// Conv2d 3×3, InstanceNorm2d, and x + that; no dropout, the CycleGAN default).
import type { LayerSpec } from "./spec.ts";

// x + f(x): the block reads the layer named `from` (or "input") and its add is named `name`
export function residualBlock(name: string, from: string, channels: number): LayerSpec[] {
  const conv = (): LayerSpec => ({ type: "conv2d", filters: channels, kernelSize: [3, 3], strides: [1, 1], padding: "valid" });
  return [
    { type: "reflection_pad", pad: [1, 1], inputs: [from] }, conv(), { type: "instance_norm", eps: 1e-5 }, { type: "relu" },
    { type: "reflection_pad", pad: [1, 1] }, conv(), { type: "instance_norm", eps: 1e-5, name: `${name}.f` },
    { type: "add", name, inputs: [from, `${name}.f`] },
  ];
}

export interface ResnetGeneratorOptions {
  channels: number;  // image channels in and out (1 for the digits)
  ngf?: number;      // filters of the first layer (the official 64; default 16 at 28 px)
  blocks?: number;   // residual blocks (the official 6 at 128 px, 9 at 256; default 3 here)
}

// The ResNet generator: c7s1-k, d2k, d4k, R4k × blocks, u2k, uk, c7s1-channels, tanh
// (c7s1-k: reflection pad 3, 7×7 conv of k filters, instance norm, ReLU; dk: 3×3 conv stride 2,
// instance norm, ReLU; uk: 3×3 transposed conv stride 2, instance norm, ReLU). Image [h, w, c]
// with h, w divisible by 4 and at least 8 (a 7×7 reflection pad needs sides above 3).
export function resnetGenerator(o: ResnetGeneratorOptions): LayerSpec[] {
  const k = o.ngf ?? 16, blocks = o.blocks ?? 3;
  const conv = (filters: number, size: number, stride: number, padding: "same" | "valid"): LayerSpec =>
    ({ type: "conv2d", filters, kernelSize: [size, size], strides: [stride, stride], padding });
  const norm = (): LayerSpec => ({ type: "instance_norm", eps: 1e-5 });
  const layers: LayerSpec[] = [
    { type: "reflection_pad", pad: [3, 3] }, conv(k, 7, 1, "valid"), norm(), { type: "relu" },
    conv(2 * k, 3, 2, "same"), norm(), { type: "relu" },
    conv(4 * k, 3, 2, "same"), norm(), { type: "relu", name: "down" },
  ];
  let from = "down";
  for (let b = 0; b < blocks; b++) {
    layers.push(...residualBlock(`res${b}`, from, 4 * k));
    from = `res${b}`;
  }
  layers.push(
    { type: "conv2d_transpose", filters: 2 * k, kernelSize: [3, 3], strides: [2, 2], padding: "same" }, norm(), { type: "relu" },
    { type: "conv2d_transpose", filters: k, kernelSize: [3, 3], strides: [2, 2], padding: "same" }, norm(), { type: "relu" },
    { type: "reflection_pad", pad: [3, 3] }, conv(o.channels, 7, 1, "valid"), { type: "tanh" },
  );
  return layers;
}

export interface PatchDiscriminatorOptions {
  ndf?: number;    // filters of the first layer (the official 64; default 16 at 28 px)
  layers?: number; // stride-2 convolutions (the official 3 for 70×70 patches at 256 px; default 2)
}

// The PatchGAN discriminator: C(ndf) 4×4 stride 2 and LeakyReLU 0.2 (no norm on the first),
// C(2^i·ndf) 4×4 stride 2 with instance norm, then one stride-1 C(2^n·ndf) and a 4×4 stride-1
// conv to 1 channel: a map of logits [h / 2^n, w / 2^n, 1], each judging one patch of the input
// (receptive field 34×34 with the defaults: most of a 28 px digit). The losses average over the map.
export function patchDiscriminator(o: PatchDiscriminatorOptions = {}): LayerSpec[] {
  const k = o.ndf ?? 16, n = o.layers ?? 2;
  const conv = (filters: number, stride: number): LayerSpec => ({ type: "conv2d", filters, kernelSize: [4, 4], strides: [stride, stride], padding: "same" });
  const leaky: LayerSpec = { type: "leaky_relu", alpha: 0.2 };
  const out: LayerSpec[] = [conv(k, 2), leaky];
  for (let i = 1; i < n; i++) out.push(conv(k << i, 2), { type: "instance_norm", eps: 1e-5 }, { ...leaky });
  out.push(conv(k << n, 1), { type: "instance_norm", eps: 1e-5 }, { ...leaky }, conv(1, 1));
  return out;
}
