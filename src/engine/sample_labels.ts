// The class of each of n samples for generate/sample (GenerateOptions.labels), checked; shared
// by both engines. Unconditional specs (no numClasses) refuse labels and get undefined.
export function sampleClasses(numClasses: number | undefined, n: number, labels: ArrayLike<number> | number | undefined): Int32Array | undefined {
  const K = numClasses;
  if (K === undefined) {
    if (labels !== undefined) throw new RangeError(`labels given, but this model is unconditional (its spec has no numClasses)`);
    return undefined;
  }
  const out = new Int32Array(n);
  if (labels === undefined) {
    for (let i = 0; i < n; i++) out[i] = i % K;
    return out;
  }
  const one = typeof labels === "number";
  if (!one && labels.length !== n) throw new RangeError(`labels: ${labels.length} given for ${n} samples (give one per sample, or one number for all)`);
  for (let i = 0; i < (one ? 1 : n); i++) {
    const y = one ? labels : labels[i];
    if (!(Number.isInteger(y) && y >= 0 && y < K)) throw new RangeError(`labels${one ? "" : `[${i}]`}: must be a class from 0 to ${K - 1} (spec.numClasses ${K}) (got ${y})`);
  }
  if (one) out.fill(labels);
  else out.set(labels);
  return out;
}
