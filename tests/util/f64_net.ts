// An f64 reference for layer graphs, written from the definitions with naive loops (no code
// shared with the engine): forward, and the input gradient (the vector-Jacobian product with a
// given dy) for gradient-penalty references. Layers: dense, conv2d (tfjs padding), conv2d_transpose
// (the adjoint of the conv from its output to its input), relu,
// leaky_relu, tanh, sigmoid, reshape, flatten, batch_norm (training mode: batch statistics,
// biased variance; forward only), minibatch_std (PGGAN: groups of min(groupSize, n), sample i in
// group i mod (n / G)), and the graph nodes add, concat, blend (src/model/graph.ts).
// theta: the engine's flat parameter layout (dense W [in, out], b; conv filter [kh, kw, cin, cout],
// bias; batch norm gamma, beta), layer after layer.
// Spectral normalisation: given the net's state block (`state`: where sn_u, sn_v sit is read off
// src/model/layout.ts), each normalised kernel K (as [R, C]) is replaced by K / (vᵀ K u) in f64
// before anything runs, u and v held fixed: derivatives of these functions in theta are the
// engine's definition (σ through K, u and v constant).
// Equalised learning rate: each such kernel is multiplied by its f32 constant c
// (src/model/equalized_lr.ts) before anything runs. Progressive growing's upsample (nearest ×2),
// avg_pool (2×2 means) and pixel_norm (x / sqrt(mean_c x² + ε)) from their definitions.
import type { LayerSpec } from "../../src/model/spec.ts";
import { layerGraph } from "../../src/model/shapes.ts";
import { netLayout } from "../../src/model/layout.ts";
import { equalizedScale } from "../../src/model/equalized_lr.ts";

const sz = (s: number[]) => s.reduce((a, b) => a * b, 1);

// conv geometry with tfjs's padding rules, and its taps
function conv(l: LayerSpec, before: number[], after: number[]) {
  const [h, w, cin] = before, [oh, ow, cout] = after;
  const [kh, kw] = l.kernelSize as number[], [sh, sw] = l.strides as number[];
  const pad = (inS: number, out: number, k: number, s: number) => (l.padding === "same" ? Math.floor(Math.max((out - 1) * s + k - inS, 0) / 2) : 0);
  const pt = pad(h, oh, kh, sh), pl = pad(w, ow, kw, sw);
  return {
    h, w, cin, oh, ow, cout, kh, kw, fsize: kh * kw * cin * cout,
    taps(oy: number, ox: number, f: (iy: number, ix: number, ki: number, kj: number) => void) {
      for (let ki = 0; ki < kh; ki++) for (let kj = 0; kj < kw; kj++) {
        const iy = oy * sh - pt + ki, ix = ox * sw - pl + kj;
        if (iy >= 0 && iy < h && ix >= 0 && ix < w) f(iy, ix, ki, kj);
      }
    },
  };
}

// minibatch std's groups for n rows: G members each, M = n / G groups, row i in group i mod M
function mbGroups(l: LayerSpec, n: number) {
  let G = Math.min(l.groupSize ?? 4, n);
  while (G > 1 && n % G !== 0) G--;
  return { G, M: n / G };
}
// per group m and feature f: the mean and std over the members (biased variance, 1e-8 inside)
function mbMoments(h: Float64Array, n: number, F: number, l: LayerSpec) {
  const { G, M } = mbGroups(l, n);
  const mu = new Float64Array(M * F), sd = new Float64Array(M * F);
  for (let i = 0; i < n; i++) for (let f = 0; f < F; f++) mu[(i % M) * F + f] += h[i * F + f] / G;
  for (let i = 0; i < n; i++) for (let f = 0; f < F; f++) sd[(i % M) * F + f] += (h[i * F + f] - mu[(i % M) * F + f]) ** 2 / G;
  for (let k = 0; k < sd.length; k++) sd[k] = Math.sqrt(sd[k] + 1e-8);
  return { G, M, mu, sd };
}

export interface F64Run { outs: Float64Array[]; offsets: number[]; out: Float64Array }

