// A small seeded generator for the metrics' subsets (splitmix32): evaluation must be repeatable
// for a given seed and must not touch the engine's RNG streams.
export class SplitMix {
  private s: number;
  constructor(seed: number) { this.s = seed >>> 0; }
  next(): number { // uniform in [0, 1)
    let z = (this.s = (this.s + 0x9e3779b9) >>> 0);
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return ((z ^ (z >>> 16)) >>> 0) / 4294967296;
  }
  // k distinct indices of 0..n-1 (a partial Fisher-Yates)
  choose(n: number, k: number): Int32Array {
    const idx = new Int32Array(n);
    for (let i = 0; i < n; i++) idx[i] = i;
    for (let i = 0; i < k; i++) {
      const j = i + Math.floor(this.next() * (n - i));
      const t = idx[i]; idx[i] = idx[j]; idx[j] = t;
    }
    return idx.slice(0, k);
  }
}
