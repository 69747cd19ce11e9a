/**
 * out[at + i] = Σ_u weights[u]·data[sources[u] + i] for i < count, rounded to a float after each
 * tap, in the order of the taps: what adding each weighted row into a zeroed float array gives, to
 * the bit, in about half the time. Four outputs are summed at a time, sharing the weight and the
 * loop. The separable passes along y and z of the Gaussian and of the patch grid's resampling.
 */
export function weightedRows(data: Float32Array, sources: Int32Array, weights: Float32Array, out: Float32Array, at: number, count: number): void {
  const taps = weights.length;
  const float = Math.fround;
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    for (let u = 0; u < taps; u++) {
      const w = weights[u];
      const s = sources[u] + i;
      a0 = float(a0 + w * data[s]);
      a1 = float(a1 + w * data[s + 1]);
      a2 = float(a2 + w * data[s + 2]);
      a3 = float(a3 + w * data[s + 3]);
    }
    out[at + i] = a0;
    out[at + i + 1] = a1;
    out[at + i + 2] = a2;
    out[at + i + 3] = a3;
  }
  for (; i < count; i++) {
    let acc = 0;
    for (let u = 0; u < taps; u++) acc = float(acc + weights[u] * data[sources[u] + i]);
    out[at + i] = acc;
  }
}
