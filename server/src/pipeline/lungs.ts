import type { Volume } from '../domain/volume.ts';
import { labelComponents } from '../imaging/connected-components.ts';
import { downsampleMean, type SampledGrid } from '../imaging/downsample.ts';
import { boundingBox, clipBox, type Box } from '../imaging/grid.ts';
import { close, fillHolesPerSlice } from '../imaging/morphology.ts';

/** Values of LungMask.mask. Right and left are the patient's (patient left = +x in LPS). */
export const lungLabel = { outside: 0, right: 1, left: 2 } as const;

export interface LungMask {
  readonly found: boolean;
  /** Why no lungs were found (found = false). */
  readonly reason?: string;
  /**
   * Full volume grid: 0 outside, 1 right lung, 2 left lung (lungLabel). Closed so that nodules
   * attached to the chest wall or mediastinum lie inside; trachea and main bronchi excluded.
   */
  readonly mask: Uint8Array;
  /** Bounding box of the mask in volume voxels (empty size when not found). */
  readonly bounds: Box;
  readonly volumeMl: number;
  readonly rightVolumeMl: number;
  readonly leftVolumeMl: number;
}

export interface LungOptions {
  /** Voxels below this are air or aerated lung (Hu et al., IEEE TMI 20(6), 2001 use an adaptive ~-500). */
  readonly airThresholdHu?: number;
  /** Radius of the per-slice closing that pulls wall-attached nodules into the mask. */
  readonly closingRadiusMm?: number;
  /** Smallest 3D component kept as lung. */
  readonly minLungMl?: number;
}

/**
 * closingRadiusMm: a disc of radius r fills a wall-attached nodule's notch up to about 2r across. At
 * 10 mm the middle slices of a 22 mm juxtapleural phantom nodule stayed outside the mask (10 of 183
 * voxels in its widest slice; Dice 0.45); at 13 mm 163 of 183 (Dice 0.90), with the LIDC slabs'
 * findings unchanged. 28 mm ones need 14 mm (Dice 0.35-0.45 at 13, 0.70-0.91 at 14, four phantoms),
 * but at 14 mm the evaluation set gained a false positive of the model at 0.5 and the classical
 * detector lost 3 of its 23 hits; at 15 mm LIDC-IDRI-0001 took in a chest-wall false positive (0.6).
 */
const defaults = { airThresholdHu: -400, closingRadiusMm: 13, minLungMl: 20 };
/** In-plane and through-plane working resolution (mm) of the lung stage. */
const workingSpacingMm = 2;
/**
 * Airways hold pure air (about -1000 HU) where aerated lung averages -900..-700: a 2D blob this
 * dark and small in one slice is a trachea or main-bronchus cross-section, not lung.
 */
const airwayMeanHu = -950;
const airwayMaxAreaMm2 = 800;
/** A 3D component whose mean is below this is gas (bowel, stomach, airways), not aerated lung. */
const gasMeanHu = -975;

/**
 * Lung mask: threshold air, drop the air outside the body (slice by slice, air connected to the
 * image border), drop airway cross-sections and gas pockets, keep large 3D components, split
 * right/left, then close each lung per slice and fill its holes so vessels and juxtapleural
 * nodules fall inside. Runs on a grid of about 2 mm and is written back to the full grid.
 */
