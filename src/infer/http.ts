// The one HTTP endpoint every handler serves (handlers/: Node, Deno, workerd; a page calls the
// generator directly), on the fetch API's Request and Response, which all of them have:
//   GET /sample?n=16&seed=42[&label=3][&format=png|f32][&columns=8]
//     png (default): the grid of Generator.png, image/png
//     f32: the samples as raw little-endian float32, application/octet-stream, the shape in the
//          X-Shape header ("16,28,28,1": [n, ...outputShape])
// n: 1..MAX_SAMPLES (default 16); seed: an integer 0..2^32-1 (default 1); label: a class in
// 0..numClasses-1 for every sample (conditional models only; default: sample i gets i mod K).
// Any other parameter, a repeated one, or a bad value: 400 with a one-line message (text/plain);
// other paths 404, other methods 405.
import { MAX_SAMPLES, InferError, type Generator } from "./generator.ts";

const PARAMS = ["n", "seed", "label", "format", "columns"];
const FORMATS = ["png", "f32"];
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

class BadRequest extends Error {}

// a decimal integer parameter (no signs, exponents or fractions: "1e3", "1.0" and "+1" are refused)
function integer(q: URLSearchParams, name: string, lo: number, hi: number): number | undefined {
  const v = q.get(name);
  if (v === null) return undefined;
  const x = /^\d{1,10}$/.test(v) ? Number(v) : NaN;
  if (!(x >= lo && x <= hi)) throw new BadRequest(`${name} must be an integer from ${lo} to ${hi} (got ${JSON.stringify(v)})`);
  return x;
}

export interface SampleQuery { n: number; seed: number; label?: number; format: "png" | "f32"; columns?: number }

// The query of a /sample request for this generator, checked; throws BadRequest naming the problem
export function parseSampleQuery(g: Generator, q: URLSearchParams): SampleQuery {
  for (const k of new Set(q.keys())) {
    if (!PARAMS.includes(k)) throw new BadRequest(`unknown parameter ${JSON.stringify(k)} (parameters: ${PARAMS.join(", ")})`);
    if (q.getAll(k).length > 1) throw new BadRequest(`parameter ${k} given ${q.getAll(k).length} times`);
  }
  const n = integer(q, "n", 1, MAX_SAMPLES) ?? 16;
  const seed = integer(q, "seed", 0, 0xffffffff) ?? 1;
  const K = g.info.numClasses;
  if (q.has("label") && K === 0) throw new BadRequest("label: this model is unconditional (it takes no label)");
  const label = K > 0 ? integer(q, "label", 0, K - 1) : undefined;
  const format = q.get("format") ?? "png";
  if (!FORMATS.includes(format)) throw new BadRequest(`format must be png or f32 (got ${JSON.stringify(format)})`);
  const columns = integer(q, "columns", 1, MAX_SAMPLES);
  if (format === "f32" && columns !== undefined) throw new BadRequest("columns: only for format png");
  return { n, seed, label, format: format as "png" | "f32", columns };
}

// little-endian float32 bytes of the samples (a copy; byte-swapped on a big-endian host)
export function f32Bytes(data: Float32Array): Uint8Array {
  const out = new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  if (!LITTLE_ENDIAN) for (let i = 0; i < out.length; i += 4) out.subarray(i, i + 4).reverse();
  return out;
}

// an answer before it becomes a Response: status, headers, body
interface Answer { status: number; headers: Record<string, string>; body: Uint8Array | string }
const textAnswer = (status: number, message: string, extra: Record<string, string> = {}): Answer =>
  ({ status, headers: { "content-type": "text/plain; charset=utf-8", ...extra }, body: message + "\n" });

async function answer(g: Generator, method: string, url: URL): Promise<Answer> {
  if (url.pathname !== "/sample") return textAnswer(404, `not found: ${url.pathname} (this server answers GET /sample)`);
  if (method !== "GET") return textAnswer(405, `method ${method} not allowed (GET /sample)`, { allow: "GET" });
  let q: SampleQuery;
  try {
    q = parseSampleQuery(g, url.searchParams);
  } catch (e) {
    if (e instanceof BadRequest) return textAnswer(400, e.message);
    throw e;
  }
  const req = { n: q.n, seed: q.seed, ...(q.label === undefined ? {} : { labels: q.label }) };
  try {
    if (q.format === "f32") {
      const { data, shape } = g.generate(req);
      return { status: 200, headers: { "content-type": "application/octet-stream", "x-shape": shape.join(","), "cache-control": "no-store" }, body: f32Bytes(data) };
    }
    const png = await g.png({ ...req, columns: q.columns });
    return { status: 200, headers: { "content-type": "image/png", "cache-control": "no-store" }, body: png };
  } catch (e) {
    // a model whose samples no PNG shows (points of another size): the request asked for what it cannot have
    if (e instanceof InferError) return textAnswer(400, e.message);
    throw e;
  }
}

export async function sampleResponse(g: Generator, request: Request): Promise<Response> {
  const a = await answer(g, request.method, new URL(request.url));
  return new Response(a.body as BodyInit, { status: a.status, headers: a.headers });
}

// One f32 and one PNG request of n = 1 answered as sampleResponse answers them, for a server to
// make before it listens: loadGenerator's warm-up covers the net, this the JavaScript around it
// (the query's checks, fflate's deflate) and, in Node, the fetch classes it loads on first use.
// No Response is made: a Worker's global scope may not make one (workerd: "Disallowed operation").
// A 400 for png (samples no picture shows) is that request's answer, not a failure.
export async function warmUpRequests(g: Generator): Promise<void> {
  void [Request, Response, Headers]; // Node loads them (undici) on first access
  for (const format of ["f32", "png"]) await answer(g, "GET", new URL(`http://localhost/sample?n=1&format=${format}`));
}
