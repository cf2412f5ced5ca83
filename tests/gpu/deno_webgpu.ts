// `deno run -A tests/gpu/deno_webgpu.ts STEPS` (run by tests/tfjs_engine/gpu.test.ts): the tfjs
// engine on tfjs-backend-webgpu under Deno, whose navigator.gpu is a software adapter on this
// machine kind (Mesa llvmpipe). Prints gpuRun's JSON on one line, or {"skip": reason} when there
// is no adapter.
import { gpuRun } from "./gpu_run.ts";

const Deno = (globalThis as any).Deno;
const adapter = await (navigator as any).gpu?.requestAdapter();
if (!adapter) {
  console.log(JSON.stringify({ skip: "navigator.gpu.requestAdapter() gave no adapter" }));
} else {
  console.log(JSON.stringify(await gpuRun("webgpu", Number(Deno.args[0] ?? 20))));
}
