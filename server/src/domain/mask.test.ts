import { describe, expect, it } from 'vitest';
import { boxMaskCentroid, boxMasksOverlap, boxMaskVoxelCount, type BoxMask } from './mask.ts';

describe('box masks', () => {
  // Voxels (0, 0, 0) and (2, 1, 1) of a 3 x 2 x 2 box at (10, 20, 30).
  const mask: BoxMask = { offset: [10, 20, 30], size: [3, 2, 2], data: Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]) };

  it('counts the set voxels and gives their mean position in volume voxels', () => {
    expect(boxMaskVoxelCount(mask)).toBe(2);
    expect(boxMaskCentroid(mask)).toEqual({ x: 11, y: 20.5, z: 30.5 });
  });

  it('refuses the centroid of an empty mask', () => {
    expect(() => boxMaskCentroid({ ...mask, data: new Uint8Array(12) })).toThrow(/empty/);
  });
});

describe('boxMasksOverlap', () => {
  const cube = (offset: [number, number, number], size: [number, number, number], fill = 1) => ({ offset, size, data: new Uint8Array(size[0] * size[1] * size[2]).fill(fill) });
  it('finds a shared voxel and nothing where boxes only touch or overlap on empty voxels', () => {
    expect(boxMasksOverlap(cube([0, 0, 0], [3, 3, 3]), cube([2, 2, 2], [3, 3, 3]))).toBe(true);
    expect(boxMasksOverlap(cube([0, 0, 0], [3, 3, 3]), cube([3, 0, 0], [3, 3, 3]))).toBe(false);
    expect(boxMasksOverlap(cube([0, 0, 0], [3, 3, 3]), cube([1, 1, 1], [3, 3, 3], 0))).toBe(false);
  });
});
