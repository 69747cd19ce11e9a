import type { CtSlice } from '../dicom/ct-slice.ts';
import type { Vec3, Volume } from '../domain/volume.ts';
import type { SeriesSummary } from '../domain/analysis.ts';
import { PipelineError } from '../errors/pipeline-error.ts';
import { median } from '../imaging/statistics.ts';

/** Tolerances: direction cosines agree to ~0.06°, positions to 0.01 mm. */
const orientationTolerance = 1e-3;
const duplicateToleranceMm = 0.01;
/** A gap larger than this many median spacings means a slice is missing. */
const missingSliceFactor = 1.5;
/** In-plane drift of successive slice origins beyond this share of the step means gantry tilt (~0.6°). */
const tiltTolerance = 0.01;

const dot = (a: Vec3, b: Vec3) => a.x * b.x + a.y * b.y + a.z * b.z;
const cross = (a: Vec3, b: Vec3): Vec3 => ({
  x: a.y * b.z - a.z * b.y,
  y: a.z * b.x - a.x * b.z,
  z: a.x * b.y - a.y * b.x,
});
const fromArray = (a: readonly number[]): Vec3 => ({ x: a[0], y: a[1], z: a[2] });

function checkConsistent(slices: readonly CtSlice[]): void {
  const first = slices[0];
  for (const slice of slices) {
    const orientationDiffers = slice.imageOrientationPatient
      .some((v, n) => Math.abs(v - first.imageOrientationPatient[n]) > orientationTolerance);
    if (orientationDiffers) {
      throw new PipelineError('mixed-orientation', `Series mixes image orientations (${first.imageOrientationPatient.join('\\')} and ${slice.imageOrientationPatient.join('\\')})`);
    }
    if (slice.rows !== first.rows || slice.columns !== first.columns
      || slice.pixelSpacing.some((v, n) => Math.abs(v - first.pixelSpacing[n]) > 1e-4)) {
      throw new PipelineError('inconsistent-geometry', `Series mixes matrix sizes or pixel spacings (instance ${slice.sopInstanceUid})`);
    }
    if (slice.seriesInstanceUid !== first.seriesInstanceUid) {
      throw new PipelineError('inconsistent-geometry', 'Instances of more than one series were given as one volume');
    }
  }
}

/**
 * Stacks CT slices into a Volume in Hounsfield units, sorted along the slice normal. Spacing comes
 * from the positions (SliceThickness says nothing about the gap between slices). Rejects, with a
 * reason a PACS administrator can act on, series that would give wrong measurements.
 */
export interface BuiltVolume {
  readonly volume: Volume;
  readonly summary: SeriesSummary;
}

/** Stage 2 where something else runs it (the service's analysis thread). */
export type BuildVolume = (slices: readonly CtSlice[]) => Promise<BuiltVolume>;

