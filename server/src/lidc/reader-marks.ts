import type { BoxMask } from '../domain/mask.ts';
import { voxelToPatient, type Vec3, type Volume } from '../domain/volume.ts';
import { createPlane, paintHole, paintRegion } from './contour-fill.ts';
import type { LidcCharacteristics, LidcPointMark, LidcReaderNodule, LidcRoi, PixelPoint } from './lidc-xml.ts';

/** One reader's outline of one nodule >= 3 mm, placed in the volume grid. */
export interface LidcReaderMark {
  readonly radiologistId: string;
  readonly noduleId: string;
  readonly characteristics?: LidcCharacteristics;
  /** Contour pixels and everything inside them, holes removed. */
  readonly mask: BoxMask;
  readonly centroidVoxel: Vec3;
  /** Largest distance between two contour points on the slice where the mask is largest. */
  readonly longAxisMm: number;
  readonly volumeMm3: number;
  /** ROIs whose slice is not in the volume (the reader outlined parts outside the scanned slab). */
  readonly roisOutsideVolume: number;
}

/** A single-point mark (nodule < 3 mm or non-nodule) inside the volume. */
export interface LidcPointInVolume {
  readonly radiologistId: string;
  readonly id: string;
  readonly centreVoxel: Vec3;
  readonly centreMm: Vec3;
}

/**
 * Slice index of an annotation: by its SOP Instance UID when the volume has it, else by its z
 * position within half a slice spacing (LIDC's imageZposition is the slice's z). Undefined when the
 * slice is not in the volume, which is how annotations outside a partial slab are left out.
 */
export function sliceIndexOf(volume: Volume, sopInstanceUid: string, zPosition: number): number | undefined {
  const bySop = volume.source.sopInstanceUids.indexOf(sopInstanceUid);
  if (bySop >= 0) return bySop;
  const slices = volume.dims[2];
  const first = voxelToPatient(volume, { x: 0, y: 0, z: 0 }).z;
  const step = slices > 1 ? voxelToPatient(volume, { x: 0, y: 0, z: 1 }).z - first : 0;
  if (step === 0) return undefined;
  const k = Math.round((zPosition - first) / step);
  return k >= 0 && k < slices ? k : undefined;
}

function inPlane(volume: Volume, p: PixelPoint): boolean {
  return p.x >= 0 && p.y >= 0 && p.x < volume.dims[0] && p.y < volume.dims[1];
}

export function pointMarkInVolume(volume: Volume, radiologistId: string, mark: LidcPointMark): LidcPointInVolume | undefined {
  const k = sliceIndexOf(volume, mark.imageSopUid, mark.imageZposition);
  if (k === undefined || !inPlane(volume, mark.point)) return undefined;
  const centreVoxel = { x: mark.point.x, y: mark.point.y, z: k };
  return { radiologistId, id: mark.id, centreVoxel, centreMm: voxelToPatient(volume, centreVoxel) };
}

function maxPairwiseDistanceMm(points: readonly PixelPoint[], spacingX: number, spacingY: number): number {
  let best = 0;
  for (let a = 0; a < points.length; a++) {
    for (let b = a + 1; b < points.length; b++) {
      const d = Math.hypot((points[a].x - points[b].x) * spacingX, (points[a].y - points[b].y) * spacingY);
      if (d > best) best = d;
    }
  }
  return best;
}

/** Places one reader's outlined nodule in the volume; undefined when none of its ROIs is inside. */
export function readerMarkInVolume(volume: Volume, radiologistId: string, nodule: LidcReaderNodule): LidcReaderMark | undefined {
  const placed: { roi: LidcRoi; k: number }[] = [];
  for (const roi of nodule.rois) {
    const k = sliceIndexOf(volume, roi.imageSopUid, roi.imageZposition);
    if (k !== undefined && roi.edgeMap.length > 0 && roi.edgeMap.every((p) => inPlane(volume, p))) placed.push({ roi, k });
  }
  if (!placed.some(({ roi }) => roi.inclusion)) return undefined;

  const all = placed.flatMap(({ roi }) => roi.edgeMap);
  const x0 = Math.min(...all.map((p) => p.x));
  const y0 = Math.min(...all.map((p) => p.y));
  const k0 = Math.min(...placed.map((p) => p.k));
  const size = [
    Math.max(...all.map((p) => p.x)) - x0 + 1,
    Math.max(...all.map((p) => p.y)) - y0 + 1,
    Math.max(...placed.map((p) => p.k)) - k0 + 1,
  ] as const;
  const data = new Uint8Array(size[0] * size[1] * size[2]);
  const sliceArea = new Array<number>(size[2]).fill(0);
  const sum = { x: 0, y: 0, z: 0 };
  let count = 0;
  for (let dk = 0; dk < size[2]; dk++) {
    const rois = placed.filter((p) => p.k === k0 + dk).map((p) => p.roi);
    if (rois.length === 0) continue;
    const plane = createPlane(x0, y0, size[0], size[1]);
    // Regions first, then holes, so a hole drawn before its region in the XML still cuts it.
    for (const roi of rois) if (roi.inclusion) paintRegion(plane, roi.edgeMap);
    for (const roi of rois) if (!roi.inclusion) paintHole(plane, roi.edgeMap);
    data.set(plane.data, dk * size[0] * size[1]);
    for (let n = 0; n < plane.data.length; n++) {
      if (!plane.data[n]) continue;
      sliceArea[dk]++;
      count++;
      sum.x += x0 + (n % size[0]);
      sum.y += y0 + Math.floor(n / size[0]);
      sum.z += k0 + dk;
    }
  }
  const largest = sliceArea.indexOf(Math.max(...sliceArea));
  const contourPoints = placed.filter((p) => p.k === k0 + largest && p.roi.inclusion).flatMap((p) => p.roi.edgeMap);
  const [sx, sy, sz] = volume.spacing;
  return {
    radiologistId,
    noduleId: nodule.noduleId,
    characteristics: nodule.characteristics,
    mask: { offset: [x0, y0, k0], size, data },
    centroidVoxel: { x: sum.x / count, y: sum.y / count, z: sum.z / count },
    longAxisMm: maxPairwiseDistanceMm(contourPoints, sx, sy),
    volumeMm3: count * sx * sy * sz,
    roisOutsideVolume: nodule.rois.length - placed.length,
  };
}
