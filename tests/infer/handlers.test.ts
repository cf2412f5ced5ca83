// The shipped handlers (handlers/), each run as a user would run it, in its real runtime, and
// asked for samples over loopback:
//   Node     `node handlers/node.mjs` (a child process; MODEL, PORT=0)         cgan-mnist checkpoint
//   Deno     `deno run handlers/deno.ts` (the deno npm dev dependency)          dcgan-mnist checkpoint (EMA)
//   workerd  `workerd serve config.capnp` (the workerd npm dev dependency) in a copy of
//            handlers/workerd/ with dist/infer.js, dist/infer.wasm and the model next to it   cgan-mnist export
//   Chromium handlers/browser/index.html (served by tests/browser/serve.ts, headless Debian
//            chromium through playwright-core), generating in the page          dcgan-mnist export
// Each: format=f32 equals the in-process generate() bit for bit (so the engine's sample: see
// infer.test.ts) with its X-Shape; the PNG decodes (fast-png) to the grid's size; bad queries get
// 400 with a one-line message; a model that cannot load ends the start-up with a clear message.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { decode } from "fast-png";
import { loadGenerator, type Generator } from "wasm-gan/infer";
import { gridLayout } from "../../src/io/grid_pixels.ts";
import { ensureChromium, CHROMIUM } from "../gpu/chromium_webgl.ts";
import { servePage } from "../browser/serve.ts";
import { trainedModel } from "./models.ts";

const ROOT = resolve(".");
const DENO = join(ROOT, "node_modules/.bin/deno"), WORKERD = join(ROOT, "node_modules/.bin/workerd");
const wasm = readFileSync("dist/infer.wasm");
const BAD_MODEL = join(mkdtempSync(join(tmpdir(), "wasm-gan-bad-")), "bad.safetensors");
writeFileSync(BAD_MODEL, new Uint8Array(64)); // zeros: a header length of 0
const BAD_MESSAGE = /not a safetensors checkpoint: the header does not start with "\{" \(wrong magic\)/;

const bitsEqual = (a: Uint8Array, b: Float32Array) => Buffer.from(a).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

