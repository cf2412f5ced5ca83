// The CLI with named nets and checkpoint format version 2 (dist/cli.js, in temporary directories):
// --resume from a version-1 and a version-2 checkpoint ends bit for bit where a straight run does
// (and writes version 2); a named-form spec through `train --config`, `sample` and `--resume`.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, cpSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkpointHeader } from "../../src/io/checkpoint.ts";
import { crc32 } from "../../src/io/crc32.ts";
import { decodeNpy } from "../../src/io/npy.ts";

const cli = new URL("../../dist/cli.js", import.meta.url).pathname;
const run = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8" });
const root = mkdtempSync(join(tmpdir(), "wasm-gan-cli-named-"));
const dir = (name: string) => join(root, name);
const ckpt = (d: string) => join(d, "checkpoint.safetensors");

// every tensor's raw bytes, by name
function tensors(file: string): Map<string, Buffer> {
  const bytes = readFileSync(file);
  const n = Number(bytes.readBigUInt64LE(0));
  const h = checkpointHeader(bytes);
  return new Map(Object.keys(h).filter((k) => k !== "__metadata__").map((k) => [k, bytes.subarray(8 + n + h[k].data_offsets[0], 8 + n + h[k].data_offsets[1])]));
}
function assertSameTensors(a: string, b: string, what: string): void {
  const ta = tensors(a), tb = tensors(b);
  assert.equal([...ta.keys()].sort(), [...tb.keys()].sort(), `${what}: tensor names`);
  for (const [k, v] of ta) assert.ok(v.equals(tb.get(k)!), `${what}: tensor ${k} differs`);
}

// A CLI checkpoint of a shorthand spec rewritten as version 1 wrote it: format_version "1" and the
// spec in the shorthand (the tensor names and data are version 1's already).
function asVersion1(file: string): void {
  const bytes = readFileSync(file);
  const n = Number(bytes.readBigUInt64LE(0));
  const data = bytes.subarray(8 + n);
  const h = checkpointHeader(bytes);
  const { nets, objective, ...rest } = JSON.parse(h.__metadata__.spec);
  assert.equal(Object.keys(nets), ["generator", "discriminator"]);
  const { name, latentDim, dataShape, ...tail } = rest;
  h.__metadata__.spec = JSON.stringify({ name, latentDim, dataShape, generator: nets.generator, discriminator: nets.discriminator, ...tail });
  h.__metadata__.format_version = "1";
  h.__metadata__.crc32 = crc32(data).toString(16).padStart(8, "0");
  // the header padded with spaces to a multiple of 8 bytes, as the writer does (the data stay aligned)
  const json = JSON.stringify(h), head = new TextEncoder().encode(json.padEnd(json.length + ((8 - (json.length % 8)) % 8)));
  const out = Buffer.alloc(8 + head.length + data.length);
  out.writeBigUInt64LE(BigInt(head.length), 0);
  out.set(head, 8);
  out.set(data, 8 + head.length);
  writeFileSync(file, out);
}
const version = (file: string) => checkpointHeader(readFileSync(file)).__metadata__.format_version;

test("--resume from a version-1 and a version-2 checkpoint: 80 + 80 steps == 160 straight, bit for bit; the resumed file is version 2", () => {
  const straight = dir("straight"), v2 = dir("v2"), v1 = dir("v1");
  let r = run(["train", "--preset", "mlp-ring8", "--steps", "160", "--seed", "3", "--quiet", "--out", straight]);
  assert.is(r.status, 0, r.stderr);
  r = run(["train", "--preset", "mlp-ring8", "--steps", "80", "--seed", "3", "--quiet", "--out", v2]);
  assert.is(r.status, 0, r.stderr);
  assert.is(version(ckpt(v2)), "2");
  cpSync(v2, v1, { recursive: true });
  asVersion1(ckpt(v1));
  assert.is(version(ckpt(v1)), "1");
  for (const [d, v] of [[v1, "1"], [v2, "2"]]) {
    r = run(["train", "--resume", d, "--steps", "160", "--quiet"]);
    assert.is(r.status, 0, `from v${v}: ${r.stderr}`);
    assert.match(r.stdout, /resuming mlp-ring8 at step 80 of 160/);
    assertSameTensors(ckpt(straight), ckpt(d), `resumed from a version-${v} checkpoint`);
    assert.is(version(ckpt(d)), "2", `resumed from v${v}: written as version 2`);
  }
});

