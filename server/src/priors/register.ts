/**
 * Rigid registration of two chest CTs of one patient on their lungs: surface points of each lung
 * mask, aligned by iterative closest points (Besl & McKay, IEEE TPAMI 14(2), 1992) with the
 * closed-form rigid fit of Horn (J Opt Soc Am A 4(4), 1987, unit quaternions).
 *
 * Why this shape:
 * - Start from the identity rotation, not from principal axes: the same patient lies supine
 *   head-first in both scans, so rotations are a few degrees; principal axes of two lungs cut at
 *   different heights by the scan range flip and swap easily, identity does not.
 * - Start the shift along the table from the lung area per slice: lateral surfaces of the lungs
 *   barely change along the body axis, so ICP alone slides slowly there and stops millimetres
 *   short; the area profile (which the roll does not change) places it first.
 * - Only points of the current scan that land inside the prior's scan range (along its slice
 *   normal) take part, and the worst pairs are trimmed (Chetverikov et al., ICPR 2002): the two
 *   scans cover different lengths of lung, and points without a counterpart would pull.
 * - Points on the faces where the scan range cuts the lungs are not surface (their missing
 *   neighbour lies outside the volume, not outside the lung), so cut faces never pair up.
 */
import type { Vec3, Volume } from '../domain/volume.ts';
import { pointDistanceMm, voxelToPatient } from '../domain/volume.ts';

/** p ↦ R p + t, patient millimetres of the current scan to those of the prior. */
export interface RigidTransform {
  /** Row-major 3 x 3 rotation matrix. */
  readonly rotation: readonly [number, number, number, number, number, number, number, number, number];
  readonly translation: Vec3;
}

export const identityTransform: RigidTransform = { rotation: [1, 0, 0, 0, 1, 0, 0, 0, 1], translation: { x: 0, y: 0, z: 0 } };

export function applyTransform(t: RigidTransform, p: Vec3): Vec3 {
  const r = t.rotation;
  return {
    x: r[0] * p.x + r[1] * p.y + r[2] * p.z + t.translation.x,
    y: r[3] * p.x + r[4] * p.y + r[5] * p.z + t.translation.y,
    z: r[6] * p.x + r[7] * p.y + r[8] * p.z + t.translation.z,
  };
}

/** Angle of the rotation in degrees (0 for the identity). */
export function rotationAngleDeg(t: RigidTransform): number {
  const trace = t.rotation[0] + t.rotation[4] + t.rotation[8];
  return (Math.acos(Math.max(-1, Math.min(1, (trace - 1) / 2))) * 180) / Math.PI;
}

/** Lung surface points of one scan in patient millimetres, the range the scan covers, the lung area per slice. */
export interface LungSurface {
  /** x, y, z interleaved. */
  readonly points: Float64Array;
  /** The scan's slice normal and the range of positions along it that its slices cover (mm). */
  readonly sliceNormal: Vec3;
  readonly sliceRange: readonly [number, number];
  /** Lung area (mm²) of each slice, at `position[k]` along the slice normal (ascending). */
  readonly areaProfile: { readonly position: Float64Array; readonly areaMm2: Float64Array };
}

const dot = (a: Vec3, b: Vec3) => a.x * b.x + a.y * b.y + a.z * b.z;

/**
 * Voxels of the mask (non-zero = lung) with a 6-neighbour inside the volume that is not lung,
 * evenly thinned to at most `maxPoints`, as patient coordinates.
 */
export function lungSurface(volume: Volume, mask: Uint8Array, maxPoints = 4000): LungSurface {
  const [nx, ny, nz] = volume.dims;
  const plane = nx * ny;
  const surface: number[] = [];
  const areaMm2 = new Float64Array(nz);
  const pixelMm2 = volume.spacing[0] * volume.spacing[1];
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0, n = j * nx + k * plane; i < nx; i++, n++) {
        if (!mask[n]) continue;
        areaMm2[k] += pixelMm2;
        const edge = (i > 0 && !mask[n - 1]) || (i < nx - 1 && !mask[n + 1])
          || (j > 0 && !mask[n - nx]) || (j < ny - 1 && !mask[n + nx])
          || (k > 0 && !mask[n - plane]) || (k < nz - 1 && !mask[n + plane]);
        if (edge) surface.push(n);
      }
    }
  }
  const step = Math.max(1, surface.length / maxPoints);
  const count = Math.floor(surface.length / step);
  const points = new Float64Array(count * 3);
  for (let m = 0; m < count; m++) {
    const n = surface[Math.floor(m * step)];
    const k = Math.floor(n / plane);
    const j = Math.floor((n - k * plane) / nx);
    const p = voxelToPatient(volume, { x: n - k * plane - j * nx, y: j, z: k });
    points[3 * m] = p.x;
    points[3 * m + 1] = p.y;
    points[3 * m + 2] = p.z;
  }
  const sliceNormal = volume.direction[2];
  const start = dot(volume.origin, sliceNormal);
  const position = Float64Array.from({ length: nz }, (_, k) => start + k * volume.spacing[2]);
  return { points, sliceNormal, sliceRange: [start, position[nz - 1]], areaProfile: { position, areaMm2 } };
}

