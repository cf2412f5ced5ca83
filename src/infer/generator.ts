// loadGenerator(): a trained generator on the inference module (build/wasm-gan.infer.wasm, from
// assembly/infer.ts). The net is built by the engine's own builder (src/engine/net_builder.ts)
// over the engine's own layers and kernels, and generate() draws latents and runs the net exactly
// as WasmGAN.sample does (src/engine/wasm_engine.ts: one stream seeded with `seed`, filled in
// chunks of spec.batchSize rows; the net in evaluation mode), so the samples are the training
// engine's bit for bit (strict SIMD, the only build of this module). The net runs in chunks of at
// most FORWARD_CHUNK rows, not batchSize: in evaluation mode every layer computes each row alone
// (a GEMM row's sum runs over k in the same order whatever the row count; batch norm uses the
// running statistics), so the chunking changes no bit (tests/infer/infer.test.ts checks it
// against the engine's batchSize chunks) and the net's buffers, which the module lays out for its
// largest chunk, stay a quarter of dcgan-mnist's batch of 64: a shorter cold start.
import { buildWasmNet, type NetBuilderExports } from "../engine/net_builder.ts";
import { sampleClasses } from "../engine/sample_labels.ts";
import { imageGridPixels } from "../io/grid_pixels.ts";
import { scatterPlot } from "../io/plot2d.ts";
import { decodeModel, InferError, type InferModel, type ModelTensor } from "./model.ts";
import { checksumProblem } from "../io/safetensors.ts";
import { encodePng } from "./png.ts";
import type { InferExports } from "./abi.ts";
import type { WeightChoice } from "../export/generator.ts";

export { InferError };
export const MAX_SAMPLES = 1024; // n per call: 1..MAX_SAMPLES
const FORWARD_CHUNK = 16;        // rows per forward call (measured on dcgan-mnist: the same batch-64 time as 64)

export type Source = ArrayBuffer | ArrayBufferView | URL | string;
export interface LoadOptions {
  // the inference module: a compiled WebAssembly.Module (edge runtimes, which refuse to compile
  // bytes: import the .wasm), its bytes, or a URL / URL string to fetch
  wasm: WebAssembly.Module | Source;
  // a checkpoint or a generator export: bytes, or a URL / URL string to fetch
  model: Source;
  weights?: WeightChoice; // checkpoints: "ema" (default when the checkpoint keeps one) or "raw"
  // one batch-1 forward before loadGenerator resolves (default true). V8 runs a wasm function's
  // first calls on its baseline compiler (Liftoff) and moves hot ones to TurboFan in the
  // background, and the first forward touches the net's activation pages for the first time:
  // without it the first call costs 3-4× a warm one (bench/infer_speed.ts measures both).
  // The cold start includes it; false leaves it to the first generate().
  warmUp?: boolean;
}

export interface GenerateRequest {
  n: number;                          // 1..MAX_SAMPLES
  seed?: number;                      // integer 0..2^32-1 (default 1, as gan.sample)
  labels?: number | ArrayLike<number>; // conditional models: one class for all, or one per sample (default i mod K)
}
export interface PngRequest extends GenerateRequest { columns?: number } // tiles per row (default ceil(sqrt(n)))

export interface Samples { data: Float32Array; shape: number[] } // shape: [n, ...outputShape]

export interface GeneratorInfo {
  format: InferModel["format"];
  net: string;
  latentDim: number;
  numClasses: number;   // 0: unconditional
  outputShape: number[];
  weights: WeightChoice;
  paramCount: number;
}

