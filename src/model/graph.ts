// The layer graph of a net: a layer may carry a `name` and read `inputs` (names of earlier
// layers, or "input" for the net's input; default: the layer before, the net's input for the
// first). A net stays a topological list, so every reference points back, and its output is the
// last layer's. resolveInputs() turns the names into indices (−1: the net's input) and refuses
// what is not a graph of this kind, with the layer and field named (ShapeError; src/model/spec.ts
// turns it into `spec.generator[3].inputs[1]: ...`).
// Node types (graph nodes: no parameters; assembly/nn/merge.ts):
//   add    two or more inputs of one shape: their sum (residual connections)
//   concat two inputs: images [h, w, ca], [h, w, cb] -> [h, w, ca + cb] (channels, NHWC);
//          flat [a], [b] -> [a + b]
//   blend  two inputs a, b of one shape: α·a + (1 − α)·b; α (`alpha`, default 0: the output is b
//          until the host fades a in) is set between steps
import type { LayerSpec } from "./spec.ts";

export class ShapeError extends Error {
  // field: under the layer (`inputs`, `inputs[1]`, `name`), or none for the layer itself
  constructor(public readonly index: number, problem: string, public readonly field?: string) {
    super(problem);
  }
}

export const NODE_TYPES = ["add", "concat", "blend"] as const;
export type NodeType = (typeof NODE_TYPES)[number];
export const isNode = (type: string): type is NodeType => (NODE_TYPES as readonly string[]).includes(type);

// the name a layer's inputs use for the net's input
export const NET_INPUT = "input";
export const LAYER_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

// each layer's inputs as indices of earlier layers (−1: the net's input)
export function resolveInputs(layers: LayerSpec[]): number[][] {
  const byName = new Map<string, number>();
  layers.forEach((l, i) => {
    if (l.name === undefined) return;
    if (l.name === NET_INPUT) throw new ShapeError(i, `"${NET_INPUT}" names the net's input; call this layer something else`, "name");
    if (!LAYER_NAME.test(l.name)) throw new ShapeError(i, `must be 1 to 64 letters, digits, "_", "." or "-", starting with a letter or "_" (got ${JSON.stringify(l.name)})`, "name");
    const before = byName.get(l.name);
    if (before !== undefined) throw new ShapeError(i, `duplicate name ${JSON.stringify(l.name)} (layer ${before} has it)`, "name");
    byName.set(l.name, i);
  });
  const inputs = layers.map((l, i) => {
    if (l.inputs === undefined) return [i - 1];
    return l.inputs.map((name, k) => {
      if (name === NET_INPUT) return -1;
      const j = byName.get(name);
      if (j === undefined) {
        const known = [NET_INPUT, ...[...byName].filter(([, at]) => at < i).map(([n]) => n)];
        throw new ShapeError(i, `unknown layer name ${JSON.stringify(name)} (names before this layer: ${known.map((n) => JSON.stringify(n)).join(", ")})`, `inputs[${k}]`);
      }
      if (j >= i) throw new ShapeError(i, `${JSON.stringify(name)} is layer ${j}, ${j === i ? "this layer itself" : "after this one"}: inputs must name earlier layers (a net is a topological list)`, `inputs[${k}]`);
      return j;
    });
  });
  layers.forEach((l, i) => {
    const count = inputs[i].length;
    const want = l.type === "add" ? "at least 2" : l.type === "concat" || l.type === "blend" ? "exactly 2" : "exactly 1";
    const ok = l.type === "add" ? count >= 2 : l.type === "concat" || l.type === "blend" ? count === 2 : count === 1;
    if (!ok) throw new ShapeError(i, `${l.type} takes ${want} input${want === "exactly 1" ? "" : "s"} (got ${count}${l.inputs === undefined ? ": the previous layer, by default" : ""})`, "inputs");
  });
  // every output but the net's own must be read (an unread layer is a wiring mistake)
  const read = new Set(inputs.flat());
  layers.forEach((l, i) => {
    if (i < layers.length - 1 && !read.has(i)) {
      throw new ShapeError(i, `its output is never read: only the last layer may be left unread (name it in a later layer's inputs, or remove it)`);
    }
  });
  return inputs;
}

// the output shape of a node from its input shapes; throws ShapeError naming `inputs`
export function nodeShape(l: LayerSpec, i: number, ins: number[][], sources: string[]): number[] {
  const show = (s: number[]) => `[${s.join(", ")}]`;
  const fail = (problem: string): never => { throw new ShapeError(i, problem, "inputs"); };
  const list = () => ins.map((s, k) => `${show(s)} (${sources[k]})`).join(", ");
  if (l.type === "concat") {
    const [a, b] = ins;
    if (a.length === 1 && b.length === 1) return [a[0] + b[0]];
    if (a.length !== 3 || b.length !== 3 || a[0] !== b[0] || a[1] !== b[1]) {
      fail(`concat joins two images of one height and width on the channels ([h, w, ca], [h, w, cb]) or two flat feature vectors; got ${list()}`);
    }
    return [a[0], a[1], a[2] + b[2]];
  }
  if (!ins.every((s) => s.join() === ins[0].join())) fail(`${l.type} needs inputs of one shape; got ${list()}`);
  return [...ins[0]];
}
