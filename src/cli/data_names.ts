// The data set a run trains on, by the name its checkpoints record: a bundled set
// (src/data/bundled.ts) or "path:<absolute path>" for --data PATH.
import { readdir, stat } from "node:fs/promises";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { BUNDLED_DATA, PRESET_DATA, bundledDataForShape } from "../data/bundled.ts";
import { DataError } from "../data/errors.ts";
import { loadIdx } from "../data/idx.ts";
import { imageFolder } from "../data/image_folder.ts";
import type { Dataset } from "../data/dataset.ts";
import type { NormalisedSpec } from "../model/spec.ts";
import { UsageError } from "./args.ts";

// "path:..." is a folder holding train-images-idx3-ubyte[.gz] or an IDX file (with its labels
// when found), else a folder of PNG images of one size
export async function loadDataName(name: string, seed: number): Promise<Dataset> {
  if (!name.startsWith("path:")) return BUNDLED_DATA[name](seed);
  const path = name.slice(5);
  let st;
  try { st = await stat(path); } catch { throw new DataError(path, "no such file or folder"); }
  if (st.isDirectory()) {
    const files = await readdir(path);
    if (files.some((f) => /^train-images-idx3-ubyte(\.gz)?$/.test(f))) return loadIdx(path);
    return imageFolder(path);
  }
  return loadIdx(path);
}

// --data VALUE: a bundled set's name (mnist, stacked-mnist, ring8, grid25) unless a file or
// folder of that name exists here, else a path
export function dataNameOf(value: string): string {
  return BUNDLED_DATA[value] && !existsSync(value) ? value : `path:${resolve(value)}`;
}

export const knownData = (name: string) => name.startsWith("path:") || !!BUNDLED_DATA[name];

// the data set a spec trains on: the preset's, else the one bundled set of its sample shape
export function dataFor(spec: NormalisedSpec, presetName: string | undefined): string {
  if (presetName && PRESET_DATA[presetName]) return PRESET_DATA[presetName];
  const name = bundledDataForShape(spec.dataShape);
  if (name) return name;
  throw new UsageError(`no bundled data set has samples of shape [${spec.dataShape.join(", ")}]: pass --preset to name the data set`);
}
