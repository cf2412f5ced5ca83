// A Cloudflare Worker (workerd) serving samples of a trained generator:
//   GET /sample?n=16&seed=42[&label=3][&format=f32]   -> image/png grid, or raw float32 (X-Shape header)
// Edge runtimes refuse to compile WebAssembly from bytes, so the inference module comes in as a
// wasm module (a WebAssembly.Module) and the model as a data module (an ArrayBuffer), both
// declared in config.capnp (with wrangler: [[rules]] type = "CompiledWasm" and "Data"). The
// model loads once, when the Worker starts: a model that cannot load fails there, never per request.
import { loadGenerator, sampleResponse, warmUpRequests } from "wasm-gan/infer";
import wasm from "./infer.wasm";
import model from "./model.safetensors";

const generator = await loadGenerator({ wasm, model });
await warmUpRequests(generator); // an f32 and a PNG request answered at start-up: the first request finds warm code

export default {
  async fetch(request) {
    return sampleResponse(generator, request);
  },
};
