// The shipped reference statistics of the real data: μ and Σ (f64, unbiased) of the digit
// classifier's features and logits over all 10,000 bundled MNIST digits, made by
// scripts/mnist_reference_stats.ts into mnist_reference_stats.json (base64 float64 little-endian).
// FID and the logits' Fréchet distance need only these; KID and precision/recall need the real
// samples themselves.
import statsJson from "./mnist_reference_stats.json" with { type: "json" };
import { decodeBase64 } from "../io/base64.ts";
import type { Gaussian } from "./linalg.ts";

interface StoredGaussian { dim: number; count: number; mean: string; cov: string }
export interface ReferenceStats { data: string; count: number; features: Gaussian; logits: Gaussian }

let cached: ReferenceStats | undefined;

export function mnistReferenceStats(): ReferenceStats {
  if (cached) return cached;
  const j = statsJson as unknown as { data: string; count: number; features: StoredGaussian; logits: StoredGaussian };
  return (cached = { data: j.data, count: j.count, features: decodeGaussian(j.features), logits: decodeGaussian(j.logits) });
}

export function encodeGaussian(g: Gaussian): StoredGaussian {
  const b64 = (a: Float64Array) => {
    const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    let bin = "";
    for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
    return btoa(bin);
  };
  return { dim: g.dim, count: g.count, mean: b64(g.mean), cov: b64(g.cov) };
}

function decodeGaussian(s: StoredGaussian): Gaussian {
  const f64 = (b64: string, n: number) => {
    const bytes = decodeBase64(b64);
    if (bytes.length !== 8 * n) throw new RangeError(`mnist reference statistics: ${bytes.length} bytes where ${n} float64 values were expected`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = view.getFloat64(8 * i, true);
    return out;
  };
  return { dim: s.dim, count: s.count, mean: f64(s.mean, s.dim), cov: f64(s.cov, s.dim * s.dim) };
}
