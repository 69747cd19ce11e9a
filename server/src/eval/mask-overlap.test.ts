import { describe, expect, it } from 'vitest';
import type { BoxMask } from '../domain/mask.ts';
import { diceCoefficient, intersectionVoxelCount } from './mask-overlap.ts';

const box = (offset: [number, number, number], size: [number, number, number]): BoxMask =>
  ({ offset, size, data: new Uint8Array(size[0] * size[1] * size[2]).fill(1) });

describe('diceCoefficient', () => {
  it.each<[string, BoxMask, BoxMask, number]>([
    ['identical boxes', box([0, 0, 0], [4, 4, 4]), box([0, 0, 0], [4, 4, 4]), 1],
    ['disjoint boxes', box([0, 0, 0], [4, 4, 4]), box([10, 0, 0], [4, 4, 4]), 0],
    ['touching faces only', box([0, 0, 0], [4, 4, 4]), box([4, 0, 0], [4, 4, 4]), 0],
    ['half shifted along x', box([0, 0, 0], [4, 4, 4]), box([2, 0, 0], [4, 4, 4]), 0.5],
    ['a box inside a bigger one', box([1, 1, 1], [2, 2, 2]), box([0, 0, 0], [4, 4, 4]), (2 * 8) / (8 + 64)],
  ])('%s', (_, a, b, expected) => {
    expect(diceCoefficient(a, b)).toBeCloseTo(expected);
    expect(diceCoefficient(b, a)).toBeCloseTo(expected);
  });

  it('counts only set voxels of each box', () => {
    const a = box([0, 0, 0], [2, 1, 1]);
    const b: BoxMask = { offset: [0, 0, 0], size: [2, 1, 1], data: Uint8Array.from([0, 1]) };
    expect(intersectionVoxelCount(a, b)).toBe(1);
    expect(diceCoefficient(a, b)).toBeCloseTo(2 / 3);
  });
});
