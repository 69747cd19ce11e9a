import type { Candidate } from '../domain/finding.ts';
import type { BoxMask } from '../domain/mask.ts';
import type { Volume } from '../domain/volume.ts';
import { componentMask, labelComponents } from '../imaging/connected-components.ts';
import { boundingBox, clipBox, cropBox, type Box, type Grid } from '../imaging/grid.ts';
import { dilate, erode } from '../imaging/morphology.ts';
import type { LungMask } from './lungs.ts';

export interface SegmentOptions {
  /** Density of aerated lung that the adaptive threshold is placed against. */
  readonly parenchymaHu?: number;
}

/**
 * Threshold limits. Solid nodules are cut at the half-way point between their core and the lung
 * (about -450 HU); ground-glass nodules (core -750..-300) need the threshold near -700
 * (LIDC readers draw just outside the nodule, so erring low matches them).
 */
const lowestThresholdHu = -720;
const highestThresholdHu = -500;
/** Opening radius as a share of the nodule radius: cuts vessels and wall contacts thinner than it. */
const openingShare = 0.3;

/**
 * 3D mask of the nodule at a candidate: adaptive threshold in a box sized from the candidate's
 * diameter, restricted to the (closed) lung so the chest wall stays out, opened to cut attached
 * vessels, keeping the component at the centre and growing it back within the threshold.
 * Returns undefined when nothing above the threshold lies at the centre.
 */
export function segmentNodule(volume: Volume, lungs: LungMask, candidate: Pick<Candidate, 'centreVoxel' | 'diameterMm'>, options: SegmentOptions = {}): BoxMask | undefined {
  const parenchymaHu = options.parenchymaHu ?? -850;
  let halfMm = firstHalfSizeMm(candidate.diameterMm);
  for (let attempt = 0; attempt < 2; attempt++) {
    const result = segmentInBox(volume, lungs, candidate, halfMm, parenchymaHu);
    if (!result || !result.touchesBox) return result?.mask;
    halfMm *= 1.8;
  }
  return segmentInBox(volume, lungs, candidate, halfMm, parenchymaHu)?.mask;
}

/**
 * One segmentation in a box of the first size, with whether the mask reaches the box's edge (the
 * object is larger than the candidate's scale said: often a vessel or hilar structure).
 */
export function segmentNoduleOnce(volume: Volume, lungs: LungMask, candidate: Pick<Candidate, 'centreVoxel' | 'diameterMm'>, options: SegmentOptions = {}):
  { mask: BoxMask; touchesBox: boolean } | undefined {
  return segmentInBox(volume, lungs, candidate, firstHalfSizeMm(candidate.diameterMm), options.parenchymaHu ?? -850);
}

const firstHalfSizeMm = (diameterMm: number) => Math.max(8, 1.25 * diameterMm) + 4;

function segmentInBox(volume: Volume, lungs: LungMask, candidate: Pick<Candidate, 'centreVoxel' | 'diameterMm'>, halfMm: number, parenchymaHu: number):
  { mask: BoxMask; touchesBox: boolean } | undefined {
  const c = candidate.centreVoxel;
  const half = volume.spacing.map((s) => halfMm / s);
  const box = clipBox([c.x - half[0], c.y - half[1], c.z - half[2]], [c.x + half[0], c.y + half[1], c.z + half[2]], volume.dims);
  const hu = cropBox(volume.voxels, volume.dims, box);
  const lung = cropBox(lungs.mask, volume.dims, box);
  const grid: Grid = { dims: box.size, spacing: volume.spacing };
  const centre = [c.x - box.offset[0], c.y - box.offset[1], c.z - box.offset[2]];

  const radiusMm = candidate.diameterMm / 2;
  const coreHu = coreDensity(hu, grid, centre, Math.max(1.5, radiusMm / 3));
  const threshold = Math.min(highestThresholdHu, Math.max(lowestThresholdHu, (coreHu + parenchymaHu) / 2));
  const foreground = new Uint8Array(hu.length);
  for (let n = 0; n < hu.length; n++) foreground[n] = hu[n] >= threshold && lung[n] ? 1 : 0;

  const openingMm = Math.max(Math.min(volume.spacing[0], volume.spacing[1]) * 1.01, openingShare * radiusMm);
  const core = erode(foreground, grid, openingMm);
  const seed = nearestSet(core, grid, centre, Math.max(radiusMm, 3));
  if (seed < 0) return undefined;
  const components = labelComponents(core, grid.dims);
  const grown = dilate(componentMask(components, components.labels[seed]), grid, openingMm);
  for (let n = 0; n < grown.length; n++) grown[n] &= foreground[n];
  const regrown = labelComponents(grown, grid.dims);
  const label = regrown.labels[nearestSet(grown, grid, centre, Infinity)];
  const nodule = componentMask(regrown, label);

  const bounds = boundingBox(nodule, grid.dims);
  if (!bounds) return undefined;
  const touchesBox = [0, 1, 2].some((a) => {
    const lo = bounds.offset[a];
    const hi = lo + bounds.size[a] - 1;
    return (lo === 0 && box.offset[a] > 0) || (hi === box.size[a] - 1 && box.offset[a] + box.size[a] < volume.dims[a]);
  });
  const data = cropBox(nodule, grid.dims, bounds);
  const offset: Box['offset'] = [box.offset[0] + bounds.offset[0], box.offset[1] + bounds.offset[1], box.offset[2] + bounds.offset[2]];
  return { mask: { offset, size: bounds.size, data }, touchesBox };
}

