import type { Candidate } from '../domain/finding.ts';
import { boxMaskCentroid, boxMaskVoxelCount, type BoxMask } from '../domain/mask.ts';
import type { Volume } from '../domain/volume.ts';
import { componentOf, labelComponents } from '../imaging/connected-components.ts';
import { boundingBox, clipBox, cropBox, type Box, type Grid } from '../imaging/grid.ts';
import { squaredDistanceWithin } from '../imaging/distance-transform.ts';
import { solidTissueHu } from '../imaging/attenuation.ts';
import { erode, fillHolesPerSlice } from '../imaging/morphology.ts';
import { equivalentDiameterMm } from '../imaging/sphere.ts';
import type { LungMask } from './lungs.ts';

/** What segmentation takes of a candidate. */
export type SegmentedCandidate = Pick<Candidate, 'centreVoxel' | 'diameterMm' | 'subsolid'>;

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
/** How far (share of the radius, at least the minimum) beyond the opened body a spicule or lobe is put back. */
const protrusionShare = 0.6;
const minProtrusionMm = 4;
/**
 * A structure that runs on past the reach (a vessel, a spicule merging into one) is kept for this
 * share of the reach: LIDC readers' outlines take in the root of such a strand at the nodule's edge.
 * Tuned on the two LIDC slabs (long-axis error -1.9 and -0.2 mm at 0.6; 0.25 leaves it 5 mm short).
 */
const runOnShare = 0.6;
/**
 * Ball (share of the radius, at least 3 mm) that bounds a nodule too small for the opening. On
 * phantom set seed 1 the opening removed whole 5-8 mm solid, part-solid and ground-glass nodules
 * (two or three voxels across at 1.4 mm), so no finding could be made of them at any score.
 */
const smallBodyShare = 1.25;
/** A mask over this many times the candidate's sphere, with strands leaving it, has leaked into a vessel. */
const leakVolumeFactor = 8;
/** Openings (mm) tried on a leaked mask: cut vessels up to about 4 and 5.6 mm thick. */
const strongerOpeningsMm = [2, 2.8];
/**
 * Openings (share of the radius) also tried in the largest box on a mask that still reaches its edge
 * along strands: a 12-16 mm nodule on a hilar vessel, which the fixed openings do not cut. Before,
 * no mask came of it, so no finding: 10 of 24 solid juxtavascular phantom nodules of 12-28 mm,
 * segmented at their true centre and size; now all 24 (Dice 0.69-0.94).
 */
const fittingOpeningShares = [0.45, 0.6];
/** Typical ground-glass attenuation (-750..-300 HU, Fleischner glossary): the halo threshold sits half-way to the lung. */
const groundGlassHu = -520;
/**
 * A halo-threshold mask this much wider (radius of the equal-volume sphere, mm) than the solid one,
 * with no strand that the solid mask lacks, is a ground-glass rim, however thin: a solid nodule's
 * blurred edge adds 0.4-0.6 mm (phantoms at 0.7 mm blur), the halos of 6-8 mm part-solid nodules
 * 0.8-1 mm, too thin for the interior test. The fuzzy edges of LIDC's two solid nodules add 1.4 and
 * 2.2 mm, but with vessels and spicules the solid mask did not take in (4 to 5 and 3 to 9 strands).
 */
const minHaloThicknessMm = 0.8;
/**
 * A subsolid candidate's usual mask this many times the ground-glass one, with as many strands or
 * more, ran into the vessels the nodule lies on. On phantom set seed 1 three subsolid nodules of
 * 7-18 mm on vessels had usual masks of 1.7-34 times their volume, reaching the box (Dice
 * 0.05-0.73), and ground-glass outlines of 0.9-1.8 times (Dice 0.72-0.88); at the other
 * subsolid-pass proposals on its nodules the usual mask was kept. A 6 mm ground-glass nodule on
 * seed 5 had a usual mask 2.4 times its ground-glass one, with the same one strand, centred 3.4 mm
 * off it on the vessel (more strands were asked for until then; seed 1's masks did not change).
 */
const vesselRunFactor = 2;
const airHu = -1000;
/** Share of a halo-threshold mask's interior that must be ground glass to call the nodule subsolid. */
const groundGlassRimShare = 0.3;

