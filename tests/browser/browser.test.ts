// The built package in a real browser: headless Chromium (Debian's chromium through
// playwright-core, launched as tests/gpu/chromium_webgl.ts does; installed with apt-get when
// missing, else skipped with the reason printed) opens tests/browser/page.html from a local
// server (serve.ts), which imports dist/index.js as a user's page would; its workers load
// dist/worker.js beside it. The page draws ring8 (100 000 points, seed 1), trains the ring8
// preset for 500 steps from seed 1 asking for 2 threads, and returns SHA-256s of the data, of
// G's then D's parameters, and of the whole training state (parameters, optimiser moments and
// update counts, batch-norm statistics, the training stream, the step), and of 1,000 samples
// drawn from the trained generator (seed 7).
//  - served cross-origin isolated (COOP/COEP): the engine runs in workers with 2 kernel threads,
//    and every hash equals Node's for the same run, bit for bit;
//  - served without the headers: no SharedArrayBuffer, so it falls back to one thread on the
//    page's own thread, engineInfo() says why, and the hashes are the same bits again.
// And without a browser: dist/index.js and dist/worker.js import nothing statically (every
// `node:` module and tfjs is a dynamic import reached only on the path that needs it), checked
// by esbuild's own parse of the built files, with dist/cli.js as the control that has some.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createHash } from "node:crypto";
import { build } from "esbuild";
import { ensureChromium, CHROMIUM } from "../gpu/chromium_webgl.ts";
import { servePage } from "./serve.ts";
import { createGAN, preset, ring8, type GanState } from "../../src/index.ts";

const STEPS = 500, THREADS = 2;

// every import in a built file, as esbuild parses it: "import-statement node:fs",
// "dynamic-import node:os", ... (nothing is followed: each import is marked external)
async function importsOf(file: string): Promise<string[]> {
  const seen = new Set<string>();
  await build({
    entryPoints: [file], bundle: true, write: false, format: "esm", platform: "neutral", logLevel: "error",
    plugins: [{
      name: "list-imports",
      setup(b) {
        b.onResolve({ filter: /.*/ }, (a) => {
          if (a.kind === "entry-point") return undefined;
          seen.add(`${a.kind} ${a.path}`);
          return { path: a.path, external: true };
        });
      },
    }],
  });
  return [...seen].sort();
}

test("dist/index.js and dist/worker.js import no node: module (nor anything else) statically", async () => {
  for (const file of ["dist/index.js", "dist/worker.js"]) {
    const all = await importsOf(file);
    assert.equal(all.filter((i) => !i.startsWith("dynamic-import ")), [], `${file}: static imports`);
    assert.ok(all.some((i) => i === "dynamic-import node:worker_threads"), `${file}: node:worker_threads is there, as a dynamic import (${all.join(", ")})`);
  }
  // the control: the CLI imports node: modules statically, and the check sees them
  assert.ok((await importsOf("dist/cli.js")).includes("import-statement node:fs"), "dist/cli.js: the check finds a static node:fs import");
});

const sha256 = (parts: (Float32Array | Uint32Array)[]) => {
  const h = createHash("sha256");
  for (const p of parts) h.update(new Uint8Array(p.buffer, p.byteOffset, p.byteLength));
  return h.digest("hex");
};
function stateHashes(s: GanState) {
  const nets = [s.generator, s.discriminator];
  return {
    weights: sha256(nets.map((n) => n.params)),
    state: sha256([...nets.flatMap((n) => [n.params, n.opt1, n.opt2, n.state, new Uint32Array([n.updates])]), s.rng, new Uint32Array([s.step])]),
  };
}

// Node's run: the same data, preset, seed, steps and threads, in worker threads
async function nodeRun() {
  const data = await ring8({ count: 100_000, seed: 1 });
  const gan = await createGAN(preset("ring8"), { seed: 1, threads: THREADS, mode: "worker", engine: "wasm" });
  try {
    await gan.train(data, { steps: STEPS });
    const s = await gan.saveState();
    return { dataHash: sha256([data.x]), samples: sha256([await gan.sample(1000, { seed: 7 })]), ...stateHashes(s), step: s.step };
  } finally {
    await gan.dispose();
  }
}

