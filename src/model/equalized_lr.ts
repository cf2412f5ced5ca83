// Equalised learning rate (Karras et al. 2018, PGGAN §4.1; assembly/nn/equalized_lr.ts): a dense
// or conv layer with `equalizedLr` stores W ~ N(0, 1) and multiplies by c·W at run time,
// c = gain / sqrt(fan_in) (He's constant). The spec's `"equalizedLr": true` means gain √2 (the
// official code's default), a number is the gain itself (1 for toRGB and D's last dense, √2/4 for
// G's first dense in the official nets). Normalised specs hold the gain as a number.
//   fan_in: dense its input size; conv2d and conv2d_transpose kh·kw·(the input's channels)
// c is rounded to f32 once, here, and every consumer (the WASM engine, the tfjs engine, the
// references, the exports' folding) multiplies by that one f32.
import type { LayerSpec } from "./spec.ts";
import type { LayerType } from "./ops.ts";
import { SpecError, show } from "./spec_check.ts";

export const EQUALIZED_LR_LAYERS: readonly LayerType[] = ["dense", "conv2d", "conv2d_transpose"];
export const EQUALIZED_LR_GAIN = Math.SQRT2;

// the gain of a layer's equalised learning rate, 0 when off
export function equalizedGain(l: LayerSpec): number {
  const v = l.equalizedLr;
  return v === true ? EQUALIZED_LR_GAIN : typeof v === "number" ? v : 0;
}

// fan_in of a dense or conv layer on one sample of shape `input`
export function fanIn(l: LayerSpec, input: number[]): number {
  if (l.type === "dense") return input.reduce((a, b) => a * b, 1);
  const [kh, kw] = l.kernelSize as [number, number];
  return kh * kw * input.at(-1)!;
}

// c = fround(gain / sqrt(fan_in)), or 1 for a layer without equalised learning rate
export function equalizedScale(l: LayerSpec, input: number[]): number {
  const gain = equalizedGain(l);
  return gain > 0 ? Math.fround(gain / Math.sqrt(fanIn(l, input))) : 1;
}

// the spec field, checked: {} when off, {equalizedLr: gain} when on
export function validateEqualizedLr(layer: Record<string, unknown>, type: LayerType, p: string): Pick<LayerSpec, "equalizedLr"> {
  const v = layer.equalizedLr;
  if (v === undefined || v === false) return {};
  const gain = v === true ? EQUALIZED_LR_GAIN : v;
  if (typeof gain !== "number" || !Number.isFinite(gain) || gain <= 0 || gain > 16) {
    throw new SpecError(`${p}.equalizedLr`, `must be true (gain √2), false, or the gain, a number in (0, 16] (got ${show(v)})`);
  }
  if (!EQUALIZED_LR_LAYERS.includes(type)) {
    throw new SpecError(`${p}.equalizedLr`, `equalised learning rate applies to ${EQUALIZED_LR_LAYERS.join(", ")} layers only, not ${type}`);
  }
  if (layer.spectralNorm === true) {
    throw new SpecError(`${p}.equalizedLr`, `use either equalised learning rate or spectral normalisation (spectralNorm) on a layer, not both`);
  }
  return { equalizedLr: gain };
}
