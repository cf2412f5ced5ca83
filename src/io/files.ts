// Writing results without ever leaving a half-written file: write a temporary file beside the
// target, then rename it over (atomic on one file system). Node and Deno (node: specifiers).
import { writeFile, rename, mkdir, unlink } from "node:fs/promises";
import { dirname } from "node:path";

export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw e;
  }
}
