// The small checkers validateSpec builds from: each refuses a value with a SpecError naming the
// field (`spec.generator[2].units: must be an integer from 1 to 65536 (got -3)`).
import { oneLine } from "../io/limits.ts";

export class SpecError extends Error {
  // the message is one line whatever the spec's keys hold (a key with a newline is escaped)
  constructor(public readonly field: string, problem: string) {
    super(`${oneLine(field)}: ${oneLine(problem)}`);
    this.name = "SpecError";
  }
}

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
export const show = (v: unknown) => (typeof v === "string" ? JSON.stringify(v) : Array.isArray(v) ? "an array" : v === null ? "null" : typeof v === "object" ? "an object" : String(v));

export function noUnknownKeys(obj: Record<string, unknown>, allowed: readonly string[], path: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) throw new SpecError(`${path}.${key}`, `unknown field (allowed: ${allowed.join(", ")})`);
  }
}

export function positiveInt(v: unknown, path: string, max = 1 << 24): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > max) {
    throw new SpecError(path, `must be an integer from 1 to ${max} (got ${v === undefined ? "nothing" : show(v)})`);
  }
  return v;
}

export function finite(v: unknown, path: string, lo: number, hi: number, fallback?: number, loOpen = false): number {
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v !== "number" || !Number.isFinite(v) || (loOpen ? v <= lo : v < lo) || v > hi) {
    throw new SpecError(path, `must be a number in ${loOpen ? "(" : "["}${lo}, ${hi}] (got ${v === undefined ? "nothing" : show(v)})`);
  }
  return v;
}

export function oneOf<T extends string>(v: unknown, names: readonly T[], path: string): T {
  if (typeof v !== "string" || !names.includes(v as T)) {
    throw new SpecError(path, `must be one of ${names.map((n) => JSON.stringify(n)).join(", ")} (got ${v === undefined ? "nothing" : show(v)})`);
  }
  return v as T;
}

