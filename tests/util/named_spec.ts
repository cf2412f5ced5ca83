// A shorthand spec (generator, discriminator) rewritten in the named form, nets called `g` and `d`
// (listed D first when `dFirst`, to show that roles, not the nets' order, decide who plays what).
import type { NamedSpec, ShorthandSpec } from "../../src/model/spec.ts";

export function namedForm(s: ShorthandSpec, g = "G", d = "D", dFirst = false): NamedSpec {
  const { generator, discriminator, optimizer, ...rest } = structuredClone(s);
  const nets = dFirst ? { [d]: discriminator, [g]: generator } : { [g]: generator, [d]: discriminator };
  const opt = dFirst ? { [d]: optimizer.discriminator, [g]: optimizer.generator } : { [g]: optimizer.generator, [d]: optimizer.discriminator };
  return { ...rest, nets, objective: { type: "gan", generator: g, discriminator: d }, optimizer: opt };
}
