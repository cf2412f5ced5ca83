// A data set in memory: `count` samples of `shape`, flattened row-major (images NHWC).
export interface Dataset {
  name: string;
  x: Float32Array;       // [count, ...shape]
  shape: number[];       // one sample's shape
  count: number;
  labels?: Int32Array;   // [count] class (or mixture component) of each sample
  numClasses?: number;
  mixture?: MixtureInfo; // set for the synthetic 2-D mixtures: what the mode metrics need
}

export interface MixtureInfo {
  centres: Float32Array; // [K, 2]
  std: number;
}

export function sampleSize(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

// Refuses data the engine must not see: wrong length, NaN or infinite values (named by index).
export function checkData(x: Float32Array, shape: number[], what = "data"): number {
  const size = sampleSize(shape);
  if (!(x instanceof Float32Array)) throw new TypeError(`${what}: expected a Float32Array of samples, got ${Object.prototype.toString.call(x)}`);
  if (x.length === 0) throw new RangeError(`${what}: empty (no samples)`);
  if (x.length % size !== 0) {
    throw new RangeError(`${what}: length ${x.length} is not a multiple of the sample size ${size} (shape [${shape.join(", ")}])`);
  }
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) {
      throw new RangeError(`${what}: sample ${Math.floor(i / size)} holds ${x[i]} at index ${i % size}: NaN or infinite values cannot be trained on`);
    }
  }
  return x.length / size;
}