/**
 * 3D mask of the nodule at a candidate: adaptive threshold in a box sized from the candidate's
 * diameter, restricted to the (closed) lung so the chest wall stays out, opened to cut attached
 * vessels, keeping the component at the centre and growing it back within the threshold (a
 * candidate from the subsolid pass may be outlined as ground glass instead: `segmentCrop`).
 * Returns undefined when nothing above the threshold lies at the centre, or when the object still
 * reaches the edge of the largest box: over 52 mm across, it is chest wall, diaphragm or hilum
 * taken into the closed lung mask, not a nodule (on LIDC-IDRI-0003 model 1.3.0 reported two such,
 * of 59 and 62 mm; masses beyond Lung-RADS' 30 mm nodules are out of the detector's scope).
 */
export function segmentNodule(volume: Volume, lungs: LungMask, candidate: SegmentedCandidate, options: SegmentOptions = {}): BoxMask | undefined {
  const parenchymaHu = options.parenchymaHu ?? -850;
  let halfMm = firstHalfSizeMm(candidate.diameterMm);
  for (;;) {
    const lastBox = halfMm >= largestHalfSizeMm;
    const result = segmentInBox(volume, lungs, candidate, halfMm, parenchymaHu, lastBox);
    if (!result || !result.touchesBox) return result?.mask;
    if (lastBox) return undefined;
    halfMm = Math.min(largestHalfSizeMm, halfMm * 1.8);
  }
}

export interface NoduleSegmentation {
  readonly mask: BoxMask;
  /** The mask reaches the box's edge: the object is larger than the candidate's scale said. */
  readonly touchesBox: boolean;
  /**
   * Strands (vessels, airway walls) that leave the nodule and run on past the protrusion reach: 0 for
   * a free nodule, 1 for the tip of a vessel, 2 or more where vessels pass or branch.
   */
  readonly strands: number;
}

/**
 * One segmentation in a box of the first size, with whether the mask reaches the box's edge (the
 * object is larger than the candidate's scale said: often a vessel or hilar structure).
 */
export function segmentNoduleOnce(volume: Volume, lungs: LungMask, candidate: SegmentedCandidate, options: SegmentOptions = {}):
  NoduleSegmentation | undefined {
  return segmentInBox(volume, lungs, candidate, firstHalfSizeMm(candidate.diameterMm), options.parenchymaHu ?? -850);
}

/**
 * The mask segmentNodule would return for the same candidate, when a segmentNoduleOnce result
 * already holds it (it stayed inside the first box, so no larger box is tried): detectors hand it on
 * with their candidates (Candidate.segmentation) so the segment stage does not repeat it.
 */
export function finalSegmentation(once: NoduleSegmentation | undefined): BoxMask | undefined {
  return once && !once.touchesBox ? once.mask : undefined;
}

/**
 * A mask this many times wider (equal-volume diameter) than its candidate's sphere was segmented at
 * the wrong scale: the opening and the protrusion reach grow with the candidate's diameter.
 */
const ownScaleFactor = 1.5;

/**
 * The mask again, segmented at its centroid with its own size, when the candidate's scale was far
 * smaller than the object it found. A 4 mm proposal on the rim of a 33 mm nodule opens with a 0.6 mm
 * ball and keeps the vessels that a 24 mm proposal on the same nodule cuts: on LIDC-IDRI-0001 the two
 * gave long axes of 36.0 and 30.9 mm (readers 32.8), and which was reported hung on a tie of
 * probabilities at 1.000. One pass reaches the fixed point there (a second gives the same mask).
 */
export function segmentAtOwnScale(volume: Volume, lungs: LungMask, candidate: Omit<SegmentedCandidate, 'centreVoxel'>, mask: BoxMask, options: SegmentOptions = {}): BoxMask {
  const [sx, sy, sz] = volume.spacing;
  const diameterMm = equivalentDiameterMm(boxMaskVoxelCount(mask) * sx * sy * sz);
  if (diameterMm < ownScaleFactor * candidate.diameterMm) return mask;
  return segmentNodule(volume, lungs, { ...candidate, centreVoxel: boxMaskCentroid(mask), diameterMm }, options) ?? mask;
}

/**
 * What segmentNoduleOnce reads of the scan, cut out: the first box's HU and lung mask, plain data
 * that a worker thread can take (`segmentCrop`, then `placeSegmentation` with the scan's dims).
 */