async function bytesOf(src: Source, what: string): Promise<Uint8Array> {
  if (src instanceof ArrayBuffer) return new Uint8Array(src);
  if (ArrayBuffer.isView(src)) return new Uint8Array(src.buffer, src.byteOffset, src.byteLength);
  if (typeof src === "string" || src instanceof URL) {
    let res: Response;
    try {
      res = await fetch(src);
    } catch (e) {
      throw new InferError(`${what}: cannot fetch ${String(src)} (${(e as Error).message}); in Node pass the bytes (readFile) for a file`);
    }
    if (!res.ok) throw new InferError(`${what}: fetching ${String(src)} gave HTTP ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  }
  throw new InferError(`${what}: expected bytes (ArrayBuffer, Uint8Array), a URL or a URL string (got ${src === null ? "null" : typeof src})`);
}

async function instantiate(wasm: LoadOptions["wasm"]): Promise<InferExports> {
  let module: WebAssembly.Module;
  if (wasm instanceof WebAssembly.Module) module = wasm;
  else {
    const bytes = await bytesOf(wasm, "wasm");
    try {
      module = await WebAssembly.compile(bytes as BufferSource);
    } catch (e) {
      throw new InferError(`wasm: not the inference module (build/wasm-gan.infer.wasm): ${(e as Error).message}`);
    }
  }
  const instance = await WebAssembly.instantiate(module, {
    env: { abort(_msg: number, _file: number, line: number, col: number) { throw new InferError(`wasm-gan/infer: the module aborted (at ${line}:${col})`); } },
  });
  const x = instance.exports as unknown as InferExports;
  if (typeof x.netForward !== "function" || typeof x.rngNormalFill !== "function") throw new InferError("wasm: not the inference module (build/wasm-gan.infer.wasm): its exports differ");
  return x;
}


const refused = () => -1; // the builder's spectral-norm and minibatch-std calls: never reached (decodeModel drops and refuses them)

export async function loadGenerator(options: LoadOptions): Promise<Generator> {
  if (typeof options !== "object" || options === null) throw new InferError("loadGenerator: expected { wasm, model }");
  if (options.wasm === undefined) throw new InferError("loadGenerator: wasm is required (the inference module: dist/infer.wasm)");
  if (options.model === undefined) throw new InferError("loadGenerator: model is required (a checkpoint or a generator export)");
  const [wasm, bytes] = await Promise.all([instantiate(options.wasm), bytesOf(options.model, "model")]);
  if (options.warmUp !== undefined && typeof options.warmUp !== "boolean") throw new InferError(`loadGenerator: warmUp must be true or false (got ${String(options.warmUp)})`);
  const model = await decodeModel(bytes, typeof options.model === "string" || options.model instanceof URL ? String(options.model) : "model", options.weights);
  const generator = new Generator(wasm, model);
  if (options.warmUp !== false) generator.generate({ n: 1 }); // generate() seeds its stream per call: nothing carries over
  return generator;
}

export class Generator {
  readonly info: GeneratorInfo;
  private readonly net: number;
  private readonly rng: number;
  private readonly z: number;     // one chunk of latents [B, latentDim], or of the net's input [C, latentDim + K]
  private readonly B: number;     // rows per latent chunk: spec.batchSize, as the engine
  private readonly C: number;     // rows per forward call: min(B, FORWARD_CHUNK)
  private readonly outSize: number;

  constructor(private readonly wasm: InferExports, private readonly model: InferModel) {
    const spec = model.spec, B = spec.batchSize, C = Math.min(B, FORWARD_CHUNK);
    const builder: NetBuilderExports = { ...wasm, netBuild: wasm.netBuildForward, netSpectralNorm: refused, netEqualizedLr: refused, netAddMinibatchStd: refused };
    let net: number;
    try {
      net = buildWasmNet(builder, model.layers, model.input, C);
    } catch (e) {
      throw new InferError(`the inference module refused the generator: ${(e as Error).message}`);
    }
    if (wasm.netParamCount(net) !== model.layout.paramCount || wasm.netStateCount(net) !== model.layout.stateCount) {
      throw new InferError(`internal: the module's net holds ${wasm.netParamCount(net)} parameters and ${wasm.netStateCount(net)} state values, the layout ${model.layout.paramCount} and ${model.layout.stateCount}`);
    }
    // each tensor's bytes straight into its block; there, the file's CRC-32 where it is still owed
    // (over the tensors in file order: the data section) and then every value (finite), by the
    // module's kernels (assembly/kernels/checks.ts: a cold JavaScript loop over a 3 MB model took
    // 5-15 ms of a cold start)
    const base = { params: wasm.netParams(net), state: wasm.netState(net) };
    const mem = new Uint8Array(wasm.memory.buffer);
    const at = (t: ModelTensor) => base[t.block] + 4 * t.offset;
    for (const t of model.tensors) mem.set(t.bytes, at(t));
    if (model.checksum) {
      let crc = 0;
      for (const t of [...model.tensors].sort((a, b) => a.fileOffset! - b.fileOffset!)) crc = wasm.crc32Update(at(t), t.bytes.length, crc);
      const problem = checksumProblem(crc, model.checksum.expected);
      if (problem) model.checksum.fail(problem);
    }
    for (const t of model.tensors) {
      const bad = wasm.firstNonFinite(at(t), t.bytes.length / 4);
      if (bad >= 0) throw new InferError(`model: tensor ${t.key} holds ${new Float32Array(wasm.memory.buffer, at(t), t.bytes.length / 4)[bad]} at index ${bad}`);
    }
    this.net = net;
    this.B = B;
    this.C = C;
    this.outSize = wasm.netOutSize(net);
    this.rng = wasm.rngNew(0);
    this.z = wasm.alloc(Math.max(B * spec.latentDim, C * model.input[0]) * 4);
    this.info = {
      format: model.format, net: model.net, latentDim: spec.latentDim, numClasses: spec.numClasses ?? 0,
      outputShape: [...spec.dataShape], weights: model.weights, paramCount: model.layout.paramCount,
    };
  }

  // checks n, seed and labels; returns the classes (conditional models) and the seed
  private check(req: GenerateRequest): { n: number; seed: number; classes: Int32Array | undefined } {
    if (typeof req !== "object" || req === null) throw new InferError("generate: expected { n, seed?, labels? }");
    const { n, seed = 1 } = req;
    if (!Number.isInteger(n) || n < 1 || n > MAX_SAMPLES) throw new InferError(`n must be an integer from 1 to ${MAX_SAMPLES} (got ${String(n)})`);
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new InferError(`seed must be an integer from 0 to 4294967295 (got ${String(seed)})`);
    let classes: Int32Array | undefined;
    try {
      classes = sampleClasses(this.model.spec.numClasses, n, req.labels);
    } catch (e) {
      throw new InferError((e as Error).message);
    }
    return { n, seed, classes };
  }

  generate(req: GenerateRequest): Samples {
    const { n, seed, classes } = this.check(req);
    const w = this.wasm, Z = this.info.latentDim, K = this.info.numClasses, row = Z + K, B = this.B, C = this.C, X = this.outSize;
    // the latents first, all of them, in chunks of B rows (WasmGAN.latent: the stream's values
    // depend on the chunking), then the net in chunks of C rows
    w.rngSeed(this.rng, seed >>> 0);
    const z = new Float32Array(n * Z);
    for (let i = 0; i < n; i += B) {
      const m = Math.min(B, n - i);
      w.rngNormalFill(this.rng, this.z, m * Z, 0, 1);
      z.set(new Float32Array(w.memory.buffer, this.z, m * Z), i * Z);
    }
    const out = new Float32Array(n * X);
    for (let i = 0; i < n; i += C) {
      const m = Math.min(C, n - i);
      const zin = new Float32Array(w.memory.buffer, this.z, m * row);
      if (classes) {
        zin.fill(0);
        for (let r = 0; r < m; r++) {
          zin.set(z.subarray((i + r) * Z, (i + r + 1) * Z), r * row);
          zin[r * row + Z + classes[i + r]] = 1;
        }
      } else zin.set(z.subarray(i * Z, (i + m) * Z));
      const y = w.netForward(this.net, this.z, m, 0); // 0: evaluation mode (running statistics)
      out.set(new Float32Array(w.memory.buffer, y, m * X), i * X);
    }
    return { data: out, shape: [n, ...this.info.outputShape] };
  }

  // A PNG of the samples: images ([h, w, 1] grey or [h, w, 3] RGB) as a grid of `columns` tiles
  // per row with 2 px of grey between them (src/io/grid_pixels.ts, as the CLI's grids); 2-D
  // points as a 512×512 scatter plot (src/io/plot2d.ts). Other sample shapes are refused.
  async png(req: PngRequest): Promise<Uint8Array> {
    const shape = this.info.outputShape;
    const isImage = shape.length === 3 && (shape[2] === 1 || shape[2] === 3);
    const isPoints = shape.length === 1 && shape[0] === 2;
    if (!isImage && !isPoints) throw new InferError(`png: samples of shape [${shape.join(", ")}] are neither images ([h, w, 1 or 3]) nor 2-D points; use generate() (format=f32)`);
    if (req?.columns !== undefined && (!Number.isInteger(req.columns) || req.columns < 1 || req.columns > MAX_SAMPLES)) {
      throw new InferError(`columns must be an integer from 1 to ${MAX_SAMPLES} (got ${String(req.columns)})`);
    }
    const { data, shape: [n] } = this.generate(req);
    if (isPoints) {
      const size = 512;
      const img = scatterPlot(data, { size });
      return encodePng(new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.length), size, size, 4);
    }
    const [h, w, c] = shape;
    const { data: pixels, layout } = imageGridPixels(data, n, h, w, c, { cols: Math.min(req.columns ?? Math.ceil(Math.sqrt(n)), n) });
    return encodePng(pixels, layout.width, layout.height, c);
  }
}
