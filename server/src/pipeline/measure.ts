import { lungRadsMeanDiameterMm } from '../clinical/lungrads.ts';
import type { AxisLine, Finding, Laterality, LungZone, NoduleType } from '../domain/finding.ts';
import type { BoxMask } from '../domain/mask.ts';
import { voxelToPatient, type Vec3, type Volume } from '../domain/volume.ts';
import { componentMask, labelComponents } from '../imaging/connected-components.ts';
import { solidTissueHu } from '../imaging/attenuation.ts';
import { squaredDistanceTo } from '../imaging/distance-transform.ts';
import { clipBox, cropBox, pasteBox, type Grid } from '../imaging/grid.ts';
import { open } from '../imaging/morphology.ts';
import { equivalentDiameterMm } from '../imaging/sphere.ts';
import { median } from '../imaging/statistics.ts';
import { lungLabel, type LungMask } from './lungs.ts';

/** A Finding before it is ranked among the others (index) and given its tracking UID. */
export type NoduleMeasurement = Omit<Finding, 'index' | 'trackingUid'>;

/**
 * The solid component of a part-solid nodule is looked for here, below solidTissueHu: a core of a
 * few millimetres loses its peak to blur and partial volume, and at -300 HU measured 1-2 mm small on
 * phantom cores (axes between pixel centres); -400 HU still lies above the densest ground glass
 * (about -450 HU).
 */
const solidComponentHu = -400;
/**
 * The solid component found is measured on its voxels at or above this. Since the axes run to the
 * mask's outline (2026-11-28), the -400 HU outline measured the phantoms' cores 0.8 mm large (median
 * error; 31 part-solid nodules found with a core on phantom sets seeds 1, 5, 9 and 13), the -350 HU
 * voxels 0.3 mm (median absolute error 0.8 -> 0.5 mm), with the same types; looking for the cores
 * at -350 HU as well lost one (a part-solid nodule called ground glass).
 */
const solidComponentMeasuredHu = -350;
/** Share of the nodule's voxels that are solid above which the nodule is called solid. */
const solidShare = 0.5;
/**
 * A solid component narrower than this share of its length (on its slice of largest extent) is a
 * vessel crossing the nodule: on phantom set seed 1 the four ground-glass nodules called part-solid
 * had "cores" of 5 x 0, 5 x 0, 13.3 x 1.4 and 21.3 x 4.4 mm (aspect 0-0.21); the part-solid cores
 * measured 0.32-1. Only one of the four is ground glass now: in the other three a short vessel
 * fragment (e.g. 3.1 x 1.4 mm) beside the vessel passes as a core.
 */
const minCoreAspect = 0.3;
/** Solid components looked at, largest first, for one that is not a vessel. */
const coreCandidates = 5;
/** A solid core smaller than this (mean diameter) is not a measurable solid component. */
const minSolidComponentMm = 1.5;
/** A nodule this close to non-lung tissue (chest wall, mediastinum, diaphragm) is juxtapleural. */
const pleuraContactMm = 3;
/** Share of the volume in protrusions at which the spiculation estimate reaches 1. */
const spiculationFullShare = 0.1;

/**
 * Measures one segmented nodule: centroid, Lung-RADS long and short axes on the axial slice of
 * largest extent, volume, density, type, laterality, zone, contact with the pleura, spiculation.
 */
export function measureNodule(volume: Volume, lungs: LungMask, mask: BoxMask, probability: number): NoduleMeasurement {
  const [sx, sy, sz] = volume.spacing;
  const [bx, by, bz] = mask.size;
  const [ox, oy, oz] = mask.offset;
  const [nx, ny] = volume.dims;
  let count = 0;
  let solid = 0;
  let sumHu = 0;
  let maxHu = -Infinity;
  let cx = 0;
  let cy = 0;
  let cz = 0;
  const sides = [0, 0, 0];
  const solidMask = new Uint8Array(mask.data.length);
  for (let k = 0, n = 0; k < bz; k++) {
    for (let j = 0; j < by; j++) {
      for (let i = 0; i < bx; i++, n++) {
        if (!mask.data[n]) continue;
        const at = ox + i + (oy + j) * nx + (oz + k) * nx * ny;
        const hu = volume.voxels[at];
        count++;
        sumHu += hu;
        if (hu > maxHu) maxHu = hu;
        if (hu >= solidTissueHu) solid++;
        if (hu >= solidComponentHu) solidMask[n] = hu >= solidComponentMeasuredHu ? 2 : 1;
        cx += i; cy += j; cz += k;
        sides[lungs.mask[at]]++;
      }
    }
  }
  if (count === 0) throw new Error('measureNodule: the mask is empty');
  const centroidVoxel: Vec3 = { x: ox + cx / count, y: oy + cy / count, z: oz + cz / count };
  const centroidMm = voxelToPatient(volume, centroidVoxel);
  const { longAxis, shortAxis } = axialAxes(mask, volume.spacing);
  const meanDiameterMm = meanDiameterOf({ longAxis, shortAxis });

  const { type, solidComponentMm } = classifyDensity(mask, solidMask, solid / count, volume.spacing, meanDiameterMm);
  return {
    probability,
    centroidVoxel,
    centroidMm,
    longAxis,
    shortAxis,
    meanDiameterMm,
    volumeMm3: count * sx * sy * sz,
    meanHu: sumHu / count,
    maxHu,
    type,
    ...(solidComponentMm !== undefined ? { solidComponentMm } : {}),
    laterality: laterality(sides, volume, lungs, centroidMm),
    zone: zone(volume, lungs, centroidMm),
    juxtapleural: touchesPleura(volume, lungs, mask),
    spiculation: estimateSpiculation(mask, volume.spacing, count * sx * sy * sz),
    mask,
  };
}

