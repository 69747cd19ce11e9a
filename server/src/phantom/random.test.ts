import { describe, expect, it } from 'vitest';
import { addGaussianNoise, createRng } from './random.ts';

describe('seeded randomness', () => {
  it('repeats a stream for the same seed and labels, and not for others', () => {
    const draw = (seed: number, label: string) => Array.from({ length: 5 }, createRng(seed, label).next);
    expect(draw(1, 'a')).toEqual(draw(1, 'a'));
    expect(draw(1, 'a')).not.toEqual(draw(1, 'b'));
    expect(draw(1, 'a')).not.toEqual(draw(2, 'a'));
  });

  it('draws uniform values in [0, 1) and directions on the unit sphere', () => {
    const rng = createRng(7);
    const uniform = Array.from({ length: 20000 }, rng.next);
    expect(Math.min(...uniform)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...uniform)).toBeLessThan(1);
    expect(uniform.reduce((s, v) => s + v, 0) / uniform.length).toBeCloseTo(0.5, 1);
    const directions = Array.from({ length: 5000 }, rng.direction);
    for (const d of directions) expect(Math.hypot(...d)).toBeCloseTo(1, 9);
    for (const axis of [0, 1, 2]) expect(directions.reduce((s, d) => s + d[axis], 0) / directions.length).toBeCloseTo(0, 1);
  });

  it('adds noise of the requested sigma, the same for the same stream', () => {
    const a = new Float32Array(100001);
    const b = new Float32Array(100001);
    addGaussianNoise(a, 20, 4, 'slice', 3);
    addGaussianNoise(b, 20, 4, 'slice', 3);
    expect(a).toEqual(b);
    const mean = a.reduce((s, v) => s + v, 0) / a.length;
    expect(Math.abs(mean)).toBeLessThan(0.3);
    expect(Math.sqrt(a.reduce((s, v) => s + (v - mean) ** 2, 0) / a.length)).toBeCloseTo(20, 0);
    expect(a[a.length - 1]).not.toBe(0);
  });
});
