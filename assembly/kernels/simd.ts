// Fused or unfused multiply-add, chosen at compile time.
// The strict build (plain SIMD) rounds twice and is bit-reproducible on every engine;
// the relaxed build may fuse (one rounding) and is faster where the CPU has FMA.
@inline
export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) {
    return f32x4.relaxed_madd(a, b, c);
  } else {
    return f32x4.add(f32x4.mul(a, b), c);
  }
}
