// The within-set spread of samples: the mean distance between 1,000 fixed pairs of rows, over
// the same for the real data (1 for samples as spread out as the data; near 0 for a collapse
// onto a point). Rows: [n, d] flat. Pairs (i, (7919·i + 13) mod n): spread over the set, the
// same every call, no random stream.
function meanPairDistance(x: Float32Array, dim: number): number {
  const n = Math.floor(x.length / dim), pairs = Math.min(1000, n);
  let total = 0, count = 0;
  for (let i = 0; i < pairs; i++) {
    const j = (7919 * i + 13) % n;
    if (j === i) continue;
    let d2 = 0;
    for (let k = 0; k < dim; k++) { const t = x[i * dim + k] - x[j * dim + k]; d2 += t * t; }
    total += Math.sqrt(d2); count++;
  }
  return count ? total / count : NaN;
}

export function sampleSpread(samples: Float32Array, real: Float32Array, dim: number): number {
  const r = meanPairDistance(real, dim);
  return r > 0 ? meanPairDistance(samples, dim) / r : NaN;
}