interface Run { proc: ChildProcess; out: () => string; exited: Promise<number | null> }
function start(cmd: string, args: string[], env: Record<string, string>, cwd = ROOT): Run {
  const proc = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  proc.stdout!.on("data", (d) => { out += d; });
  proc.stderr!.on("data", (d) => { out += d; });
  const exited = new Promise<number | null>((r) => proc.on("exit", (code) => r(code)));
  return { proc, out: () => out, exited };
}
async function waitFor<T>(what: string, f: () => Promise<T | undefined> | T | undefined, run: Run, ms = 20_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (run.proc.exitCode !== null) throw new Error(`${what}: the process ended (${run.proc.exitCode}): ${run.out()}`);
    if (Date.now() - t0 > ms) throw new Error(`${what}: not after ${ms} ms: ${run.out()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const listening = (run: Run) => waitFor("the server's listening line", () => run.out().match(/on (http:\/\/127\.0\.0\.1:\d+)\/sample/)?.[1], run);
function freePort(): Promise<number> {
  return new Promise((r) => { const s = createServer().listen(0, "127.0.0.1", () => { const p = (s.address() as { port: number }).port; s.close(() => r(p)); }); });
}
async function stop(run: Run) {
  if (run.proc.exitCode === null) run.proc.kill("SIGTERM");
  await run.exited;
}

// the checks every server passes: samples bit for bit, the PNG's size, 400s for bad queries
async function checkServer(origin: string, g: Generator, name: string) {
  const K = g.info.numClasses;
  const label = K ? "&label=3" : "";
  const f = await fetch(`${origin}/sample?n=5&seed=42&format=f32${label}`);
  assert.is(f.status, 200, `${name}: f32 status`);
  assert.is(f.headers.get("content-type"), "application/octet-stream");
  assert.is(f.headers.get("x-shape"), [5, ...g.info.outputShape].join(","), `${name}: X-Shape`);
  const want = g.generate({ n: 5, seed: 42, ...(K ? { labels: 3 } : {}) }).data;
  assert.ok(bitsEqual(new Uint8Array(await f.arrayBuffer()), want), `${name}: f32 bytes equal the in-process generate() bit for bit`);
  const p = await fetch(`${origin}/sample?n=10&seed=7${label}`);
  assert.is(p.status, 200, `${name}: png status`);
  assert.is(p.headers.get("content-type"), "image/png");
  const img = decode(new Uint8Array(await p.arrayBuffer()));
  const L = gridLayout(10, 28, 28);
  assert.equal([img.width, img.height, img.channels], [L.width, L.height, 1], `${name}: a 4x3 grid of 28x28 grey tiles`);
  const bad: [string, RegExp][] = [
    ["n=0", /^n must be an integer from 1 to 1024 \(got "0"\)$/], ["n=1025", /^n must be an integer from 1 to 1024/], ["n=abc", /^n must be an integer/],
    ["seed=1.5", /^seed must be an integer from 0 to 4294967295 \(got "1.5"\)$/], ["seed=-1", /^seed must be an integer/],
    ["format=jpeg", /^format must be png or f32 \(got "jpeg"\)$/], ["size=3", /^unknown parameter "size"/], ["n=1&n=2", /^parameter n given 2 times$/],
    K ? ["label=10", /^label must be an integer from 0 to 9 \(got "10"\)$/] : ["label=1", /^label: this model is unconditional/],
  ];
  for (const [q, re] of bad) {
    const r = await fetch(`${origin}/sample?${q}`);
    const body = await r.text();
    assert.is(r.status, 400, `${name}: ${q} -> 400 (${body.trim()})`);
    assert.match(body.trim(), re, `${name}: ${q}: the message`);
    assert.ok(!body.trim().includes("\n"), `${name}: ${q}: one line`);
  }
  assert.is((await fetch(`${origin}/other`)).status, 404, `${name}: other paths 404`);
}

test("Node: handlers/node.mjs serves the samples; a bad model ends its start-up (exit 1, one line)", async () => {
  const m = await trainedModel("cgan-mnist");
  const run = start(process.execPath, ["handlers/node.mjs"], { MODEL: m.checkpoint, PORT: "0" });
  try {
    await checkServer(await listening(run), await loadGenerator({ wasm, model: m.checkpointBytes }), "node");
  } finally { await stop(run); }
  const bad = start(process.execPath, ["handlers/node.mjs"], { MODEL: BAD_MODEL, PORT: "0" });
  assert.is(await bad.exited, 1, "exit 1");
  assert.match(bad.out(), BAD_MESSAGE);
  assert.match(bad.out(), /^cannot load the model .*bad\.safetensors: model: /);
});

test("Deno: handlers/deno.ts serves the samples; a bad model ends its start-up (exit 1, one line)", async () => {
  const m = await trainedModel("dcgan-mnist");
  const args = ["run", "--allow-env", "--allow-read", "--allow-net", "handlers/deno.ts"];
  const run = start(DENO, args, { MODEL: m.checkpoint, PORT: "0" });
  try {
    await checkServer(await listening(run), await loadGenerator({ wasm, model: m.checkpointBytes }), "deno");
  } finally { await stop(run); }
  const bad = start(DENO, args, { MODEL: BAD_MODEL, PORT: "0" });
  assert.is(await bad.exited, 1, "exit 1");
  assert.match(bad.out(), BAD_MESSAGE);
});

// handlers/workerd/ as shipped, with the files its config embeds next to it
function workerdDir(model: string): string {
  const dir = mkdtempSync(join(tmpdir(), "wasm-gan-workerd-"));
  for (const f of ["worker.js", "config.capnp"]) copyFileSync(join("handlers/workerd", f), join(dir, f));
  copyFileSync("dist/infer.js", join(dir, "infer.js"));
  copyFileSync("dist/infer.wasm", join(dir, "infer.wasm"));
  copyFileSync(model, join(dir, "model.safetensors"));
  return dir;
}

test("workerd: handlers/workerd/ (worker.js + config.capnp) serves the samples; a bad model fails the Worker's start-up", async () => {
  const m = await trainedModel("cgan-mnist");
  const port = await freePort(), origin = `http://127.0.0.1:${port}`;
  const run = start(WORKERD, ["serve", "config.capnp", "--socket-addr", `http=127.0.0.1:${port}`], {}, workerdDir(m.generator));
  try {
    await waitFor("workerd answering", () => fetch(`${origin}/`).then((r) => r.status, () => undefined), run);
    await checkServer(origin, await loadGenerator({ wasm, model: m.generatorBytes }), "workerd");
  } finally { await stop(run); }
  const badPort = await freePort();
  const bad = start(WORKERD, ["serve", "config.capnp", "--socket-addr", `http=127.0.0.1:${badPort}`], {}, workerdDir(BAD_MODEL));
  assert.is(await bad.exited, 1, "workerd exits 1");
  assert.match(bad.out(), /Uncaught Error: InferError: model: not a safetensors checkpoint/);
});