const meanDiameterOf = ({ longAxis, shortAxis }: { longAxis: AxisLine; shortAxis: AxisLine }) => lungRadsMeanDiameterMm(longAxis.lengthMm, shortAxis.lengthMm);

/**
 * Lung-RADS v2022 axes: the longest in-plane diameter over all axial slices, then on that slice the
 * longest diameter perpendicular to it. Diameters run between points of the mask's outline, taken
 * where it crosses each edge pixel's sides that face outside (the mid-points of those sides: the
 * outline at level one half of the binary mask, as radiomics software measures it). Between the
 * pixels' centres, as until 2026-11-28, discs of 3.4-14.6 mm measured at 40 positions on the grid
 * came out 0.2-0.4 pixel short on the long axis and 1.2-1.4 on the short, a mean diameter 0.75 pixel
 * short (0.5 mm on clinical CT, enough to move a nodule across Lung-RADS's 6 and 8 mm limits);
 * between the mid-points, the long axis (the longest of many chords) 0.5-0.7 pixel long, the short
 * within 0.16, the mean diameter 0.2-0.4 long (measure.test.ts). Endpoints are voxel coordinates,
 * half-integer where they lie on a pixel's side.
 */
export function axialAxes(mask: BoxMask, spacing: readonly [number, number, number]): { longAxis: AxisLine; shortAxis: AxisLine } {
  const [bx, by, bz] = mask.size;
  const [sx, sy] = spacing;
  let best: { k: number; a: number[]; b: number[]; length: number; points: number[][] } | undefined;
  for (let k = 0; k < bz; k++) {
    const points: number[][] = [];
    for (let j = 0; j < by; j++) {
      for (let i = 0; i < bx; i++) {
        const n = i + j * bx + k * bx * by;
        if (!mask.data[n]) continue;
        if (i === 0 || !mask.data[n - 1]) points.push([i - 0.5, j]);
        if (i === bx - 1 || !mask.data[n + 1]) points.push([i + 0.5, j]);
        if (j === 0 || !mask.data[n - bx]) points.push([i, j - 0.5]);
        if (j === by - 1 || !mask.data[n + bx]) points.push([i, j + 0.5]);
      }
    }
    for (let p = 0; p < points.length; p++) {
      for (let q = p; q < points.length; q++) {
        const length = Math.hypot((points[p][0] - points[q][0]) * sx, (points[p][1] - points[q][1]) * sy);
        if (!best || length > best.length) best = { k, a: points[p], b: points[q], length, points };
      }
    }
  }
  if (!best) throw new Error('axialAxes: the mask is empty');
  const { k, a, b, points } = best;
  const ux = ((b[0] - a[0]) * sx) / (best.length || 1);
  const uy = ((b[1] - a[1]) * sy) / (best.length || 1);
  // Two edge points form a perpendicular chord when their positions along the long axis agree to
  // within half a pixel.
  const tolerance = 0.5 * Math.min(sx, sy);
  const along = points.map(([i, j]) => i * sx * ux + j * sy * uy);
  const across = points.map(([i, j]) => -i * sx * uy + j * sy * ux);
  let short = { p: 0, q: 0, length: 0 };
  for (let p = 0; p < points.length; p++) {
    for (let q = p + 1; q < points.length; q++) {
      if (Math.abs(along[p] - along[q]) > tolerance) continue;
      const length = Math.abs(across[p] - across[q]);
      if (length > short.length) short = { p, q, length };
    }
  }
  const toVolume = ([i, j]: number[]): Vec3 => ({ x: mask.offset[0] + i, y: mask.offset[1] + j, z: mask.offset[2] + k });
  const shortLength = short.length > 0 ? Math.hypot((points[short.p][0] - points[short.q][0]) * sx, (points[short.p][1] - points[short.q][1]) * sy) : 0;
  return {
    longAxis: { start: toVolume(a), end: toVolume(b), lengthMm: best.length },
    shortAxis: { start: toVolume(points[short.p]), end: toVolume(points[short.q]), lengthMm: shortLength },
  };
}

