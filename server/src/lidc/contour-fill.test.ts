import { describe, expect, it } from 'vitest';
import { boundaryPixels, createPlane, paintHole, paintRegion, type SlicePlane } from './contour-fill.ts';

const square = (x0: number, y0: number, side: number) => [
  { x: x0, y: y0 }, { x: x0 + side, y: y0 }, { x: x0 + side, y: y0 + side }, { x: x0, y: y0 + side },
];
const count = (plane: SlicePlane) => plane.data.reduce((s, v) => s + v, 0);
const at = (plane: SlicePlane, x: number, y: number) => plane.data[(x - plane.x0) + (y - plane.y0) * plane.width];

describe('boundaryPixels', () => {
  it('walks a closed polygon as an 8-connected chain through every vertex', () => {
    const ring = boundaryPixels(square(2, 3, 4));
    const distinct = new Set(ring.map((p) => `${p.x},${p.y}`));
    expect(distinct.size).toBe(16); // the perimeter of a 5 x 5 pixel square
    for (let n = 1; n < ring.length; n++) {
      expect(Math.max(Math.abs(ring[n].x - ring[n - 1].x), Math.abs(ring[n].y - ring[n - 1].y))).toBeLessThanOrEqual(1);
    }
  });
});

describe('paintRegion / paintHole', () => {
  it('fills a square with its contour pixels included', () => {
    const plane = createPlane(0, 0, 10, 10);
    paintRegion(plane, square(1, 1, 4));
    expect(count(plane)).toBe(25);
    expect(at(plane, 1, 1)).toBe(1);
    expect(at(plane, 5, 5)).toBe(1);
    expect(at(plane, 6, 5)).toBe(0);
  });

  it('fills a diamond drawn as a LIDC-style pixel chain (diagonal steps)', () => {
    const plane = createPlane(0, 0, 11, 11);
    const diamond = [{ x: 5, y: 1 }, { x: 9, y: 5 }, { x: 5, y: 9 }, { x: 1, y: 5 }];
    paintRegion(plane, boundaryPixels(diamond));
    // |x - 5| + |y - 5| <= 4: 1 + 3 + 5 + 7 + 9 + 7 + 5 + 3 + 1
    expect(count(plane)).toBe(41);
  });

  it('keeps a single-point contour as one pixel', () => {
    const plane = createPlane(0, 0, 4, 4);
    paintRegion(plane, [{ x: 2, y: 2 }]);
    expect(count(plane)).toBe(1);
  });

  it('removes the inside of an exclusion contour but keeps its contour pixels', () => {
    const plane = createPlane(0, 0, 12, 12);
    paintRegion(plane, square(0, 0, 10));
    paintHole(plane, square(3, 3, 4));
    // 121 pixels minus the 3 x 3 strictly inside the hole's 5 x 5 outline.
    expect(count(plane)).toBe(121 - 9);
    expect(at(plane, 5, 5)).toBe(0);
    expect(at(plane, 3, 3)).toBe(1);
  });

  it('ignores pixels outside the plane window', () => {
    const plane = createPlane(2, 2, 3, 3);
    paintRegion(plane, square(0, 0, 10));
    expect(count(plane)).toBe(9);
  });
});
