import { squaredDistanceTo } from './distance-transform.ts';
import type { Grid } from './grid.ts';

/**
 * Binary morphology with Euclidean balls of a radius in mm, built on the exact distance transform:
 * cost does not grow with the radius and anisotropic voxels give round (not box-shaped) results.
 * `planar` works slice by slice with discs.
 */
export function dilate(mask: Uint8Array, grid: Grid, radiusMm: number, planar = false): Uint8Array {
  const d = squaredDistanceTo(mask, grid, 1, planar);
  const r2 = radiusMm * radiusMm;
  const out = new Uint8Array(mask.length);
  for (let n = 0; n < out.length; n++) out[n] = d[n] <= r2 ? 1 : 0;
  return out;
}

export function erode(mask: Uint8Array, grid: Grid, radiusMm: number, planar = false): Uint8Array {
  const d = squaredDistanceTo(mask, grid, 0, planar);
  const r2 = radiusMm * radiusMm;
  const out = new Uint8Array(mask.length);
  for (let n = 0; n < out.length; n++) out[n] = d[n] > r2 ? 1 : 0;
  return out;
}

/** Fills gaps and notches narrower than about 2 × radius. */
export function close(mask: Uint8Array, grid: Grid, radiusMm: number, planar = false): Uint8Array {
  return erode(dilate(mask, grid, radiusMm, planar), grid, radiusMm, planar);
}

/** Removes parts thinner than about 2 × radius (vessels, spicules) and keeps the rest's shape. */
export function open(mask: Uint8Array, grid: Grid, radiusMm: number, planar = false): Uint8Array {
  return dilate(erode(mask, grid, radiusMm, planar), grid, radiusMm, planar);
}

/**
 * Per axial slice, sets to 1 every background pixel that cannot be reached from the slice border
 * through background (4-connected): the holes inside a region. In place; returns the mask.
 */
export function fillHolesPerSlice(mask: Uint8Array, dims: readonly [number, number, number]): Uint8Array {
  const [nx, ny, nz] = dims;
  const plane = nx * ny;
  const reached = new Uint8Array(plane);
  const stack = new Int32Array(plane);
  for (let k = 0; k < nz; k++) {
    const base = k * plane;
    reached.fill(0);
    let top = 0;
    const seed = (p: number) => {
      if (!mask[base + p] && !reached[p]) {
        reached[p] = 1;
        stack[top++] = p;
      }
    };
    for (let i = 0; i < nx; i++) {
      seed(i);
      seed(i + (ny - 1) * nx);
    }
    for (let j = 0; j < ny; j++) {
      seed(j * nx);
      seed(nx - 1 + j * nx);
    }
    while (top > 0) {
      const p = stack[--top];
      const i = p % nx;
      if (i > 0) seed(p - 1);
      if (i < nx - 1) seed(p + 1);
      if (p >= nx) seed(p - nx);
      if (p < plane - nx) seed(p + nx);
    }
    for (let p = 0; p < plane; p++) if (!reached[p]) mask[base + p] = 1;
  }
  return mask;
}
