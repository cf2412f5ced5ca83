// bench/infer_speed.ts's Worker for wasm-gan/infer in workerd (timed from outside: workerd's clock
// does not move while a request computes). /ping: nothing; /load: loadGenerator (instantiate the
// wasm module workerd compiled at start-up + load the weights + its warm-up sample; warmUp=0: none); /gen?n=N&seed=S[&k=K]: N samples
// (K times over in one request, default once: the bench takes the slope between K = 1 and K = 21
// as the time of one call inside workerd, without the HTTP round trip), the response their sum
// (so the timing holds the work, not the transfer).
import { loadGenerator } from "wasm-gan/infer";
import wasm from "./infer.wasm";
import model from "./model.safetensors";

let generator;
export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === "/ping") return new Response("ok");
    if (url.pathname === "/load") { generator = await loadGenerator({ wasm, model, warmUp: url.searchParams.get("warmUp") !== "0" }); return new Response("loaded"); }
    const n = Number(url.searchParams.get("n")), seed = Number(url.searchParams.get("seed")), k = Number(url.searchParams.get("k") ?? 1);
    let s = 0;
    for (let j = 0; j < k; j++) {
      const { data } = generator.generate({ n, seed: seed + j });
      for (let i = 0; i < data.length; i++) s += data[i];
    }
    return new Response(String(s));
  },
};
