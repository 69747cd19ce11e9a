import type { Vec3 } from './volume.ts';

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

/** Whether two masks share a voxel. */
export function boxMasksOverlap(a: BoxMask, b: BoxMask): boolean {
  const low = [0, 1, 2].map((axis) => Math.max(a.offset[axis], b.offset[axis]));
  const high = [0, 1, 2].map((axis) => Math.min(a.offset[axis] + a.size[axis], b.offset[axis] + b.size[axis]));
  const at = (m: BoxMask, x: number, y: number, z: number) =>
    m.data[(x - m.offset[0]) + (y - m.offset[1]) * m.size[0] + (z - m.offset[2]) * m.size[0] * m.size[1]];
  for (let z = low[2]; z < high[2]; z++) {
    for (let y = low[1]; y < high[1]; y++) {
      for (let x = low[0]; x < high[0]; x++) if (at(a, x, y, z) && at(b, x, y, z)) return true;
    }
  }
  return false;
}

/** Whether a point (volume voxels, rounded to the nearest) lies in a mask's box. */
export function boxMaskContains(mask: BoxMask, point: Vec3): boolean {
  return [point.x, point.y, point.z].every((v, axis) => {
    const at = Math.round(v) - mask.offset[axis];
    return at >= 0 && at < mask.size[axis];
  });
}

export function boxMaskVoxelCount(mask: BoxMask): number {
  let n = 0;
  for (const v of mask.data) n += v;
  return n;
}

/** Mean voxel position of a non-empty mask, in volume voxels. */
export function boxMaskCentroid(mask: BoxMask): Vec3 {
  const [bx, by, bz] = mask.size;
  let count = 0;
  let x = 0;
  let y = 0;
  let z = 0;
  for (let k = 0, n = 0; k < bz; k++) {
    for (let j = 0; j < by; j++) {
      for (let i = 0; i < bx; i++, n++) {
        if (!mask.data[n]) continue;
        count++;
        x += i; y += j; z += k;
      }
    }
  }
  if (count === 0) throw new Error('boxMaskCentroid: the mask is empty');
  return { x: mask.offset[0] + x / count, y: mask.offset[1] + y / count, z: mask.offset[2] + z / count };
}
