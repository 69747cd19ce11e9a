import { describe, expect, it } from 'vitest';
import { labelComponents } from './connected-components.ts';
import { squaredDistanceTo } from './distance-transform.ts';
import { close, fillHolesPerSlice } from './morphology.ts';
import { symmetricEigenvalues } from './symmetric-eigen.ts';

describe('squaredDistanceTo', () => {
  it('gives exact anisotropic Euclidean distances to a single voxel', () => {
    const dims: [number, number, number] = [7, 6, 5];
    const mask = new Uint8Array(7 * 6 * 5);
    mask[2 + 3 * 7 + 1 * 42] = 1;
    const d = squaredDistanceTo(mask, { dims, spacing: [0.5, 0.7, 2] }, 1);
    for (const [i, j, k] of [[2, 3, 1], [6, 0, 4], [0, 5, 0], [4, 3, 2]]) {
      const expected = ((i - 2) * 0.5) ** 2 + ((j - 3) * 0.7) ** 2 + ((k - 1) * 2) ** 2;
      expect(d[i + j * 7 + k * 42]).toBeCloseTo(expected, 4);
    }
  });
});

describe('morphology', () => {
  it('closes a notch narrower than the disc and fills enclosed holes per slice', () => {
    const dims: [number, number, number] = [20, 20, 1];
    const mask = new Uint8Array(400);
    for (let j = 2; j < 18; j++) for (let i = 2; i < 18; i++) mask[i + j * 20] = 1;
    for (let j = 2; j < 8; j++) mask[10 + j * 20] = 0; // a one-pixel notch from the top edge
    mask[5 + 12 * 20] = 0; // an enclosed hole
    const closed = close(mask, { dims, spacing: [1, 1, 1] }, 2, true);
    expect(closed[10 + 4 * 20]).toBe(1);
    expect(closed[0]).toBe(0);
    const filled = fillHolesPerSlice(Uint8Array.from(mask), dims);
    expect(filled[5 + 12 * 20]).toBe(1);
    expect(filled[10 + 4 * 20]).toBe(0);
  });
});

describe('labelComponents', () => {
  it('separates face-connected components and counts their voxels', () => {
    const dims: [number, number, number] = [4, 3, 2];
    const mask = Uint8Array.from([1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    const { count, sizes, labels } = labelComponents(mask, dims);
    expect(count).toBe(2);
    expect([...sizes.slice(1)].sort()).toEqual([3, 3]);
    expect(labels[0]).toBe(labels[13]);
    expect(labels[7]).toBe(labels[23]);
  });
});

describe('symmetricEigenvalues', () => {
  it('orders eigenvalues by magnitude', () => {
    // [[2,1,0],[1,2,0],[0,0,-5]] has eigenvalues 1, 3, -5.
    const values = symmetricEigenvalues(2, 2, -5, 1, 0, 0);
    expect(values[0]).toBeCloseTo(1, 6);
    expect(values[1]).toBeCloseTo(3, 6);
    expect(values[2]).toBeCloseTo(-5, 6);
  });
});
