// The handshake between the leading wasm instance and its helper threads (assembly/kernels/threads.ts).
//
// A small Int32Array on its own SharedArrayBuffer, owned by the host:
//   GEN    bumped by the leader for every task; helpers wait on it (Atomics.wait in JS, never in
//          wasm: Node 20's Liftoff miscompiles a wasm loop around atomic.wait32, docs/platform.md)
//   TASK   the task's address in the shared linear memory
//   DONE   helpers that finished the current task
//   QUIT   1: helpers leave their loop (dispose)
//   FAILED 0, or 1 + the index of a helper that threw or died (the host's watcher sets it)
import type { Ptr, WasmExports } from "./abi.ts";

export const CTL = { GEN: 0, TASK: 1, DONE: 2, QUIT: 3, FAILED: 4, SIZE: 8 } as const;

export function newControl(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(CTL.SIZE * 4));
}

// Poll this long before sleeping. In a training step a task starts every ~1-2 ms and a futex
// wake-up costs tens of µs: on dcgan-mnist with 2 threads, polling ~20 µs gave 7.3 steps/s,
// ~0.5 ms 8.9 and ~2 ms 9.4 (1 thread: 5.0). An idle helper sleeps after SPIN_MS.
const SPIN_MS = 2;
const now = () => performance.now();

export class HelperFailure extends Error {}

// The leader's host imports (env.threadsRun / env.threadsJoin). `count` threads including the leader.
export function leaderImports(ctl: Int32Array, count: number, canBlock: boolean) {
  return {
    threadsRun(task: Ptr): void {
      Atomics.store(ctl, CTL.TASK, task);
      Atomics.store(ctl, CTL.DONE, 0);
      Atomics.add(ctl, CTL.GEN, 1);
      Atomics.notify(ctl, CTL.GEN);
    },
    threadsJoin(): void {
      const helpers = count - 1;
      let until = 0;
      for (let spins = 0; ; spins++) {
        const done = Atomics.load(ctl, CTL.DONE);
        const failed = Atomics.load(ctl, CTL.FAILED);
        if (failed) throw new HelperFailure(`wasm-gan: helper thread ${failed} failed during a step (see the error it reported)`);
        if (done >= helpers) return;
        if ((spins & 1023) !== 0) continue;
        if (!until) until = now() + SPIN_MS;
        // a timed wait, so a helper that died without a word is noticed through FAILED
        else if (canBlock && now() > until) Atomics.wait(ctl, CTL.DONE, done, 20);
      }
    },
  };
}

// A helper's life: wait for a task, run part `index` of it, report, until QUIT.
// Returns the error that ended it, if any (FAILED is set then, so the leader stops waiting).
// gen: GEN as read BEFORE the helper said it was ready; read after, the leader's first task
// could already have bumped it (seen when the leader starts at once, as CycleGAN's does) and the
// helper would wait for a second task while the leader waits for it.
export function helperLoop(ctl: Int32Array, index: number, count: number, wasm: WasmExports, gen: number): unknown {
  for (;;) {
    let until = 0;
    for (let spins = 0; Atomics.load(ctl, CTL.GEN) === gen; spins++) {
      if ((spins & 1023) !== 0) continue;
      if (!until) until = now() + SPIN_MS;
      else if (now() > until) Atomics.wait(ctl, CTL.GEN, gen, 1000);
    }
    gen = Atomics.load(ctl, CTL.GEN);
    if (Atomics.load(ctl, CTL.QUIT)) return undefined;
    try {
      wasm.threadsWork(Atomics.load(ctl, CTL.TASK), index, count);
    } catch (e) {
      Atomics.store(ctl, CTL.FAILED, index);
      Atomics.notify(ctl, CTL.DONE);
      return e;
    }
    Atomics.add(ctl, CTL.DONE, 1);
    Atomics.notify(ctl, CTL.DONE);
  }
}

export function stopHelpers(ctl: Int32Array): void {
  Atomics.store(ctl, CTL.QUIT, 1);
  Atomics.add(ctl, CTL.GEN, 1);
  Atomics.notify(ctl, CTL.GEN);
}

export function markHelperDead(ctl: Int32Array, index: number): void {
  if (!Atomics.load(ctl, CTL.FAILED)) Atomics.store(ctl, CTL.FAILED, index);
  Atomics.notify(ctl, CTL.DONE);
}
