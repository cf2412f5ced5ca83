// A snapshot's metrics as the health monitor reads them: the snapshot's own numbers (mode
// metrics, digit classifier) plus, for 2-D samples, their spread against the data's.
import type { Snapshot } from "../train/snapshot.ts";
import type { Dataset } from "../data/dataset.ts";
import type { SampleMetrics } from "./types.ts";
import { sampleSpread } from "./spread.ts";

export function healthMetrics(snap: Pick<Snapshot, "samples" | "metrics">, data: Pick<Dataset, "x" | "shape" | "mixture">): SampleMetrics & { spread?: number } {
  const m = { ...(snap.metrics as SampleMetrics) } as SampleMetrics & { spread?: number };
  if (data.mixture) m.spread = sampleSpread(snap.samples, data.x.subarray(0, 2 * 5000), 2);
  return m;
}
