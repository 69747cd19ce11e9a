import { describe, expect, it } from 'vitest';
import { componentMask, componentOf, labelComponents } from './connected-components.ts';
import { downsampleMean, downsampleMeans, type BoxRows } from './downsample.ts';
import { gaussianSmooth } from './gaussian.ts';
import { squaredDistanceTo, squaredDistanceWithin } from './distance-transform.ts';
import { close, dilate, erode, fillHolesPerSlice } from './morphology.ts';
import { equivalentDiameterMm } from './sphere.ts';
import { median } from './statistics.ts';
import { symmetricEigenvalues } from './symmetric-eigen.ts';

describe('equivalentDiameterMm', () => {
  it.each([[4], [10], [30]])('gives back the diameter of a %d mm sphere from its volume', (d) => {
    expect(equivalentDiameterMm((Math.PI / 6) * d ** 3)).toBeCloseTo(d, 10);
  });

  it('sizes a cube of 1000 mm³ as the 12.4 mm sphere of that volume', () => {
    expect(equivalentDiameterMm(1000)).toBeCloseTo(12.407, 3);
  });
});

describe('median', () => {
  it('takes the middle value, or the mean of the two middle ones, and leaves its input as it was', () => {
    const values = [5, -850, 3, 40];
    expect(median(values)).toBe(4);
    expect(values).toEqual([5, -850, 3, 40]);
    expect(median([-860, -840, -900])).toBe(-860);
  });
});

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

/** A random mask of blobs and strands, with set voxels on the grid's faces. */
function randomMask(dims: readonly [number, number, number], seed: number): Uint8Array {
  let state = seed;
  const random = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
  const mask = new Uint8Array(dims[0] * dims[1] * dims[2]);
  for (let n = 0; n < mask.length; n++) mask[n] = random() < 0.55 ? 1 : 0;
  return mask;
}

/** Squared mm distance from each voxel to the nearest voxel of `target`, by trying them all. */
function bruteForceDistance(mask: Uint8Array, dims: readonly [number, number, number], spacing: readonly [number, number, number], target: 0 | 1): number[] {
  const [nx, ny, nz] = dims;
  const targets: number[][] = [];
  for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) if (mask[i + j * nx + k * nx * ny] === target) targets.push([i, j, k]);
  const d: number[] = [];
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        d.push(Math.min(Infinity, ...targets.map(([a, b, c]) => ((i - a) * spacing[0]) ** 2 + ((j - b) * spacing[1]) ** 2 + ((k - c) * spacing[2]) ** 2)));
      }
    }
  }
  return d;
}

describe('squaredDistanceTo on random masks', () => {
  it('matches the distances found by trying every voxel, to either value', () => {
    const dims = [9, 7, 5] as const;
    const spacing = [0.7, 0.7, 1.25] as const;
    for (const target of [0, 1] as const) {
      const mask = randomMask(dims, 11 + target);
      const d = squaredDistanceTo(mask, { dims, spacing }, target);
      bruteForceDistance(mask, dims, spacing, target).forEach((expected, n) => expect(d[n]).toBeCloseTo(expected, 4));
    }
  });
});

describe('squaredDistanceWithin', () => {
  it('is exact up to its reach and larger beyond it', () => {
    const dims = [30, 24, 16] as const;
    const grid = { dims, spacing: [0.7, 0.7, 1.25] as const };
    const mask = new Uint8Array(30 * 24 * 16);
    for (const n of [5 + 6 * 30 + 4 * 720, 9 + 7 * 30 + 5 * 720, 7 + 10 * 30 + 6 * 720]) mask[n] = 1;
    const exact = squaredDistanceTo(mask, grid, 1);
    const within = squaredDistanceWithin(mask, grid, 3);
    let far = 0;
    exact.forEach((d, n) => {
      if (d <= 9) expect(within[n]).toBeCloseTo(d, 4);
      else {
        expect(within[n]).toBeGreaterThan(9);
        far++;
      }
    });
    expect(far).toBeGreaterThan(mask.length / 2);
  });
});

