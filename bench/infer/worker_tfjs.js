// bench/infer_speed.ts's Worker for the peer in workerd: tfjs on its pure-JavaScript CPU backend
// (the one tfjs backend that runs there: tfjs-backend-wasm compiles wasm from bytes, which
// workerd refuses), loading the tfjs LayersModel export (src/export/tfjs_export.ts) from a json
// and a data module. Bundled by esbuild (tfjs-core + backend-cpu + tfjs-layers). The same
// endpoints as worker_ours.js: /ping, /load, /gen?n=N[&k=K] (latents given; the response their sum).
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { loadLayersModel } from "@tensorflow/tfjs-layers";
import modelJson from "./model.json";
import weights from "./weights.bin";

let model;
const latents = (n) => Float32Array.from({ length: n * 100 }, (_, i) => Math.sin(i * 12.9898) * 1.3);
const z = { 1: latents(1), 64: latents(64) };
export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === "/ping") return new Response("ok");
    if (url.pathname === "/load") {
      await tf.setBackend("cpu");
      model = await loadLayersModel({ load: async () => ({ modelTopology: modelJson.modelTopology, weightSpecs: modelJson.weightsManifest[0].weights, weightData: weights, format: modelJson.format }) });
      return new Response("loaded");
    }
    const n = Number(url.searchParams.get("n")), k = Number(url.searchParams.get("k") ?? 1);
    let s = 0;
    for (let j = 0; j < k; j++) {
      const x = tf.tensor2d(z[n], [n, 100]);
      const y = model.predict(x);
      const data = await y.data();
      tf.dispose([x, y]);
      for (let i = 0; i < data.length; i++) s += data[i];
    }
    return new Response(String(s));
  },
};