export function buildVolume(slices: readonly CtSlice[]): BuiltVolume {
  if (slices.length < 2) {
    throw new PipelineError('single-slice', `Series has ${slices.length} slice(s); a volume needs at least 2`);
  }
  checkConsistent(slices);
  const first = slices[0];
  const iop = first.imageOrientationPatient;
  const rowDirection = fromArray(iop.slice(0, 3));
  const columnDirection = fromArray(iop.slice(3, 6));
  const normal = cross(rowDirection, columnDirection);

  const ordered = slices
    .map((slice) => ({ slice, along: dot(fromArray(slice.imagePositionPatient), normal) }))
    .sort((a, b) => a.along - b.along);
  const steps: number[] = [];
  for (let k = 1; k < ordered.length; k++) {
    const step = ordered[k].along - ordered[k - 1].along;
    if (step < duplicateToleranceMm) {
      throw new PipelineError('duplicate-position', `Instances ${ordered[k - 1].slice.sopInstanceUid} and ${ordered[k].slice.sopInstanceUid} share position ${ordered[k].along.toFixed(2)} mm`);
    }
    steps.push(step);
  }
  const sliceSpacing = median(steps);
  steps.forEach((step, k) => {
    if (step > missingSliceFactor * sliceSpacing) {
      throw new PipelineError('missing-slice', `Gap of ${step.toFixed(2)} mm between slices at ${ordered[k].along.toFixed(2)} and ${ordered[k + 1].along.toFixed(2)} mm (median spacing ${sliceSpacing.toFixed(2)} mm): a slice is missing`);
    }
  });
  const origin = fromArray(ordered[0].slice.imagePositionPatient);
  const last = fromArray(ordered[ordered.length - 1].slice.imagePositionPatient);
  const span = { x: last.x - origin.x, y: last.y - origin.y, z: last.z - origin.z };
  const alongSpan = dot(span, normal);
  const inPlaneDrift = Math.hypot(span.x - alongSpan * normal.x, span.y - alongSpan * normal.y, span.z - alongSpan * normal.z);
  if (inPlaneDrift > tiltTolerance * Math.abs(alongSpan)) {
    const degrees = (Math.atan2(inPlaneDrift, Math.abs(alongSpan)) * 180) / Math.PI;
    throw new PipelineError('gantry-tilt', `Slice positions drift in-plane by ${degrees.toFixed(1)}° (gantry tilt); tilted series are not supported`);
  }

  const { rows, columns } = first;
  const sliceSize = rows * columns;
  // On shared memory: the service's analysis thread reads the scan without a copy (threads/analysis-thread.ts).
  const voxels = new Int16Array(new SharedArrayBuffer(sliceSize * ordered.length * Int16Array.BYTES_PER_ELEMENT));
  let minHu = Infinity;
  let maxHu = -Infinity;
  ordered.forEach(({ slice }, k) => {
    const { stored, rescaleSlope: slope, rescaleIntercept: intercept } = slice;
    const base = k * sliceSize;
    for (let n = 0; n < sliceSize; n++) {
      let hu = Math.round(stored[n] * slope + intercept);
      hu = hu < -32768 ? -32768 : hu > 32767 ? 32767 : hu;
      voxels[base + n] = hu;
      if (hu < minHu) minHu = hu;
      if (hu > maxHu) maxHu = hu;
    }
  });

  const [rowSpacing, columnSpacing] = first.pixelSpacing;
  const volume: Volume = {
    voxels,
    dims: [columns, rows, ordered.length],
    spacing: [columnSpacing, rowSpacing, sliceSpacing],
    origin,
    direction: [rowDirection, columnDirection, normal],
    source: {
      studyInstanceUid: first.studyInstanceUid,
      seriesInstanceUid: first.seriesInstanceUid,
      frameOfReferenceUid: first.frameOfReferenceUid,
      sopInstanceUids: ordered.map(({ slice }) => slice.sopInstanceUid),
      slicePositions: ordered.map(({ slice: { imagePositionPatient: [x, y, z] } }) => ({ x, y, z })),
      sopClassUid: first.sopClassUid,
      ...(ordered.every(({ slice }) => slice.instanceNumber !== undefined) ? { instanceNumbers: ordered.map(({ slice }) => slice.instanceNumber!) } : {}),
      sliceThicknessMm: first.sliceThickness,
      patientStudy: first.patientStudy,
    },
  };
  const text = (keyword: string) => {
    const value = first.patientStudy[keyword];
    return typeof value === 'string' && value ? value : undefined;
  };
  const identity = {
    seriesDescription: text('SeriesDescription'),
    patientId: text('PatientID'),
    studyDate: text('StudyDate'),
    studyDescription: text('StudyDescription'),
    accessionNumber: text('AccessionNumber'),
  };
  const summary: SeriesSummary = {
    seriesInstanceUid: first.seriesInstanceUid,
    ...Object.fromEntries(Object.entries(identity).filter(([, v]) => v !== undefined)),
    sliceCount: ordered.length,
    spacingMm: volume.spacing,
    huRange: [minHu, maxHu],
  };
  return { volume, summary };
}
