import { describe, expect, it } from 'vitest';
import type { BoxMask } from '../domain/mask.ts';
import { axialAxes } from './measure.ts';

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
