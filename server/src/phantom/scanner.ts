/**
 * Normalised Gaussian kernel of standard deviation `sigma` (in samples), out to 3 sigma but without
 * taps under 0.1 % of the centre (each tap is a pass over the slice); [1] when sigma is negligible.
 */
export function gaussianKernel(sigma: number): Float32Array {
  if (sigma < 0.15) return Float32Array.of(1);
  const radius = Math.min(Math.ceil(3 * sigma), Math.floor(sigma * Math.sqrt(2 * Math.log(1000))));
  const kernel = new Float32Array(2 * radius + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) sum += kernel[i + radius] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < kernel.length; i++) kernel[i] /= sum;
  return kernel;
}

const sumOfSquares = (kernel: Float32Array): number => kernel.reduce((s, w) => s + w * w, 0);

/**
 * Standard deviation of white noise to add before blurring so that it has `sigma` afterwards:
 * a separable in-plane kernel w⊗w scales it by Σw², the slice kernel v by √Σv².
 */
export function preBlurNoiseSigma(sigma: number, inPlane: Float32Array, slice: Float32Array): number {
  return sigma / (sumOfSquares(inPlane) * Math.sqrt(sumOfSquares(slice)));
}

/**
 * Blurs a columns x rows image in place with `kernel` along rows then columns, edges replicated.
 * `scratch` must hold columns x rows values. Both passes run along contiguous memory without bounds
 * tests in the inner loop: this runs once per voxel.
 */
export function blurSlice(image: Float32Array, scratch: Float32Array, columns: number, rows: number, kernel: Float32Array): void {
  const radius = (kernel.length - 1) / 2;
  if (radius === 0) return;
  const padded = new Float32Array(columns + 2 * radius);
  for (let j = 0; j < rows; j++) {
    const row = j * columns;
    for (let i = 0; i < columns; i++) padded[radius + i] = image[row + i];
    for (let i = 0; i < radius; i++) {
      padded[i] = image[row];
      padded[radius + columns + i] = image[row + columns - 1];
    }
    for (let i = 0; i < columns; i++) {
      let sum = 0;
      for (let t = 0; t < kernel.length; t++) sum += kernel[t] * padded[i + t];
      scratch[row + i] = sum;
    }
  }
  for (let j = 0; j < rows; j++) {
    const out = j * columns;
    image.fill(0, out, out + columns);
    for (let t = -radius; t <= radius; t++) {
      const jj = j + t < 0 ? 0 : j + t >= rows ? rows - 1 : j + t;
      const w = kernel[t + radius];
      const source = jj * columns;
      for (let i = 0; i < columns; i++) image[out + i] += w * scratch[source + i];
    }
  }
}
