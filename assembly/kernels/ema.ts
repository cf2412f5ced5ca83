// Exponential moving average of parameters (Polyak–Ruppert averaging of the generator, as in
// Yazıcı et al. 2019, "The Unusual Effectiveness of Averaging in GAN Training"):
//   avg = decay · avg + (1 − decay) · p        avg, p: [len]
export function emaUpdate(avg: usize, p: usize, len: i32, decay: f32): void {
  const d = f32x4.splat(decay), e = f32x4.splat(1 - decay);
  const len4 = len & ~3;
  let i = 0;
  for (; i < len4; i += 4) {
    const o = <usize>i << 2;
    v128.store(avg + o, f32x4.add(f32x4.mul(d, v128.load(avg + o)), f32x4.mul(e, v128.load(p + o))));
  }
  for (; i < len; i++) {
    const o = <usize>i << 2;
    store<f32>(avg + o, decay * load<f32>(avg + o) + (1 - decay) * load<f32>(p + o));
  }
}
