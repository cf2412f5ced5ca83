// How spread out a set of samples is, against the real data's: the health monitor's diversity
// measures (src/health/collapse.ts). Rows: [n, dim] flat.
//   sampleSpread:     the mean distance between 1,000 fixed pairs of rows, over the same for the
//                     real data (1 for samples as spread out as the data; near 0 for a collapse
//                     onto a point). For 2-D mixtures. Pairs (i, (7919·i + 13) mod n): spread
//                     over the set, the same every call, no random stream.
//   neighbourSpread:  the mean distance from each row to its nearest other row of the SAME set,
//                     over the same for the real data: the within-batch distance of samples in
//                     a feature space (images: the digit classifier's features). Near 0 when the
//                     batch holds near-duplicates — what an image GAN's collapse looks like (many
//                     samples of one face, one digit stroke) — even when the pairs of distinct
//                     samples are far apart, which a mean pair distance misses: on the classifier's
//                     features, 1,000 samples made of 10 digits repeated keep 0.85 of the real
//                     mean pair distance but 0 of the nearest-neighbour distance.
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

// O(n²·dim): 1,000 rows of 64 features take ~70 ms
export function meanNeighbourDistance(x: Float32Array, dim: number): number {
  const n = Math.floor(x.length / dim);
  if (n < 2) return NaN;
  let total = 0;
  for (let i = 0; i < n; i++) {
    let best = Infinity;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      let d2 = 0;
      for (let k = 0; k < dim; k++) { const t = x[i * dim + k] - x[j * dim + k]; d2 += t * t; }
      if (d2 < best) best = d2;
    }
    total += Math.sqrt(best);
  }
  return total / n;
}

// `realNeighbourDistance`: meanNeighbourDistance of a real set of the same size (the nearest
// neighbour's distance shrinks as a set grows: compare sets of one size)
export function neighbourSpread(samples: Float32Array, realNeighbourDistance: number, dim: number): number {
  return realNeighbourDistance > 0 ? meanNeighbourDistance(samples, dim) / realNeighbourDistance : NaN;
}
