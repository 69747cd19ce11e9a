import { cropBox, pasteBox, setVoxelsBox, type Grid } from './grid.ts';

/** Stands in for infinity: large enough for any distance in a CT, finite so the parabola maths holds. */
const far = 1e20;

/**
 * One-dimensional squared Euclidean distance transform of sampled function f (Felzenszwalb &
 * Huttenlocher, "Distance Transforms of Sampled Functions", Theory of Computing 8, 2012), with
 * samples `step` mm apart. Reads and writes `line` in place; v, z and out are scratch.
 */
function transformLine(line: Float32Array, n: number, step: number, v: Int32Array, z: Float64Array, out: Float32Array): void {
  const s2 = step * step;
  let k = 0;
  v[0] = 0;
  z[0] = -Infinity;
  z[1] = Infinity;
  for (let q = 1; q < n; q++) {
    let s: number;
    // z[0] is -Infinity, so k never drops below 0.
    for (;;) {
      const p = v[k];
      s = ((line[q] + q * q * s2) - (line[p] + p * p * s2)) / (2 * s2 * (q - p));
      if (s > z[k]) break;
      k--;
    }
    k++;
    v[k] = q;
    z[k] = s;
    z[k + 1] = Infinity;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    while (z[k + 1] < q) k++;
    const d = q - v[k];
    out[q] = d * d * s2 + line[v[k]];
  }
  line.set(out.subarray(0, n));
}

/**
 * Squared distance in mm² from every voxel to the nearest voxel whose mask value equals `target`
 * (0 on those voxels). `planar` limits the transform to each axial slice (a 2D distance).
 * Voxels with no target voxel in reach keep a huge value. Spacing-aware, so anisotropic CT
 * voxels give true millimetre distances.
 */
export function squaredDistanceTo(mask: Uint8Array, grid: Grid, target: 0 | 1, planar = false): Float32Array {
  const [nx, ny, nz] = grid.dims;
  const d = new Float32Array(mask.length);
  nearestAlongRows(mask, nx, grid.spacing[0], target, d);
  const longest = Math.max(nx, ny, nz);
  const line = new Float32Array(longest);
  const out = new Float32Array(longest);
  const v = new Int32Array(longest);
  const z = new Float64Array(longest + 1);
  const axes: Array<1 | 2> = planar ? [1] : [1, 2];
  const strides = [1, nx, nx * ny];
  for (const axis of axes) {
    const n = grid.dims[axis];
    if (n < 2) continue;
    const stride = strides[axis];
    const [a, b] = axis === 1 ? [0, 2] : [0, 1];
    for (let q = 0; q < grid.dims[b]; q++) {
      for (let p = 0; p < grid.dims[a]; p++) {
        const base = p * strides[a] + q * strides[b];
        let any = false;
        for (let t = 0; t < n; t++) {
          const value = d[base + t * stride];
          line[t] = value;
          if (value < far) any = true;
        }
        if (!any) continue;
        transformLine(line, n, grid.spacing[axis], v, z, out);
        for (let t = 0; t < n; t++) d[base + t * stride] = line[t];
      }
    }
  }
  return d;
}

/**
 * Squared distance in mm² to the nearest set voxel, exact up to `withinMm`; beyond it the values are
 * only known to be larger (huge where the transform was not run). The transform runs over the set
 * voxels' bounding box widened by `withinMm`, a fraction of a nodule's segmentation box.
 */
export function squaredDistanceWithin(mask: Uint8Array, grid: Grid, withinMm: number): Float32Array {
  const d = new Float32Array(mask.length).fill(far);
  const box = setVoxelsBox(mask, grid, withinMm);
  if (!box) return d;
  return pasteBox(d, grid.dims, box, squaredDistanceTo(cropBox(mask, grid.dims, box), { dims: box.size, spacing: grid.spacing }, 1));
}

/**
 * The first axis of the transform, where the input is still binary: the squared distance to the
 * nearest target voxel in the same row, by one scan each way (no parabolas, no divisions; the same
 * values the general pass gives).
 */
function nearestAlongRows(mask: Uint8Array, nx: number, step: number, target: 0 | 1, d: Float32Array): void {
  const s2 = step * step;
  for (let base = 0; base < mask.length; base += nx) {
    let last = -1;
    for (let t = 0; t < nx; t++) {
      if ((mask[base + t] !== 0 ? 1 : 0) === target) last = t;
      d[base + t] = last < 0 ? far : (t - last) * (t - last) * s2;
    }
    last = -1;
    for (let t = nx - 1; t >= 0; t--) {
      if ((mask[base + t] !== 0 ? 1 : 0) === target) last = t;
      if (last >= 0) {
        const ahead = (last - t) * (last - t) * s2;
        if (ahead < d[base + t]) d[base + t] = ahead;
      }
    }
  }
}