// theta with every spectrally normalised kernel divided by σ = vᵀ K u (f64; u, v from `state`)
export function snTheta(layers: LayerSpec[], input: number[], theta: ArrayLike<number>, state?: ArrayLike<number>): ArrayLike<number> {
  if (!state || !layers.some((l) => l.spectralNorm)) return theta;
  const out = Float64Array.from(theta);
  for (const L of netLayout(layers, input).layers) {
    if (!layers[L.index].spectralNorm) continue;
    const k = L.tensors.find((t) => t.name === "kernel")!, u = L.tensors.find((t) => t.name === "sn_u")!, v = L.tensors.find((t) => t.name === "sn_v")!;
    const C = u.size, R = v.size;
    let sigma = 0;
    for (let r = 0; r < R; r++) {
      let s = 0;
      for (let c = 0; c < C; c++) s += theta[k.offset + r * C + c] * state[u.offset + c];
      sigma += state[v.offset + r] * s;
    }
    for (let i = 0; i < R * C; i++) out[k.offset + i] = theta[k.offset + i] / sigma;
  }
  return out;
}

// theta with every equalised-learning-rate kernel multiplied by its c
export function eqTheta(layers: LayerSpec[], input: number[], theta: ArrayLike<number>): ArrayLike<number> {
  if (!layers.some((l) => l.equalizedLr)) return theta;
  const out = Float64Array.from(theta);
  for (const L of netLayout(layers, input).layers) {
    const l = layers[L.index];
    if (!l.equalizedLr) continue;
    const k = L.tensors.find((t) => t.name === "kernel")!, c = equalizedScale(l, L.input);
    for (let i = 0; i < k.size; i++) out[k.offset + i] = theta[k.offset + i] * c;
  }
  return out;
}

