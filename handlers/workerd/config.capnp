# workerd config for worker.js: `npx workerd serve config.capnp` serves on 127.0.0.1:8080
# (override: --socket-addr http=HOST:PORT). Put next to this file: worker.js, infer.js and
# infer.wasm (from wasm-gan's dist/), and model.safetensors (a checkpoint or
# `wasm-gan export --format safetensors`).
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [(name = "main", worker = .generator)],
  sockets = [(name = "http", address = "127.0.0.1:8080", http = (), service = "main")],
);

const generator :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
    (name = "wasm-gan/infer", esModule = embed "infer.js"),
    (name = "infer.wasm", wasm = embed "infer.wasm"),
    (name = "model.safetensors", data = embed "model.safetensors"),
  ],
  compatibilityDate = "2025-09-01",
);