/** Mean of the densest half of the voxels within radiusMm of the centre: the nodule's core density. */
function coreDensity(hu: Int16Array, grid: Grid, centre: readonly number[], radiusMm: number): number {
  const values: number[] = [];
  forEachWithin(grid, centre, radiusMm, (n) => values.push(hu[n]));
  if (values.length === 0) return hu[nearestIndex(grid, centre)];
  values.sort((a, b) => b - a);
  const top = values.slice(0, Math.max(1, Math.ceil(values.length / 2)));
  return top.reduce((s, v) => s + v, 0) / top.length;
}

function forEachWithin(grid: Grid, centre: readonly number[], radiusMm: number, visit: (n: number) => void): void {
  const [nx, ny, nz] = grid.dims;
  const [sx, sy, sz] = grid.spacing;
  const r2 = radiusMm * radiusMm;
  for (let k = Math.max(0, Math.floor(centre[2] - radiusMm / sz)); k <= Math.min(nz - 1, Math.ceil(centre[2] + radiusMm / sz)); k++) {
    for (let j = Math.max(0, Math.floor(centre[1] - radiusMm / sy)); j <= Math.min(ny - 1, Math.ceil(centre[1] + radiusMm / sy)); j++) {
      for (let i = Math.max(0, Math.floor(centre[0] - radiusMm / sx)); i <= Math.min(nx - 1, Math.ceil(centre[0] + radiusMm / sx)); i++) {
        const d2 = ((i - centre[0]) * sx) ** 2 + ((j - centre[1]) * sy) ** 2 + ((k - centre[2]) * sz) ** 2;
        if (d2 <= r2) visit(i + j * nx + k * nx * ny);
      }
    }
  }
}

function nearestIndex(grid: Grid, centre: readonly number[]): number {
  const [nx, ny, nz] = grid.dims;
  const clamp = (v: number, n: number) => Math.min(n - 1, Math.max(0, Math.round(v)));
  return clamp(centre[0], nx) + clamp(centre[1], ny) * nx + clamp(centre[2], nz) * nx * ny;
}

/** Index of the set voxel nearest the centre within maxMm, or -1. */
function nearestSet(mask: Uint8Array, grid: Grid, centre: readonly number[], maxMm: number): number {
  const at = nearestIndex(grid, centre);
  if (mask[at]) return at;
  const [nx, ny] = grid.dims;
  const [sx, sy, sz] = grid.spacing;
  let best = -1;
  let bestD2 = maxMm * maxMm;
  for (let n = 0; n < mask.length; n++) {
    if (!mask[n]) continue;
    const i = n % nx;
    const j = Math.floor(n / nx) % ny;
    const k = Math.floor(n / (nx * ny));
    const d2 = ((i - centre[0]) * sx) ** 2 + ((j - centre[1]) * sy) ** 2 + ((k - centre[2]) * sz) ** 2;
    if (d2 < bestD2) { bestD2 = d2; best = n; }
  }
  return best;
}
