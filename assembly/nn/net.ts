// A net: a topological list of layers over one parameter arena, run on tapes.
//   params | grads | opt1 | opt2 : four blocks of paramCount floats (opt1/opt2: Adam's m and v,
//   RMSProp's square average, SGD's momentum), laid out once by build(). Non-trained state (batch
//   norm's running statistics) sits in a `state` block of stateCount floats, and the conv layers
//   share one im2col scratch sized for the largest of them. What a call produces (activations,
//   their gradients, batch norm's batch statistics, the tangent buffers) lives on a tape
//   (assembly/nn/tape.ts): `tape` is the default one, newTape() makes more, each sized for at
//   most maxBatch rows (the scratch is).
// The graph: layer i reads inputs[i] (earlier layers, −1 for the net's input; default [i − 1]);
// graph nodes (assembly/nn/merge.ts) read several. The output is the last layer's. A net where
// every layer reads the one before is `sequential` and runs the plain chain loops (the code path
// of a net without a graph: no flags, no extra copies). Otherwise backward() visits the layers
// in reverse and an output read by several consumers gets the SUM of their input gradients:
// the first consumer (the latest layer) writes dacts[j] (the layer contract: backward WRITES dx),
// each later one writes tape.sum and adds it in (nodes add directly). The sums run in that fixed
// order, on one thread: the same bits whatever the thread count.
// Spectral normalisation (assembly/nn/spectral_norm.ts): spectralNorm() marks the last layer
// added; its u, v join that layer's slice of the state block (after any other state: none for
// dense and conv), and `spectral` lists the marked layers in order. A net without it has an empty
// list and runs exactly the code it ran before.
import { Layer, LAYER_DENSE, LAYER_CONV2D, LAYER_CONV2D_TRANSPOSE } from "./layer";
import { SpectralNorm } from "./spectral_norm";
import { EqualizedLr } from "./equalized_lr";
import { Conv2D, Conv2DTranspose } from "./conv2d";
import { Merge, copyOrAdd } from "./merge";
import { Tape } from "./tape";

export class Net {
  layers: Array<Layer> = new Array<Layer>();
  inputs: Array<StaticArray<i32>> = new Array<StaticArray<i32>>();
  sequential: bool = true;
  paramCount: i32 = 0;
  params: usize = 0;
  grads: usize = 0;
  opt1: usize = 0;
  opt2: usize = 0;
  tape!: Tape;
  built: bool = false;
  stateCount: i32 = 0;
  state: usize = 0;
  scratch: usize = 0;
  // building: the input of the next layer added (−2: the previous layer; see setNextInput)
  nextInput: i32 = -2;
  // the layers with spectral normalisation, in layer order
  spectral: Array<Layer> = new Array<Layer>();

  constructor(public inSize: i32, public maxBatch: i32) {}

  get outSize(): i32 {
    const n = this.layers.length;
    return n == 0 ? this.inSize : this.layers[n - 1].outSize;
  }

  // the per-sample size of source j (−1: the net's input)
  sizeOf(j: i32): i32 { return j < 0 ? this.inSize : this.layers[j].outSize; }

  // the next layer added reads source j (−1: the net's input) instead of the previous layer;
  // false when j is not an existing layer
  setNextInput(j: i32): bool {
    if (j < -1 || j >= this.layers.length) return false;
    this.nextInput = j;
    return true;
  }

  // the input size the next layer added sees
  get nextInSize(): i32 { return this.nextInput == -2 ? this.outSize : this.sizeOf(this.nextInput); }

  add(layer: Layer): void {
    const prev = this.layers.length - 1;
    const src = this.nextInput == -2 ? prev : this.nextInput;
    const ins = new StaticArray<i32>(1);
    ins[0] = src;
    if (src != prev) this.sequential = false;
    this.nextInput = -2;
    this.push(layer, ins);
  }

  // a graph node reading `srcs` (earlier layers or −1), in order
  addMerge(node: Merge, srcs: StaticArray<i32>): void {
    this.sequential = false;
    this.nextInput = -2;
    this.push(node, srcs);
  }

  private push(layer: Layer, ins: StaticArray<i32>): void {
    layer.paramOffset = this.paramCount;
    this.paramCount += layer.paramCount;
    this.stateCount += layer.stateCount;
    this.layers.push(layer);
    this.inputs.push(ins);
  }

