// Improved precision and recall (Kynkäänniemi, Karras, Laine, Lehtinen & Aila 2019, "Improved
// Precision and Recall Metric for Assessing Generative Models", NeurIPS), k = 3:
// each set's manifold is the union of balls around its samples, each ball's radius the distance
// to the sample's k-th nearest neighbour in its own set (itself excluded). Precision: the share
// of generated samples inside the real manifold; recall: the share of real samples inside the
// generated manifold. Euclidean distances in f64 on the classifier's features.
//
// Cost: O((n + m)² d). The caller bounds n, m (evaluate uses at most 5,000 of each).

export interface PrecisionRecall { precision: number; recall: number; k: number; real: number; fake: number }

// real: [n, d], fake: [m, d]
export function precisionRecall(real: Float32Array, n: number, fake: Float32Array, m: number, d: number, k = 3): PrecisionRecall {
  if (n <= k || m <= k) throw new RangeError(`precision/recall with k = ${k} needs more than ${k} samples in each set (got ${n} real, ${m} generated)`);
  const rReal = kthNeighbourRadii(real, n, d, k), rFake = kthNeighbourRadii(fake, m, d, k);
  return { precision: shareInside(fake, m, real, n, rReal, d), recall: shareInside(real, n, fake, m, rFake, d), k, real: n, fake: m };
}

// squared distance to the k-th nearest other sample of each row of x: [n, d]
export function kthNeighbourRadii(x: Float32Array, n: number, d: number, k: number): Float64Array {
  const dist = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) dist[i * n + j] = dist[j * n + i] = dist2(x, i, x, j, d);
  const out = new Float64Array(n), best = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    best.fill(Infinity); // the k smallest, ascending
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const v = dist[i * n + j];
      if (v >= best[k - 1]) continue;
      let p = k - 1;
      while (p > 0 && best[p - 1] > v) { best[p] = best[p - 1]; p--; }
      best[p] = v;
    }
    out[i] = best[k - 1];
  }
  return out;
}

// the share of rows of q: [m, d] within radius² r[j] of some row j of ref: [n, d]
function shareInside(q: Float32Array, m: number, ref: Float32Array, n: number, r: Float64Array, d: number): number {
  let inside = 0;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) if (dist2(q, i, ref, j, d) <= r[j]) { inside++; break; }
  }
  return inside / m;
}

function dist2(a: Float32Array, i: number, b: Float32Array, j: number, d: number): number {
  let s0 = 0, s1 = 0, k = 0;
  const ai = i * d, bj = j * d;
  for (; k + 2 <= d; k += 2) {
    const u = a[ai + k] - b[bj + k], v = a[ai + k + 1] - b[bj + k + 1];
    s0 += u * u; s1 += v * v;
  }
  for (; k < d; k++) { const u = a[ai + k] - b[bj + k]; s0 += u * u; }
  return s0 + s1;
}