// a named-form spec: nets G and D (D with named residual layers), optimisers by net name
const namedSpec = {
  name: "named-ring", latentDim: 2, dataShape: [2], batchSize: 32, loss: "non-saturating",
  nets: {
    G: [{ type: "dense", units: 16 }, { type: "relu" }, { type: "dense", units: 2 }],
    D: [{ type: "dense", units: 16, name: "h" }, { type: "relu" }, { type: "dense", units: 16, name: "f" },
      { type: "add", inputs: ["h", "f"] }, { type: "leaky_relu" }, { type: "dense", units: 1, name: "logit" }],
  },
  objective: { type: "gan", generator: "G", discriminator: "D" },
  optimizer: { G: { type: "adam", lr: 1e-3 }, D: { type: "adam", lr: 2e-3 } },
};

test("--config with a named-form spec: trains, names the tensors by net and layer, samples, resumes; --lr-g reaches the generator's net", () => {
  const d = dir("named");
  mkdirSync(d);
  const config = join(d, "named.json");
  writeFileSync(config, JSON.stringify(namedSpec));
  let r = run(["train", "--config", config, "--steps", "6", "--sample-every", "3", "--seed", "2", "--quiet", "--out", d]);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /training named-ring for 6 steps/);
  const h = checkpointHeader(readFileSync(ckpt(d)));
  assert.is(h.__metadata__.format_version, "2");
  assert.equal(JSON.parse(h.__metadata__.spec).objective, namedSpec.objective);
  for (const k of ["G.0.kernel", "G.2.bias", "D.h.kernel", "D.f.kernel", "D.logit.bias", "optimizer.G.exp_avg", "optimizer.D.exp_avg_sq", "train.counters"]) assert.ok(k in h, `tensor ${k}`);
  r = run(["sample", "--model", d, "-n", "7", "--out", join(d, "pts.npy")]);
  assert.is(r.status, 0, r.stderr);
  assert.equal(decodeNpy(readFileSync(join(d, "pts.npy"))).shape, [7, 2]);
  // resume without the config; it ends where a straight run does
  r = run(["train", "--resume", d, "--steps", "10", "--quiet"]);
  assert.is(r.status, 0, r.stderr);
  const straight = dir("named-straight");
  r = run(["train", "--config", config, "--steps", "10", "--sample-every", "3", "--seed", "2", "--quiet", "--out", straight]);
  assert.is(r.status, 0, r.stderr);
  assertSameTensors(ckpt(straight), ckpt(d), "named form: 6 + 4 steps == 10 straight");
  // --lr-g and --lr-d set the rates of the nets the objective names
  r = run(["train", "--resume", d, "--steps", "12", "--lr-g", "0.005", "--quiet"]);
  assert.is(r.status, 1);
  assert.match(r.stderr.trim(), /^wasm-gan: .*checkpoint\.safetensors: a checkpoint of another spec: spec\.optimizer\.G\.lr is 0\.001 in the checkpoint, 0\.005 here$/);
  r = run(["train", "--resume", d, "--steps", "12", "--lr-d", "0.005", "--quiet"]);
  assert.match(r.stderr.trim(), /spec\.optimizer\.D\.lr is 0\.002 in the checkpoint, 0\.005 here$/);
});

test("--config: a named-form spec's errors name spec.nets.<name>, one line, exit 2", () => {
  const d = dir("named-bad");
  mkdirSync(d);
  const bad = (name: string, edit: (s: any) => void, re: RegExp) => {
    const s = structuredClone(namedSpec) as any;
    edit(s);
    writeFileSync(join(d, name), JSON.stringify(s));
    const r = run(["train", "--config", join(d, name), "--out", join(d, "out")]);
    assert.is(r.status, 2, `${name}: exit ${r.status}: ${r.stderr}`);
    const lines = r.stderr.trim().split("\n");
    assert.is(lines.length, 1, `${name}: one line: ${r.stderr}`);
    assert.match(lines[0], re, `${name}: ${lines[0]}`);
  };
  bad("units.json", (s) => (s.nets.G[0].units = 0), /^wasm-gan: .*spec\.nets\.G\[0\]\.units: must be an integer from 1/);
  bad("role.json", (s) => (s.objective.discriminator = "C"), /spec\.objective\.discriminator: must name a net of spec\.nets \("G", "D"\) \(got "C"\)/);
  bad("optimizer.json", (s) => delete s.optimizer.D, /spec\.optimizer\.D: missing: every net needs an optimizer/);
  bad("both.json", (s) => (s.generator = s.nets.G), /spec\.generator: the nets are given twice/);
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();