test("Chromium: handlers/browser/index.html generates in the page: the same bits, the PNG's size; a bad model shows its message", async () => {
  const why = ensureChromium((s) => console.log(`  ${s}`));
  if (why) { console.log(`  SKIP the Chromium handler test: ${why}`); return; }
  const m = await trainedModel("dcgan-mnist");
  const page = (model: string) => ({ "infer/index.html": "handlers/browser/index.html", "infer/infer.js": "dist/infer.js", "infer/infer.wasm": "dist/infer.wasm", "infer/model.safetensors": model });
  const server = await servePage({ ...page(m.generator), "infer/bad.safetensors": BAD_MODEL });
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true,
    args: ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
  });
  try {
    const tab = await browser.newPage();
    const errors: string[] = [];
    tab.on("pageerror", (e) => errors.push(e.message));
    await tab.goto(`${server.origin}/plain/infer/index.html`);
    const out = await tab.evaluate(async () => {
      const g = await (globalThis as any).generatorReady;
      const { data, shape } = g.generate({ n: 5, seed: 42 });
      const png = await g.png({ n: 10, seed: 7 });
      // base64 of both (no named helper here: tsx would wrap it in __name, which the page lacks)
      const [f32, pngB64] = [new Uint8Array(data.buffer), png as Uint8Array].map((u) => btoa(Array.from(u, (c) => String.fromCharCode(c)).join("")));
      return { f32, shape, png: pngB64, status: document.getElementById("status")!.textContent };
    });
    const g = await loadGenerator({ wasm, model: m.generatorBytes });
    assert.equal(out.shape, [5, 28, 28, 1]);
    assert.ok(bitsEqual(Buffer.from(out.f32, "base64"), g.generate({ n: 5, seed: 42 }).data), "the page's samples equal Node's bit for bit");
    const img = decode(Buffer.from(out.png, "base64"));
    const L = gridLayout(10, 28, 28);
    assert.equal([img.width, img.height, img.channels], [L.width, L.height, 1], "the page's PNG: a 4x3 grid of 28x28 grey tiles");
    assert.match(out.status, /^generator: [\d,]+ parameters, samples of \[28, 28, 1\]$/);
    assert.equal(errors, [], "no page errors");
    const badTab = await browser.newPage();
    await badTab.goto(`${server.origin}/plain/infer/index.html?model=bad.safetensors`);
    await badTab.waitForFunction(() => /cannot load/.test(document.getElementById("status")!.textContent ?? ""), undefined, { timeout: 20_000 });
    assert.match(await badTab.textContent("#status") ?? "", /^cannot load the model bad\.safetensors: .*not a safetensors checkpoint: the header does not start with "\{"/);
  } finally {
    await browser.close();
    await server.close();
  }
});

test.run();
