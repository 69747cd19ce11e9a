import type { Box, Grid } from './grid.ts';

export interface SampledGrid extends Grid {
  readonly data: Float32Array;
  /** Integer block size per axis relative to the source grid. */
  readonly factors: readonly [number, number, number];
  /** Source-grid index of the first voxel of block (0, 0, 0). */
  readonly offset: readonly [number, number, number];
}

/**
 * Block mean of a box of a source array by integer factors per axis (partial blocks at the far
 * edges average what they hold). Block (a, b, c) covers source voxels offset + [a, b, c] * factors
 * .. + factors - 1, so its centre sits at source index offset + a * f + (f - 1) / 2.
 */
export function downsampleMean(
  src: Int16Array | Float32Array, grid: Grid, box: Box, factors: readonly [number, number, number],
): SampledGrid {
  const [fx, fy, fz] = factors;
  const [ox, oy, oz] = box.offset;
  const [bx, by, bz] = box.size;
  const dims: [number, number, number] = [Math.ceil(bx / fx), Math.ceil(by / fy), Math.ceil(bz / fz)];
  const data = new Float32Array(dims[0] * dims[1] * dims[2]);
  const [nx, ny] = grid.dims;
  // Each block's part of a source row is summed in a register, then added to its block: the inner
  // loop runs over contiguous memory with no division (this runs over whole 512 x 512 x 320 volumes).
  for (let k = 0; k < bz; k++) {
    const c = Math.floor(k / fz);
    for (let j = 0; j < by; j++) {
      const row = (Math.floor(j / fy) + c * dims[1]) * dims[0];
      const srcRow = ox + (oy + j) * nx + (oz + k) * nx * ny;
      for (let a = 0, i = 0; a < dims[0]; a++) {
        let sum = 0;
        for (const end = Math.min(bx, i + fx); i < end; i++) sum += src[srcRow + i];
        data[row + a] += sum;
      }
    }
  }
  // Blocks at the far edges may be partial: divide by each block's own voxel count.
  const count = (size: number, f: number, index: number) => Math.min(f, size - index * f);
  for (let c = 0, n = 0; c < dims[2]; c++) {
    const cz = count(bz, fz, c);
    for (let b = 0; b < dims[1]; b++) {
      const cyz = cz * count(by, fy, b);
      for (let a = 0; a < dims[0]; a++, n++) data[n] /= cyz * count(bx, fx, a);
    }
  }
  return {
    data, dims, factors, offset: box.offset,
    spacing: [grid.spacing[0] * fx, grid.spacing[1] * fy, grid.spacing[2] * fz],
  };
}

/** Source-grid (fractional) index of a sampled-grid voxel centre along one axis. */
export function toSourceIndex(sampled: Pick<SampledGrid, 'factors' | 'offset'>, axis: 0 | 1 | 2, index: number): number {
  const f = sampled.factors[axis];
  return sampled.offset[axis] + index * f + (f - 1) / 2;
}
