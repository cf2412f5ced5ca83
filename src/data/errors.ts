// A data file or folder that cannot be used: the message names the file and the problem in one
// line (`train-images-idx3-ubyte: truncated: expected 47040016 bytes, got 1000`), so the CLI
// can print it as is.
import { oneLine } from "../io/limits.ts";

export class DataError extends Error {
  constructor(public readonly file: string, public readonly problem: string) {
    super(`${oneLine(file)}: ${oneLine(problem)}`); // (a file name may hold a newline)
    this.name = "DataError";
  }
}