/** Linear interpolation of a profile at `at`; undefined outside it. */
function profileAt(profile: LungSurface['areaProfile'], at: number): number | undefined {
  const { position, areaMm2 } = profile;
  const n = position.length;
  if (n === 0 || at < position[0] || at > position[n - 1]) return undefined;
  if (n === 1) return areaMm2[0];
  const step = (position[n - 1] - position[0]) / (n - 1);
  const f = (at - position[0]) / step;
  const k = Math.min(n - 2, Math.floor(f));
  return areaMm2[k] + (f - k) * (areaMm2[k + 1] - areaMm2[k]);
}

/**
 * Shift d (mm, along the slice normal) for which the prior's area at s + d best matches the
 * current area at s (least mean squared difference), over shifts that keep at least half of the
 * shorter scan overlapping.
 */
export function profileShiftMm(current: LungSurface['areaProfile'], prior: LungSurface['areaProfile'], maxShiftMm = 60, stepMm = 0.5): number {
  const span = (p: LungSurface['areaProfile']) => p.position[p.position.length - 1] - p.position[0];
  const minOverlapMm = Math.min(span(current), span(prior)) / 2;
  let best = 0;
  let bestScore = Infinity;
  for (let d = -maxShiftMm; d <= maxShiftMm + 1e-9; d += stepMm) {
    let sum = 0;
    let count = 0;
    let from = Infinity;
    let to = -Infinity;
    for (let s = current.position[0]; s <= current.position[current.position.length - 1]; s += 1) {
      const p = profileAt(prior, s + d);
      if (p === undefined) continue;
      const diff = (profileAt(current, s) ?? 0) - p;
      sum += diff * diff;
      count++;
      from = Math.min(from, s);
      to = Math.max(to, s);
    }
    if (count === 0 || to - from < minOverlapMm) continue;
    const score = sum / count;
    if (score < bestScore) { bestScore = score; best = d; }
  }
  return best;
}

/** Uniform grid over points for nearest-neighbour queries within one cell size. */
class PointGrid {
  private readonly cells = new Map<number, number[]>();
  constructor(private readonly points: Float64Array, private readonly cellMm: number) {
    for (let m = 0; m < points.length / 3; m++) {
      const key = this.key(Math.floor(points[3 * m] / cellMm), Math.floor(points[3 * m + 1] / cellMm), Math.floor(points[3 * m + 2] / cellMm));
      const cell = this.cells.get(key);
      if (cell) cell.push(m);
      else this.cells.set(key, [m]);
    }
  }

  /** Cells are at least 1 mm, so points within ±32 m fit the 2^16 cells per axis of an exact key (< 2^53). */
  private key(a: number, b: number, c: number): number {
    return ((a + 32768) * 65536 + (b + 32768)) * 65536 + (c + 32768);
  }

  /** Index and squared distance of the nearest point within `cellMm`, or undefined. */
  nearest(x: number, y: number, z: number): { index: number; d2: number } | undefined {
    const a = Math.floor(x / this.cellMm);
    const b = Math.floor(y / this.cellMm);
    const c = Math.floor(z / this.cellMm);
    let best = -1;
    let bestD2 = this.cellMm * this.cellMm;
    for (let da = -1; da <= 1; da++) {
      for (let db = -1; db <= 1; db++) {
        for (let dc = -1; dc <= 1; dc++) {
          const cell = this.cells.get(this.key(a + da, b + db, c + dc));
          if (!cell) continue;
          for (const m of cell) {
            const dx = this.points[3 * m] - x;
            const dy = this.points[3 * m + 1] - y;
            const dz = this.points[3 * m + 2] - z;
            const d2 = dx * dx + dy * dy + dz * dz;
            if (d2 < bestD2) { bestD2 = d2; best = m; }
          }
        }
      }
    }
    return best < 0 ? undefined : { index: best, d2: bestD2 };
  }
}