// every layer's output for n samples x: [n, prod(input)] (premapped: theta already through
// snTheta and eqTheta)
export function f64Forward(layers: LayerSpec[], input: number[], thetaIn: ArrayLike<number>, x: ArrayLike<number>, n: number, state?: ArrayLike<number>, premapped = false): F64Run {
  const theta = premapped ? thetaIn : eqTheta(layers, input, snTheta(layers, input, thetaIn, state));
  const { inputs, inShapes, shapes } = layerGraph(layers, input);
  const x0 = Float64Array.from(x);
  const outs: Float64Array[] = [], offsets: number[] = [];
  let off = 0;
  layers.forEach((l, i) => {
    const ins = inputs[i].map((j) => (j < 0 ? x0 : outs[j]));
    const before = inShapes[i][0], after = shapes[i], inS = sz(before), outS = sz(after);
    const h = ins[0], y = new Float64Array(n * outS);
    offsets.push(off);
    switch (l.type) {
      case "dense": {
        const W = off, b = off + inS * outS;
        for (let r = 0; r < n; r++) for (let o = 0; o < outS; o++) {
          let s = theta[b + o];
          for (let k = 0; k < inS; k++) s += h[r * inS + k] * theta[W + k * outS + o];
          y[r * outS + o] = s;
        }
        off += inS * outS + outS;
        break;
      }
      case "conv2d": {
        const c = conv(l, before, after);
        for (let r = 0; r < n; r++) for (let oy = 0; oy < c.oh; oy++) for (let ox = 0; ox < c.ow; ox++) for (let co = 0; co < c.cout; co++) {
          let s = theta[off + c.fsize + co];
          c.taps(oy, ox, (iy, ix, ki, kj) => {
            for (let ci = 0; ci < c.cin; ci++) s += h[r * inS + (iy * c.w + ix) * c.cin + ci] * theta[off + ((ki * c.kw + kj) * c.cin + ci) * c.cout + co];
          });
          y[r * outS + (oy * c.ow + ox) * c.cout + co] = s;
        }
        off += c.fsize + c.cout;
        break;
      }
      case "conv2d_transpose": {
        // the adjoint of the conv [after] -> [before]: each input pixel spreads over its taps
        const c = conv(l, after, before);
        for (let r = 0; r < n; r++) {
          for (let k = 0; k < outS; k++) y[r * outS + k] = theta[off + c.fsize + (k % c.cin)];
          for (let oy = 0; oy < c.oh; oy++) for (let ox = 0; ox < c.ow; ox++) for (let co = 0; co < c.cout; co++) {
            const v = h[r * inS + (oy * c.ow + ox) * c.cout + co];
            c.taps(oy, ox, (iy, ix, ki, kj) => {
              for (let ci = 0; ci < c.cin; ci++) y[r * outS + (iy * c.w + ix) * c.cin + ci] += v * theta[off + ((ki * c.kw + kj) * c.cin + ci) * c.cout + co];
            });
          }
        }
        off += c.fsize + c.cin;
        break;
      }
      case "batch_norm": {
        const C = before.at(-1)!, rows = (n * inS) / C, eps = l.eps ?? 1e-5;
        for (let c = 0; c < C; c++) {
          let m = 0, v = 0;
          for (let r = 0; r < rows; r++) m += h[r * C + c];
          m /= rows;
          for (let r = 0; r < rows; r++) v += (h[r * C + c] - m) ** 2;
          v /= rows;
          const k = theta[off + c] / Math.sqrt(v + eps);
          for (let r = 0; r < rows; r++) y[r * C + c] = (h[r * C + c] - m) * k + theta[off + C + c];
        }
        off += 2 * C;
        break;
      }
      case "relu": for (let k = 0; k < y.length; k++) y[k] = Math.max(h[k], 0); break;
      case "leaky_relu": for (let k = 0; k < y.length; k++) y[k] = h[k] > 0 ? h[k] : (l.alpha ?? 0.2) * h[k]; break;
      case "tanh": for (let k = 0; k < y.length; k++) y[k] = Math.tanh(h[k]); break;
      case "sigmoid": for (let k = 0; k < y.length; k++) y[k] = 1 / (1 + Math.exp(-h[k])); break;
      case "flatten": case "reshape": y.set(h); break;
      case "minibatch_std": {
        const C = before.at(-1)!, P = inS / C, { M, sd } = mbMoments(h, n, inS, l);
        for (let i = 0; i < n; i++) {
          let s = 0;
          for (let f = 0; f < inS; f++) s += sd[(i % M) * inS + f] / inS;
          for (let p = 0; p < P; p++) {
            for (let c = 0; c < C; c++) y[i * outS + p * (C + 1) + c] = h[i * inS + p * C + c];
            y[i * outS + p * (C + 1) + C] = s;
          }
        }
        break;
      }
      case "upsample": {
        const [hh, ww, C] = before;
        for (let r = 0; r < n; r++) for (let a = 0; a < 2 * hh; a++) for (let b = 0; b < 2 * ww; b++) for (let c = 0; c < C; c++) {
          y[r * outS + (a * 2 * ww + b) * C + c] = h[r * inS + (Math.floor(a / 2) * ww + Math.floor(b / 2)) * C + c];
        }
        break;
      }
      case "avg_pool": {
        const [, ww, C] = before, [oh, ow] = after;
        for (let r = 0; r < n; r++) for (let a = 0; a < oh; a++) for (let b = 0; b < ow; b++) for (let c = 0; c < C; c++) {
          let s = 0;
          for (let p = 0; p < 2; p++) for (let q = 0; q < 2; q++) s += h[r * inS + ((2 * a + p) * ww + 2 * b + q) * C + c];
          y[r * outS + (a * ow + b) * C + c] = s / 4;
        }
        break;
      }
      case "pixel_norm": {
        const C = before.at(-1)!, eps = l.eps ?? 1e-8;
        for (let row = 0; row < (n * inS) / C; row++) {
          let m = 0;
          for (let c = 0; c < C; c++) m += h[row * C + c] ** 2 / C;
          for (let c = 0; c < C; c++) y[row * C + c] = h[row * C + c] / Math.sqrt(m + eps);
        }
        break;
      }
      case "add": for (const t of ins) for (let k = 0; k < y.length; k++) y[k] += t[k]; break;
      case "blend": { const a = l.alpha ?? 0; for (let k = 0; k < y.length; k++) y[k] = a * ins[0][k] + (1 - a) * ins[1][k]; break; }
      case "concat": {
        const [ca, cb] = inShapes[i].map((s) => s.at(-1)!), rows = (n * inS) / ca;
        for (let r = 0; r < rows; r++) {
          for (let c = 0; c < ca; c++) y[r * (ca + cb) + c] = ins[0][r * ca + c];
          for (let c = 0; c < cb; c++) y[r * (ca + cb) + ca + c] = ins[1][r * cb + c];
        }
        break;
      }
      default: throw new Error(`no f64 reference for ${l.type}`);
    }
    outs.push(y);
  });
  return { outs, offsets, out: outs.at(-1) ?? x0 };
}

