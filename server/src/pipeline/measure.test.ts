import { describe, expect, it } from 'vitest';
import type { BoxMask } from '../domain/mask.ts';
import { axialAxes, estimateSpiculation } from './measure.ts';

/** A filled ellipse on one slice, semi-axes a and b in pixels, rotated by 0 or 90 degrees. */
function ellipse(a: number, b: number, slices = 1): BoxMask {
  const size: [number, number, number] = [2 * a + 3, 2 * b + 3, slices];
  const data = new Uint8Array(size[0] * size[1] * size[2]);
  for (let k = 0; k < slices; k++) {
    for (let j = 0; j < size[1]; j++) {
      for (let i = 0; i < size[0]; i++) {
        const x = i - (a + 1);
        const y = j - (b + 1);
        if ((x / a) ** 2 + (y / b) ** 2 <= 1) data[i + j * size[0] + k * size[0] * size[1]] = 1;
      }
    }
  }
  return { offset: [10, 20, 5], size, data };
}

describe('axialAxes', () => {
  it.each([
    { a: 10, b: 6, spacing: 0.5, long: 10, short: 6 },
    { a: 14, b: 14, spacing: 0.7, long: 19.6, short: 19.6 },
    { a: 20, b: 7, spacing: 0.8, long: 32, short: 11.2 },
  ])('measures an ellipse of semi-axes $a x $b px at $spacing mm', ({ a, b, spacing, long, short }) => {
    const { longAxis, shortAxis } = axialAxes(ellipse(a, b), [spacing, spacing, 2]);
    expect(Math.abs(longAxis.lengthMm - long)).toBeLessThanOrEqual(0.1);
    expect(Math.abs(shortAxis.lengthMm - short)).toBeLessThanOrEqual(0.1);
    expect(longAxis.start.z).toBe(5);
    const dx = longAxis.end.x - longAxis.start.x;
    const dy = longAxis.end.y - longAxis.start.y;
    const sx = shortAxis.end.x - shortAxis.start.x;
    const sy = shortAxis.end.y - shortAxis.start.y;
    expect(Math.abs(dx * sx + dy * sy) / (Math.hypot(dx, dy) * Math.hypot(sx, sy))).toBeLessThan(0.1);
  });
});

/** A ball (or ellipsoid with semi-axes scaled by `stretch`), optionally with thin spicules along the 14 lattice directions. */
function ball(radiusMm: number, spacing: number, options: { spicules?: number; stretch?: [number, number, number] } = {}): BoxMask {
  const reach = radiusMm * 2.2;
  const n = Math.ceil((2 * reach) / spacing) + 1;
  const size: [number, number, number] = [n, n, n];
  const data = new Uint8Array(n * n * n);
  const [ax, ay, az] = options.stretch ?? [1, 1, 1];
  const directions = [[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1], [0, 0, -1], [1, 1, 1], [-1, -1, 1], [1, -1, -1], [-1, 1, -1], [1, 1, -1], [-1, 1, 1]]
    .slice(0, options.spicules ?? 0).map((d) => d.map((v) => v / Math.hypot(...d)));
  for (let k = 0, p = 0; k < n; k++) for (let j = 0; j < n; j++) for (let i = 0; i < n; i++, p++) {
    const [x, y, z] = [i, j, k].map((v) => v * spacing - reach);
    if ((x / ax) ** 2 + (y / ay) ** 2 + (z / az) ** 2 <= radiusMm ** 2) { data[p] = 1; continue; }
    for (const [dx, dy, dz] of directions) {
      const t = x * dx + y * dy + z * dz;
      if (t > 0 && t < reach && Math.hypot(x - t * dx, y - t * dy, z - t * dz) <= 0.6) data[p] = 1;
    }
  }
  return { offset: [0, 0, 0], size, data };
}

describe('estimateSpiculation', () => {
  const spacing = 0.7;
  const estimate = (mask: BoxMask) => estimateSpiculation(mask, [spacing, spacing, spacing], mask.data.reduce((s, v) => s + v, 0) * spacing ** 3);
  it('is about 0 for a round or an elongated nodule and higher the more spicules a nodule has', () => {
    const round = estimate(ball(5, spacing));
    const elongated = estimate(ball(4, spacing, { stretch: [1.8, 1, 1] }));
    const few = estimate(ball(5, spacing, { spicules: 4 }));
    const many = estimate(ball(5, spacing, { spicules: 12 }));
    expect(round).toBeLessThan(0.1);
    expect(elongated).toBeLessThan(0.1);
    expect(few).toBeGreaterThan(round + 0.2);
    expect(many).toBeGreaterThan(few);
  });
});
