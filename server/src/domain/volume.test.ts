import { describe, expect, it } from 'vitest';
import { pointDistanceMm, voxelDistanceMm } from './volume.ts';

describe('distances', () => {
  it('measures voxel offsets in mm with each axis its own spacing', () => {
    // 3 columns at 0.7 mm, 4 rows at 0.7 mm, 2 slices at 2.5 mm.
    expect(voxelDistanceMm({ x: 1, y: 1, z: 1 }, { x: 4, y: 5, z: 3 }, [0.7, 0.7, 2.5])).toBeCloseTo(Math.hypot(2.1, 2.8, 5), 12);
    expect(voxelDistanceMm({ x: 2, y: 0, z: 0 }, { x: 0, y: 0, z: 0 }, [1.4, 1.4, 2])).toBeCloseTo(2.8, 12);
  });

  it('measures patient points as they are', () => {
    expect(pointDistanceMm({ x: -10, y: 4, z: 100 }, { x: -7, y: 8, z: 100 })).toBe(5);
  });
});
