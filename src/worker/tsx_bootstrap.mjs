// Node runs a worker's .ts source (tests, running from src/) only once tsx's loader is
// registered in that worker: `--import tsx` in execArgv is not enough for worker threads.
import { register } from "tsx/esm/api";
import { workerData } from "node:worker_threads";

register();
await import(workerData.entry);