/** Eigenvector of the largest eigenvalue of a symmetric 4 x 4 matrix (cyclic Jacobi rotations). */
function largestEigenvector4(matrix: number[][]): number[] {
  const a = matrix.map((row) => [...row]);
  const v = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]];
  for (let sweep = 0; sweep < 50; sweep++) {
    let off = 0;
    for (let p = 0; p < 4; p++) for (let q = p + 1; q < 4; q++) off += a[p][q] * a[p][q];
    if (off < 1e-22) break;
    for (let p = 0; p < 4; p++) {
      for (let q = p + 1; q < 4; q++) {
        if (Math.abs(a[p][q]) < 1e-300) continue;
        const theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let r = 0; r < 4; r++) {
          const arp = a[r][p];
          const arq = a[r][q];
          a[r][p] = c * arp - s * arq;
          a[r][q] = s * arp + c * arq;
        }
        for (let r = 0; r < 4; r++) {
          const apr = a[p][r];
          const aqr = a[q][r];
          a[p][r] = c * apr - s * aqr;
          a[q][r] = s * apr + c * aqr;
        }
        for (let r = 0; r < 4; r++) {
          const vrp = v[r][p];
          const vrq = v[r][q];
          v[r][p] = c * vrp - s * vrq;
          v[r][q] = s * vrp + c * vrq;
        }
      }
    }
  }
  let best = 0;
  for (let i = 1; i < 4; i++) if (a[i][i] > a[best][best]) best = i;
  return [v[0][best], v[1][best], v[2][best], v[3][best]];
}

/**
 * The rigid transform that best maps `from[m]` onto `to[m]` in the least-squares sense (Horn 1987):
 * the rotation is the unit quaternion of the largest eigenvalue of Horn's 4 x 4 matrix.
 */
export function fitRigid(from: readonly Vec3[], to: readonly Vec3[]): RigidTransform {
  if (from.length !== to.length || from.length < 3) throw new RangeError(`fitRigid needs 3 or more paired points, got ${from.length} and ${to.length}`);
  const mean = (list: readonly Vec3[]) => {
    let x = 0, y = 0, z = 0;
    for (const p of list) { x += p.x; y += p.y; z += p.z; }
    return { x: x / list.length, y: y / list.length, z: z / list.length };
  };
  const cf = mean(from);
  const ct = mean(to);
  let sxx = 0, sxy = 0, sxz = 0, syx = 0, syy = 0, syz = 0, szx = 0, szy = 0, szz = 0;
  for (let m = 0; m < from.length; m++) {
    const a = { x: from[m].x - cf.x, y: from[m].y - cf.y, z: from[m].z - cf.z };
    const b = { x: to[m].x - ct.x, y: to[m].y - ct.y, z: to[m].z - ct.z };
    sxx += a.x * b.x; sxy += a.x * b.y; sxz += a.x * b.z;
    syx += a.y * b.x; syy += a.y * b.y; syz += a.y * b.z;
    szx += a.z * b.x; szy += a.z * b.y; szz += a.z * b.z;
  }
  const [w, x, y, z] = largestEigenvector4([
    [sxx + syy + szz, syz - szy, szx - sxz, sxy - syx],
    [syz - szy, sxx - syy - szz, sxy + syx, szx + sxz],
    [szx - sxz, sxy + syx, -sxx + syy - szz, syz + szy],
    [sxy - syx, szx + sxz, syz + szy, -sxx - syy + szz],
  ]);
  const rotation: RigidTransform['rotation'] = [
    w * w + x * x - y * y - z * z, 2 * (x * y - w * z), 2 * (x * z + w * y),
    2 * (y * x + w * z), w * w - x * x + y * y - z * z, 2 * (y * z - w * x),
    2 * (z * x - w * y), 2 * (z * y + w * x), w * w - x * x - y * y + z * z,
  ];
  const rotated = applyTransform({ rotation, translation: { x: 0, y: 0, z: 0 } }, cf);
  return { rotation, translation: { x: ct.x - rotated.x, y: ct.y - rotated.y, z: ct.z - rotated.z } };
}

