#!/usr/bin/env node
// wasm-gan command line.  wasm-gan train | sample | eval | export | translate | info   (see `wasm-gan help`)
// One file per command in this folder; this one dispatches and turns errors into one line.
import { train, TrainingError } from "./train.ts";
import { sample } from "./sample.ts";
import { info } from "./info.ts";
import { evalCommand } from "./eval.ts";
import { exportCommand } from "./export.ts";
import { isCycleTrain, trainCycle, translateCommand } from "./cycle.ts";
import { UsageError } from "./args.ts";
import { ModelFileError } from "../io/limits.ts";
import { HELP, VERSION } from "./help.ts";



async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "train": return (await isCycleTrain(rest)) ? await trainCycle(rest) : await train(rest);
      case "translate": return await translateCommand(rest);
      case "sample": return await sample(rest);
      case "eval": return await evalCommand(rest);
      case "export": return await exportCommand(rest);
      case "info": await info(); return 0;
      case undefined: case "help": case "--help": case "-h": console.log(HELP); return command === undefined ? 1 : 0;
      case "version": case "--version": case "-v": console.log(`wasm-gan ${VERSION}`); return 0;
      default: throw new UsageError(`unknown command ${JSON.stringify(command)} (commands: train, sample, eval, export, translate, info, help, version)`);
    }
  } catch (e) {
    const err = e as Error & { code?: string };
    // parseArgs errors (unknown flag, missing value) and our own are one-line messages; usage
    // errors exit with 2, bad files and failed runs with 1
    const usage = e instanceof UsageError || err.name === "SpecError" || err.code?.startsWith("ERR_PARSE_ARGS") || e instanceof RangeError;
    const known = usage || e instanceof ModelFileError || e instanceof TrainingError || err.name === "DataError";
    console.error(`wasm-gan: ${String(err.message).replace(/\s*\n\s*/g, " ")}`);
    if (!known && process.env.WASM_GAN_DEBUG) console.error(err.stack);
    return usage ? 2 : 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
