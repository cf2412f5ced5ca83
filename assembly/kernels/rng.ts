// The one source of randomness: xoshiro128** (Blackman & Vigna), 32-bit state words so the
// stream is identical on every engine. Seeded through splitmix32. A state is 4 u32 at `s`.

export function rngSeed(s: usize, seed: u32): void {
  let x = seed;
  for (let i = 0; i < 4; i++) {
    // splitmix32
    x += 0x9e3779b9;
    let z = x;
    z = (z ^ (z >> 16)) * 0x85ebca6b;
    z = (z ^ (z >> 13)) * 0xc2b2ae35;
    z ^= z >> 16;
    store<u32>(s + (<usize>i << 2), z == 0 && i == 0 ? 1 : z);
  }
}

// @ts-ignore: decorator
@inline
export function rngNextU32(s: usize): u32 {
  let s0 = load<u32>(s), s1 = load<u32>(s, 4), s2 = load<u32>(s, 8), s3 = load<u32>(s, 12);
  const result = rotl<u32>(s1 * 5, 7) * 9;
  const t = s1 << 9;
  s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t;
  s3 = rotl<u32>(s3, 11);
  store<u32>(s, s0); store<u32>(s, s1, 4); store<u32>(s, s2, 8); store<u32>(s, s3, 12);
  return result;
}

// uniform in [0, 1) with 24 random bits (every value exactly representable in f32)
// @ts-ignore: decorator
@inline
export function rngUniform(s: usize): f32 {
  return <f32>(rngNextU32(s) >> 8) * (1.0 / 16777216.0);
}

// uniform integer in [0, n)  (Lemire's multiply-shift; the bias for n << 2^32 is negligible)
export function rngBelow(s: usize, n: u32): u32 {
  return <u32>((<u64>rngNextU32(s) * <u64>n) >> 32);
}

// the largest f32 below x (x finite)
function floatBelow(x: f32): f32 {
  const b = reinterpret<u32>(x);
  if (x > 0) return reinterpret<f32>(b - 1);
  if (x == 0) return reinterpret<f32>(<u32>0x80000001);
  return reinterpret<f32>(b + 1);
}

// uniform on [lo, hi): lo + fl(w·u) can round up to hi when |lo| >> w, so it is clamped to the
// float below hi (the stream itself does not change)
export function rngUniformFill(s: usize, out: usize, len: i32, lo: f32, hi: f32): void {
  const w = hi - lo;
  const top = floatBelow(hi);
  for (let i = 0; i < len; i++) store<f32>(out + (<usize>i << 2), min(lo + w * rngUniform(s), top));
}

// Normal(mean, std) by Box–Muller, two values per pair of uniforms; an odd tail uses one
// pair and drops its second value, so the stream position depends only on `len`.
export function rngNormalFill(s: usize, out: usize, len: i32, mean: f32, std: f32): void {
  for (let i = 0; i < len; i += 2) {
    const u1: f32 = 1 - rngUniform(s); // (0, 1]: log never sees 0
    const u2 = rngUniform(s);
    const r = Mathf.sqrt(-2 * Mathf.log(u1));
    const th: f32 = 2 * Mathf.PI * u2;
    store<f32>(out + (<usize>i << 2), mean + std * r * Mathf.cos(th));
    if (i + 1 < len) store<f32>(out + (<usize>(i + 1) << 2), mean + std * r * Mathf.sin(th));
  }
}