export function segmentLungs(volume: Volume, options: LungOptions = {}): LungMask {
  const { airThresholdHu, closingRadiusMm, minLungMl } = { ...defaults, ...options };
  const factors = volume.spacing.map((s) => Math.max(1, Math.round(workingSpacingMm / s))) as [number, number, number];
  const grid = downsampleMean(volume.voxels, volume, { offset: [0, 0, 0], size: volume.dims }, factors);
  const voxelMl = (grid.spacing[0] * grid.spacing[1] * grid.spacing[2]) / 1000;

  // Air enclosed by the body in each slice: fill the holes of the tissue mask and keep the air there.
  const air = new Uint8Array(grid.data.length);
  const tissue = new Uint8Array(grid.data.length);
  for (let n = 0; n < air.length; n++) {
    air[n] = grid.data[n] < airThresholdHu ? 1 : 0;
    tissue[n] = 1 - air[n];
  }
  const enclosed = fillHolesPerSlice(tissue, grid.dims);
  for (let n = 0; n < air.length; n++) air[n] &= enclosed[n];

  removeAirwaySections(air, grid);

  const components = labelComponents(air, grid.dims);
  const sums = new Float64Array(components.count + 1);
  const sumX = new Float64Array(components.count + 1);
  const xAt = patientXOfGrid(volume, grid);
  for (let n = 0; n < air.length; n++) {
    const c = components.labels[n];
    if (!c) continue;
    sums[c] += grid.data[n];
    sumX[c] += xAt(n);
  }
  const lungs: number[] = [];
  for (let c = 1; c <= components.count; c++) {
    const size = components.sizes[c];
    if (size * voxelMl >= minLungMl && sums[c] / size >= gasMeanHu) lungs.push(c);
  }
  const empty: LungMask = {
    found: false, mask: new Uint8Array(volume.voxels.length), bounds: { offset: [0, 0, 0], size: [0, 0, 0] },
    volumeMl: 0, rightVolumeMl: 0, leftVolumeMl: 0,
  };
  if (lungs.length === 0) {
    return { ...empty, reason: `No aerated lung found (no air-filled region of at least ${minLungMl} ml inside the body with lung density); the series may not cover the chest` };
  }

  // Sides: two large components are the two lungs; otherwise (lungs touching at the anterior
  // junction, or one lung) split at the midline of the aerated region.
  const totalSize = lungs.reduce((s, c) => s + components.sizes[c], 0);
  const midlineX = lungs.reduce((s, c) => s + sumX[c], 0) / totalSize;
  const bySize = [...lungs].sort((a, b) => components.sizes[b] - components.sizes[a]);
  const twoLungs = bySize.length >= 2 && components.sizes[bySize[1]] > 0.2 * components.sizes[bySize[0]]
    && Math.sign(sumX[bySize[0]] / components.sizes[bySize[0]] - midlineX) !== Math.sign(sumX[bySize[1]] / components.sizes[bySize[1]] - midlineX);
  const sideOfComponent = new Uint8Array(components.count + 1);
  for (const c of lungs) {
    sideOfComponent[c] = sumX[c] / components.sizes[c] > midlineX ? lungLabel.left : lungLabel.right;
  }
  const sides = [new Uint8Array(air.length), new Uint8Array(air.length)];
  for (let n = 0; n < air.length; n++) {
    const c = components.labels[n];
    const side = sideOfComponent[c];
    if (!side) continue;
    const label = twoLungs ? side : xAt(n) > midlineX ? lungLabel.left : lungLabel.right;
    sides[label - 1][n] = 1;
  }

  const labels = new Uint8Array(air.length);
  for (const side of [lungLabel.right, lungLabel.left]) {
    const closed = closeAndFillWithinBounds(sides[side - 1], grid, closingRadiusMm);
    for (let n = 0; n < labels.length; n++) if (closed[n] && !labels[n]) labels[n] = side;
  }

  // Bounds and volumes come from the sampled grid (each sampled voxel stands for its block of full
  // voxels, partial at the far edges): no passes over the full 512 x 512 x 320 grid but the write-back.
  // At least one lung component was kept, so the labels are not empty.
  const gridBounds = boundingBox(labels, grid.dims)!;
  const lower = [0, 1, 2].map((a) => gridBounds.offset[a] * factors[a]);
  const upper = [0, 1, 2].map((a) => Math.min(volume.dims[a], (gridBounds.offset[a] + gridBounds.size[a]) * factors[a]) - 1);
  const bounds = clipBox(lower, upper, volume.dims);
  const mask = upsampleLabels(labels, grid, volume, bounds);
  const fullVoxelMl = (volume.spacing[0] * volume.spacing[1] * volume.spacing[2]) / 1000;
  const blockLength = (a: 0 | 1 | 2, index: number) => Math.min(factors[a], volume.dims[a] - index * factors[a]);
  let right = 0;
  let left = 0;
  for (let c = 0, n = 0; c < grid.dims[2]; c++) {
    for (let b = 0; b < grid.dims[1]; b++) {
      for (let a = 0; a < grid.dims[0]; a++, n++) {
        if (!labels[n]) continue;
        const voxels = blockLength(0, a) * blockLength(1, b) * blockLength(2, c);
        if (labels[n] === lungLabel.right) right += voxels;
        else left += voxels;
      }
    }
  }
  return {
    found: true, mask, bounds,
    volumeMl: (right + left) * fullVoxelMl, rightVolumeMl: right * fullVoxelMl, leftVolumeMl: left * fullVoxelMl,
  };
}

