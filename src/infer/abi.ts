// The inference module's exports (assembly/infer.ts): a subset of the engine's, with the same
// signatures, so the engine's own net builder (src/engine/net_builder.ts) lays a generator out,
// and netBuildForward in place of netBuild (the net without its training buffers).
import type { Handle, WasmExports } from "../engine/abi.ts";

export type InferExports = Pick<WasmExports,
  "memory" | "alloc" | "rngNew" | "rngSeed" | "rngNormalFill" |
  "netNew" | "netAdd" | "netAddConv" | "netAddBatchNorm" | "netAddMerge" | "netInput" |
  "netAddUpsample" | "netAddAvgPool" | "netAddPixelNorm" | "netAddInstanceNorm" | "netAddReflectionPad" |
  "netParamCount" | "netParams" | "netStateCount" | "netState" | "netOutSize" | "netForward"> & {
  netBuildForward(net: Handle): void;
  // assembly/kernels/checks.ts: the loaded bytes' CRC-32 and finiteness, in the module's memory
  crc32Update(p: number, n: number, crc: number): number;
  firstNonFinite(p: number, n: number): number;
};
