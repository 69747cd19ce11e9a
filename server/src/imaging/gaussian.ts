import type { Grid } from './grid.ts';

/** Normalised sampled Gaussian truncated at 3 sigma (sigma in voxels). */
function gaussianKernel(sigma: number): Float32Array {
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const kernel = new Float32Array(2 * radius + 1);
  let sum = 0;
  for (let t = -radius; t <= radius; t++) {
    const w = Math.exp(-(t * t) / (2 * sigma * sigma));
    kernel[t + radius] = w;
    sum += w;
  }
  for (let t = 0; t < kernel.length; t++) kernel[t] /= sum;
  return kernel;
}

/**
 * Separable Gaussian smoothing with a sigma in mm (converted per axis with the grid spacing, so
 * anisotropic CT voxels get the same physical blur in every direction). Borders replicate the edge
 * voxel, which keeps a nodule on the first or last slice of a thin slab from fading. Axes whose
 * sigma is below 0.2 voxel are left alone. Returns a new Float32Array.
 */
export function gaussianSmooth(src: Float32Array, grid: Grid, sigmaMm: number): Float32Array {
  const [nx, ny, nz] = grid.dims;
  const data = Float32Array.from(src);
  const strides = [1, nx, nx * ny];
  const longest = Math.max(nx, ny, nz);
  const line = new Float32Array(longest);
  for (const axis of [0, 1, 2] as const) {
    const n = grid.dims[axis];
    const sigma = sigmaMm / grid.spacing[axis];
    if (n < 2 || sigma < 0.2) continue;
    const kernel = gaussianKernel(sigma);
    const radius = (kernel.length - 1) / 2;
    const stride = strides[axis];
    const [a, b] = axis === 0 ? [1, 2] : axis === 1 ? [0, 2] : [0, 1];
    for (let q = 0; q < grid.dims[b]; q++) {
      for (let p = 0; p < grid.dims[a]; p++) {
        const base = p * strides[a] + q * strides[b];
        for (let t = 0; t < n; t++) line[t] = data[base + t * stride];
        for (let t = 0; t < n; t++) {
          let acc = 0;
          for (let u = -radius; u <= radius; u++) {
            const s = t + u;
            acc += kernel[u + radius] * line[s < 0 ? 0 : s >= n ? n - 1 : s];
          }
          data[base + t * stride] = acc;
        }
      }
    }
  }
  return data;
}