/** Patient x (mm) of a sampled-grid voxel, as a function of its linear index (each axis's term computed once). */
function patientXOfGrid(volume: Volume, grid: SampledGrid): (n: number) => number {
  const [nx, ny] = grid.dims;
  const plane = nx * ny;
  const axisTerms = (count: number, factor: number, spacing: number, direction: number) =>
    Float64Array.from({ length: count }, (_, index) => (index * factor + (factor - 1) / 2) * spacing * direction);
  const [u, v, w] = volume.direction;
  const columns = axisTerms(grid.dims[0], grid.factors[0], volume.spacing[0], u.x);
  const rows = axisTerms(grid.dims[1], grid.factors[1], volume.spacing[1], v.x);
  const slices = axisTerms(grid.dims[2], grid.factors[2], volume.spacing[2], w.x);
  return (n: number) => volume.origin.x + columns[n % nx] + rows[((n / nx) | 0) % ny] + slices[(n / plane) | 0];
}

/** Clears, slice by slice, small blobs of almost pure air: trachea and main-bronchus sections. */
function removeAirwaySections(air: Uint8Array, grid: SampledGrid): void {
  const sections = labelComponents(air, grid.dims, true);
  const sums = new Float64Array(sections.count + 1);
  for (let n = 0; n < air.length; n++) if (sections.labels[n]) sums[sections.labels[n]] += grid.data[n];
  const pixelMm2 = grid.spacing[0] * grid.spacing[1];
  const airway = new Uint8Array(sections.count + 1);
  for (let c = 1; c <= sections.count; c++) {
    const size = sections.sizes[c];
    airway[c] = size * pixelMm2 <= airwayMaxAreaMm2 && sums[c] / size < airwayMeanHu ? 1 : 0;
  }
  for (let n = 0; n < air.length; n++) if (airway[sections.labels[n]]) air[n] = 0;
}

/**
 * Per-slice closing and hole filling restricted to the mask's bounding box plus the radius (the rest
 * stays 0). The box may reach past the grid's edge, with nothing set there: the erosion does not
 * erode from beyond the grid, so a lung near the edge of a tight field of view would otherwise keep
 * its dilation there. The box's border is background joined to the rest of the slice's, so its
 * holes are the slice's.
 */
function closeAndFillWithinBounds(mask: Uint8Array, grid: SampledGrid, radiusMm: number): Uint8Array {
  const box = boundingBox(mask, grid.dims);
  if (!box) return mask;
  const margin = [0, 1].map((a) => Math.ceil(radiusMm / grid.spacing[a]) + 1);
  const lo = [box.offset[0] - margin[0], box.offset[1] - margin[1], box.offset[2]];
  const dims: [number, number, number] = [box.size[0] + 2 * margin[0], box.size[1] + 2 * margin[1], box.size[2]];
  // The columns and rows of the widened box that lie in the grid.
  const [i0, j0] = [Math.max(0, lo[0]), Math.max(0, lo[1])];
  const [i1, j1] = [Math.min(grid.dims[0], lo[0] + dims[0]), Math.min(grid.dims[1], lo[1] + dims[1])];
  const [nx, ny] = grid.dims;
  const sub = new Uint8Array(dims[0] * dims[1] * dims[2]);
  const copy = (toSub: boolean, target: Uint8Array, source: Uint8Array) => {
    for (let k = 0; k < dims[2]; k++) {
      for (let j = j0; j < j1; j++) {
        const full = (lo[2] + k) * nx * ny + j * nx;
        const local = (j - lo[1] + k * dims[1]) * dims[0] - lo[0];
        if (toSub) target.set(source.subarray(full + i0, full + i1), local + i0);
        else target.set(source.subarray(local + i0, local + i1), full + i0);
      }
    }
  };
  copy(true, sub, mask);
  const closed = fillHolesPerSlice(close(sub, { dims, spacing: grid.spacing }, radiusMm, true), dims);
  const out = new Uint8Array(mask.length);
  copy(false, out, closed);
  return out;
}

/** Nearest-neighbour write-back of the sampled grid's labels onto the full volume grid, within `bounds`. */
function upsampleLabels(labels: Uint8Array, grid: SampledGrid, volume: Volume, bounds: Box): Uint8Array {
  const [nx, ny, nz] = volume.dims;
  const [gx, gy] = grid.dims;
  const [fx, fy, fz] = grid.factors;
  const [x0, y0, z0] = bounds.offset;
  const [x1, y1, z1] = [0, 1, 2].map((a) => bounds.offset[a] + bounds.size[a]);
  const mask = new Uint8Array(nx * ny * nz);
  const columnOf = new Int32Array(nx);
  for (let i = 0; i < nx; i++) columnOf[i] = Math.floor(i / fx);
  for (let k = z0; k < z1; k++) {
    const c = Math.floor(k / fz);
    for (let j = y0; j < y1; j++) {
      const row = (Math.floor(j / fy) + c * gy) * gx;
      const base = j * nx + k * nx * ny;
      for (let i = x0; i < x1; i++) mask[base + i] = labels[row + columnOf[i]];
    }
  }
  return mask;
}
