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
  const [nx, ny] = grid.dims;
  const [ox, oy, oz] = box.offset;
  const rows: BoxRows = (j, k, [out]) => {
    const start = ox + (oy + j) * nx + (oz + k) * nx * ny;
    out.set(src.subarray(start, start + box.size[0]));
  };
  return downsampleMeans(rows, 1, grid, box, [{ layer: 0, factors }])[0];
}

/**
 * Writes row (j, k) of a box (indices within the box) into `out`, one line per layer: the values
 * to average (a layer is one way of computing them, such as the lungs' HU with or without the vessels).
 */
export type BoxRows = (j: number, k: number, out: readonly Float32Array[]) => void;

/** One grid to make: the block means of a layer's values by integer factors per axis. */
export interface DownsampleRequest {
  readonly layer: number;
  readonly factors: readonly [number, number, number];
}

/**
 * Block means of a box for several layers and sets of factors in one pass: each source row is
 * read once, its layers' values made once, and added to every grid that asks for them.
 */
export function downsampleMeans(rows: BoxRows, layers: number, grid: Grid, box: Box, requests: readonly DownsampleRequest[]): SampledGrid[] {
  const [bx, by, bz] = box.size;
  const grids = requests.map(({ factors }): SampledGrid => {
    const geometry = blockGrid(grid.spacing, box, factors);
    return { ...geometry, data: new Float32Array(geometry.dims[0] * geometry.dims[1] * geometry.dims[2]) };
  });
  const lines = Array.from({ length: layers }, () => new Float32Array(bx));
  const sources = requests.map((r) => lines[r.layer]);
  for (let k = 0; k < bz; k++) {
    for (let j = 0; j < by; j++) {
      rows(j, k, lines);
      // Each block's part of the row is summed in a register, then added to its block: the inner
      // loop runs over contiguous memory with no division (this runs over whole 512 x 512 x 320 volumes).
      for (let g = 0; g < grids.length; g++) {
        const { data, dims, factors: [fx, fy, fz] } = grids[g];
        const line = sources[g];
        const row = (Math.floor(j / fy) + Math.floor(k / fz) * dims[1]) * dims[0];
        addBlockSums(line, bx, fx, data, row);
      }
    }
  }
  // Blocks at the far edges may be partial: divide by each block's own voxel count.
  const count = (size: number, f: number, index: number) => Math.min(f, size - index * f);
  for (const { data, dims, factors: [fx, fy, fz] } of grids) {
    for (let c = 0, n = 0; c < dims[2]; c++) {
      const cz = count(bz, fz, c);
      for (let b = 0; b < dims[1]; b++) {
        const cyz = cz * count(by, fy, b);
        for (let a = 0; a < dims[0]; a++, n++) data[n] /= cyz * count(bx, fx, a);
      }
    }
  }
  return grids;
}

/**
 * Adds the sums of a row's blocks of `f` values to `data` from `row` on (the last block may be
 * partial). Factors of 2 to 4 (the 1.4 and 2 mm grids of 0.5-1 mm scans) are unrolled: a loop of a
 * few turns per block cost more than the adding (block averaging was a quarter of the proposal
 * stage, and 0.3 s of the lung stage on a 0.7 mm scan). Each block's sum is taken left to right in
 * a double, as the loop does, so the means are the same to the bit.
 */
function addBlockSums(line: Float32Array, length: number, f: number, data: Float32Array, row: number): void {
  const whole = Math.floor(length / f);
  let i = 0;
  let a = row;
  if (f === 2) {
    for (; a < row + whole; a++, i += 2) data[a] += line[i] + line[i + 1];
  } else if (f === 3) {
    for (; a < row + whole; a++, i += 3) data[a] += line[i] + line[i + 1] + line[i + 2];
  } else if (f === 4) {
    for (; a < row + whole; a++, i += 4) data[a] += line[i] + line[i + 1] + line[i + 2] + line[i + 3];
  } else {
    for (; a < row + whole; a++) {
      let sum = 0;
      for (const end = i + f; i < end; i++) sum += line[i];
      data[a] += sum;
    }
  }
  if (i < length) {
    let sum = 0;
    for (; i < length; i++) sum += line[i];
    data[a] += sum;
  }
}

/** The grid of block means of `box` by `factors` (partial blocks at the far edges count as blocks), without its values. */
export function blockGrid(spacing: Grid['spacing'], box: Box, factors: readonly [number, number, number]): Omit<SampledGrid, 'data'> {
  return {
    dims: [Math.ceil(box.size[0] / factors[0]), Math.ceil(box.size[1] / factors[1]), Math.ceil(box.size[2] / factors[2])],
    spacing: [spacing[0] * factors[0], spacing[1] * factors[1], spacing[2] * factors[2]],
    factors,
    offset: box.offset,
  };
}

/** Source-grid (fractional) index of a sampled-grid voxel centre along one axis. */
export function toSourceIndex(sampled: Pick<SampledGrid, 'factors' | 'offset'>, axis: 0 | 1 | 2, index: number): number {
  const f = sampled.factors[axis];
  return sampled.offset[axis] + index * f + (f - 1) / 2;
}
