// RGBA images and their PNG encoding (fast-png: pure JS, runs in Node, Deno and browsers).
import { encode } from "fast-png";

export { createImage, blendPixel, type RgbaImage } from "./rgba.ts";
import type { RgbaImage } from "./rgba.ts";

export function encodePng(img: RgbaImage): Uint8Array {
  return encode({ width: img.width, height: img.height, data: new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.length), channels: 4, depth: 8 });
}
