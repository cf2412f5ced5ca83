// TF-GAN's MNIST classifier score (tensorflow_gan/examples/mnist/util.py mnist_score, through
// tfgan.eval.classifier_score_from_logits; the Inception score of Salimans et al. 2016, "Improved
// Techniques for Training GANs", on an MNIST classifier instead of Inception):
//   score = exp(E_x[KL(p(y|x) ‖ p(y))]),  p(y|x) = softmax(logits(x)),  p(y) = E_x[p(y|x)]
// over the whole sample set at once (no splits), in f64. 1 for one class or uniform guesses,
// at most the class count (10) for confident, evenly spread classes.
export function classifierScore(logits: Float32Array, n: number, classes = 10): number {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`classifierScore: needs at least 1 sample (got ${n})`);
  const logp = new Float64Array(n * classes), py = new Float64Array(classes);
  for (let i = 0; i < n; i++) {
    let m = -Infinity;
    for (let k = 0; k < classes; k++) m = Math.max(m, logits[i * classes + k]);
    let s = 0;
    for (let k = 0; k < classes; k++) s += Math.exp(logits[i * classes + k] - m);
    const lse = m + Math.log(s);
    for (let k = 0; k < classes; k++) { const l = (logp[i * classes + k] = logits[i * classes + k] - lse); py[k] += Math.exp(l); }
  }
  for (let k = 0; k < classes; k++) py[k] /= n;
  let kl = 0;
  for (let i = 0; i < n; i++) for (let k = 0; k < classes; k++) {
    const l = logp[i * classes + k], p = Math.exp(l);
    if (p > 0) kl += p * (l - Math.log(py[k]));
  }
  return Math.exp(kl / n);
}
