// The module's actual exports against the host's typed ABI (src/engine/abi.ts, the one seam
// between assembly/ and src/): in each of the four builds, every function WasmExports declares
// is exported with the declared number of parameters, every exported function is declared, and
// `memory` is there. The exports are read from the binaries themselves (type, import, function
// and export sections), so the relaxed-SIMD builds need no flag and the threads builds no shared
// memory; the reader is checked against an instantiated strict build's function lengths.
// The declarations are read from abi.ts's text (a careful regex over the interface body: TypeScript's
// compiler API is not at hand with typescript 7).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { instantiate } from "../../src/engine/wasm_module.ts";

const BUILDS = ["strict", "relaxed", "strict-threads", "relaxed-threads"];

// --- the binary: export name -> { kind, params (functions) }
interface Export { kind: "function" | "table" | "memory" | "global" | "tag"; params?: number }
const KINDS = ["function", "table", "memory", "global", "tag"] as const;

function wasmExports(bytes: Uint8Array): Map<string, Export> {
  let p = 0;
  const byte = () => bytes[p++];
  const u32 = () => { let r = 0, shift = 0, b; do { b = byte(); r |= (b & 0x7f) << shift; shift += 7; } while (b & 0x80); return r >>> 0; };
  const name = () => { const n = u32(); const s = new TextDecoder().decode(bytes.subarray(p, p + n)); p += n; return s; };
  const limits = () => { const flags = byte(); u32(); if (flags & 1) u32(); };
  assert.equal(Array.from(bytes.subarray(0, 8)), [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0], "wasm magic and version 1");
  p = 8;
  const types: number[] = [];     // param count of each function type
  const funcs: number[] = [];     // type index of each function, imports first
  const out = new Map<string, Export>();
  while (p < bytes.length) {
    const id = byte(), size = u32(), end = p + size;
    if (id === 1) { // types: 0x60 params results
      for (let n = u32(); n > 0; n--) {
        assert.is(byte(), 0x60, "a function type");
        const params = u32(); p += params; // value types are one byte each (no reference types with indices here)
        const results = u32(); p += results;
        types.push(params);
      }
    } else if (id === 2) { // imports: module, field, kind, description
      for (let n = u32(); n > 0; n--) {
        name(); name();
        const kind = byte();
        if (kind === 0) funcs.push(u32());
        else if (kind === 1) { byte(); limits(); }
        else if (kind === 2) limits();
        else if (kind === 3) { byte(); byte(); }
        else if (kind === 4) { byte(); u32(); }
        else assert.unreachable(`import kind ${kind}`);
      }
    } else if (id === 3) { // functions: a type index each
      for (let n = u32(); n > 0; n--) funcs.push(u32());
    } else if (id === 7) { // exports: name, kind, index
      for (let n = u32(); n > 0; n--) {
        const nm = name(), kind = KINDS[byte()], index = u32();
        out.set(nm, kind === "function" ? { kind, params: types[funcs[index]] } : { kind });
      }
    }
    p = end;
  }
  return out;
}

// --- abi.ts: the WasmExports interface, member name -> parameter count (undefined: a property)
function declaredExports(): Map<string, number | undefined> {
  const src = readFileSync(new URL("../../src/engine/abi.ts", import.meta.url), "utf8").replace(/\/\/[^\n]*/g, "");
  const start = src.indexOf("export interface WasmExports {");
  assert.ok(start >= 0, "abi.ts declares WasmExports");
  let depth = 0, i = src.indexOf("{", start), end = -1;
  for (; i < src.length; i++) {
    if (src[i] === "{") depth++;
    else if (src[i] === "}" && --depth === 0) { end = i; break; }
  }
  let body = src.slice(src.indexOf("{", start) + 1, end);
  const out = new Map<string, number | undefined>();
  body = body.replace(/(\w+)\??\s*\(([^)]*)\)\s*:\s*[^;]+;/g, (_, name: string, params: string) => {
    assert.not.ok(out.has(name), `abi.ts declares ${name} once`);
    out.set(name, params.split(",").map((s) => s.trim()).filter(Boolean).length);
    return "";
  });
  body = body.replace(/(\w+)\??\s*:\s*[^;]+;/g, (_, name: string) => { out.set(name, undefined); return ""; });
  assert.is(body.trim(), "", "abi.ts's WasmExports holds only methods and properties the reader understands");
  return out;
}

const declared = declaredExports();
const binaries = Object.fromEntries(BUILDS.map((b) => [b, wasmExports(new Uint8Array(readFileSync(new URL(`../../build/wasm-gan.${b}.wasm`, import.meta.url))))]));

test("the binary reader agrees with an instantiated strict build (export names, kinds and function lengths)", async () => {
  const wasm = await instantiate("strict") as unknown as Record<string, unknown>;
  const read = binaries.strict;
  assert.equal([...read.keys()].sort(), Object.keys(wasm).sort(), "export names");
  for (const [name, e] of read) {
    const v = wasm[name];
    if (e.kind === "function") assert.is((v as Function).length, e.params, `${name}: parameters`);
    else assert.instance(v, WebAssembly.Memory, `${name}: a memory`);
  }
  assert.ok(declared.size > 50, `abi.ts declares ${declared.size} members`);
});

for (const build of BUILDS) {
  test(`${build}: the exports are abi.ts's WasmExports, parameter counts included`, () => {
    const actual = binaries[build];
    const problems: string[] = [];
    for (const [name, params] of declared) {
      const e = actual.get(name);
      if (!e) problems.push(`${name}: declared in abi.ts, not exported`);
      else if (params === undefined) { if (e.kind !== "memory") problems.push(`${name}: declared as a property, exported as a ${e.kind}`); }
      else if (e.kind !== "function") problems.push(`${name}: declared as a function, exported as a ${e.kind}`);
      else if (e.params !== params) problems.push(`${name}: declared with ${params} parameters, exported with ${e.params}`);
    }
    for (const [name, e] of actual) if (!declared.has(name)) problems.push(`${name}: exported (${e.kind}), missing from abi.ts`);
    assert.equal(problems, [], `${build}: ${problems.join("; ")}`);
  });
}

test.run();
