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
  const counts = new Float32Array(data.length);
  const [nx, ny] = grid.dims;
  for (let k = 0; k < bz; k++) {
    const c = Math.floor(k / fz);
    for (let j = 0; j < by; j++) {
      const row = (Math.floor(j / fy) + c * dims[1]) * dims[0];
      const srcRow = ox + (oy + j) * nx + (oz + k) * nx * ny;
      for (let i = 0; i < bx; i++) {
        const n = row + Math.floor(i / fx);
        data[n] += src[srcRow + i];
        counts[n]++;
      }
    }
  }
  for (let n = 0; n < data.length; n++) data[n] /= counts[n];
  return {
    data, dims, factors, offset: box.offset,
    spacing: [grid.spacing[0] * fx, grid.spacing[1] * fy, grid.spacing[2] * fz],
  };
}

/** Source-grid (fractional) index of a sampled-grid voxel centre along one axis. */
export function toSourceIndex(sampled: SampledGrid, axis: 0 | 1 | 2, index: number): number {
  const f = sampled.factors[axis];
  return sampled.offset[axis] + index * f + (f - 1) / 2;
}
