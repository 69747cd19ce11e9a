import type { BoxMask } from '../domain/mask.ts';
import type { Anatomy, AnatomySlice } from './anatomy.ts';
import { hu } from './anatomy.ts';
import type { PatientPose, ScanGrid } from './geometry.ts';
import { SliceFrame, anatomyToPatient, patientToVoxelPoint } from './geometry.ts';
import type { PlacedNodule } from './nodule-placement.ts';
import { addGaussianNoise } from './random.ts';
import { blurSlice, gaussianKernel, preBlurNoiseSigma } from './scanner.ts';
import type { TubeLayer } from './tubes.ts';
import { paintTubes } from './tubes.ts';

export interface ScannerModel {
  /** In-plane resolution: Gaussian sigma in mm. */
  readonly blurSigmaMm: number;
  /** Slice profile: a Gaussian of this FWHM. */
  readonly sliceThicknessMm: number;
  readonly noiseSigmaHu: number;
}

export interface RenderInput {
  readonly anatomy: Anatomy;
  readonly tubes: readonly TubeLayer[];
  readonly nodules: readonly PlacedNodule[];
  readonly grid: ScanGrid;
  readonly pose: PatientPose;
  readonly scanner: ScannerModel;
  /** Names the noise stream: the same seed and label give the same noise. */
  readonly noise: { readonly seed: number; readonly label: string };
}

/** What was painted for one nodule, in the scan's voxel grid. */
export interface RenderedNodule {
  /** Voxels at least half occupied, before blur. */
  readonly mask: BoxMask;
  /** Sum of occupancies times the voxel volume (mm³). */
  readonly volumeMm3: number;
}

/** Supersampling of nodule occupancy: 4 x 4 x 4 points per voxel. */
const supersampling = 4;

interface NoduleRaster {
  readonly nodule: PlacedNodule;
  readonly mask: BoxMask;
  occupiedVolume: number;
}

function noduleRaster(nodule: PlacedNodule, grid: ScanGrid, pose: PatientPose): NoduleRaster {
  const c = patientToVoxelPoint(grid, anatomyToPatient(pose, nodule.centre));
  const reachIn = nodule.shape.boundMm / grid.pixelSpacingMm + 1;
  const reachZ = nodule.shape.boundMm / grid.sliceSpacingMm + 1;
  const lo = [Math.max(0, Math.floor(c.x - reachIn)), Math.max(0, Math.floor(c.y - reachIn)), Math.max(0, Math.floor(c.z - reachZ))] as const;
  const hi = [Math.min(grid.columns - 1, Math.ceil(c.x + reachIn)), Math.min(grid.rows - 1, Math.ceil(c.y + reachIn)), Math.min(grid.slices - 1, Math.ceil(c.z + reachZ))];
  const size = [Math.max(0, hi[0] - lo[0] + 1), Math.max(0, hi[1] - lo[1] + 1), Math.max(0, hi[2] - lo[2] + 1)] as const;
  return { nodule, mask: { offset: lo, size, data: new Uint8Array(size[0] * size[1] * size[2]) }, occupiedVolume: 0 };
}

/**
 * Paints the nodules that cross slice k, mixing each in by its supersampled occupancy of the voxel.
 * A nodule only adds density (a vessel keeps showing through ground glass), and a part-solid core
 * is mixed in over its halo.
 */
