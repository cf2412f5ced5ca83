// The generator-only runtime's module (wasm-gan/infer, src/infer/): the engine's own net code
// (assembly/nn/: the same layers, the same kernels of assembly/kernels/, so a forward pass gives
// the same bits as the training engine's sample) with only what an evaluation-mode generator
// forward needs exported. Nothing here calls backward, a tangent pass, an optimiser or a loss, so
// none of them is compiled in (AssemblyScript compiles what the exports reach). The exports are a
// subset of assembly/index.ts's, with the same signatures (src/infer/abi.ts types them).
export { alloc, rngNew } from "./random";
export { rngSeed, rngNormalFill } from "./kernels/rng";
export {
  netNew, netAdd, netAddConv, netAddBatchNorm, netAddMerge, netInput,
  netAddUpsample, netAddAvgPool, netAddPixelNorm, netAddInstanceNorm, netAddReflectionPad,
  netParamCount, netParams, netStateCount, netState, netOutSize, netForward,
} from "./index";
export { crc32Update, firstNonFinite } from "./kernels/checks";
import { Net } from "./nn/net";

// netBuild without the training buffers (no gradients, no optimiser state, no gradient tape:
// Net.build(false)); the parameters and state keep the engine's layout
export function netBuildForward(net: Net): void { net.build(false); }