export interface RegistrationOptions {
  readonly maxIterations?: number;
  /** Pairs farther apart than this are never used (mm); the first iterations allow this much misalignment. */
  readonly maxPairDistanceMm?: number;
  /** Share of the closest pairs kept each iteration. */
  readonly keepShare?: number;
  /** Current points this close to the ends of the prior's scan range are left out (mm). */
  readonly rangeMarginMm?: number;
}

export interface Registration {
  /** Current scan → prior scan, patient millimetres. */
  readonly transform: RigidTransform;
  /** Root mean square distance of the kept pairs at the end (mm). */
  readonly rmsMm: number;
  readonly pairs: number;
  readonly iterations: number;
}

const mean3 = (points: Float64Array): Vec3 => {
  let x = 0, y = 0, z = 0;
  const n = points.length / 3;
  for (let m = 0; m < n; m++) { x += points[3 * m]; y += points[3 * m + 1]; z += points[3 * m + 2]; }
  return { x: x / n, y: y / n, z: z / n };
};

/** Rigid transform from the current scan's lungs onto the prior's (trimmed ICP, see the module comment). */
export function registerLungs(current: LungSurface, prior: LungSurface, options: RegistrationOptions = {}): Registration {
  const maxIterations = options.maxIterations ?? 100;
  const maxPairDistanceMm = options.maxPairDistanceMm ?? 30;
  const keepShare = options.keepShare ?? 0.85;
  const margin = options.rangeMarginMm ?? 5;
  if (current.points.length < 9 || prior.points.length < 9) throw new RangeError('one of them shows too little of the lungs\' surface');

  const cc = mean3(current.points);
  const cp = mean3(prior.points);
  // Across the table: the centroids; along it: the area profiles (see the module comment).
  const along = profileShiftMm(current.areaProfile, prior.areaProfile);
  const n = prior.sliceNormal;
  const across = { x: cp.x - cc.x, y: cp.y - cc.y, z: cp.z - cc.z };
  const acrossAlong = dot(across, n);
  let transform: RigidTransform = {
    ...identityTransform,
    translation: { x: across.x + (along - acrossAlong) * n.x, y: across.y + (along - acrossAlong) * n.y, z: across.z + (along - acrossAlong) * n.z },
  };
  // A coarse grid finds pairs while the scans are far apart; a fine one refines them.
  const coarse = new PointGrid(prior.points, maxPairDistanceMm);
  const fine = new PointGrid(prior.points, maxPairDistanceMm / 3);
  const [lo, hi] = [prior.sliceRange[0] + margin, prior.sliceRange[1] - margin];
  let rmsMm = Infinity;
  let pairs = 0;
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    const grid = rmsMm < maxPairDistanceMm / 6 ? fine : coarse;
    const found: { from: Vec3; to: Vec3; d2: number }[] = [];
    for (let m = 0; m < current.points.length / 3; m++) {
      const from = { x: current.points[3 * m], y: current.points[3 * m + 1], z: current.points[3 * m + 2] };
      const moved = applyTransform(transform, from);
      const along = dot(moved, prior.sliceNormal);
      if (along < lo || along > hi) continue;
      const hit = grid.nearest(moved.x, moved.y, moved.z);
      if (!hit) continue;
      found.push({ from, to: { x: prior.points[3 * hit.index], y: prior.points[3 * hit.index + 1], z: prior.points[3 * hit.index + 2] }, d2: hit.d2 });
    }
    found.sort((a, b) => a.d2 - b.d2);
    const kept = found.slice(0, Math.max(3, Math.floor(found.length * keepShare)));
    if (kept.length < 3) throw new RangeError('the lungs of the two scans do not overlap');
    const next = fitRigid(kept.map((p) => p.from), kept.map((p) => p.to));
    const previousRms = rmsMm;
    rmsMm = Math.sqrt(kept.reduce((s, p) => s + p.d2, 0) / kept.length);
    pairs = kept.length;
    const moved = pointDistanceMm(next.translation, transform.translation);
    transform = next;
    if (moved < 0.01 && Math.abs(previousRms - rmsMm) < 0.001) break;
  }
  return { transform, rmsMm, pairs, iterations };
}
