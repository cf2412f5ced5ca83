// A spec that validateSpec must refuse: a SpecError naming `field`, its message matching `pattern`.
import * as assert from "uvu/assert";
import { validateSpec, SpecError } from "../../src/index.ts";

export function refuses(spec: unknown, field: string, pattern: RegExp): void {
  try {
    validateSpec(spec);
  } catch (e) {
    assert.instance(e, SpecError);
    assert.is((e as SpecError).field, field);
    assert.match((e as Error).message, pattern);
    return;
  }
  assert.unreachable(`accepted a spec that should be refused at ${field}`);
}
