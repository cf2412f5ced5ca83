// Writes src/eval/mnist_reference_stats.json: the mean and unbiased covariance (f64) of the digit
// classifier's penultimate features and logits over all 10,000 bundled MNIST digits, so that
// `wasm-gan eval` computes FID without the real data.  node --import tsx scripts/mnist_reference_stats.ts
import { writeFileSync } from "node:fs";
import { mnist } from "../src/data/mnist.ts";
import { digitClassifier } from "../src/eval/digit_classifier.ts";
import { gaussianStats } from "../src/eval/linalg.ts";
import { encodeGaussian } from "../src/eval/reference_stats.ts";

const data = await mnist();
const net = digitClassifier();
const { features, logits, featureSize } = net.forward(data.x, data.count);
const out = {
  format: "wasm-gan reference statistics, version 1",
  data: "mnist (the 10,000 bundled digits, src/data/mnist.ts)",
  network: "src/eval/digit_classifier.ts: features = the 64 pre-activations of the dense layer before the last (before its ReLU); logits = its output",
  count: data.count,
  encoding: "mean [dim] and cov [dim, dim] row-major, float64 little-endian, base64; cov unbiased (n - 1)",
  features: encodeGaussian(gaussianStats(features, data.count, featureSize)),
  logits: encodeGaussian(gaussianStats(logits, data.count, net.classes)),
};
const path = new URL("../src/eval/mnist_reference_stats.json", import.meta.url);
writeFileSync(path, JSON.stringify(out, null, 1) + "\n");
// dead units (zero variance) make Σ singular; FID handles that, but say how many there are
let dead = 0;
for (let j = 0; j < featureSize; j++) { let v = 0; for (let i = 0; i < data.count; i++) v += Math.max(features[i * featureSize + j], 0); if (v === 0) dead++; }
console.log(`wrote ${path.pathname}: ${data.count} digits, ${featureSize} features (${dead} never active after ReLU), ${net.classes} logits`);