describe('morphology', () => {
  it('gives the same erosion and dilation with small balls applied directly as by the distance transform', () => {
    const dims = [12, 10, 8] as const;
    const mask = randomMask(dims, 5);
    // 0.71 and 1.01 mm are the one-voxel shells of the segmentation, 1.4 to 2.8 mm its vessel
    // openings; 1.4 at 0.7 mm and 2.8 at 1.4 mm are radii of exactly two voxels, where rounding decides.
    for (const spacing of [[0.7, 0.7, 1], [1.4, 1.4, 2]] as const) {
      const grid = { dims, spacing };
      for (const radiusMm of [0.71, 1.01, 1.4, 2, 2.8]) {
        for (const planar of [false, true]) {
          const r2 = radiusMm * radiusMm;
          const toSet = squaredDistanceTo(mask, grid, 1, planar);
          const toEmpty = squaredDistanceTo(mask, grid, 0, planar);
          expect(dilate(mask, grid, radiusMm, planar)).toEqual(Uint8Array.from(toSet, (d) => (d <= r2 ? 1 : 0)));
          expect(erode(mask, grid, radiusMm, planar)).toEqual(Uint8Array.from(toEmpty, (d) => (d > r2 ? 1 : 0)));
        }
      }
    }
  });

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

describe('componentOf', () => {
  it('is the labelled component that holds the seed, and nothing for an unset seed', () => {
    const dims: [number, number, number] = [13, 11, 9];
    // A sparse random mask: many small components, some touching the grid's faces.
    const mask = Uint8Array.from({ length: 13 * 11 * 9 }, (_, n) => ((n * 2654435761) >>> 0) % 7 < 3 ? 1 : 0);
    const components = labelComponents(mask, dims);
    expect(components.count).toBeGreaterThan(5);
    let checked = 0;
    for (let seed = 0; seed < mask.length; seed += 17) {
      const expected = componentMask(components, mask[seed] ? components.labels[seed] : 0);
      expect(Buffer.from(componentOf(mask, dims, seed)).equals(Buffer.from(expected))).toBe(true);
      checked += mask[seed];
    }
    expect(checked).toBeGreaterThan(10);
    expect(componentOf(mask, dims, -1).some((v) => v !== 0)).toBe(false);
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

/** Reference separable convolution, clamped borders, one voxel at a time. */
function naiveSmooth(src: Float32Array, dims: [number, number, number], spacing: [number, number, number], sigmaMm: number): Float32Array {
  let data = Float32Array.from(src);
  for (const axis of [0, 1, 2] as const) {
    const sigma = sigmaMm / spacing[axis];
    if (dims[axis] < 2 || sigma < 0.2) continue;
    const radius = Math.max(1, Math.ceil(3 * sigma));
    const weights = Array.from({ length: 2 * radius + 1 }, (_, t) => Math.exp(-((t - radius) ** 2) / (2 * sigma * sigma)));
    const total = weights.reduce((s, w) => s + w, 0);
    const out = new Float32Array(data.length);
    for (let k = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++) {
      let acc = 0;
      for (let t = -radius; t <= radius; t++) {
        const at = [i, j, k];
        at[axis] = Math.min(dims[axis] - 1, Math.max(0, at[axis] + t));
        acc += (weights[t + radius] / total) * data[at[0] + at[1] * dims[0] + at[2] * dims[0] * dims[1]];
      }
      out[i + j * dims[0] + k * dims[0] * dims[1]] = acc;
    }
    data = out;
  }
  return data;
}

describe('gaussianSmooth', () => {
  it('matches a voxel-by-voxel separable convolution on an anisotropic grid', () => {
    const dims: [number, number, number] = [9, 7, 6];
    const spacing: [number, number, number] = [0.7, 0.9, 2];
    const src = Float32Array.from({ length: 9 * 7 * 6 }, (_, n) => ((n * 7919) % 101) - 50);
    const fast = gaussianSmooth(src, { dims, spacing }, 1.5);
    const slow = naiveSmooth(src, dims, spacing, 1.5);
    for (let n = 0; n < src.length; n++) expect(fast[n]).toBeCloseTo(slow[n], 3);
  });
});

describe('downsampleMean', () => {
  it('averages each block, partial blocks at the far edges over the voxels they hold', () => {
    const dims: [number, number, number] = [7, 5, 4];
    const src = Int16Array.from({ length: 7 * 5 * 4 }, (_, n) => (n * 37) % 200);
    const box = { offset: [1, 0, 1] as const, size: [6, 5, 3] as const };
    const sampled = downsampleMean(src, { dims, spacing: [0.5, 0.5, 1] }, box, [4, 2, 2]);
    expect(sampled.dims).toEqual([2, 3, 2]);
    expect(sampled.spacing).toEqual([2, 1, 2]);
    for (let c = 0; c < 2; c++) for (let b = 0; b < 3; b++) for (let a = 0; a < 2; a++) {
      const values: number[] = [];
      for (let k = 1 + 2 * c; k < Math.min(4, 3 + 2 * c); k++) for (let j = 2 * b; j < Math.min(5, 2 * b + 2); j++) {
        for (let i = 1 + 4 * a; i < Math.min(7, 5 + 4 * a); i++) values.push(src[i + j * 7 + k * 35]);
      }
      const mean = values.reduce((s, v) => s + v, 0) / values.length;
      expect(sampled.data[a + b * 2 + c * 6]).toBeCloseTo(mean, 3);
    }
  });

  it('makes the grids of every layer in one pass, each as if that layer were averaged alone', () => {
    const dims: [number, number, number] = [7, 5, 4];
    const grid = { dims, spacing: [0.5, 0.5, 1] as const };
    const box = { offset: [1, 0, 1] as const, size: [6, 5, 3] as const };
    const plain = Int16Array.from({ length: 7 * 5 * 4 }, (_, n) => (n * 37) % 200);
    const clipped = plain.map((v) => Math.min(v, 100));
    const rows: BoxRows = (j, k, [first, second]) => {
      const start = box.offset[0] + (box.offset[1] + j) * dims[0] + (box.offset[2] + k) * dims[0] * dims[1];
      first.set(plain.subarray(start, start + box.size[0]));
      second.set(clipped.subarray(start, start + box.size[0]));
    };
    const requests = [{ layer: 1, factors: [2, 2, 1] as const }, { layer: 0, factors: [4, 2, 2] as const }, { layer: 1, factors: [4, 2, 2] as const }];
    const [clippedFine, plainCoarse, clippedCoarse] = downsampleMeans(rows, 2, grid, box, requests);
    expect(clippedFine).toEqual(downsampleMean(clipped, grid, box, [2, 2, 1]));
    expect(plainCoarse).toEqual(downsampleMean(plain, grid, box, [4, 2, 2]));
    expect(clippedCoarse).toEqual(downsampleMean(clipped, grid, box, [4, 2, 2]));
    expect(clippedCoarse.data).not.toEqual(plainCoarse.data);
  });
});
