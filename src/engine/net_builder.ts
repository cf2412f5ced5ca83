// Builds a layer stack from the spec inside a wasm net: shape inference on the host, one engine
// layer per spec layer except reshape and flatten (activations are flat NHWC per sample, so they
// move no data).
import type { Handle, WasmExports } from "./abi.ts";
import { LAYER_CODES } from "../model/ops.ts";
import { convGeometry, layerShapes } from "../model/shapes.ts";
import type { LayerSpec } from "../model/spec.ts";

// input: one sample's shape. Returns the net, built (arena laid out), not initialised.
export function buildWasmNet(wasm: WasmExports, layers: LayerSpec[], input: number[], maxBatch: number): Handle {
  const net = wasm.netNew(input.reduce((a, b) => a * b, 1), maxBatch);
  const shapes = layerShapes(layers, input);
  layers.forEach((l, i) => {
    const shape = i === 0 ? input : shapes[i - 1];
    let rc: number;
    switch (l.type) {
      case "reshape": case "flatten": return;
      case "conv2d": case "conv2d_transpose": {
        const g = convGeometry(l, shape);
        rc = wasm.netAddConv(net, LAYER_CODES[l.type], g.h, g.w, g.cin, g.outH, g.outW, g.cout, g.kh, g.kw, g.strideH, g.strideW, g.padTop, g.padLeft);
        break;
      }
      case "batch_norm": rc = wasm.netAddBatchNorm(net, shape.at(-1)!, l.eps ?? 1e-5, l.momentum ?? 0.1); break;
      default: rc = wasm.netAdd(net, LAYER_CODES[l.type], l.units ?? 0, l.alpha ?? 0.2);
    }
    if (rc !== 0) throw new Error(`the engine refused layer ${i} (${l.type}) on input [${shape.join(", ")}]`);
  });
  wasm.netBuild(net);
  return net;
}
