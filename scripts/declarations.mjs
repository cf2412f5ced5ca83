// The package's type declarations: tsc emits one .d.ts per module of the public entries into
// dist/types/ (tsconfig.declarations.json), then the relative specifiers are rewritten from
// "./x.ts" (how the sources import, for Node, Deno and esbuild alike) to "./x.js", which every
// consumer's resolution maps to "./x.d.ts". tsc's rewriteRelativeImportExtensions rewrites the
// emitted JavaScript only, not the declarations, hence this pass.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync, rmSync, statSync } from "node:fs";
import { join, dirname } from "node:path";
import { createRequire } from "node:module";

const out = "dist/types";
rmSync(out, { recursive: true, force: true });
// typescript's exports map hides bin/tsc: find it next to its package.json
const tsc = join(dirname(createRequire(import.meta.url).resolve("typescript/package.json")), "bin", "tsc");
execFileSync(process.execPath, [tsc, "-p", "tsconfig.declarations.json"], { stdio: "inherit" });

const walk = (dir) => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : [join(dir, f)]));
let files = 0;
for (const file of walk(out).filter((f) => f.endsWith(".d.ts"))) {
  const text = readFileSync(file, "utf8");
  const fixed = text.replace(/((?:from|import)\s*\(?\s*["'])(\.{1,2}\/[^"']+)\.ts(["'])/g, "$1$2.js$3");
  if (fixed !== text) writeFileSync(file, fixed);
  files++;
}
console.log(`built ${out}/ (${files} declaration files)`);
