// Writing results without ever leaving a half-written file: write a temporary file beside the
// target, then rename it over (atomic on one file system). Node and Deno (node: specifiers).
// The node: modules load on first use (src/io/node_only.ts), so importing this file (the main
// entry does) is safe in a browser page; calling it there fails in one line.
import { nodeFs } from "./node_only.ts";

const INSTEAD = "in a page or an edge function, keep the bytes (encodeCheckpoint, imageGrid, encodeNpy give them) and store them yourself";

export interface AtomicWriteOptions {
  fsync?: boolean;                           // flush the temporary file to disk before the rename
  beforeRename?: () => Promise<void> | void; // a hook between writing and renaming (tests)
}

export async function writeFileAtomic(path: string, data: Uint8Array | string, options: AtomicWriteOptions = {}): Promise<void> {
  const { writeFile, rename, mkdir, unlink, open, dirname } = await nodeFs("writing a file", INSTEAD);
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  try {
    if (options.fsync) {
      const fh = await open(tmp, "w");
      try {
        await fh.writeFile(data);
        await fh.sync();
      } finally {
        await fh.close();
      }
    } else {
      await writeFile(tmp, data);
    }
    await options.beforeRename?.();
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw e;
  }
}

// Removes temporary files that a killed writer left beside `path`; returns how many.
export async function removeStaleTemporaries(path: string): Promise<number> {
  const { readdir, unlink, basename, dirname, join } = await nodeFs("writing a file", INSTEAD);
  const prefix = `${basename(path)}.tmp-`;
  let names: string[];
  try {
    names = await readdir(dirname(path));
  } catch {
    return 0;
  }
  const stale = names.filter((n) => n.startsWith(prefix));
  for (const n of stale) await unlink(join(dirname(path), n)).catch(() => {});
  return stale.length;
}