// dL/dx for L = <dy, the net's output> at x (no batch norm)
export function f64InputGrad(layers: LayerSpec[], input: number[], thetaIn: ArrayLike<number>, x: ArrayLike<number>, n: number, dy: ArrayLike<number>, state?: ArrayLike<number>): Float64Array {
  const { inputs, inShapes, shapes } = layerGraph(layers, input);
  const theta = eqTheta(layers, input, snTheta(layers, input, thetaIn, state));
  const run = f64Forward(layers, input, theta, x, n, undefined, true);
  const x0 = Float64Array.from(x);
  const grads: Float64Array[] = shapes.map((s) => new Float64Array(n * sz(s)));
  const gIn = new Float64Array(x0.length);
  const into = (j: number) => (j < 0 ? gIn : grads[j]);
  if (layers.length > 0) grads[layers.length - 1].set(dy);
  for (let i = layers.length - 1; i >= 0; i--) {
    const l = layers[i], g = grads[i], before = inShapes[i][0], after = shapes[i];
    const inS = sz(before), outS = sz(after), o0 = run.offsets[i];
    const src = inputs[i].map((j) => (j < 0 ? x0 : run.outs[j]));
    const dx = into(inputs[i][0]);
    switch (l.type) {
      case "dense":
        for (let r = 0; r < n; r++) for (let k = 0; k < inS; k++) {
          let s = 0;
          for (let o = 0; o < outS; o++) s += g[r * outS + o] * theta[o0 + k * outS + o];
          dx[r * inS + k] += s;
        }
        break;
      case "conv2d": {
        const c = conv(l, before, after);
        for (let r = 0; r < n; r++) for (let oy = 0; oy < c.oh; oy++) for (let ox = 0; ox < c.ow; ox++) for (let co = 0; co < c.cout; co++) {
          const d = g[r * outS + (oy * c.ow + ox) * c.cout + co];
          c.taps(oy, ox, (iy, ix, ki, kj) => {
            for (let ci = 0; ci < c.cin; ci++) dx[r * inS + (iy * c.w + ix) * c.cin + ci] += d * theta[o0 + ((ki * c.kw + kj) * c.cin + ci) * c.cout + co];
          });
        }
        break;
      }
      case "conv2d_transpose": {
        const c = conv(l, after, before);
        for (let r = 0; r < n; r++) for (let oy = 0; oy < c.oh; oy++) for (let ox = 0; ox < c.ow; ox++) for (let co = 0; co < c.cout; co++) {
          let s = 0;
          c.taps(oy, ox, (iy, ix, ki, kj) => {
            for (let ci = 0; ci < c.cin; ci++) s += g[r * outS + (iy * c.w + ix) * c.cin + ci] * theta[o0 + ((ki * c.kw + kj) * c.cin + ci) * c.cout + co];
          });
          dx[r * inS + (oy * c.ow + ox) * c.cout + co] += s;
        }
        break;
      }
      case "relu": for (let k = 0; k < g.length; k++) dx[k] += src[0][k] > 0 ? g[k] : 0; break;
      case "leaky_relu": for (let k = 0; k < g.length; k++) dx[k] += src[0][k] > 0 ? g[k] : (l.alpha ?? 0.2) * g[k]; break;
      case "tanh": for (let k = 0; k < g.length; k++) { const t = run.outs[i][k]; dx[k] += (1 - t * t) * g[k]; } break;
      case "sigmoid": for (let k = 0; k < g.length; k++) { const t = run.outs[i][k]; dx[k] += t * (1 - t) * g[k]; } break;
      case "flatten": case "reshape": for (let k = 0; k < g.length; k++) dx[k] += g[k]; break;
      case "minibatch_std": {
        // s_m = (1/F) Σ_f σ_mf, ∂σ_mf/∂x_if = (x_if − μ_mf) / (G·σ_mf) for the members i of group m
        const C = before.at(-1)!, P = inS / C, h = src[0], { G, M, mu, sd } = mbMoments(h, n, inS, l);
        const T = new Float64Array(M);
        for (let i = 0; i < n; i++) for (let p = 0; p < P; p++) T[i % M] += g[i * outS + p * (C + 1) + C];
        for (let i = 0; i < n; i++) for (let p = 0; p < P; p++) for (let c = 0; c < C; c++) {
          const f = p * C + c, m = i % M;
          dx[i * inS + f] += g[i * outS + p * (C + 1) + c] + (T[m] * (h[i * inS + f] - mu[m * inS + f])) / (inS * G * sd[m * inS + f]);
        }
        break;
      }
      case "upsample": {
        const [hh, ww, C] = before;
        for (let r = 0; r < n; r++) for (let a = 0; a < 2 * hh; a++) for (let b = 0; b < 2 * ww; b++) for (let c = 0; c < C; c++) {
          dx[r * inS + (Math.floor(a / 2) * ww + Math.floor(b / 2)) * C + c] += g[r * outS + (a * 2 * ww + b) * C + c];
        }
        break;
      }
      case "avg_pool": {
        const [, ww, C] = before, [oh, ow] = after;
        for (let r = 0; r < n; r++) for (let a = 0; a < oh; a++) for (let b = 0; b < ow; b++) for (let c = 0; c < C; c++) {
          for (let p = 0; p < 2; p++) for (let q = 0; q < 2; q++) dx[r * inS + ((2 * a + p) * ww + 2 * b + q) * C + c] += g[r * outS + (a * ow + b) * C + c] / 4;
        }
        break;
      }
      case "pixel_norm": {
        // y_c = x_c·r, ∂r/∂x_k = −r³·x_k / C
        const C = before.at(-1)!, eps = l.eps ?? 1e-8, h = src[0];
        for (let row = 0; row < (n * inS) / C; row++) {
          let m = 0, xg = 0;
          for (let c = 0; c < C; c++) { m += h[row * C + c] ** 2 / C; xg += h[row * C + c] * g[row * C + c]; }
          const r = 1 / Math.sqrt(m + eps);
          for (let k = 0; k < C; k++) dx[row * C + k] += r * g[row * C + k] - (r ** 3 / C) * h[row * C + k] * xg;
        }
        break;
      }
      case "add": for (const j of inputs[i]) { const t = into(j); for (let k = 0; k < g.length; k++) t[k] += g[k]; } break;
      case "blend": {
        const a = l.alpha ?? 0, ta = into(inputs[i][0]), tb = into(inputs[i][1]);
        for (let k = 0; k < g.length; k++) { ta[k] += a * g[k]; tb[k] += (1 - a) * g[k]; }
        break;
      }
      case "concat": {
        const [ca, cb] = inShapes[i].map((s) => s.at(-1)!), rows = (n * inS) / ca;
        const ta = into(inputs[i][0]), tb = into(inputs[i][1]);
        for (let r = 0; r < rows; r++) {
          for (let c = 0; c < ca; c++) ta[r * ca + c] += g[r * (ca + cb) + c];
          for (let c = 0; c < cb; c++) tb[r * cb + c] += g[r * (ca + cb) + ca + c];
        }
        break;
      }
      default: throw new Error(`no f64 input gradient for ${l.type}`);
    }
  }
  return gIn;
}

