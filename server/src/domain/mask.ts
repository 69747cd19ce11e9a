/**
 * A binary 3D mask stored only over its bounding box, in the voxel grid of a Volume.
 * A nodule of 30 mm is a few thousand voxels; a full-grid mask per nodule would be 84 MB.
 */
export interface BoxMask {
  /** Inclusive lower corner (voxel indices) of the box in the volume grid. */
  readonly offset: readonly [number, number, number];
  /** Box size [columns, rows, slices]. */
  readonly size: readonly [number, number, number];
  /** 1 = inside; index = i + j * size[0] + k * size[0] * size[1] (box-local). */
  readonly data: Uint8Array;
}

export function boxMaskVoxelCount(mask: BoxMask): number {
  let n = 0;
  for (const v of mask.data) n += v;
  return n;
}
