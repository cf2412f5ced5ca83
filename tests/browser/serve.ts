// A small static server on 127.0.0.1 (port 0) for the browser test: the page
// (tests/browser/page.html) and the built package's dist/ files, under two prefixes —
//   /isolated/...  with the cross-origin isolation headers (COOP same-origin, COEP require-corp)
//                  on every response, so the page gets SharedArrayBuffer and workers can share
//                  one wasm memory;
//   /plain/...     without them, as most pages are served.
// `files` serves more under both prefixes (a path after the prefix -> a file: the inference
// page's test, tests/infer/handlers.test.ts). /favicon.ico gets 204 (no error in the page's log);
// anything else 404. `requests` lists what was asked for, with the status sent.
import { createServer, type Server } from "node:http";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const PAGE = fileURLToPath(new URL("./page.html", import.meta.url));
const TYPES: Record<string, string> = { js: "text/javascript", map: "application/json", html: "text/html; charset=utf-8", wasm: "application/wasm" };
export const ISOLATION_HEADERS = { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" };

export interface PageServer {
  origin: string; // http://127.0.0.1:PORT
  requests: { url: string; status: number }[];
  close(): Promise<void>;
}

export async function servePage(files: Record<string, string> = {}): Promise<PageServer> {
  const requests: { url: string; status: number }[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const [, prefix, ...rest] = url.pathname.split("/");
    const rel = rest.join("/");
    const headers: Record<string, string> = prefix === "isolated" ? { ...ISOLATION_HEADERS } : {};
    const file = files[rel] ?? (rel === "" ? PAGE : /^dist\/[\w.-]+$/.test(rel) ? ROOT + rel : undefined);
    const send = (status: number, body?: Buffer) => {
      requests.push({ url: url.pathname, status });
      res.writeHead(status, body ? { ...headers, "content-type": TYPES[file!.split(".").pop()!] ?? "application/octet-stream" } : headers).end(body);
    };
    if (url.pathname === "/favicon.ico") send(204);
    else if ((prefix === "isolated" || prefix === "plain") && file && existsSync(file)) send(200, readFileSync(file));
    else send(404);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