/**
 * Solid, part-solid (with the solid component's mean diameter) or ground glass. `solidMask` is 1
 * where a voxel is at or above solidComponentHu, 2 where also at or above solidComponentMeasuredHu.
 */
function classifyDensity(mask: BoxMask, solidMask: Uint8Array, share: number, spacing: readonly [number, number, number], meanDiameterMm: number):
  { type: NoduleType; solidComponentMm?: number } {
  if (share >= solidShare) return { type: 'solid' };
  const components = labelComponents(solidMask, mask.size);
  const largestFirst = Array.from({ length: components.count }, (_, n) => n + 1)
    .sort((a, b) => components.sizes[b] - components.sizes[a])
    .slice(0, coreCandidates);
  for (const label of largestFirst) {
    const core: BoxMask = { offset: mask.offset, size: mask.size, data: componentMask(components, label) };
    const coreAxes = axialAxes(core, spacing);
    // A vessel (or a scar) running through ground glass is solid but not a solid component.
    if (coreAxes.shortAxis.lengthMm < minCoreAspect * coreAxes.longAxis.lengthMm) continue;
    const solidComponentMm = meanDiameterOf(coreAxes);
    if (solidComponentMm < minSolidComponentMm) return { type: 'ground-glass' };
    // Core and nodule are measured on their own slices of largest extent, so a core that fills the
    // nodule can measure wider than it (LIDC-IDRI-0003: a 3.1 mm core in a 3.0 mm nodule). A core as
    // large as the nodule leaves no ground-glass rim: the nodule is solid.
    if (solidComponentMm >= meanDiameterMm) return { type: 'solid' };
    const measured = core.data.map((inCore, n) => (inCore && solidMask[n] === 2 ? 1 : 0));
    if (!measured.includes(1)) return { type: 'part-solid', solidComponentMm };
    return { type: 'part-solid', solidComponentMm: meanDiameterOf(axialAxes({ ...core, data: measured }, spacing)) };
  }
  return { type: 'ground-glass' };
}

function laterality(sides: readonly number[], volume: Volume, lungs: LungMask, centroidMm: Vec3): Laterality {
  if (sides[lungLabel.left] !== sides[lungLabel.right]) return sides[lungLabel.left] > sides[lungLabel.right] ? 'left' : 'right';
  const b = lungs.bounds;
  const middle = voxelToPatient(volume, { x: b.offset[0] + (b.size[0] - 1) / 2, y: b.offset[1] + (b.size[1] - 1) / 2, z: b.offset[2] });
  return centroidMm.x > middle.x ? 'left' : 'right';
}

/** Thirds of the lungs' craniocaudal extent (patient +z is superior in LPS). */
function zone(volume: Volume, lungs: LungMask, centroidMm: Vec3): LungZone {
  const b = lungs.bounds;
  const first = voxelToPatient(volume, { x: 0, y: 0, z: b.offset[2] }).z;
  const last = voxelToPatient(volume, { x: 0, y: 0, z: b.offset[2] + b.size[2] - 1 }).z;
  const bottom = Math.min(first, last);
  const height = Math.abs(last - first);
  if (height === 0) return 'middle';
  const position = (centroidMm.z - bottom) / height;
  return position >= 2 / 3 ? 'upper' : position < 1 / 3 ? 'lower' : 'middle';
}

/** True when non-lung tissue lies within pleuraContactMm of the nodule. */
function touchesPleura(volume: Volume, lungs: LungMask, mask: BoxMask): boolean {
  const margin = volume.spacing.map((s) => Math.ceil(pleuraContactMm / s));
  const box = clipBox(
    [0, 1, 2].map((a) => mask.offset[a] - margin[a]),
    [0, 1, 2].map((a) => mask.offset[a] + mask.size[a] - 1 + margin[a]),
    volume.dims,
  );
  const grid: Grid = { dims: box.size, spacing: volume.spacing };
  const nodule = new Uint8Array(box.size[0] * box.size[1] * box.size[2]);
  const [bx, by, bz] = mask.size;
  for (let k = 0, n = 0; k < bz; k++) {
    for (let j = 0; j < by; j++) {
      for (let i = 0; i < bx; i++, n++) {
        if (!mask.data[n]) continue;
        const x = mask.offset[0] + i - box.offset[0];
        const y = mask.offset[1] + j - box.offset[1];
        const z = mask.offset[2] + k - box.offset[2];
        nodule[x + y * box.size[0] + z * box.size[0] * box.size[1]] = 1;
      }
    }
  }
  const lung = cropBox(lungs.mask, volume.dims, box);
  const d = squaredDistanceTo(nodule, grid, 1);
  const limit = pleuraContactMm * pleuraContactMm;
  for (let n = 0; n < lung.length; n++) if (!lung[n] && d[n] <= limit) return true;
  return false;
}