test(`headless Chromium trains ring8 ${STEPS} steps from dist/: 2 threads in workers when cross-origin isolated, 1 in-process when not; both equal Node bit for bit`, async () => {
  const why = ensureChromium((s) => console.log(`  ${s}`));
  if (why) { console.log(`  SKIP the browser test: ${why}`); return; }
  const t0 = performance.now();
  const node = await nodeRun();
  const tNode = performance.now() - t0;
  const server = await servePage();
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true,
    args: ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
  });
  const runs: Record<string, any> = {};
  try {
    for (const prefix of ["isolated", "plain"]) {
      const context = await browser.newContext(); // a fresh context each: no cache shared between the two
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      page.on("console", (m) => { if (m.type() === "error") errors.push(`console: ${m.text()}`); });
      await page.goto(`${server.origin}/${prefix}/`);
      await page.waitForFunction(() => (globalThis as any).pageReady === true, undefined, { timeout: 60_000 });
      let timer: ReturnType<typeof setTimeout> | undefined;
      const out = await Promise.race([
        page.evaluate(([steps, threads]) => (globalThis as any).trainRing8(steps, threads), [STEPS, THREADS]),
        new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${prefix}: the page did not finish in 180 s`)), 180_000); }),
      ]).finally(() => clearTimeout(timer));
      runs[prefix] = { ...(out as object), errors };
      await context.close();
    }
  } finally {
    await browser.close();
    await server.close();
  }
  const failed = server.requests.filter((r) => r.status >= 400);
  assert.equal(failed, [], "every file the pages asked for was served");

  const iso = runs.isolated, plain = runs.plain;
  assert.equal(iso.errors, [], "isolated page: no errors");
  assert.is(iso.crossOriginIsolated, true, "isolated page: crossOriginIsolated");
  assert.is(iso.info.mode, "worker", `isolated page: worker mode (${iso.info.modeReason})`);
  assert.is(iso.info.threads, THREADS, "isolated page: 2 kernel threads");
  assert.is(iso.info.simd, "strict", "isolated page: the strict build");
  assert.ok(server.requests.some((r) => r.url === "/isolated/dist/worker.js"), "isolated page: the workers loaded dist/worker.js");

  assert.equal(plain.errors, [], "plain page: no errors");
  assert.is(plain.crossOriginIsolated, false, "plain page: not crossOriginIsolated");
  assert.is(plain.info.mode, "in-process", "plain page: in-process mode");
  assert.is(plain.info.threads, 1, "plain page: 1 kernel thread");
  assert.match(plain.info.modeReason, /SharedArrayBuffer is missing: the page is not cross-origin isolated/, "plain page: modeReason says why");
  assert.not.ok(server.requests.some((r) => r.url.startsWith("/plain/dist/worker")), "plain page: no worker started");

  // the page runs dist/, Node runs src/: a stale dist/ shows up here too
  const stale = "(is dist/ built from these sources? node scripts/build.mjs)";
  for (const [name, run] of [["isolated page (2 threads, workers)", iso], ["plain page (1 thread, in-process)", plain]] as const) {
    assert.is(run.step, STEPS, `${name}: steps`);
    assert.is(run.dataHash, node.dataHash, `${name}: ring8 data, SHA-256 equal to Node's ${stale}`);
    assert.is(run.weights, node.weights, `${name}: G's and D's parameters, SHA-256 equal to Node's ${stale}`);
    assert.is(run.state, node.state, `${name}: the whole training state, SHA-256 equal to Node's ${stale}`);
    assert.is(run.samples, node.samples, `${name}: 1,000 samples (seed 7) from the trained G, SHA-256 equal to Node's ${stale}`);
    assert.is(run.restoredSamples, node.samples, `${name}: the same samples from its checkpoint encoded and decoded in memory (${run.checkpointBytes} bytes) and loaded into a fresh engine`);
    assert.match(run.nodeOnly[0], /^NodeOnlyError: mnist\(\) needs Node or Deno .*in a page, fetch/, `${name}: mnist() refuses in one line`);
    assert.match(run.nodeOnly[1], /^NodeOnlyError: writing a file needs Node or Deno .*encodeCheckpoint/, `${name}: saveCheckpoint refuses in one line`);
  }
  console.log(`  browser = Node, weights ${node.weights.slice(0, 16)}, state ${node.state.slice(0, 16)}; ${STEPS} steps: Node ${(tNode / 1000).toFixed(1)} s, ` +
    `isolated page ${(iso.trainMs / 1000).toFixed(1)} s, plain page ${(plain.trainMs / 1000).toFixed(1)} s`);
});

test.run();
