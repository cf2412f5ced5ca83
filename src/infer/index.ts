// wasm-gan/infer: the generator-only runtime for edge and serverless functions, pages and servers.
// No workers, no file system, no tfjs: one ESM bundle (dist/infer.js) and its own small wasm
// (dist/infer.wasm, from assembly/infer.ts), loaded from a WebAssembly.Module, bytes or a URL.
//   const g = await loadGenerator({ wasm, model });        // model: a checkpoint or a generator export
//   const { data, shape } = g.generate({ n: 16, seed: 42 }); // the training engine's sample(16, {seed: 42}) bits
//   const png = await g.png({ n: 16, seed: 42 });            // a grid (images) or a scatter plot (2-D points)
//   return sampleResponse(g, request);                      // GET /sample?n=16&seed=42[&label=3][&format=f32]
export { loadGenerator, Generator, InferError, MAX_SAMPLES } from "./generator.ts";
export type { LoadOptions, Source, GenerateRequest, PngRequest, Samples, GeneratorInfo } from "./generator.ts";
export { sampleResponse, parseSampleQuery, f32Bytes, warmUpRequests } from "./http.ts";
export type { SampleQuery } from "./http.ts";
export { encodePng } from "./png.ts";
