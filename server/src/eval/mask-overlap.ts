import { boxMaskVoxelCount, type BoxMask } from '../domain/mask.ts';

/** Number of voxels set in both masks (both in the same volume grid). */
export function intersectionVoxelCount(a: BoxMask, b: BoxMask): number {
  const lo = [0, 1, 2].map((d) => Math.max(a.offset[d], b.offset[d]));
  const hi = [0, 1, 2].map((d) => Math.min(a.offset[d] + a.size[d], b.offset[d] + b.size[d]));
  if (lo.some((v, d) => v >= hi[d])) return 0;
  const at = (m: BoxMask, i: number, j: number, k: number) =>
    m.data[(i - m.offset[0]) + (j - m.offset[1]) * m.size[0] + (k - m.offset[2]) * m.size[0] * m.size[1]];
  let n = 0;
  for (let k = lo[2]; k < hi[2]; k++) {
    for (let j = lo[1]; j < hi[1]; j++) {
      for (let i = lo[0]; i < hi[0]; i++) if (at(a, i, j, k) && at(b, i, j, k)) n++;
    }
  }
  return n;
}

/** Dice similarity 2|A∩B| / (|A| + |B|); 1 for two empty masks (they agree). */
export function diceCoefficient(a: BoxMask, b: BoxMask): number {
  const total = boxMaskVoxelCount(a) + boxMaskVoxelCount(b);
  return total === 0 ? 1 : (2 * intersectionVoxelCount(a, b)) / total;
}