  // Spectral normalisation of the last layer added (dense, conv2d, conv2d_transpose; before
  // build()). False when there is no such layer or it already has it.
  spectralNorm(): bool {
    const L = this.layers.length;
    if (L == 0 || this.built) return false;
    const layer = this.layers[L - 1];
    if (layer.sn != null) return false;
    let R = 0, C = 0;
    if (layer.kind == LAYER_DENSE) { R = layer.inSize; C = layer.outSize; }
    else if (layer.kind == LAYER_CONV2D || layer.kind == LAYER_CONV2D_TRANSPOSE) {
      const g = layer.kind == LAYER_CONV2D ? changetype<Conv2D>(layer).g : changetype<Conv2DTranspose>(layer).g;
      R = g.kh * g.kw * g.cin; C = g.cout;
    } else return false;
    const sn = new SpectralNorm(R, C, layer.paramOffset);
    layer.sn = sn;
    layer.stateCount += sn.stateCount;
    this.stateCount += sn.stateCount;
    this.spectral.push(layer);
    return true;
  }

  // Equalised learning rate (assembly/nn/equalized_lr.ts) of the last layer added (dense, conv2d,
  // conv2d_transpose without spectral normalisation; before build()): c·W at run time, c = `scale`
  // (the host's fround(gain / sqrt(fan_in))). False when there is no such layer, it already has it
  // or has spectral normalisation, or scale is not positive.
  equalizedLr(scale: f32): bool {
    const L = this.layers.length;
    if (L == 0 || this.built || !(scale > 0)) return false;
    const layer = this.layers[L - 1];
    if (layer.sn != null || layer.eq != null) return false;
    let count = 0;
    if (layer.kind == LAYER_DENSE) count = layer.inSize * layer.outSize;
    else if (layer.kind == LAYER_CONV2D) count = changetype<Conv2D>(layer).g.filterSize;
    else if (layer.kind == LAYER_CONV2D_TRANSPOSE) count = changetype<Conv2DTranspose>(layer).g.filterSize;
    else return false;
    layer.eq = new EqualizedLr(count, scale);
    return true;
  }

  // u from the init stream and v = normalise(K u), for each normalised layer in order (after
  // initParams: v depends on the weights)
  initSpectral(rng: usize): void {
    for (let i = 0; i < this.spectral.length; i++) {
      const sn = this.spectral[i].sn!;
      sn.initVectors(this.params + (<usize>sn.paramOffset << 2), rng);
    }
  }

  // one power iteration of every normalised layer (once per update of this net: the GAN step)
  powerIteration(): void {
    for (let i = 0; i < this.spectral.length; i++) {
      const sn = unchecked(this.spectral[i]).sn!;
      sn.iterate(this.params + (<usize>sn.paramOffset << 2));
    }
  }

  // training false: a net that only runs forward (the inference module, assembly/infer.ts) gets
  // the parameters alone (grads, opt1, opt2 stay 0) and a tape without gradient buffers, so
  // building it touches a quarter of the arena's memory (a shorter cold start); the layout of
  // what it has is the same.
  build(training: bool = true): void {
    const P = <usize>this.paramCount << 2;
    const blocks: usize = training ? 4 : 1;
    const arena = heap.alloc(blocks * P + 16);
    memory.fill(arena, 0, blocks * P + 16);
    this.params = arena;
    if (training) {
      this.grads = arena + P;
      this.opt1 = arena + 2 * P;
      this.opt2 = arena + 3 * P;
    }
    const L = this.layers.length;
    this.tape = training ? this.newTape(this.maxBatch) : new Tape(this.layers, this.inSize, this.maxBatch, !this.sequential, false);
    this.state = heap.alloc((<usize>this.stateCount << 2) + 16);
    let scratchFloats = 0;
    let stateOffset: usize = 0;
    for (let i = 0; i < L; i++) {
      const layer = this.layers[i];
      layer.state = this.state + (stateOffset << 2);
      stateOffset += layer.stateCount;
      const sn = layer.sn;
      if (sn != null) sn.bind(layer.state + (<usize>(layer.stateCount - sn.stateCount) << 2));
      const eq = layer.eq;
      if (eq != null) eq.bind();
      scratchFloats = max(scratchFloats, layer.scratchFloats(this.maxBatch));
    }
    if (scratchFloats > 0) {
      this.scratch = heap.alloc(<usize>scratchFloats << 2);
      for (let i = 0; i < L; i++) this.layers[i].scratch = this.scratch;
    }
    this.initState();
    this.built = true;
  }

  // a tape for calls of up to maxBatch rows (<= the net's maxBatch: the conv scratch is sized for that)
  newTape(maxBatch: i32): Tape {
    return new Tape(this.layers, this.inSize, maxBatch, !this.sequential);
  }

  initParams(rng: usize, scheme: i32): void {
    for (let i = 0; i < this.layers.length; i++) this.layers[i].initParams(this.params, rng, scheme);
  }

  initState(): void {
    for (let i = 0; i < this.layers.length; i++) this.layers[i].initState();
  }