export interface SegmentationCrop {
  readonly box: Box;
  readonly hu: Int16Array;
  readonly lung: Uint8Array;
  readonly spacing: readonly [number, number, number];
  /** The candidate's centre in box voxels. */
  readonly centre: readonly [number, number, number];
  readonly diameterMm: number;
  readonly parenchymaHu: number;
  /** The last box: a mask that reaches its edge along strands is opened harder until one fits (fittingOpeningShares). */
  readonly mustFit?: boolean;
  /** The candidate came from the subsolid pass: a ground-glass outline is tried beside the usual one (`segmentCrop`). */
  readonly subsolid?: boolean;
}

/** The nodule in a crop's box (before it is placed in the scan) and the strands (vessels, airway walls) that leave it. */
export interface CropSegmentation {
  readonly nodule: Uint8Array;
  readonly strands: number;
}

export function segmentationCrop(volume: Volume, lungs: LungMask, candidate: SegmentedCandidate, options: SegmentOptions = {}): SegmentationCrop {
  return cropCandidateBox(volume, lungs, candidate, firstHalfSizeMm(candidate.diameterMm), options.parenchymaHu ?? -850);
}

const firstHalfSizeMm = (diameterMm: number) => Math.min(largestHalfSizeMm, Math.max(8, 1.25 * diameterMm) + 4);
/**
 * The box grows up to this half size when the mask reaches its edge: room for a 30 mm nodule (the
 * largest Lung-RADS sizes) with its spicules. What still reaches the edge is a vessel or the hilum,
 * and bigger boxes only cost time (the third, 1.8² larger box was most of the segment stage).
 */
export const largestHalfSizeMm = 26;

function segmentInBox(volume: Volume, lungs: LungMask, candidate: SegmentedCandidate, halfMm: number, parenchymaHu: number, mustFit = false):
  NoduleSegmentation | undefined {
  const crop = cropCandidateBox(volume, lungs, candidate, halfMm, parenchymaHu);
  return placeSegmentation(crop.box, segmentCrop(mustFit ? { ...crop, mustFit } : crop), volume.dims);
}

function cropCandidateBox(volume: Volume, lungs: LungMask, candidate: SegmentedCandidate, halfMm: number, parenchymaHu: number): SegmentationCrop {
  const c = candidate.centreVoxel;
  const half = volume.spacing.map((s) => halfMm / s);
  const box = clipBox([c.x - half[0], c.y - half[1], c.z - half[2]], [c.x + half[0], c.y + half[1], c.z + half[2]], volume.dims);
  return {
    box,
    hu: cropBox(volume.voxels, volume.dims, box),
    lung: cropBox(lungs.mask, volume.dims, box),
    spacing: volume.spacing,
    centre: [c.x - box.offset[0], c.y - box.offset[1], c.z - box.offset[2]],
    diameterMm: candidate.diameterMm,
    parenchymaHu,
    ...(candidate.subsolid ? { subsolid: true } : {}),
  };
}

