/**
 * Shape of a 3D array in the voxel layout of a Volume: index = i + j * dims[0] + k * dims[0] * dims[1].
 * The imaging helpers take a Grid beside their typed array so they work on a whole volume, a
 * downsampled copy or a box around one nodule alike.
 */
export interface Grid {
  /** [columns, rows, slices] */
  readonly dims: readonly [number, number, number];
  /** [column, row, slice] spacing in mm. */
  readonly spacing: readonly [number, number, number];
}

/** An axis-aligned box of voxels: inclusive lower corner and size, in the parent grid's indices. */
export interface Box {
  readonly offset: readonly [number, number, number];
  readonly size: readonly [number, number, number];
}

/** The box clipped to [0, dims). */
export function clipBox(lower: readonly number[], upper: readonly number[], dims: readonly [number, number, number]): Box {
  const lo = [0, 1, 2].map((a) => Math.max(0, Math.floor(lower[a])));
  const hi = [0, 1, 2].map((a) => Math.min(dims[a] - 1, Math.ceil(upper[a])));
  return {
    offset: [lo[0], lo[1], lo[2]],
    size: [Math.max(0, hi[0] - lo[0] + 1), Math.max(0, hi[1] - lo[1] + 1), Math.max(0, hi[2] - lo[2] + 1)],
  };
}

/** Bounding box of the non-zero voxels, or undefined when there are none. */
export function boundingBox(mask: Uint8Array, dims: readonly [number, number, number]): Box | undefined {
  const [nx, ny, nz] = dims;
  const lo = [nx, ny, nz];
  const hi = [-1, -1, -1];
  let n = 0;
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++, n++) {
        if (!mask[n]) continue;
        if (i < lo[0]) lo[0] = i;
        if (i > hi[0]) hi[0] = i;
        if (j < lo[1]) lo[1] = j;
        if (j > hi[1]) hi[1] = j;
        if (k < lo[2]) lo[2] = k;
        if (k > hi[2]) hi[2] = k;
      }
    }
  }
  if (hi[0] < 0) return undefined;
  return { offset: [lo[0], lo[1], lo[2]], size: [hi[0] - lo[0] + 1, hi[1] - lo[1] + 1, hi[2] - lo[2] + 1] };
}

/** Copies a box out of a full-grid array into a new array of the same type. */
export function cropBox<T extends Int16Array | Uint8Array | Float32Array>(
  data: T, dims: readonly [number, number, number], box: Box,
): T {
  const [sx, sy, sz] = box.size;
  const out = new (data.constructor as new (n: number) => T)(sx * sy * sz);
  const [ox, oy, oz] = box.offset;
  let n = 0;
  for (let k = 0; k < sz; k++) {
    for (let j = 0; j < sy; j++) {
      const start = ox + (oy + j) * dims[0] + (oz + k) * dims[0] * dims[1];
      out.set(data.subarray(start, start + sx), n);
      n += sx;
    }
  }
  return out;
}

/** Writes a box-sized array back into its place in a full-grid array (the inverse of cropBox). */
export function pasteBox<T extends Int16Array | Uint8Array | Float32Array>(
  target: T, dims: readonly [number, number, number], box: Box, boxData: T,
): T {
  const [sx, sy, sz] = box.size;
  const [ox, oy, oz] = box.offset;
  for (let k = 0, n = 0; k < sz; k++) {
    for (let j = 0; j < sy; j++, n += sx) target.set(boxData.subarray(n, n + sx), ox + (oy + j) * dims[0] + (oz + k) * dims[0] * dims[1]);
  }
  return target;
}

/**
 * The bounding box of a mask's set voxels widened by `reachMm` (clipped to the grid): everything a
 * distance, erosion or dilation within that reach depends on or can change. Undefined for an empty mask.
 */
export function setVoxelsBox(mask: Uint8Array, grid: Grid, reachMm: number): Box | undefined {
  const set = boundingBox(mask, grid.dims);
  if (!set) return undefined;
  const reach = grid.spacing.map((s) => Math.ceil(reachMm / s));
  return clipBox(set.offset.map((o, a) => o - reach[a]), set.offset.map((o, a) => o + set.size[a] - 1 + reach[a]), grid.dims);
}
