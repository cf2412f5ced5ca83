// PNG encoding (W3C PNG, 2nd ed.): IDAT is a zlib stream (RFC 1950), written by fflate's
// zlibSync (pure JS, the deflate fast-png uses for the CLI's pictures). The runtime's own
// CompressionStream("deflate") was the first choice (no deflate in the bundle), but each call
// holds a native zlib state until the garbage collector finds the stream: under load
// workerd's RSS climbed 88 -> 194 MB over 10,000 PNG requests and 88 -> 123 MB over f32 ones
// (bench/infer_load.ts --mix png|f32). Filter 0 on every row.
// pixels: [height, width, channels] bytes; channels 1 (grey), 3 (RGB) or 4 (RGBA).
import { zlibSync } from "fflate";
import { crc32 } from "../io/crc32.ts";

const COLOUR_TYPE: Record<number, number> = { 1: 0, 3: 2, 4: 6 };

function chunk(type: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + body.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, body.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(body, 8);
  view.setUint32(8 + body.length, crc32(out.subarray(4, 8 + body.length)));
  return out;
}

// async for the API's sake (it was CompressionStream's); the work is synchronous
export async function encodePng(pixels: Uint8Array, width: number, height: number, channels: number): Promise<Uint8Array> {
  const colour = COLOUR_TYPE[channels];
  if (colour === undefined) throw new RangeError(`png: channels must be 1, 3 or 4 (got ${channels})`);
  const row = width * channels;
  if (pixels.length !== row * height) throw new RangeError(`png: ${pixels.length} bytes for a ${width}×${height}×${channels} image (needs ${row * height})`);
  const raw = new Uint8Array((row + 1) * height); // each row: filter byte 0, then the row
  for (let y = 0; y < height; y++) raw.set(pixels.subarray(y * row, (y + 1) * row), y * (row + 1) + 1);
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr.set([8, colour, 0, 0, 0], 8); // depth 8, colour type, deflate, filter set 0, no interlace
  const parts = [Uint8Array.of(137, 80, 78, 71, 13, 10, 26, 10), chunk("IHDR", ihdr), chunk("IDAT", zlibSync(raw, { level: 6 })), chunk("IEND", new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}
