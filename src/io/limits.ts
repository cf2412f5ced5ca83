// What a loader of an untrusted file (a checkpoint, a generator export, a spec, a data file)
// will allocate at most, and the checks every loader makes before it reads. Nothing in a file is
// ever run: headers are JSON (parsed as data, never evaluated), tensors raw little-endian values.
//   maxTensorBytes  the tensors (or data-set floats) a load may allocate: 1 GiB by default; a
//                   spec whose nets need more (src/model/footprint.ts) is refused before the
//                   engine allocates, a data file whose pixels would need more before decoding
//   maxHeaderBytes  a safetensors header's JSON: 4 MiB by default (a checkpoint's header is the
//                   spec and ~60 bytes a tensor: kilobytes; safetensors' own limit is 100 MB, but
//                   JSON.parse of 16 MiB of tensor entries alone took 0.4-0.75 s on a 2-core
//                   machine); a header length beyond the file is refused before anything is
//                   allocated
//   maxJsonDepth    nesting of any JSON read from a file (header, spec, config): 64 by default,
//                   checked by a scan of the text before JSON.parse, so that deep JSON cannot
//                   overflow the stack of the code that walks the parsed value
export interface LoadLimits {
  maxTensorBytes?: number;
  maxHeaderBytes?: number;
  maxJsonDepth?: number;
}

export const DEFAULT_LIMITS: Required<LoadLimits> = {
  maxTensorBytes: 1024 * 1024 * 1024,
  maxHeaderBytes: 4 * 1024 * 1024,
  maxJsonDepth: 64,
};

// the limits with defaults filled in; a bad option is the caller's error (RangeError)
export function loadLimits(o: LoadLimits = {}): Required<LoadLimits> {
  const out = { ...DEFAULT_LIMITS };
  for (const k of Object.keys(DEFAULT_LIMITS) as (keyof LoadLimits)[]) {
    const v = o[k];
    if (v === undefined) continue;
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 1) throw new RangeError(`${k} must be a positive integer (got ${JSON.stringify(v) ?? String(v)})`);
    out[k] = v;
  }
  return out;
}

// text from a file (a key, a file name) made fit for a one-line message: control characters
// (newlines among them) escaped as JSON writes them
export const oneLine = (s: string) => s.replace(/[\u0000-\u001f\u2028\u2029]/g, (c) => JSON.stringify(c).slice(1, -1));

// A model file (checkpoint, generator export) that cannot be loaded: one line, the file then the
// problem (`model.safetensors: tensor "G.0.kernel" ...`). CheckpointError is one.
export class ModelFileError extends Error {
  constructor(public readonly file: string, public readonly problem: string) {
    super(`${oneLine(file)}: ${oneLine(problem)}`);
    this.name = "ModelFileError";
  }
}

// The deepest nesting of arrays and objects in JSON text, scanning no further than one level
// past `max` (strings skipped, escapes honoured); the text need not be valid JSON.
export function jsonDepth(text: string, max = Infinity): number {
  let depth = 0, deepest = 0, inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > deepest) { deepest = depth; if (deepest > max) return deepest; }
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}

// JSON.parse after the depth check; `fail` gets one line naming the problem
export function parseJsonLimited(text: string, what: string, maxDepth: number, fail: (problem: string) => never): unknown {
  if (jsonDepth(text, maxDepth) > maxDepth) fail(`${what} nests arrays and objects more than ${maxDepth} deep (the limit, option maxJsonDepth)`);
  try {
    return JSON.parse(text);
  } catch (e) {
    return fail(`${what} is not valid JSON (${(e as Error).message.split("\n")[0]})`);
  }
}

// A name read from a file, fit for a one-line message: as is when it is short and plain, else
// JSON-quoted (newlines and control characters escaped) and cut at 80 characters
export function label(name: string): string {
  if (/^[\x21-\x7e]{1,80}$/.test(name)) return name;
  const q = JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}…` : name);
  return q;
}

// bytes as "1 GiB", "256 MiB", "1,234 bytes"
export function showBytes(n: number): string {
  for (const [unit, size] of [["GiB", 2 ** 30], ["MiB", 2 ** 20], ["KiB", 2 ** 10]] as const) {
    if (n >= size) return `${Number((n / size).toPrecision(4))} ${unit}`;
  }
  return `${n} bytes`;
}
