// The run's settings, stored in each checkpoint's metadata (`run`), so --resume needs nothing else.
import { CheckpointError, type Checkpoint } from "../io/checkpoint.ts";
import { presets } from "../model/presets.ts";
import { knownData } from "./data_names.ts";
import { checkEvalSettings, type EvalSettings } from "./train_eval.ts";

export interface RunSettings { preset?: string; data: string; flip?: boolean; dataCount: number; steps: number; seed: number; sampleEvery: number; checkpointEvery: number; eval?: EvalSettings }

export function runSettings(c: Checkpoint): RunSettings {
  let r: Partial<RunSettings>;
  try {
    r = JSON.parse(c.metadata.run ?? "null") ?? {};
  } catch {
    throw new CheckpointError(c.path, "corrupted header: __metadata__.run is not valid JSON");
  }
  const int = (v: unknown, min: number) => Number.isSafeInteger(v) && (v as number) >= min;
  if (typeof r !== "object" || typeof r.data !== "string" || !knownData(r.data) || !int(r.steps, 0) || !int(r.seed, 0) || !int(r.sampleEvery, 1) || !int(r.checkpointEvery, 0) || !int(r.dataCount, 1)
    || (r.preset !== undefined && !presets[r.preset] && r.preset !== "dcgan") || (r.flip !== undefined && r.flip !== true) || !checkEvalSettings(r.eval)) {
    throw new CheckpointError(c.path, "cannot resume: the checkpoint holds no valid run settings (__metadata__.run); was it written by `wasm-gan train`?");
  }
  return r as RunSettings;
}

// the data set name a checkpoint's run recorded (undefined when it has none)
export function recordedDataName(c: Checkpoint): string | undefined {
  try { return JSON.parse(c.metadata.run ?? "{}").data; } catch { return undefined; }
}