function paintNodules(out: Float32Array, frame: SliceFrame, k: number, rasters: readonly NoduleRaster[], anatomy: Anatomy): void {
  const { grid } = frame;
  const n = supersampling;
  const dz = grid.sliceSpacingMm;
  const subZ = Array.from({ length: n }, (_, w) => ((w + 0.5) / n - 0.5) * dz);
  const subIn = Array.from({ length: n }, (_, u) => (u + 0.5) / n - 0.5);
  const voxelVolume = grid.pixelSpacingMm * grid.pixelSpacingMm * dz;
  const halfDiagonal = 0.5 * Math.hypot(grid.pixelSpacingMm, grid.pixelSpacingMm, dz);
  let subSlices: AnatomySlice[] | undefined;
  for (const raster of rasters) {
    const { mask, nodule } = raster;
    const kk = k - mask.offset[2];
    if (kk < 0 || kk >= mask.size[2]) continue;
    if (nodule.clipToLung) subSlices ??= subZ.map((z) => anatomy.slice(frame.z + z));
    const { shape, centre, core } = nodule;
    const coreCentre = core && { x: centre.x + core.offset.x, y: centre.y + core.offset.y, z: centre.z + core.offset.z };
    for (let jj = 0; jj < mask.size[1]; jj++) {
      const j = mask.offset[1] + jj;
      for (let ii = 0; ii < mask.size[0]; ii++) {
        const i = mask.offset[0] + ii;
        const x = frame.x0 + frame.xi * i + frame.xj * j;
        const y = frame.y0 + frame.yi * i + frame.yj * j;
        const ox = x - centre.x; const oy = y - centre.y; const oz = frame.z - centre.z;
        const r = Math.sqrt(ox * ox + oy * oy + oz * oz);
        if (r - halfDiagonal > shape.boundMm) continue;
        let inside = 0;
        let insideCore = 0;
        const whole = r + halfDiagonal < shape.innerMm && !nodule.clipToLung;
        if (whole) inside = n * n * n;
        for (let w = 0; w < n && !whole; w++) {
          const sz = oz + subZ[w];
          for (let v = 0; v < n; v++) {
            for (let u = 0; u < n; u++) {
              const sx = ox + subIn[u] * frame.xi + subIn[v] * frame.xj;
              const sy = oy + subIn[u] * frame.yi + subIn[v] * frame.yj;
              if (!shape.contains(sx, sy, sz)) continue;
              if (subSlices && anatomy.lungSide(centre.x + sx, centre.y + sy, subSlices[w]) === 0) continue;
              inside++;
            }
          }
        }
        if (inside === 0) continue;
        if (core && coreCentre) {
          const cx = x - coreCentre.x; const cy = y - coreCentre.y; const cz = frame.z - coreCentre.z;
          const rc = Math.sqrt(cx * cx + cy * cy + cz * cz);
          if (rc + halfDiagonal < core.radiusMm) insideCore = n * n * n;
          else if (rc - halfDiagonal < core.radiusMm) {
            const r2 = core.radiusMm * core.radiusMm;
            for (let w = 0; w < n; w++) for (let v = 0; v < n; v++) for (let u = 0; u < n; u++) {
              const sx = cx + subIn[u] * frame.xi + subIn[v] * frame.xj;
              const sy = cy + subIn[u] * frame.yi + subIn[v] * frame.yj;
              const sz = cz + subZ[w];
              if (sx * sx + sy * sy + sz * sz <= r2) insideCore++;
            }
          }
        }
        const occupancy = inside / (n * n * n);
        raster.occupiedVolume += occupancy * voxelVolume;
        if (occupancy >= 0.5) mask.data[ii + jj * mask.size[0] + kk * mask.size[0] * mask.size[1]] = 1;
        const index = i + j * grid.columns;
        let value = out[index];
        value += occupancy * Math.max(0, nodule.hu - value);
        if (core && insideCore > 0) value += (insideCore / (n * n * n)) * Math.max(0, core.hu - value);
        out[index] = value;
      }
    }
  }
}

/** The patient table, fixed in the scanner: a 6 mm cradle under the patient's back, rising at its sides. */
function paintTable(out: Float32Array, grid: ScanGrid): void {
  for (let j = 0; j < grid.rows; j++) {
    const y = grid.origin.y + j * grid.pixelSpacingMm;
    for (let i = 0; i < grid.columns; i++) {
      const x = grid.origin.x + i * grid.pixelSpacingMm;
      const top = 118 - 0.0006 * x * x;
      if (y >= top && y < top + 6 && x > -200 && x < 200 && out[i + j * grid.columns] === hu.air) out[i + j * grid.columns] = hu.table;
    }
  }
}

