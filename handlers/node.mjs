// A Node http server serving samples of a trained generator (wasm-gan/infer):
//   MODEL=out/dcgan-mnist/checkpoint.safetensors node node.mjs      (PORT: 8080, HOST: 127.0.0.1)
//   GET /sample?n=16&seed=42[&label=3][&format=f32]   -> image/png grid, or raw float32 (X-Shape header)
// The model loads once, before the server listens: a model that cannot load ends the process
// (exit 1) with a one-line message, never a failing request.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { loadGenerator, sampleResponse, warmUpRequests } from "wasm-gan/infer";

const model = process.env.MODEL ?? process.argv[2];
const port = Number(process.env.PORT ?? 8080), host = process.env.HOST ?? "127.0.0.1";
if (!model) {
  console.error("usage: MODEL=path/to/model.safetensors node node.mjs (a checkpoint or `wasm-gan export --format safetensors`)");
  process.exit(2);
}

let generator;
try {
  const wasm = await readFile(new URL(import.meta.resolve("wasm-gan/infer.wasm")));
  generator = await loadGenerator({ wasm, model: await readFile(model) });
  await warmUpRequests(generator); // an f32 and a PNG request answered before listening: the first request finds warm code
} catch (e) {
  console.error(`cannot load the model ${model}: ${e.message}`);
  process.exit(1);
}

const server = createServer(async (req, res) => {
  try {
    const response = await sampleResponse(generator, new Request(new URL(req.url, `http://${req.headers.host ?? host}`), { method: req.method }));
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(new Uint8Array(await response.arrayBuffer()));
  } catch (e) {
    res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
    res.end(`internal error: ${e.message}\n`);
  }
});
// once listening, one request to itself before it says so: Node's HTTP server and fetch classes
// compile much of their JavaScript on first use (the first request took ~13 ms before this)
// (best effort: a failed self-request is no reason not to serve)
server.listen(port, host, async () => {
  const origin = `http://${host.includes(":") ? `[${host}]` : host}:${server.address().port}`;
  try {
    await (await fetch(`${origin}/sample?n=1&format=f32`)).arrayBuffer();
  } catch {}
  console.log(`serving ${generator.info.net} (${model}) on ${origin}/sample`);
});