/** The nodule at the crop's centre, in the crop's box; undefined when nothing above the threshold lies there. */
export function segmentCrop({ box, hu, lung, spacing, centre, diameterMm, parenchymaHu, mustFit = false, subsolid = false }: SegmentationCrop): CropSegmentation | undefined {
  const grid: Grid = { dims: box.size, spacing };
  const radiusMm = diameterMm / 2;
  const coreHu = coreDensity(hu, grid, centre, Math.max(1.5, radiusMm / 3));
  const threshold = Math.min(highestThresholdHu, Math.max(lowestThresholdHu, (coreHu + parenchymaHu) / 2));
  const openingMm = Math.max(Math.min(spacing[0], spacing[1]) * 1.01, openingShare * radiusMm);
  const reachMm = Math.max(minProtrusionMm, protrusionShare * radiusMm);
  // Partial-volume voxels along the pleura are not protrusions: they stay out of the put-back.
  const awayFromPleura = erode(lung, grid, Math.max(grid.spacing[0], grid.spacing[1]) * 1.01);
  const extractOpened = (t: number, opening: number) => extractNodule(hu, lung, awayFromPleura, grid, centre, t, opening, reachMm, Math.max(radiusMm, 3));
  const extract = (t: number) => extractOpened(t, openingMm);
  let extracted = extract(threshold) ?? extractSmallBody(hu, lung, grid, centre, threshold, smallBodyShare * Math.max(radiusMm, 3));
  // A nodule on a vessel as thick as the opening leaks into it: the mask runs on, far beyond the
  // candidate's size. Stronger openings cut the vessel; the first that leaves a body of at least
  // the candidate's size at the centre, without the run-on, is taken.
  const candidateMm3 = (Math.PI / 6) * diameterMm ** 3;
  const maskMm3 = (mask: Uint8Array) => countSet(mask) * grid.spacing[0] * grid.spacing[1] * grid.spacing[2];
  const leaked = (mask: Uint8Array) => maskMm3(mask) > leakVolumeFactor * candidateMm3 || (mustFit && touchesFace(mask, grid));
  if (extracted && extracted.strands > 0 && leaked(extracted.nodule)) {
    const openings = mustFit ? [...strongerOpeningsMm, ...fittingOpeningShares.map((share) => share * radiusMm)].sort((a, b) => a - b) : strongerOpeningsMm;
    for (const opening of openings.filter((o) => o > openingMm)) {
      const cut = extractOpened(threshold, opening);
      const cutMm3 = cut ? maskMm3(cut.nodule) : 0;
      if (cut && cutMm3 >= candidateMm3 / 2 && !leaked(cut.nodule)) {
        extracted = cut;
        break;
      }
    }
  }
  const hasThickHalo = (wide: CropSegmentation, solid: CropSegmentation) => {
    const wideMm3 = maskMm3(wide.nodule);
    return wide.strands <= solid.strands && wideMm3 <= leakVolumeFactor * candidateMm3
      && (equivalentDiameterMm(wideMm3) - equivalentDiameterMm(maskMm3(solid.nodule))) / 2 >= minHaloThicknessMm;
  };
  // A solid core may sit in a ground-glass halo (part-solid): the halo is the nodule's edge.
  const subsolidThreshold = (groundGlassHu + parenchymaHu) / 2;
  if (extracted && threshold > subsolidThreshold + 50) {
    const wide = extract(subsolidThreshold);
    if (wide && (hasThickHalo(wide, extracted) || hasGroundGlassRim(hu, wide.nodule, extracted.nodule, grid))) extracted = wide;
  }
  // A subsolid nodule on vessels: the usual outline runs on along them, the ground glass stays a
  // body. An outline with no strand that stays inside its box ran nowhere.
  if (subsolid) {
    const usualTouches = extracted !== undefined && touchesFace(extracted.nodule, grid);
    const glass = !extracted || extracted.strands > 0 || usualTouches
      ? extractGroundGlass(hu, lung, awayFromPleura, grid, centre, openingMm, reachMm, radiusMm) : undefined;
    const glassMm3 = glass ? maskMm3(glass.nodule) : 0;
    if (glass && glassMm3 >= candidateMm3 / 2 && !touchesFace(glass.nodule, grid)) {
      const ranOn = !extracted || usualTouches || (maskMm3(extracted.nodule) >= vesselRunFactor * glassMm3 && extracted.strands >= glass.strands);
      if (ranOn) return glass;
    }
  }
  return extracted;
}

/**
 * The nodule as ground glass alone: solid tissue (vessels, a part-solid core) taken for aerated
 * lung, so that the vessels a subsolid nodule lies on no longer join it to the vessel tree; the
 * holes this leaves (the solid core, a vessel through the nodule) are filled back slice by slice.
 * The usual threshold sits between the core and the lung, and a vessel in the core raises it
 * above the ground glass; here it is the ground-glass end of its range.
 */
function extractGroundGlass(hu: Int16Array, lung: Uint8Array, awayFromPleura: Uint8Array, grid: Grid, centre: readonly number[], openingMm: number, reachMm: number, radiusMm: number):
  CropSegmentation | undefined {
  const glass = new Int16Array(hu.length);
  for (let n = 0; n < hu.length; n++) glass[n] = hu[n] >= solidTissueHu ? airHu : hu[n];
  const extracted = extractNodule(glass, lung, awayFromPleura, grid, centre, lowestThresholdHu, openingMm, reachMm, Math.max(radiusMm, 3))
    ?? extractSmallBody(glass, lung, grid, centre, lowestThresholdHu, smallBodyShare * Math.max(radiusMm, 3));
  if (!extracted) return undefined;
  const filled = fillHolesPerSlice(extracted.nodule, grid.dims);
  for (let n = 0; n < hu.length; n++) if (hu[n] < lowestThresholdHu || !lung[n]) filled[n] = 0;
  return { nodule: componentAt(filled, grid, centre), strands: extracted.strands };
}

