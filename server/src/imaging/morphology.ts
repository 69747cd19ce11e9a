import { squaredDistanceTo } from './distance-transform.ts';
import { cropBox, pasteBox, setVoxelsBox, type Grid } from './grid.ts';

/**
 * Binary morphology with Euclidean balls of a radius in mm. Small balls (up to `directBallLimit`
 * voxels, such as the one-voxel shells and thin-vessel openings of the nodule segmentation) are
 * applied voxel by voxel from the mask's set voxels, which are few in a nodule's box; larger ones use
 * the exact distance transform, whose cost does not grow with the radius. Both give the same
 * result, and anisotropic voxels give round (not box-shaped) results. `planar` works slice by slice
 * with discs.
 */
export function dilate(mask: Uint8Array, grid: Grid, radiusMm: number, planar = false): Uint8Array {
  return withBall(mask, grid, radiusMm, planar, 'dilate');
}

export function erode(mask: Uint8Array, grid: Grid, radiusMm: number, planar = false): Uint8Array {
  return withBall(mask, grid, radiusMm, planar, 'erode');
}

/** Runs over the set voxels' box widened by the radius: the rest of the grid stays empty either way. */
function withBall(mask: Uint8Array, grid: Grid, radiusMm: number, planar: boolean, operation: 'erode' | 'dilate'): Uint8Array {
  const out = new Uint8Array(mask.length);
  const box = setVoxelsBox(mask, grid, radiusMm);
  if (!box) return out;
  const boxGrid: Grid = { dims: box.size, spacing: grid.spacing };
  const inBox = cropBox(mask, grid.dims, box);
  const ball = ballOffsets(grid, radiusMm, planar);
  if (ball) return pasteBox(out, grid.dims, box, applyBall(inBox, boxGrid, ball, operation));
  const target = operation === 'erode' ? 0 : 1;
  const d = squaredDistanceTo(inBox, boxGrid, target, planar);
  const r2 = radiusMm * radiusMm;
  const result = new Uint8Array(inBox.length);
  for (let n = 0; n < d.length; n++) result[n] = (d[n] <= r2) === (operation === 'dilate') ? 1 : 0;
  return pasteBox(out, grid.dims, box, result);
}

/** Balls of more voxels than this go through the distance transform (a radius of about 2.5 voxels). */
const directBallLimit = 64;

/** Voxel steps [i, j, k] to the voxels of the ball other than its centre; undefined for a ball over the limit. */
function ballOffsets(grid: Grid, radiusMm: number, planar: boolean): Array<readonly [number, number, number]> | undefined {
  const r2 = radiusMm * radiusMm;
  const reach = grid.spacing.map((s, axis) => (planar && axis === 2 ? 0 : Math.floor(radiusMm / s)));
  if ((2 * reach[0] + 1) * (2 * reach[1] + 1) * (2 * reach[2] + 1) > 8 * directBallLimit) return undefined;
  const offsets: Array<readonly [number, number, number]> = [];
  for (let dk = -reach[2]; dk <= reach[2]; dk++) {
    for (let dj = -reach[1]; dj <= reach[1]; dj++) {
      for (let di = -reach[0]; di <= reach[0]; di++) {
        if ((di || dj || dk) && transformDistance2(di, dj, dk, grid.spacing) <= r2) offsets.push([di, dj, dk]);
      }
    }
  }
  return offsets.length <= directBallLimit ? offsets : undefined;
}

/**
 * A voxel offset's squared distance as the distance transform computes it: each axis's term added
 * in turn and rounded to float32. A ball of exactly two voxels' radius then includes what the
 * transform includes (in double precision the rounding would decide otherwise).
 */
function transformDistance2(di: number, dj: number, dk: number, [sx, sy, sz]: readonly [number, number, number]): number {
  return Math.fround(dk * dk * (sz * sz) + Math.fround(dj * dj * (sy * sy) + Math.fround(di * di * (sx * sx))));
}

/**
 * Erosion keeps a set voxel when every voxel of the ball around it that lies in the grid is set
 * (voxels beyond the grid do not erode, as in the distance transform); dilation sets the ball around
 * every set voxel.
 */
function applyBall(mask: Uint8Array, grid: Grid, ball: ReadonlyArray<readonly [number, number, number]>, operation: 'erode' | 'dilate'): Uint8Array {
  const [nx, ny, nz] = grid.dims;
  const plane = nx * ny;
  const erosion = operation === 'erode';
  const out = new Uint8Array(mask.length);
  const count = ball.length;
  const linear = Int32Array.from(ball, ([di, dj, dk]) => di + dj * nx + dk * plane);
  const step = Int32Array.from(ball.flat());
  const [ri, rj, rk] = [0, 1, 2].map((axis) => Math.max(0, ...ball.map((o) => Math.abs(o[axis]))));
  for (let k = 0, n = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      const rowInside = k >= rk && k < nz - rk && j >= rj && j < ny - rj;
      for (let i = 0; i < nx; i++, n++) {
        if (!mask[n]) continue;
        // Only voxels near the grid's faces check each offset against it.
        const inside = rowInside && i >= ri && i < nx - ri;
        let keep = 1;
        for (let b = 0; b < count; b++) {
          if (!inside) {
            const ii = i + step[3 * b];
            const jj = j + step[3 * b + 1];
            const kk = k + step[3 * b + 2];
            if (ii < 0 || ii >= nx || jj < 0 || jj >= ny || kk < 0 || kk >= nz) continue;
          }
          const q = n + linear[b];
          if (!erosion) out[q] = 1;
          else if (!mask[q]) { keep = 0; break; }
        }
        if (keep) out[n] = 1;
      }
    }
  }
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
