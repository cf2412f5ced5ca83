// Runs tests/gpu/webgl_page.ts in headless Chromium (Debian's chromium through playwright-core,
// docs/platform.md): bundles it with esbuild for the browser, serves it on 127.0.0.1, and returns the
// page's gpuRun JSON. ensureChromium() installs Debian's chromium with apt-get when it is missing
// (root, apt-get present), else returns the reason it cannot.
import { build } from "esbuild";
import { createServer } from "node:http";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const CHROMIUM = "/usr/bin/chromium";

// undefined when /usr/bin/chromium is there (after installing it if need be), else why not
export function ensureChromium(log: (s: string) => void = console.log): string | undefined {
  if (existsSync(CHROMIUM)) return undefined;
  const has = (cmd: string) => { try { execFileSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }); return true; } catch { return false; } };
  if (!has("apt-get")) return `${CHROMIUM} is missing and apt-get is not available to install it (Debian's chromium package)`;
  if (typeof process.getuid === "function" && process.getuid() !== 0) return `${CHROMIUM} is missing and installing it needs root (apt-get install -y chromium)`;
  log("installing Debian's chromium (apt-get install -y chromium) for the WebGL check ...");
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    try {
      execFileSync("apt-get", ["install", "-y", "--no-install-recommends", "chromium"], { stdio: "ignore", env, timeout: 600_000 });
    } catch {
      execFileSync("apt-get", ["update"], { stdio: "ignore", env, timeout: 300_000 });
      execFileSync("apt-get", ["install", "-y", "--no-install-recommends", "chromium"], { stdio: "ignore", env, timeout: 600_000 });
    }
  } catch (e) {
    return `apt-get install chromium failed: ${(e as Error).message.split("\n")[0]}`;
  }
  return existsSync(CHROMIUM) ? undefined : `apt-get install chromium ran but ${CHROMIUM} is still missing`;
}

export async function runChromiumWebgl(steps: number, timeoutMs = 240_000): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), "wasm-gan-webgl-"));
  await build({
    entryPoints: [fileURLToPath(new URL("./webgl_page.ts", import.meta.url))],
    outfile: join(dir, "page.js"), bundle: true, format: "esm", platform: "browser", target: "es2022",
    logLevel: "error",
  });
  const files: Record<string, [string, string]> = {
    "/": ["text/html", `<!doctype html><meta charset="utf-8"><title>wasm-gan webgl</title><script type="module" src="/page.js"></script>`],
    "/page.js": ["text/javascript", readFileSync(join(dir, "page.js"), "utf8")],
  };
  const server = createServer((req, res) => {
    const f = files[req.url ?? "/"];
    if (!f) { res.writeHead(404).end(); return; }
    res.writeHead(200, { "content-type": f[0] }).end(f[1]);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true,
    args: ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
  });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(() => (globalThis as any).pageReady === true, undefined, { timeout: 60_000 });
    page.setDefaultTimeout(timeoutMs);
    const out = await page.evaluate((n) => (globalThis as any).gpuRun(n), steps);
    return { ...(out as Record<string, unknown>), pageErrors: errors };
  } finally {
    await browser.close();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// `node --import tsx tests/gpu/chromium_webgl.ts STEPS`: prints the JSON
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const why = ensureChromium();
  if (why) console.log(JSON.stringify({ skip: why }));
  else console.log(JSON.stringify(await runChromiumWebgl(Number(process.argv[2] ?? 20))));
}