/** A crop's segmentation as a mask in scan voxels (the crop's box), and whether it reaches the box's edge inside the scan. */
export function placeSegmentation(box: Box, extracted: CropSegmentation | undefined, dims: readonly [number, number, number]): NoduleSegmentation | undefined {
  if (!extracted) return undefined;
  const { nodule, strands } = extracted;
  const bounds = boundingBox(nodule, box.size);
  if (!bounds) return undefined;
  const touchesBox = [0, 1, 2].some((a) => {
    const lo = bounds.offset[a];
    const hi = lo + bounds.size[a] - 1;
    return (lo === 0 && box.offset[a] > 0) || (hi === box.size[a] - 1 && box.offset[a] + box.size[a] < dims[a]);
  });
  const data = cropBox(nodule, box.size, bounds);
  const offset: Box['offset'] = [box.offset[0] + bounds.offset[0], box.offset[1] + bounds.offset[1], box.offset[2] + bounds.offset[2]];
  return { mask: { offset, size: bounds.size, data }, touchesBox, strands };
}


/**
 * The nodule at `threshold`: the lung voxels at or above it, opened (erode, keep the component at
 * the centre, dilate back) to cut vessels and wall contacts thinner than the ball, then with the
 * protrusions that the opening removed put back: those that end within `reachMm` whole (spicules and
 * lobes belong to the nodule; LIDC readers outline them), those that run on (vessels) only at their root.
 */
function extractNodule(hu: Int16Array, lung: Uint8Array, awayFromPleura: Uint8Array, grid: Grid, centre: readonly number[], threshold: number, openingMm: number, reachMm: number, seedMm: number):
  CropSegmentation | undefined {
  const foreground = new Uint8Array(hu.length);
  for (let n = 0; n < hu.length; n++) foreground[n] = hu[n] >= threshold && lung[n] ? 1 : 0;
  const core = erode(foreground, grid, openingMm);
  const seed = nearestSet(core, grid, centre, seedMm);
  if (seed < 0) return undefined;
  const body = componentOf(core, grid.dims, seed);
  // Read only up to the protrusions' reach.
  const bodyDistance = squaredDistanceWithin(body, grid, openingMm + reachMm);
  const opened = new Uint8Array(hu.length);
  const open2 = openingMm * openingMm;
  for (let n = 0; n < hu.length; n++) opened[n] = foreground[n] && bodyDistance[n] <= open2 ? 1 : 0;
  const nodule = componentAt(opened, grid, centre);
  for (let n = 0; n < foreground.length; n++) if (!awayFromPleura[n] && !nodule[n]) foreground[n] = 0;
  const strands = addProtrusions(nodule, foreground, bodyDistance, grid, (openingMm + reachMm) ** 2, (openingMm + runOnShare * reachMm) ** 2);
  return { nodule: componentAt(nodule, grid, centre), strands };
}

/**
 * A nodule the opening removes whole (two or three voxels across): the voxels at or above the
 * threshold within the ball of `radiusMm` at the centre, the part connected to the voxel nearest
 * it. Strands: the parts of the foreground in a one-voxel shell around the ball that touch it (a
 * vessel runs on through the ball's surface, a free nodule stays inside).
 */