function paintAnatomy(out: Float32Array, frame: SliceFrame, anatomy: Anatomy): void {
  const s = anatomy.textured(frame.z);
  const { columns, rows } = frame.grid;
  for (let j = 0; j < rows; j++) {
    for (let i = 0; i < columns; i++) {
      out[i + j * columns] = anatomy.backgroundHu(frame.x0 + frame.xi * i + frame.xj * j, frame.y0 + frame.yi * i + frame.yj * j, s);
    }
  }
}

/**
 * Renders the scan slice by slice: anatomy, tubes and nodules at full resolution; white noise; the
 * in-plane blur (which turns the noise into CT-like correlated grain); then the slice profile across
 * a ring of slices, and rounding to Int16 HU. Memory: the Int16 volume plus a few Float32 slices.
 */
export function renderVolume(input: RenderInput): { voxels: Int16Array; nodules: RenderedNodule[] } {
  const { grid, anatomy, scanner } = input;
  const { columns, rows, slices } = grid;
  const size = columns * rows;
  const inPlane = gaussianKernel(scanner.blurSigmaMm / grid.pixelSpacingMm);
  const profile = gaussianKernel(scanner.sliceThicknessMm / 2.355 / grid.sliceSpacingMm);
  const noiseSigma = preBlurNoiseSigma(scanner.noiseSigmaHu, inPlane, profile);
  const radiusZ = (profile.length - 1) / 2;
  const ring = Array.from({ length: 2 * radiusZ + 1 }, () => new Float32Array(size));
  const scratch = new Float32Array(size);
  const voxels = new Int16Array(size * slices);
  const rasters = input.nodules.map((nodule) => noduleRaster(nodule, grid, input.pose));
  const tubeSubsamples = Math.min(4, Math.max(1, Math.round(grid.sliceSpacingMm / grid.pixelSpacingMm)));
  const tubeZ = Array.from({ length: tubeSubsamples }, (_, q) => ((q + 0.5) / tubeSubsamples - 0.5) * grid.sliceSpacingMm);

  const produce = (k: number): void => {
    const slice = ring[k % ring.length];
    const frame = new SliceFrame(grid, input.pose, grid.origin.z + k * grid.sliceSpacingMm);
    paintAnatomy(slice, frame, anatomy);
    paintTable(slice, grid);
    paintTubes(slice, frame, input.tubes, tubeZ);
    paintNodules(slice, frame, k, rasters, anatomy);
    if (noiseSigma > 0) addGaussianNoise(slice, noiseSigma, input.noise.seed, input.noise.label, k);
    blurSlice(slice, scratch, columns, rows, inPlane);
  };
  const emit = (k: number): void => {
    const out = voxels.subarray(k * size, (k + 1) * size);
    const source = (t: number) => ring[Math.min(Math.max(k + t, 0), slices - 1) % ring.length];
    const toHu = (v: number): number => {
      const r = Math.round(v);
      return r < -1024 ? -1024 : r > 3071 ? 3071 : r;
    };
    if (radiusZ === 1) {
      // The usual case (slice thickness = spacing): one fused pass instead of three.
      const [a, b, c] = [source(-1), source(0), source(1)];
      const [wa, wb, wc] = profile;
      for (let p = 0; p < size; p++) out[p] = toHu(wa * a[p] + wb * b[p] + wc * c[p]);
      return;
    }
    scratch.fill(0);
    for (let t = -radiusZ; t <= radiusZ; t++) {
      const from = source(t);
      const w = profile[t + radiusZ];
      for (let p = 0; p < size; p++) scratch[p] += w * from[p];
    }
    for (let p = 0; p < size; p++) out[p] = toHu(scratch[p]);
  };
  // Slice k can be emitted once slice k + radiusZ exists; the ring holds exactly the slices it needs.
  for (let k = 0; k < slices + radiusZ; k++) {
    if (k < slices) produce(k);
    if (k - radiusZ >= 0) emit(k - radiusZ);
  }
  return { voxels, nodules: rasters.map((r) => ({ mask: r.mask, volumeMm3: r.occupiedVolume })) };
}