// R1 (Mescheder et al. 2018): (γ/2)·mean_i ‖∂(Σ D)/∂x_i‖² in f64
export function f64R1(layers: LayerSpec[], input: number[], theta: ArrayLike<number>, x: ArrayLike<number>, n: number, gamma: number): number {
  const outSize = sz(layerGraph(layers, input).shapes.at(-1)!);
  const g = f64InputGrad(layers, input, theta, x, n, new Float64Array(n * outSize).fill(1));
  return (0.5 * gamma * g.reduce((s, v) => s + v * v, 0)) / n;
}

// WGAN-GP's penalty λ·mean_i(‖∂(Σ D)/∂x_i‖ − 1)² in f64
export function f64Penalty(layers: LayerSpec[], input: number[], theta: ArrayLike<number>, x: ArrayLike<number>, n: number, lambda: number, state?: ArrayLike<number>): number {
  const outSize = sz(layerGraph(layers, input).shapes.at(-1)!);
  const g = f64InputGrad(layers, input, theta, x, n, new Float64Array(n * outSize).fill(1), state);
  const I = g.length / n;
  let s = 0;
  for (let r = 0; r < n; r++) {
    let ss = 0;
    for (let k = 0; k < I; k++) ss += g[r * I + k] ** 2;
    s += (Math.sqrt(ss) - 1) ** 2;
  }
  return (lambda * s) / n;
}
