/**
 * Seeded randomness for the phantom. Every random choice comes from a stream named by the seed and a
 * label (`createRng(seed, 'vessels')`), so adding a nodule never moves a vessel, and the noise of
 * slice k does not depend on the order slices are rendered in. No Math.random anywhere.
 *
 * Generator: sfc32 (Chris Doty-Humphrey's Small Fast Counting PRNG, passes PractRand to 2^60 bytes),
 * its state filled by splitmix32 from an FNV-1a hash of the stream name.
 */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  uniform(min: number, max: number): number;
  /** Integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  /** A unit vector, uniform on the sphere. */
  direction(): [number, number, number];
}

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function splitmix32(state: number): () => number {
  let s = state | 0;
  return () => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Four words of sfc32 state for the stream `seed/label/...`. */
function seedState(seed: number, labels: readonly (string | number)[]): Uint32Array {
  const mix = splitmix32(fnv1a([seed, ...labels].join('/')) ^ Math.imul(seed | 0, 0x9e3779b1));
  const state = new Uint32Array([mix(), mix(), mix(), mix()]);
  return state;
}

export function createRng(seed: number, ...labels: (string | number)[]): Rng {
  const [s0, s1, s2, s3] = seedState(seed, labels);
  let a = s0 | 0;
  let b = s1 | 0;
  let c = s2 | 0;
  let d = s3 | 0;
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next(); // discard the first outputs, as sfc32's author advises
  return {
    next,
    uniform: (min, max) => min + (max - min) * next(),
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => {
      if (items.length === 0) throw new Error('pick: the list of items is empty');
      return items[Math.floor(next() * items.length)];
    },
    direction: () => {
      const z = 2 * next() - 1;
      const phi = 2 * Math.PI * next();
      const s = Math.sqrt(1 - z * z);
      return [s * Math.cos(phi), s * Math.sin(phi), z];
    },
  };
}

/**
 * 65536 quantiles of the standard normal distribution, at (i + 0.5) / 65536: a table lookup per
 * voxel instead of Box-Muller's log, sqrt, cos and sin. Its tails stop at about 4.3 sigma, which no
 * image of 16-bit CT noise can tell from a true Gaussian.
 */
const normalQuantiles: Float32Array = (() => {
  // Acklam's rational approximation of the inverse normal CDF (relative error < 1.2e-9).
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.3577518672690, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const inverse = (p: number): number => {
    const low = 0.02425;
    if (p < low || p > 1 - low) {
      const q = Math.sqrt(-2 * Math.log(p < low ? p : 1 - p));
      const x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
      return p < low ? x : -x;
    }
    const q = p - 0.5;
    const r = q * q;
    return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  };
  return Float32Array.from({ length: 65536 }, (_, i) => inverse((i + 0.5) / 65536));
})();

/**
 * Adds Gaussian noise of standard deviation `sigma` to every value of `out`, from the stream
 * `seed/labels`. Written out (no Rng object) because it runs once per voxel: 84 M times for a
 * 512x512x320 phantom; each 32-bit draw gives two 16-bit quantile indices.
 */
export function addGaussianNoise(out: Float32Array, sigma: number, seed: number, ...labels: (string | number)[]): void {
  const [s0, s1, s2, s3] = seedState(seed, labels);
  let a = s0 | 0;
  let b = s1 | 0;
  let c = s2 | 0;
  let d = s3 | 0;
  for (let i = 0; i < 12; i++) {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0; a = b ^ (b >>> 9); b = (c + (c << 3)) | 0; c = (c << 21) | (c >>> 11); c = (c + t) | 0;
  }
  const table = normalQuantiles;
  for (let i = 0; i < out.length; i += 2) {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0; a = b ^ (b >>> 9); b = (c + (c << 3)) | 0; c = (c << 21) | (c >>> 11); c = (c + t) | 0;
    out[i] += sigma * table[t & 0xffff];
    if (i + 1 < out.length) out[i + 1] += sigma * table[t >>> 16];
  }
}