  zeroGrads(): void {
    memory.fill(this.grads, 0, <usize>this.paramCount << 2);
  }

  // the default tape's forms (every caller without a tape of its own: the GAN step, the penalty)
  forward(x: usize, n: i32, training: bool): usize { return this.forwardTape(this.tape, x, n, training); }
  backward(dy: usize, dx: usize, n: i32, paramGrads: bool): void { this.backwardTape(this.tape, dy, dx, n, paramGrads); }
  buildTangents(): void { this.tape.buildTangents(this.layers); }
  tangentBackward(seed: usize, v: usize, n: i32): void { this.tangentBackwardTape(this.tape, seed, v, n); }

  // x: [n, inSize] -> returns the output buffer [n, outSize] (on the tape)
  forwardTape(tape: Tape, x: usize, n: i32, training: bool): usize {
    tape.input = x;
    const L = this.layers.length;
    if (this.sequential) {
      let cur = x;
      for (let i = 0; i < L; i++) {
        const y = unchecked(tape.acts[i]);
        unchecked(this.layers[i]).forward(this.params, cur, y, n, training, unchecked(tape.saved[i]));
        cur = y;
      }
      return cur;
    }
    for (let i = 0; i < L; i++) {
      const layer = unchecked(this.layers[i]), ins = unchecked(this.inputs[i]);
      const y = unchecked(tape.acts[i]);
      if (layer.arity == 1) {
        layer.forward(this.params, src(tape, unchecked(ins[0])), y, n, training, unchecked(tape.saved[i]));
        continue;
      }
      const node = changetype<Merge>(layer);
      for (let k = 0; k < node.arity; k++) unchecked(node.xs[k] = src(tape, unchecked(ins[k])));
      node.forwardMerge(y, n);
    }
    return tape.output;
  }

  // dy: [n, outSize] of the tape's last forward(). Writes dx: [n, inSize] when dx != 0 and adds
  // the parameter gradients when paramGrads (a generator step needs D's dx but not D's grads).
  backwardTape(tape: Tape, dy: usize, dx: usize, n: i32, paramGrads: bool): void {
    const L = this.layers.length;
    if (this.sequential) {
      let g = dy;
      for (let i = L - 1; i >= 0; i--) {
        const layer = unchecked(this.layers[i]);
        const x = i == 0 ? tape.input : unchecked(tape.acts[i - 1]);
        const target = i == 0 ? dx : unchecked(tape.dacts[i - 1]);
        if (i == 0 && dx == 0 && !(paramGrads && layer.paramCount > 0)) break;
        layer.backward(this.params, this.grads, x, unchecked(tape.acts[i]), g, target, n, paramGrads, unchecked(tape.saved[i]));
        g = target;
      }
      return;
    }
    const written = tape.written;
    for (let i = 0; i < L; i++) unchecked(written[i] = 0);
    let dxWritten = false;
    for (let i = L - 1; i >= 0; i--) {
      const layer = unchecked(this.layers[i]), ins = unchecked(this.inputs[i]);
      const y = unchecked(tape.acts[i]);
      let g = dy;
      if (i < L - 1) {
        g = unchecked(tape.dacts[i]);
        // an output nothing reads (the spec refuses such nets; here its gradient is 0)
        if (unchecked(written[i]) == 0) memory.fill(g, 0, <usize>n * layer.outSize * 4);
      }
      if (layer.arity == 1) {
        const j = unchecked(ins[0]);
        if (j < 0 && dx == 0 && !(paramGrads && layer.paramCount > 0)) continue;
        const dest = j < 0 ? dx : unchecked(tape.dacts[j]);
        const again = j < 0 ? dxWritten : unchecked(written[j]) != 0;
        const x = src(tape, j);
        layer.backward(this.params, this.grads, x, y, g, again && dest != 0 ? tape.sum : dest, n, paramGrads, unchecked(tape.saved[i]));
        if (again && dest != 0) copyOrAdd(dest, tape.sum, n * layer.inSize, true);
        if (j < 0) dxWritten = dest != 0;
        else unchecked(written[j] = 1);
        continue;
      }
      const node = changetype<Merge>(layer);
      for (let k = 0; k < node.arity; k++) {
        const j = unchecked(ins[k]);
        if (j < 0) {
          if (dx == 0) continue;
          node.backwardInput(k, g, dx, n, dxWritten);
          dxWritten = true;
        } else {
          node.backwardInput(k, g, unchecked(tape.dacts[j]), n, unchecked(written[j]) != 0);
          unchecked(written[j] = 1);
        }
      }
    }
  }

