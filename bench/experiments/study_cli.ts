// What the remedies study scripts (remedies_mixtures.ts, remedies_images.ts) share: their flags,
// the setting names left on the command line, and the resumable results file (every finished run
// merged in, written atomically, with the settings' descriptions of the runs it holds).
import { readFileSync, existsSync } from "node:fs";
import { writeFileAtomic } from "../../src/io/files.ts";

export function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

// the arguments that are not flags or their values, each checked against the known settings
export function settingNames(flags: string[], known: Record<string, unknown>): string[] {
  const skip = new Set(flags.flatMap((f) => { const i = process.argv.indexOf(f); return i >= 0 ? [i, i + 1] : []; }));
  const names = process.argv.slice(2).filter((_, i) => !skip.has(i + 2));
  for (const n of names) if (!known[n]) throw new Error(`unknown setting ${n} (--list shows them)`);
  return names;
}

export function savedRuns<R>(outFile: string | undefined): Record<string, R> {
  return outFile && existsSync(outFile) ? JSON.parse(readFileSync(outFile, "utf8")).runs ?? {} : {};
}

export async function saveRuns(outFile: string, note: string, about: Record<string, string>, runs: Record<string, { setting: string }>): Promise<void> {
  const settings = Object.fromEntries(Object.entries(about).filter(([k]) => Object.values(runs).some((r) => r.setting === k)));
  await writeFileAtomic(outFile, JSON.stringify({ note, settings, runs }, null, 1) + "\n");
}
