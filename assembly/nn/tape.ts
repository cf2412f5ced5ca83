// A tape: everything one call of a net produces, apart from the net's parameters (which stay in
// the Net's arena: params | grads | opt1 | opt2, and its state block). A net keeps a default
// tape (Net.tape: every net export without a tape uses it), and more can be made for the same
// net (Net.newTape) so one net runs several times in a step with every call's activations kept
// alive at once (D on real and on fake, G applied twice as in CycleGAN's y = G(G(x))); each
// tape's backward ADDS into the one gradient arena.
//   input:    the x of the tape's last forward ([n, inSize], the caller's buffer)
//   acts[i]:  layer i's output [maxBatch, outSize_i];  dacts[i]: dL/d acts[i], same shape
//   saved[i]: layer i's savedFloats() of the last forward (batch norm's batch mean and 1/std), or 0
//   tangents[i], tangentBars[i]: the double-backprop buffers (buildTangents(), WGAN-GP only),
//             [maxBatch, outSize_i] each: the forward tangent of acts[i] and its adjoint ȳ
//   graph nets only (not sequential: see Net): `sum` [maxBatch, widest layer side] where a
//             second consumer's input gradient is written before it is added into dacts (fan-out),
//             and per-layer flags of which dacts / tangentBars hold a first contribution
import { Layer } from "./layer";

function buffers(layers: Array<Layer>, maxBatch: i32): StaticArray<usize> {
  const L = layers.length;
  const out = new StaticArray<usize>(L);
  for (let i = 0; i < L; i++) {
    const bytes = <usize>maxBatch * layers[i].outSize * 4;
    out[i] = heap.alloc(bytes);
    memory.fill(out[i], 0, bytes);
  }
  return out;
}

export class Tape {
  input: usize = 0;
  acts: StaticArray<usize>;
  dacts: StaticArray<usize>;
  saved: StaticArray<usize>;
  tangents: StaticArray<usize> = new StaticArray<usize>(0);
  tangentBars: StaticArray<usize> = new StaticArray<usize>(0);
  sum: usize = 0;
  written: StaticArray<u8>;
  tangentWritten: StaticArray<u8>;

  // gradients false: a forward-only tape (Net.build(false)): no dacts (all 0) and no sum buffer
  constructor(layers: Array<Layer>, inSize: i32, public maxBatch: i32, graph: bool, gradients: bool = true) {
    const L = layers.length;
    const acts = new StaticArray<usize>(L), dacts = new StaticArray<usize>(L);
    for (let i = 0; i < L; i++) {
      const bytes = <usize>maxBatch * layers[i].outSize * 4;
      acts[i] = heap.alloc(bytes);
      memory.fill(acts[i], 0, bytes);
      if (!gradients) continue;
      dacts[i] = heap.alloc(bytes);
      memory.fill(dacts[i], 0, bytes);
    }
    const saved = new StaticArray<usize>(L);
    for (let i = 0; i < L; i++) {
      const f = layers[i].savedFloats();
      if (f > 0) {
        saved[i] = heap.alloc(<usize>f << 2);
        memory.fill(saved[i], 0, <usize>f << 2);
      }
    }
    this.acts = acts;
    this.dacts = dacts;
    this.saved = saved;
    this.written = new StaticArray<u8>(graph ? L : 0);
    this.tangentWritten = new StaticArray<u8>(graph ? L : 0);
    if (graph && gradients) {
      let widest = inSize;
      for (let i = 0; i < L; i++) widest = max(widest, max(layers[i].inSize, layers[i].outSize));
      const bytes = <usize>maxBatch * widest * 4;
      this.sum = heap.alloc(bytes);
      memory.fill(this.sum, 0, bytes);
    }
  }

  // the output of the last layer (the input itself for a net of no layers)
  get output(): usize {
    const L = this.acts.length;
    return L == 0 ? this.input : unchecked(this.acts[L - 1]);
  }

  // lays out the double-backprop buffers once
  buildTangents(layers: Array<Layer>): void {
    if (this.tangents.length > 0 || layers.length == 0) return;
    this.tangents = buffers(layers, this.maxBatch);
    this.tangentBars = buffers(layers, this.maxBatch);
  }
}