  // ADDS into grads ∂S/∂θ for S(θ) = <v, ∂(Σ_rows D)/∂x> at the input x of the tape's last
  // forward(), v: [n, inSize] held fixed. Needs, right before it on the same tape, forward(x) and
  // backward(seed, dx, n, false) with seed = the all-ones [n, outSize] `seed` (its dacts are the
  // tangent adjoints ẏ̄), and the tape's tangent buffers (Tape.buildTangents).
  // See assembly/nn/layer.ts for the per-layer rules.
  tangentBackwardTape(tape: Tape, seed: usize, v: usize, n: i32): void {
    const L = this.layers.length;
    if (!this.sequential) {
      this.graphTangentBackward(tape, seed, v, n);
      return;
    }
    let xd = v;
    for (let i = 0; i < L; i++) {
      const x = i == 0 ? tape.input : unchecked(tape.acts[i - 1]);
      unchecked(this.layers[i]).forwardTangent(this.params, x, unchecked(tape.acts[i]), xd, unchecked(tape.tangents[i]), n);
      xd = unchecked(tape.tangents[i]);
    }
    let ybar: usize = 0; // ȳ at the output is 0
    for (let i = L - 1; i >= 0; i--) {
      const x = i == 0 ? tape.input : unchecked(tape.acts[i - 1]);
      const xdot = i == 0 ? v : unchecked(tape.tangents[i - 1]);
      const ydotbar = i == L - 1 ? seed : unchecked(tape.dacts[i]);
      const xbar: usize = i == 0 ? 0 : unchecked(tape.tangentBars[i - 1]);
      const wrote = unchecked(this.layers[i]).backwardTangent(this.params, this.grads, x, unchecked(tape.acts[i]), xdot, ybar, ydotbar, xbar, n);
      ybar = wrote ? xbar : 0;
    }
  }

  // the same through the graph: ẋ of a layer is its source's tangent (v for the net's input);
  // in reverse, ȳ_j is the sum of its consumers' x̄ (0 while none wrote one: tangentWritten),
  // ẏ̄_j is dacts[j] of the seeded backward (already summed over the consumers). The net's own
  // input needs no x̄.
  private graphTangentBackward(tape: Tape, seed: usize, v: usize, n: i32): void {
    const L = this.layers.length;
    for (let i = 0; i < L; i++) {
      const layer = unchecked(this.layers[i]), ins = unchecked(this.inputs[i]);
      const ydot = unchecked(tape.tangents[i]);
      if (layer.arity == 1) {
        const j = unchecked(ins[0]);
        layer.forwardTangent(this.params, src(tape, j), unchecked(tape.acts[i]), j < 0 ? v : unchecked(tape.tangents[j]), ydot, n);
        continue;
      }
      const node = changetype<Merge>(layer);
      for (let k = 0; k < node.arity; k++) {
        const j = unchecked(ins[k]);
        unchecked(node.xs[k] = j < 0 ? v : unchecked(tape.tangents[j]));
      }
      node.forwardTangentMerge(ydot, n);
    }
    const written = tape.tangentWritten;
    for (let i = 0; i < L; i++) unchecked(written[i] = 0);
    for (let i = L - 1; i >= 0; i--) {
      const layer = unchecked(this.layers[i]), ins = unchecked(this.inputs[i]);
      const ybar: usize = i < L - 1 && unchecked(written[i]) != 0 ? unchecked(tape.tangentBars[i]) : 0;
      if (layer.arity == 1) {
        const j = unchecked(ins[0]);
        const again = j >= 0 && unchecked(written[j]) != 0;
        const xbar: usize = j < 0 ? 0 : again ? tape.sum : unchecked(tape.tangentBars[j]);
        const xdot = j < 0 ? v : unchecked(tape.tangents[j]);
        const ydotbar = i == L - 1 ? seed : unchecked(tape.dacts[i]);
        const wrote = layer.backwardTangent(this.params, this.grads, src(tape, j), unchecked(tape.acts[i]), xdot, ybar, ydotbar, xbar, n);
        if (wrote && again) copyOrAdd(unchecked(tape.tangentBars[j]), tape.sum, n * layer.inSize, true);
        if (wrote && j >= 0) unchecked(written[j] = 1);
        continue;
      }
      if (ybar == 0) continue; // a linear node: x̄ = 0 from ȳ = 0
      const node = changetype<Merge>(layer);
      for (let k = 0; k < node.arity; k++) {
        const j = unchecked(ins[k]);
        if (j < 0) continue;
        node.backwardTangentInput(k, ybar, unchecked(tape.tangentBars[j]), n, unchecked(written[j]) != 0);
        unchecked(written[j] = 1);
      }
    }
  }
}

// the buffer source j holds on the tape (−1: the net's input)
// @ts-ignore: decorator
@inline function src(tape: Tape, j: i32): usize {
  return j < 0 ? tape.input : unchecked(tape.acts[j]);
}
