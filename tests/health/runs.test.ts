// The health monitor on real training runs (src/health/, through runTraining's onHealth): each
// detector fires on a run built to fail that way. That healthy presets raise no flag over their
// whole 10,000-step runs is checked on the quality test's runs (tests/quality/mixtures.test.ts:
// ring8 and grid25, seed 1), which train them anyway; bench/experiments/health_study.ts runs
// seeds 1-5. ~20 s on one core.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createGAN, preset, ring8, runTraining, snapshotter, healthMetrics, type HealthEvent } from "../../src/index.ts";

const adam = (lr: number) => ({ type: "adam", lr, beta1: 0.5, beta2: 0.999 });
const data = await ring8({ count: 100_000, seed: 1 });

async function monitored(spec: object, o: { steps: number; logEvery: number; sampleEvery: number }): Promise<HealthEvent[]> {
  const gan = await createGAN(spec, { seed: 1, mode: "in-process" });
  try {
    const take = await snapshotter(gan, data);
    const events: HealthEvent[] = [];
    const r = await runTraining(gan, data, { ...o, checkpointEvery: 0, onSnapshot: async (step) => healthMetrics(await take(step), data), onHealth: (e) => events.push(e) });
    assert.is(r.health?.length, 3, "the run's result holds the three detectors' standing");
    return events;
  } finally { await gan.dispose(); }
}
const said = (events: HealthEvent[]) => events.map((e) => `${e.step} ${e.detector} ${e.state}`).join(", ") || "nothing";
const fired = (events: HealthEvent[], detector: string) => events.find((e) => e.detector === detector && e.state === "firing");

test("vanishing-G fires on the saturating minimax loss against a strong D (D's rate 10x G's, 5 D steps per G step)", async () => {
  const spec = { ...preset("mlp-ring8"), loss: "minimax", dSteps: 5, optimizer: { generator: adam(2e-4), discriminator: adam(2e-3) } };
  const events = await monitored(spec, { steps: 1600, logEvery: 50, sampleEvery: 800 });
  const e = fired(events, "vanishing-G");
  assert.ok(e, `vanishing-G fired (events: ${said(events)})`);
  console.log(`  vanishing-G fired at step ${e!.step}: ${JSON.stringify(e!.evidence)}`);
  assert.ok((e!.evidence.ratio as number) < 1e-2, "G's gradient 100x below its early level");
});

test("mode-collapse fires on the plain mlp-ring8 settings (which collapse on seed 1)", async () => {
  const events = await monitored(preset("mlp-ring8"), { steps: 1500, logEvery: 25, sampleEvery: 250 });
  const e = fired(events, "mode-collapse");
  assert.ok(e, `mode-collapse fired (events: ${said(events)})`);
  console.log(`  mode-collapse fired at step ${e!.step}: ${JSON.stringify(e!.evidence)}`);
});

test("unstable fires on a learning rate far too high (Adam 0.05, 250x the plain rate, both nets)", async () => {
  const spec = { ...preset("mlp-ring8"), optimizer: { generator: adam(0.05), discriminator: adam(0.05) } };
  const events = await monitored(spec, { steps: 1000, logEvery: 25, sampleEvery: 500 });
  const e = fired(events, "unstable");
  assert.ok(e, `unstable fired (events: ${said(events)})`);
  console.log(`  unstable fired at step ${e!.step}: ${JSON.stringify(e!.evidence)}`);
});

test.run();
