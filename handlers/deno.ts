// A Deno server serving samples of a trained generator (wasm-gan/infer):
//   MODEL=model.safetensors deno run --allow-env --allow-read --allow-net deno.ts   (PORT: 8080, HOST: 127.0.0.1)
//   GET /sample?n=16&seed=42[&label=3][&format=f32]   -> image/png grid, or raw float32 (X-Shape header)
// In a project without wasm-gan in node_modules, import from "npm:wasm-gan/infer" instead. The model
// loads once, before the server listens: a model that cannot load ends the process (exit 1) with
// a one-line message, never a failing request.
import { loadGenerator, sampleResponse, warmUpRequests, type Generator } from "wasm-gan/infer";

const model = Deno.env.get("MODEL") ?? Deno.args[0];
const port = Number(Deno.env.get("PORT") ?? 8080), hostname = Deno.env.get("HOST") ?? "127.0.0.1";
if (!model) {
  console.error("usage: MODEL=path/to/model.safetensors deno run --allow-env --allow-read --allow-net deno.ts");
  Deno.exit(2);
}

let generator: Generator;
try {
  const wasm = await Deno.readFile(new URL(import.meta.resolve("wasm-gan/infer.wasm")));
  generator = await loadGenerator({ wasm, model: await Deno.readFile(model) });
  await warmUpRequests(generator); // an f32 and a PNG request answered before listening: the first request finds warm code
} catch (e) {
  console.error(`cannot load the model ${model}: ${(e as Error).message}`);
  Deno.exit(1);
}

Deno.serve({ port, hostname, onListen: ({ port }) => console.log(`serving ${generator.info.net} (${model}) on http://${hostname}:${port}/sample`) },
  (request) => sampleResponse(generator, request));
