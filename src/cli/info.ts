// wasm-gan info: version, runtime, which engine and SIMD build would run here and why, threads.
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { resolveThreads } from "../worker/create_gan.ts";
import { workersUnavailable } from "../worker/spawn.ts";
import { selectEngine } from "../engine/select.ts";
import { chooseFlavour, relaxedSimdSupported, simdSupported } from "../engine/wasm_module.ts";
import { presets } from "../model/presets.ts";

// dist/cli.js sits one folder below package.json, src/cli/info.ts two
function packageVersion(): string {
  for (const up of ["../package.json", "../../package.json"]) {
    try {
      const p = JSON.parse(readFileSync(new URL(up, import.meta.url), "utf8"));
      if (p.name === "wasm-gan") return p.version;
    } catch { /* not there */ }
  }
  return "unknown";
}

export async function info(): Promise<void> {
  const deno = (globalThis as any).Deno;
  const runtime = deno ? `Deno ${deno.version.deno}` : `Node ${process.versions.node} (V8 ${process.versions.v8})`;
  const relaxed = relaxedSimdSupported();
  console.log(JSON.stringify({
    runtime,
    wasmGan: packageVersion(),
    engine: await engineInfoLines(),
    simd: { strict: simdSupported(), relaxed, default: chooseFlavour(true).reason, whenNotDeterministic: chooseFlavour(false).reason,
      ...(relaxed || deno ? {} : { note: "Node 20 accepts the relaxed build only with --experimental-wasm-relaxed-simd" }) },
    threads: await threadsInfo(),
    presets: Object.keys(presets),
  }, null, 2));
}

// what --engine auto would pick for dcgan-mnist here, and why (src/engine/select.ts)
async function engineInfoLines() {
  try {
    const d = await selectEngine({ engine: "auto" });
    return { chosen: d.engine, ...(d.backend ? { backend: d.backend } : {}), why: d.reasons };
  } catch (e) {
    return { chosen: "wasm", why: [`engine selection failed: ${(e as Error).message}`] };
  }
}

async function threadsInfo() {
  const missing = await workersUnavailable();
  return missing
    ? { mode: "in-process", kernelThreads: 1, cores: availableParallelism(), why: `no workers: ${missing}; training runs on the calling thread` }
    : { mode: "worker", kernelThreads: await resolveThreads("auto"), cores: availableParallelism(),
      why: "the engine runs in a worker thread (comlink); --threads auto (the default) splits each kernel over one thread per core, with the same results bit for bit as 1 thread" };
}
