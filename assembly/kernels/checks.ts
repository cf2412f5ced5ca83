// What a model file's bytes are checked with once they sit in the module's memory, so that the
// inference runtime's cold start does not spend it in cold JavaScript (src/infer/generator.ts):
//   crc32Update   CRC-32 (IEEE 802.3, the zlib / PNG / gzip polynomial 0xEDB88320, reflected), the
//                 checksum the safetensors files carry in __metadata__.crc32; the same value as
//                 src/io/crc32.ts. Slicing by 8 (Kounavis & Berry 2005): eight table lookups per
//                 8 bytes instead of one per byte; wasm loads are little-endian, as the files are.
//   firstNonFinite  the index of the first NaN or ±Inf among n floats, or -1.

// TABLE[k * 256 + b]: the CRC of byte b followed by k zero bytes (k = 0 is the classic table)
const TABLE: usize = memory.data(8 * 256 * 4, 16);
let tableReady = false;

function fillTable(): void {
  for (let b: u32 = 0; b < 256; b++) {
    let c = b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    store<u32>(TABLE + (<usize>b << 2), c);
  }
  for (let k: usize = 1; k < 8; k++) {
    for (let b: usize = 0; b < 256; b++) {
      const prev = load<u32>(TABLE + (((k - 1) * 256 + b) << 2));
      store<u32>(TABLE + ((k * 256 + b) << 2), (prev >>> 8) ^ load<u32>(TABLE + (<usize>(prev & 0xff) << 2)));
    }
  }
  tableReady = true;
}

@inline function t(k: usize, b: u32): u32 { return load<u32>(TABLE + ((k * 256 + <usize>b) << 2)); }

// bytes: [n] at p; crc: the running value of the bytes before them (0 to start)
export function crc32Update(p: usize, n: usize, crc: u32): u32 {
  if (!tableReady) fillTable();
  let c = ~crc;
  const end8 = p + (n & ~(<usize>7)), end = p + n;
  for (; p < end8; p += 8) {
    const lo = load<u32>(p) ^ c, hi = load<u32>(p, 4);
    c = t(7, lo & 0xff) ^ t(6, (lo >>> 8) & 0xff) ^ t(5, (lo >>> 16) & 0xff) ^ t(4, lo >>> 24)
      ^ t(3, hi & 0xff) ^ t(2, (hi >>> 8) & 0xff) ^ t(1, (hi >>> 16) & 0xff) ^ t(0, hi >>> 24);
  }
  for (; p < end; p++) c = t(0, (c ^ <u32>load<u8>(p)) & 0xff) ^ (c >>> 8);
  return ~c;
}

// x: [n] f32 at p. x − x is 0 for every finite x and NaN for NaN and ±Inf (NaN ≠ NaN)
export function firstNonFinite(p: usize, n: i32): i32 {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const x = v128.load(p + (<usize>i << 2)), d = f32x4.sub(x, x);
    if (v128.any_true(f32x4.ne(d, d))) break;
  }
  for (; i < n; i++) {
    const d = load<f32>(p + (<usize>i << 2));
    if (d - d != d - d) return i;
  }
  return -1;
}
