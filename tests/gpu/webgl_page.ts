// The browser page's script (bundled by chromium_webgl.ts): window.gpuRun(steps) runs gpuRun on
// tfjs-backend-webgl (in Chromium headless, WebGL2 on SwiftShader: a software rasteriser).
import { gpuRun } from "./gpu_run.ts";

(globalThis as any).gpuRun = (steps: number) => gpuRun("webgl", steps);
(globalThis as any).pageReady = true;