/**
 * Share of the nodule in thin protrusions: voxels that an opening with a ball of 0.3 of the
 * equivalent radius removes and that lie more than a voxel beyond the opened body. Digitised corners
 * and elongation are not counted (they are within a voxel of the opened body, or survive it);
 * spicules and narrow lobes are. Mapped to 0..1: a round nodule about 0, spicules on a tenth of the
 * volume 1 (calibrated on phantom nodules, `spiculationFullShare`).
 */
export function estimateSpiculation(mask: BoxMask, spacing: readonly [number, number, number], volumeMm3: number): number {
  const grid: Grid = { dims: mask.size, spacing };
  const radius = Math.max(Math.min(spacing[0], spacing[1]) * 1.01, 0.3 * (equivalentDiameterMm(volumeMm3) / 2));
  const opened = open(mask.data, grid, radius);
  const beyond = squaredDistanceTo(opened, grid, 1);
  const voxel2 = (Math.max(...spacing) * 1.01) ** 2;
  let total = 0;
  let protruding = 0;
  for (let n = 0; n < mask.data.length; n++) {
    if (!mask.data[n]) continue;
    total++;
    if (beyond[n] > voxel2) protruding++;
  }
  return Math.min(1, protruding / total / spiculationFullShare);
}

/** Density a small nodule's excess attenuation is counted at: soft tissue (solid nodules read about -100 to +60 HU). */
const softTissueHu = 0;
/** A small nodule's attenuation is summed this far around its mask (mm): its partial-volume edge and the scanner's blur. */
const attenuationSpreadMm = 3;
/** The parenchyma is read in a shell this much farther out (mm), from lung voxels below -500 HU (no vessels). */
const parenchymaShellMm = 3;

/**
 * Equal-volume diameter of the soft tissue that a small mask's attenuation amounts to. Blur and
 * partial volume spread a nodule only a few voxels across over its neighbours, and a threshold keeps
 * only their core: a 4 mm solid nodule at 1.4 x 1.4 x 2 mm was masked as 3 voxels (2.8 mm, under
 * the 3 mm reporting floor; phantom set seeds 9 and 13). The attenuation above the parenchyma
 * survives the blur. It is summed over lung voxels within `attenuationSpreadMm` of the mask (the
 * chest wall beside a juxtapleural nodule is not counted) and divided by soft tissue's excess over
 * the parenchyma; subsolid nodules come out smaller than they are.
 */
export function attenuationEquivalentDiameterMm(volume: Volume, lungs: LungMask, mask: BoxMask): number {
  const reach = volume.spacing.map((s) => Math.ceil((attenuationSpreadMm + parenchymaShellMm) / s));
  const box = clipBox(mask.offset.map((o, a) => o - reach[a]), mask.offset.map((o, a) => o + mask.size[a] - 1 + reach[a]), volume.dims);
  const grid: Grid = { dims: box.size, spacing: volume.spacing };
  const inBox = new Uint8Array(box.size[0] * box.size[1] * box.size[2]);
  pasteBox(inBox, box.size, { offset: mask.offset.map((o, a) => o - box.offset[a]) as [number, number, number], size: mask.size }, mask.data);
  const distance2 = squaredDistanceTo(inBox, grid, 1);
  const hu = cropBox(volume.voxels, volume.dims, box);
  const lung = cropBox(lungs.mask, volume.dims, box);
  const nearHu: number[] = [];
  const parenchyma: number[] = [];
  for (let n = 0; n < hu.length; n++) {
    if (!lung[n]) continue;
    if (distance2[n] <= attenuationSpreadMm ** 2) nearHu.push(hu[n]);
    else if (distance2[n] <= (attenuationSpreadMm + parenchymaShellMm) ** 2 && hu[n] < -500) parenchyma.push(hu[n]);
  }
  if (parenchyma.length === 0) return 0;
  const background = median(parenchyma);
  const excess = nearHu.reduce((sum, v) => sum + Math.max(0, v - background), 0);
  const [sx, sy, sz] = volume.spacing;
  const volumeMm3 = (excess / (softTissueHu - background)) * sx * sy * sz;
  return equivalentDiameterMm(volumeMm3);
}