function extractSmallBody(hu: Int16Array, lung: Uint8Array, grid: Grid, centre: readonly number[], threshold: number, radiusMm: number):
  CropSegmentation | undefined {
  const ball = new Uint8Array(hu.length);
  const shell = new Uint8Array(hu.length);
  const above = (n: number) => hu[n] >= threshold && lung[n] !== 0;
  forEachWithin(grid, centre, radiusMm, (n) => { if (above(n)) ball[n] = 1; });
  forEachWithin(grid, centre, radiusMm + Math.max(...grid.spacing), (n) => { if (!ball[n] && above(n)) shell[n] = 1; });
  const seed = nearestSet(ball, grid, centre, radiusMm);
  if (seed < 0) return undefined;
  const nodule = componentOf(ball, grid.dims, seed);
  const [nx, ny] = grid.dims;
  const parts = labelComponents(shell, grid.dims);
  const touching = new Set<number>();
  for (let n = 0; n < shell.length; n++) {
    if (!parts.labels[n]) continue;
    for (const q of [n - 1, n + 1, n - nx, n + nx, n - nx * ny, n + nx * ny]) {
      if (q >= 0 && q < nodule.length && nodule[q]) { touching.add(parts.labels[n]); break; }
    }
  }
  return { nodule, strands: touching.size };
}

/**
 * Adds to `nodule` (in place) each face-connected part of the foreground outside it that lies
 * within `reach2` (squared mm from the eroded body) and touches it; a part that runs on past that
 * reach or out of the box (a vessel, the hilum) only within `runOnReach2`. Returns how many of
 * those run on (strands).
 */
function addProtrusions(nodule: Uint8Array, foreground: Uint8Array, bodyDistance: Float32Array, grid: Grid, reach2: number, runOnReach2: number): number {
  const [nx, ny, nz] = grid.dims;
  const plane = nx * ny;
  const candidate = new Uint8Array(nodule.length);
  for (let n = 0; n < nodule.length; n++) candidate[n] = foreground[n] && !nodule[n] && bodyDistance[n] <= reach2 ? 1 : 0;
  const parts = labelComponents(candidate, grid.dims);
  if (parts.count === 0) return 0;
  const touchesNodule = new Uint8Array(parts.count + 1);
  const runsOn = new Uint8Array(parts.count + 1);
  for (let n = 0; n < nodule.length; n++) {
    const c = parts.labels[n];
    if (!c) continue;
    const i = n % nx;
    const j = Math.floor(n / nx) % ny;
    const k = Math.floor(n / plane);
    if (i === 0 || j === 0 || k === 0 || i === nx - 1 || j === ny - 1 || (k === nz - 1 && nz > 1)) runsOn[c] = 1;
    for (const q of [n - 1, n + 1, n - nx, n + nx, n - plane, n + plane]) {
      if (q < 0 || q >= nodule.length) continue;
      if (nodule[q]) touchesNodule[c] = 1;
      else if (foreground[q] && !candidate[q]) runsOn[c] = 1;
    }
  }
  for (let n = 0; n < nodule.length; n++) {
    const c = parts.labels[n];
    if (c && touchesNodule[c] && (!runsOn[c] || bodyDistance[n] <= runOnReach2)) nodule[n] = 1;
  }
  let strands = 0;
  for (let c = 1; c <= parts.count; c++) if (touchesNodule[c] && runsOn[c]) strands++;
  return strands;
}

/** The face-connected component of `mask` nearest the centre. */
function componentAt(mask: Uint8Array, grid: Grid, centre: readonly number[]): Uint8Array {
  return componentOf(mask, grid.dims, nearestSet(mask, grid, centre, Infinity));
}

/**
 * True when a mask at the ground-glass threshold has a ground-glass interior: a share of its voxels
 * away from its edge (which is partial volume for any nodule) lies between aerated lung and solid
 * tissue and outside the solid mask.
 */
function hasGroundGlassRim(hu: Int16Array, wide: Uint8Array, solid: Uint8Array, grid: Grid): boolean {
  const interior = erode(wide, grid, Math.max(...grid.spacing) * 1.01);
  let total = 0;
  let glass = 0;
  for (let n = 0; n < hu.length; n++) {
    if (!interior[n]) continue;
    total++;
    if (!solid[n] && hu[n] < solidTissueHu) glass++;
  }
  return total > 0 && glass >= groundGlassRimShare * total;
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

function countSet(mask: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) n += mask[i];
  return n;
}

/** Whether a mask reaches a face of its grid. */
function touchesFace(mask: Uint8Array, grid: Grid): boolean {
  const bounds = boundingBox(mask, grid.dims);
  return bounds !== undefined && [0, 1, 2].some((a) => bounds.offset[a] === 0 || bounds.offset[a] + bounds.size[a] === grid.dims[a]);
}
