// Flag parsing shared by the commands: one-line usage errors that name the flag.
import { readFile } from "node:fs/promises";
import { DEFAULT_LIMITS, jsonDepth } from "../io/limits.ts";

export class UsageError extends Error {}

export function intFlag(v: string | undefined, name: string, fallback: number, min = 0): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (v.trim() === "" || !Number.isSafeInteger(n) || n < min) throw new UsageError(`${name.length === 1 ? "-" : "--"}${name} must be an integer >= ${min} (got ${JSON.stringify(v)})`);
  return n;
}

// --threads auto|N (the GAN and CycleGAN commands alike; absent: auto)
export function threadsFlag(v: string | undefined): "auto" | number {
  if (v === undefined || v === "auto") return "auto";
  const n = Number(v);
  if (!(Number.isInteger(n) && n >= 1 && n <= 256)) throw new UsageError(`--threads must be "auto" or an integer from 1 to 256 (got ${JSON.stringify(v)})`);
  return n;
}

export function numFlag(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} must be a positive number (got ${JSON.stringify(v)})`);
  return n;
}

// `--steps -1` would make parseArgs complain that the value looks like a flag (three lines);
// join a negative number to its flag so the flag's own check names the problem
export function joinNegativeValues(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i], next = args[i + 1];
    if (/^--?[a-z][\w-]*$/i.test(a) && next !== undefined && /^-[\d.]/.test(next)) {
      out.push(`${a.startsWith("--") ? a : `-${a}`}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

export async function readConfig(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new UsageError(`--config ${path}: ${code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : (e as Error).message}`);
  }
  const max = DEFAULT_LIMITS.maxJsonDepth; // checked before JSON.parse: deep JSON must not overflow what walks it
  if (jsonDepth(text, max) > max) throw new UsageError(`--config ${path}: nests arrays and objects more than ${max} deep (the limit)`);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--config ${path}: not valid JSON (${(e as Error).message.split("\n")[0]})`);
  }
}
