import { describe, expect, it } from 'vitest';
import { addGaussianNoise } from './random.ts';
import { blurSlice, gaussianKernel, preBlurNoiseSigma } from './scanner.ts';

describe('scanner model', () => {
  it.each([[0.1, 1], [0.42, 3], [1, 7], [2, 13]])('a Gaussian of sigma %f has %i taps summing to 1', (sigma, taps) => {
    const kernel = gaussianKernel(sigma);
    expect(kernel).toHaveLength(taps);
    expect(kernel.reduce((s, w) => s + w, 0)).toBeCloseTo(1, 6);
  });

  it('blurs without moving mass and keeps a flat image flat', () => {
    const columns = 32;
    const rows = 24;
    const image = new Float32Array(columns * rows).fill(-100);
    image[12 * columns + 16] = 900;
    blurSlice(image, new Float32Array(image.length), columns, rows, gaussianKernel(1.2));
    expect(image.reduce((s, v) => s + v, 0)).toBeCloseTo(-100 * columns * rows + 1000, 0);
    expect(image[12 * columns + 16]).toBeLessThan(200);
    expect(image[0]).toBeCloseTo(-100, 4);
  });

  it('scales white noise so that it has the requested sigma after the blur', () => {
    const columns = 256;
    const inPlane = gaussianKernel(1.1);
    const slice = gaussianKernel(0.15);
    const image = new Float32Array(columns * columns);
    addGaussianNoise(image, preBlurNoiseSigma(20, inPlane, slice), 3, 'test');
    blurSlice(image, new Float32Array(image.length), columns, columns, inPlane);
    const mean = image.reduce((s, v) => s + v, 0) / image.length;
    const sd = Math.sqrt(image.reduce((s, v) => s + (v - mean) ** 2, 0) / image.length);
    expect(sd).toBeGreaterThan(19);
    expect(sd).toBeLessThan(21);
  });
});
