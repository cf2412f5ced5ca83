// Where the CLI writes, checked before any work: a run's output folder (train --out) and an
// output file (sample --out). Every refusal is one line that says the way forward; nothing of an
// earlier run is touched unless --force says so.
import { mkdir, readdir, stat, access, rm } from "node:fs/promises";
import { constants } from "node:fs";
import { dirname, resolve, join } from "node:path";
import { UsageError } from "./args.ts";
import { CHECKPOINT_FILE } from "../io/checkpoint.ts";

// what a run leaves in its folder (src/cli/run_outputs.ts, train.ts); samples-<step>.png too
const RUN_FILES = [CHECKPOINT_FILE, "best.safetensors", "metrics.jsonl", "summary.json", "report.html", "curves.svg", "samples.png", "samples.json"];
const isRunFile = (f: string) => RUN_FILES.includes(f) || /^samples-\d{6,}\.png$/.test(f);

const why = (e: unknown) => {
  const code = (e as { code?: string }).code;
  return code === "EACCES" || code === "EPERM" ? "permission denied" : code === "ENOTDIR" || code === "EEXIST" ? "a file is in the way" : (e as Error).message;
};

// Creates `path` (and its parents) as a writable folder, or says in one line why it cannot be one
export async function writableFolder(path: string, flag: string, what = "the run's outputs"): Promise<void> {
  const st = await stat(path).catch(() => undefined);
  if (st && !st.isDirectory()) throw new UsageError(`${flag} ${path} is a file, not a folder: name a folder for ${what}`);
  try {
    await mkdir(path, { recursive: true });
    await access(path, constants.W_OK);
  } catch (e) {
    throw new UsageError(`${flag} ${path}: cannot write there (${why(e)})`);
  }
}

// The run's output folder. `resumeDir`: the folder of the checkpoint being resumed (continuing
// in it is the point of --resume). Another run's files in `out` are refused unless `force`,
// which removes them (and only them) first, so the new report shows this run alone.
export async function prepareRunFolder(out: string, o: { resumeDir?: string; force?: boolean }): Promise<void> {
  await writableFolder(out, "--out");
  if (o.resumeDir && resolve(o.resumeDir) === resolve(out)) return;
  const old = (await readdir(out)).filter(isRunFile);
  if (old.length === 0) return;
  if (!o.force) {
    const pictures = old.filter((f) => f.startsWith("samples-")).length;
    const named = old.filter((f) => !f.startsWith("samples-")).slice(0, 3).join(", ");
    throw new UsageError(`--out ${out} holds another run (${[named, pictures ? `${pictures} sample picture${pictures > 1 ? "s" : ""}` : ""].filter(Boolean).join(", ")}): continue it with --resume ${out}, choose another --out, or pass --force to replace it`);
  }
  await Promise.all(old.map((f) => rm(join(out, f), { force: true })));
}

// An output file: not a folder, and its folder writable (created when missing)
export async function prepareOutputFile(file: string, flag = "--out"): Promise<void> {
  const st = await stat(file).catch(() => undefined);
  if (st?.isDirectory()) throw new UsageError(`${flag} ${file} is a folder: name a file (e.g. ${join(file, "samples.png")})`);
  const dir = dirname(file);
  const dst = await stat(dir).catch(() => undefined);
  if (dst && !dst.isDirectory()) throw new UsageError(`${flag} ${file}: ${dir} is a file, not a folder`);
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
  } catch (e) {
    throw new UsageError(`${flag} ${file}: cannot write to ${dir} (${why(e)})`);
  }
}
