// A sequential net over one parameter arena.
//   params | grads | opt1 | opt2 : four blocks of paramCount floats (opt1/opt2: Adam's m and v,
//   RMSProp's square average, SGD's momentum), laid out once by build(); activations and their
//   gradients: one [maxBatch, outSize] buffer per layer, also laid out once. Non-trained state
//   (batch norm's running statistics) sits in a `state` block of stateCount floats, and the conv
//   layers share one im2col scratch sized for the largest of them.
import { Layer } from "./layer";

export class Net {
  layers: Array<Layer> = new Array<Layer>();
  paramCount: i32 = 0;
  params: usize = 0;
  grads: usize = 0;
  opt1: usize = 0;
  opt2: usize = 0;
  acts: StaticArray<usize> = new StaticArray<usize>(0);  // acts[i]: output of layer i
  dacts: StaticArray<usize> = new StaticArray<usize>(0); // dacts[i]: dL/d acts[i]
  input: usize = 0; // the x of the last forward()
  built: bool = false;
  stateCount: i32 = 0;
  state: usize = 0;
  scratch: usize = 0;
  // double backprop (buildTangents(), only for a penalised critic): per layer, the forward
  // tangent of its output and the adjoint ȳ of its output in the reverse pass over the tangents
  tangents: StaticArray<usize> = new StaticArray<usize>(0);
  tangentBars: StaticArray<usize> = new StaticArray<usize>(0);

  constructor(public inSize: i32, public maxBatch: i32) {}

  get outSize(): i32 {
    const n = this.layers.length;
    return n == 0 ? this.inSize : this.layers[n - 1].outSize;
  }

  add(layer: Layer): void {
    layer.paramOffset = this.paramCount;
    this.paramCount += layer.paramCount;
    this.stateCount += layer.stateCount;
    this.layers.push(layer);
  }

  build(): void {
    const P = <usize>this.paramCount << 2;
    const arena = heap.alloc(4 * P + 16);
    memory.fill(arena, 0, 4 * P + 16);
    this.params = arena;
    this.grads = arena + P;
    this.opt1 = arena + 2 * P;
    this.opt2 = arena + 3 * P;
    const L = this.layers.length;
    this.acts = new StaticArray<usize>(L);
    this.dacts = new StaticArray<usize>(L);
    for (let i = 0; i < L; i++) {
      const bytes = <usize>this.maxBatch * this.layers[i].outSize * 4;
      this.acts[i] = heap.alloc(bytes);
      this.dacts[i] = heap.alloc(bytes);
      memory.fill(this.acts[i], 0, bytes);
      memory.fill(this.dacts[i], 0, bytes);
    }
    this.state = heap.alloc((<usize>this.stateCount << 2) + 16);
    let scratchFloats = 0;
    let stateOffset: usize = 0;
    for (let i = 0; i < L; i++) {
      const layer = this.layers[i];
      layer.state = this.state + (stateOffset << 2);
      stateOffset += layer.stateCount;
      scratchFloats = max(scratchFloats, layer.scratchFloats(this.maxBatch));
    }
    if (scratchFloats > 0) {
      this.scratch = heap.alloc(<usize>scratchFloats << 2);
      for (let i = 0; i < L; i++) this.layers[i].scratch = this.scratch;
    }
    this.initState();
    this.built = true;
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

  // x: [n, inSize] -> returns the output buffer [n, outSize]
  forward(x: usize, n: i32, training: bool): usize {
    this.input = x;
    let cur = x;
    const L = this.layers.length;
    for (let i = 0; i < L; i++) {
      const y = unchecked(this.acts[i]);
      unchecked(this.layers[i]).forward(this.params, cur, y, n, training);
      cur = y;
    }
    return cur;
  }

  // dy: [n, outSize] of the last forward(). Writes dx: [n, inSize] when dx != 0 and adds the
  // parameter gradients when paramGrads (a generator step needs D's dx but not D's grads).
  backward(dy: usize, dx: usize, n: i32, paramGrads: bool): void {
    const L = this.layers.length;
    let g = dy;
    for (let i = L - 1; i >= 0; i--) {
      const layer = unchecked(this.layers[i]);
      const x = i == 0 ? this.input : unchecked(this.acts[i - 1]);
      const target = i == 0 ? dx : unchecked(this.dacts[i - 1]);
      if (i == 0 && dx == 0 && !(paramGrads && layer.paramCount > 0)) break;
      layer.backward(this.params, this.grads, x, unchecked(this.acts[i]), g, target, n, paramGrads);
      g = target;
    }
  }

  // Lays out the double-backprop buffers (once, after build()): two more [maxBatch, outSize] per layer.
  buildTangents(): void {
    if (this.tangents.length > 0) return;
    const L = this.layers.length;
    this.tangents = new StaticArray<usize>(L);
    this.tangentBars = new StaticArray<usize>(L);
    for (let i = 0; i < L; i++) {
      const bytes = <usize>this.maxBatch * this.layers[i].outSize * 4;
      this.tangents[i] = heap.alloc(bytes);
      this.tangentBars[i] = heap.alloc(bytes);
      memory.fill(this.tangents[i], 0, bytes);
      memory.fill(this.tangentBars[i], 0, bytes);
    }
  }

  // ADDS into grads ∂S/∂θ for S(θ) = <v, ∂(Σ_rows D)/∂x> at the input x of the last forward(),
  // v: [n, inSize] held fixed. Needs, right before it, forward(x) and backward(seed, dx, n, false)
  // with seed = the all-ones [n, outSize] `seed` (its dacts are the tangent adjoints ẏ̄).
  // See assembly/nn/layer.ts for the per-layer rules.
  tangentBackward(seed: usize, v: usize, n: i32): void {
    const L = this.layers.length;
    let xd = v;
    for (let i = 0; i < L; i++) {
      const x = i == 0 ? this.input : unchecked(this.acts[i - 1]);
      unchecked(this.layers[i]).forwardTangent(this.params, x, unchecked(this.acts[i]), xd, unchecked(this.tangents[i]), n);
      xd = unchecked(this.tangents[i]);
    }
    let ybar: usize = 0; // ȳ at the output is 0
    for (let i = L - 1; i >= 0; i--) {
      const x = i == 0 ? this.input : unchecked(this.acts[i - 1]);
      const xdot = i == 0 ? v : unchecked(this.tangents[i - 1]);
      const ydotbar = i == L - 1 ? seed : unchecked(this.dacts[i]);
      const xbar = i == 0 ? 0 : unchecked(this.tangentBars[i - 1]);
      const wrote = unchecked(this.layers[i]).backwardTangent(this.params, this.grads, x, unchecked(this.acts[i]), xdot, ybar, ydotbar, xbar, n);
      ybar = wrote ? xbar : 0;
    }
  }
}
