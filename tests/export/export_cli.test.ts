// wasm-gan export (src/cli/export.ts) end to end on a checkpoint of a short mlp-ring8 run (with a
// moving average of G): each format written where --out says (tfjs: a folder), the default and
// --weights raw / ema said in the line it prints, the ONNX file run by onnxruntime-node against
// the checkpoint's generator; bad input answered in one line: a missing model, an unknown format,
// an --out that cannot be written (under a file; a file where tfjs wants a folder), --weights ema
// without a moving average, a missing flag. ~3 s.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { oneLineError } from "../util/cli_errors.ts";
import { createGAN } from "../../src/engine/wasm_engine.ts";
import { preset } from "../../src/model/presets.ts";
import { ring8 } from "../../src/data/mixtures.ts";
import { saveCheckpoint } from "../../src/io/checkpoint.ts";

const cli = new URL("../../dist/cli.js", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "wasm-gan-export-cli-"));
const run = (...args: string[]) => spawnSync(process.execPath, [cli, "export", ...args], { encoding: "utf8", cwd: dir, timeout: 60_000 });

const gan = await createGAN(preset("mlp-ring8"), { seed: 2 });
gan.averageGenerator(0.9);
await gan.train(await ring8({ count: 2048, seed: 1 }), { steps: 10 });
await saveCheckpoint(join(dir, "ema.safetensors"), gan);
const plain = await createGAN(preset("mlp-ring8"), { seed: 3 });
await saveCheckpoint(join(dir, "plain.safetensors"), plain);

test("each format where --out says; the ema default and --weights raw; the ONNX file runs within 1e-4 of the checkpoint's generator", async () => {
  for (const [format, out] of [["safetensors", "g.safetensors"], ["onnx", "sub/g.onnx"], ["tfjs", "tfjs-model"]]) {
    const r = run("--model", "ema.safetensors", "--format", format, "--out", out);
    assert.is(r.status, 0, `${format}: ${r.stderr}`);
    assert.is(r.stderr, "", `${format}: nothing on stderr`);
    assert.match(r.stdout, new RegExp(`^wrote the generator generator \\(ema weights\\) of ema\\.safetensors \\(step 10\\) as ${format}: `));
  }
  assert.equal(readdirSync(join(dir, "tfjs-model")).sort(), ["model.json", "weights.bin"]);
  assert.match(run("--model", "ema.safetensors", "--format", "onnx", "--weights", "raw", "--out", "raw.onnx").stdout, /\(raw weights\)/);
  // the GAN that wrote the checkpoint (a GAN loaded from it keeps no average running to generate from)
  const z = gan.latent(7, 5);
  for (const [file, average] of [["sub/g.onnx", true], ["raw.onnx", false]] as const) {
    const s = await ort.InferenceSession.create(readFileSync(join(dir, file)));
    const got = (await s.run({ latent: new ort.Tensor("float32", z, [7, 2]) })).image.data as Float32Array;
    const want = gan.generate(z, { average });
    let d = 0;
    for (let i = 0; i < want.length; i++) d = Math.max(d, Math.abs(got[i] - want[i]));
    assert.ok(d <= 1e-4, `${file}: max |onnx − engine| = ${d} ≤ 1e-4`);
  }
});

test("bad input, one line each: a missing model, an unknown format, an --out that cannot be written, --weights", () => {
  oneLineError(run("--model", "nothere", "--format", "onnx", "--out", "x.onnx"), 1, /nothere: no such file/, "missing model");
  oneLineError(run("--model", "ema.safetensors", "--format", "pt", "--out", "x.pt"), 2, /--format must be safetensors, onnx or tfjs \(got "pt"\)/, "unknown format");
  oneLineError(run("--model", "ema.safetensors", "--out", "x.onnx"), 2, /--format is required/, "no format");
  oneLineError(run("--model", "ema.safetensors", "--format", "onnx"), 2, /--out is required/, "no out");
  writeFileSync(join(dir, "afile"), "x");
  oneLineError(run("--model", "ema.safetensors", "--format", "onnx", "--out", "afile/x.onnx"), 2, /--out afile\/x\.onnx: afile is a file, not a folder/, "out under a file");
  oneLineError(run("--model", "ema.safetensors", "--format", "tfjs", "--out", "afile"), 2, /--out afile is a file, not a folder: name a folder for the LayersModel/, "tfjs out a file");
  oneLineError(run("--model", "ema.safetensors", "--format", "onnx", "--out", "sub"), 2, /--out sub is a folder/, "onnx out a folder");
  oneLineError(run("--model", "plain.safetensors", "--format", "onnx", "--weights", "ema", "--out", "p.onnx"), 2, /weights ema: this model keeps no moving average of its generator \(generator\.average\); use raw/, "no EMA");
  oneLineError(run("--model", "ema.safetensors", "--format", "onnx", "--weights", "best", "--out", "p.onnx"), 2, /--weights must be ema or raw \(got "best"\)/, "bad weights");
  assert.not.ok(existsSync(join(dir, "p.onnx")), "nothing written on a refusal");
});

test.after(() => { gan.dispose(); plain.dispose(); });
test.run();
