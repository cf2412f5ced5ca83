// The node: modules behind the file functions (checkpoint files, IDX files, PNG folders, the
// bundled digits), loaded on first use so that `import "wasm-gan"` works in a browser page. Called
// where there is no file system (a page, an edge function), they fail with one line that names
// the function and what to use instead, not the runtime's "cannot resolve node:fs".
export class NodeOnlyError extends Error {
  constructor(what: string, instead: string, cause: unknown) {
    super(`${what} needs Node or Deno (it reads or writes files), and this runtime has no node:fs (${String((cause as Error)?.message ?? cause).split("\n")[0]}); ${instead}`);
    this.name = "NodeOnlyError";
  }
}

export type NodeFs = typeof import("node:fs/promises") & typeof import("node:path");

// Node and Deno say who they are; elsewhere (a page) the import is not even tried, which would
// log a failed request on the page's console
const nodeLike = () => typeof (globalThis as any).process?.versions?.node === "string" || typeof (globalThis as any).Deno === "object";

export async function nodeFs(what: string, instead: string): Promise<NodeFs> {
  if (!nodeLike()) throw new NodeOnlyError(what, instead, "neither Node nor Deno");
  try {
    const [fs, path] = await Promise.all([import("node:fs/promises"), import("node:path")]);
    return { ...fs, ...path } as NodeFs;
  } catch (e) {
    throw new NodeOnlyError(what, instead, e);
  }
}
