// Bias over the rows of a [n, c] matrix, and its gradient.
//   forward:  y[i, j] += b[j]          backward: db[j] += Σ_i dy[i, j]

export function biasAddForward(y: usize, b: usize, n: i32, c: i32): void {
  const c4 = c & ~3;
  for (let i = 0; i < n; i++) {
    const row = y + <usize>i * c * 4;
    let j = 0;
    for (; j < c4; j += 4) {
      const p = row + (<usize>j << 2);
      v128.store(p, f32x4.add(v128.load(p), v128.load(b + (<usize>j << 2))));
    }
    for (; j < c; j++) {
      const p = row + (<usize>j << 2);
      store<f32>(p, load<f32>(p) + load<f32>(b + (<usize>j << 2)));
    }
  }
}

export function biasAddBackward(db: usize, dy: usize, n: i32, c: i32): void {
  biasAddBackwardStrided(db, dy, n, c, c);
}

// the same over c columns of rows `ld` floats apart (a column block of a wider matrix: threads
// split the channels, each channel's sum keeps its row order)
export function biasAddBackwardStrided(db: usize, dy: usize, n: i32, c: i32, ld: i32): void {
  const c4 = c & ~3;
  for (let i = 0; i < n; i++) {
    const row = dy + <usize>i * ld * 4;
    let j = 0;
    for (; j < c4; j += 4) {
      const p = db + (<usize>j << 2);
      v128.store(p, f32x4.add(v128.load(p), v128.load(row + (<usize>j << 2))));
    }
    for (; j < c; j++) {
      const p = db + (<usize>j << 2);
      store<f32>(p, load<f32>(p) + load<f32>(row + (<usize>j << 2)));
    }
  }
}
