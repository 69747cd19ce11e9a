import type { Rng } from './random.ts';

/**
 * Smooth random texture: values drawn on a coarse 3D lattice, interpolated trilinearly. Low-frequency
 * lung parenchyma texture needs nothing finer, and a slice only costs one lattice plane.
 */
export class LatticeNoise {
  private readonly nx: number;
  private readonly ny: number;
  private readonly nz: number;
  private readonly values: Float32Array;

  constructor(
    rng: Rng,
    private readonly cellMm: number,
    private readonly min: readonly [number, number, number],
    max: readonly [number, number, number],
  ) {
    this.nx = Math.ceil((max[0] - min[0]) / cellMm) + 2;
    this.ny = Math.ceil((max[1] - min[1]) / cellMm) + 2;
    this.nz = Math.ceil((max[2] - min[2]) / cellMm) + 2;
    this.values = new Float32Array(this.nx * this.ny * this.nz);
    for (let i = 0; i < this.values.length; i++) this.values[i] = rng.uniform(-1, 1);
  }

  /** The lattice plane interpolated at height z, for `sample`. */
  plane(z: number): Float32Array {
    const fz = Math.min(Math.max((z - this.min[2]) / this.cellMm, 0), this.nz - 1.001);
    const k = Math.floor(fz);
    const t = fz - k;
    const size = this.nx * this.ny;
    const out = new Float32Array(size);
    const lower = k * size;
    for (let i = 0; i < size; i++) out[i] = this.values[lower + i] * (1 - t) + this.values[lower + size + i] * t;
    return out;
  }

  /** Value in about [-1, 1] at (x, y) of a plane from `plane`. */
  sample(plane: Float32Array, x: number, y: number): number {
    let fx = (x - this.min[0]) / this.cellMm;
    let fy = (y - this.min[1]) / this.cellMm;
    fx = fx < 0 ? 0 : fx > this.nx - 1.001 ? this.nx - 1.001 : fx;
    fy = fy < 0 ? 0 : fy > this.ny - 1.001 ? this.ny - 1.001 : fy;
    const i = fx | 0;
    const j = fy | 0;
    const tx = fx - i;
    const ty = fy - j;
    const p = i + j * this.nx;
    const top = plane[p] + (plane[p + 1] - plane[p]) * tx;
    const bottom = plane[p + this.nx] + (plane[p + this.nx + 1] - plane[p + this.nx]) * tx;
    return top + (bottom - top) * ty;
  }
}
