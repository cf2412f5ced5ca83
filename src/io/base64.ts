// Base64 -> bytes with the runtime's atob (Node >= 16, Deno, browsers, workers, edge runtimes):
// the wasm modules travel as base64 strings in src/generated/wasm_bytes.ts.
export function decodeBase64(b64: string): Uint8Array {
  if (typeof atob !== "function") throw new Error("wasm-gan: no base64 decoder (atob) in this runtime");
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
