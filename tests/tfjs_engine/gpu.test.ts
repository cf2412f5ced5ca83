// The tfjs engine's GPU code paths on this CPU-only machine kind, through software adapters:
//  (1) tfjs-backend-webgpu under Deno (`deno run -A tests/gpu/deno_webgpu.ts`; navigator.gpu is
//      Mesa llvmpipe here), (2) tfjs-backend-webgl in headless Chromium (Debian's chromium via
//      playwright-core; WebGL2 on SwiftShader), installed with apt-get when missing.
// Each: STEPS steps of mlp-ring8 from seed 1 on the tfjs engine forced onto that backend: every
// step's losses and gradient norms within 1e-5 + 1e-4·|x| of the tfjs CPU backend's, the final
// weights within 1e-4 of the WASM engine's (measured, 20 steps: ~1e-7 relative, weights 3.7e-6);
// and engine "auto" choosing the WASM engine because the adapter is a software one, with that
// reason; forcing the tfjs engine onto a backend that cannot start ('tensorflow' outside Node)
// throws an error naming it. What cannot run here is skipped with the reason printed.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { expectClose } from "../util/check.ts";
import { ensureChromium, runChromiumWebgl } from "../gpu/chromium_webgl.ts";

const STEPS = 10;

function check(label: string, out: any, backend: string, software: RegExp) {
  assert.is(out.auto.engine, "wasm", `${label}: auto picks the WASM engine`);
  const attempt = out.auto.attempts.find((a: any) => a.backend === backend);
  assert.ok(attempt, `${label}: auto tried ${backend}`);
  assert.match(attempt.reason, software, `${label}: the reason names the software adapter`);
  assert.ok(out.auto.reasons.some((r: string) => r.startsWith(`${backend}: `)), `${label}: auto's reasons name ${backend}`);
  assert.match(out.forcedError, /cannot start backend 'tensorflow'.*Node only/);
  if (out.gpuError) {
    console.log(`  SKIP ${label}, training on ${backend}: ${out.gpuError}`);
    return;
  }
  assert.is(out.info.backend, backend);
  assert.is(out.info.gpu, false, "a software adapter is not a GPU");
  out.gpu.rows.forEach((row: number[], i: number) => expectClose(`${label} step ${i + 1} [dLoss, gLoss, ‖∇D‖, ‖∇G‖] vs tfjs-cpu`, row, out.cpu.rows[i], 1e-5, 1e-4));
  expectClose(`${label}: G after ${STEPS} steps vs the WASM engine`, out.gpu.generator, out.wasm.generator, 1e-4);
  expectClose(`${label}: D after ${STEPS} steps vs the WASM engine`, out.gpu.discriminator, out.wasm.discriminator, 1e-4);
  expectClose(`${label}: samples vs tfjs-cpu`, out.samples, out.cpuSamples, 1e-4, 1e-3);
  console.log(`  ${label}: ${backend} on ${out.info.adapter}: ${out.gpu.msPerStep.toFixed(0)} ms/step (tfjs-cpu ${out.cpu.msPerStep.toFixed(0)}, WASM ${out.wasm.msPerStep.toFixed(1)})`);
}

test("Deno, tfjs-backend-webgpu on a software adapter: trains mlp-ring8 as tfjs-cpu does; auto keeps the WASM engine", () => {
  const deno = "node_modules/.bin/deno";
  if (!existsSync(deno)) { console.log(`  SKIP Deno webgpu: ${deno} is missing (npm package deno)`); return; }
  if (!existsSync("node_modules/@tensorflow/tfjs-backend-webgpu")) {
    console.log("  NOTE Deno webgpu: @tensorflow/tfjs-backend-webgpu is not installed: the auto decision is checked, training on webgpu is skipped");
  }
  const r = spawnSync(deno, ["run", "-A", "tests/gpu/deno_webgpu.ts", String(STEPS)], { encoding: "utf8", timeout: 300_000, maxBuffer: 256 << 20 });
  assert.is(r.status, 0, `deno exited ${r.status}: ${r.stderr?.slice(-2000)}`);
  const line = r.stdout.trim().split("\n").filter((l) => l.startsWith("{")).at(-1);
  assert.ok(line, `deno printed no JSON: ${r.stdout.slice(-500)} ${r.stderr.slice(-500)}`);
  const out = JSON.parse(line!);
  if (out.skip) { console.log(`  SKIP Deno webgpu: ${out.skip}`); return; }
  check("Deno", out, "webgpu", /llvmpipe|lavapipe|swiftshader|software/i);
});

test("headless Chromium, tfjs-backend-webgl on SwiftShader: trains mlp-ring8 as tfjs-cpu does; auto keeps the WASM engine", async () => {
  const why = ensureChromium((s) => console.log(`  ${s}`));
  if (why) { console.log(`  SKIP Chromium webgl: ${why}`); return; }
  const out = await runChromiumWebgl(STEPS);
  assert.equal(out.pageErrors, [], "no errors on the page");
  check("Chromium", out, "webgl", /swiftshader|software/i);
});

test.run();
