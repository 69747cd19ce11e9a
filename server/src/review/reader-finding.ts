/**
 * A nodule the machine missed, added by a reader: from a centre and a diameter, or from a line
 * (the long axis drawn on one axial slice). Its mask is the ellipsoid of that size in the voxel
 * grid (a sphere for a centre and diameter); density, type, side, zone and pleural contact are
 * measured on it like on any finding, and the reader's line and type, where given, take precedence.
 */
import type { AxisLine, Finding, NoduleType } from '../domain/finding.ts';
import type { BoxMask } from '../domain/mask.ts';
import { voxelDistanceMm, type Vec3, type Volume } from '../domain/volume.ts';
import { lungRadsMeanDiameterMm } from '../clinical/lungrads.ts';
import type { LungMask } from '../pipeline/lungs.ts';
import { measureNodule } from '../pipeline/measure.ts';

export type ReaderNodule =
  | { readonly centreVoxel: Vec3; readonly diameterMm: number }
  /** The long axis as two points on one axial slice (voxel coordinates). */
  | { readonly lineVoxel: readonly [Vec3, Vec3] };

export class ReaderNoduleRejected extends Error {
  override readonly name = 'ReaderNoduleRejected';
}

/** A sphere of `diameterMm` around `centre` (voxels), clipped to the volume. */
function sphereMask(volume: Volume, centre: Vec3, diameterMm: number): BoxMask {
  const r = diameterMm / 2;
  const lower = [0, 1, 2].map((a) => Math.max(0, Math.floor([centre.x, centre.y, centre.z][a] - r / volume.spacing[a])));
  const upper = [0, 1, 2].map((a) => Math.min(volume.dims[a] - 1, Math.ceil([centre.x, centre.y, centre.z][a] + r / volume.spacing[a])));
  const size: [number, number, number] = [upper[0] - lower[0] + 1, upper[1] - lower[1] + 1, upper[2] - lower[2] + 1];
  const data = new Uint8Array(Math.max(0, size[0] * size[1] * size[2]));
  let inside = 0;
  for (let k = 0, n = 0; k < size[2]; k++) {
    for (let j = 0; j < size[1]; j++) {
      for (let i = 0; i < size[0]; i++, n++) {
        const d = Math.hypot((lower[0] + i - centre.x) * volume.spacing[0], (lower[1] + j - centre.y) * volume.spacing[1], (lower[2] + k - centre.z) * volume.spacing[2]);
        if (d <= r) { data[n] = 1; inside++; }
      }
    }
  }
  // A nodule smaller than a voxel still covers the voxel it is in.
  if (inside === 0) {
    const at = [0, 1, 2].map((a) => Math.round([centre.x, centre.y, centre.z][a]) - lower[a]);
    data[at[0] + at[1] * size[0] + at[2] * size[0] * size[1]] = 1;
  }
  return { offset: [lower[0], lower[1], lower[2]], size, data };
}

function inside(volume: Volume, p: Vec3): boolean {
  return [p.x, p.y, p.z].every((v, a) => v >= -0.5 && v <= volume.dims[a] - 0.5);
}

/** The reader's nodule as a Finding (index and tracking UID given by the caller). */
export function buildReaderFinding(volume: Volume, lungs: LungMask, nodule: ReaderNodule, extra: { index: number; trackingUid: string; type?: NoduleType }): Finding {
  let centre: Vec3;
  let diameterMm: number;
  let line: AxisLine | undefined;
  if ('lineVoxel' in nodule) {
    const [a, b] = nodule.lineVoxel;
    if (Math.abs(a.z - b.z) > 0.5) throw new ReaderNoduleRejected('lineVoxel breaks the rule: both points on one axial slice');
    diameterMm = voxelDistanceMm(a, b, volume.spacing);
    if (!(diameterMm > 0)) throw new ReaderNoduleRejected('lineVoxel breaks the rule: two different points');
    centre = { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2, z: (a.z + b.z) / 2 };
    line = { start: a, end: b, lengthMm: diameterMm };
  } else {
    centre = nodule.centreVoxel;
    diameterMm = nodule.diameterMm;
  }
  if (!inside(volume, centre)) throw new ReaderNoduleRejected('the nodule\'s centre breaks the rule: inside the scanned volume');
  const measured = measureNodule(volume, lungs, sphereMask(volume, centre, diameterMm), 1);
  const longAxis = line ?? measured.longAxis;
  const shortAxis = measured.shortAxis.lengthMm > longAxis.lengthMm ? { ...measured.shortAxis, lengthMm: longAxis.lengthMm } : measured.shortAxis;
  const type = extra.type ?? measured.type;
  return {
    ...measured,
    ...(type === 'part-solid' ? {} : { solidComponentMm: undefined }),
    type,
    longAxis,
    shortAxis,
    meanDiameterMm: lungRadsMeanDiameterMm(longAxis.lengthMm, shortAxis.lengthMm),
    index: extra.index,
    trackingUid: extra.trackingUid,
  };
}
