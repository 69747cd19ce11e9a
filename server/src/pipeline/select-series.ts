import type { InstanceGeometry, SeriesInfo } from '../dicomweb/client.ts';
import { median } from '../imaging/statistics.ts';

export interface SeriesCandidate {
  readonly info: SeriesInfo;
  readonly instances: readonly InstanceGeometry[];
}

export interface SeriesAssessment {
  readonly candidate: SeriesCandidate;
  /** Why the series cannot be used; undefined when it can. */
  readonly rejection?: string;
  readonly sliceCount: number;
  readonly uniformSpacing: boolean;
  readonly sliceThicknessMm?: number;
  readonly sliceSpacingMm?: number;
}

/** An axial slice's normal is within ~25° of the patient's head-foot axis. */
const axialMinCosine = 0.9;
/** Spacing counts as uniform when every gap is within 10 % of the median gap. */
const uniformTolerance = 0.1;

function normalOf(iop: readonly number[]): [number, number, number] | undefined {
  if (iop.length !== 6) return undefined;
  const [a, b, c, d, e, f] = iop;
  return [b * f - c * e, c * d - a * f, a * e - b * d];
}

export function assessSeries(candidate: SeriesCandidate): SeriesAssessment {
  const { info } = candidate;
  const images = candidate.instances.filter((i) => !i.imageType.some((t) => t.toUpperCase() === 'LOCALIZER'));
  const base = { candidate, sliceCount: images.length, uniformSpacing: false };
  if (info.modality !== 'CT') return { ...base, rejection: `modality ${info.modality || 'unknown'} is not CT` };
  if (images.length < 2) return { ...base, rejection: `${images.length} non-localizer image(s)` };
  const normal = normalOf(images[0].imageOrientationPatient ?? []);
  if (!normal) return { ...base, rejection: 'no ImageOrientationPatient' };
  if (Math.abs(normal[2]) < axialMinCosine) return { ...base, rejection: 'not axial' };
  const positions = images
    .map((i) => i.imagePositionPatient ?? [])
    .filter((p) => p.length === 3)
    .map((p) => p[0] * normal[0] + p[1] * normal[1] + p[2] * normal[2])
    .sort((a, b) => a - b);
  if (positions.length !== images.length) return { ...base, rejection: 'images without ImagePositionPatient' };
  const gaps = positions.slice(1).map((p, k) => p - positions[k]);
  const spacing = median(gaps);
  const uniformSpacing = spacing > 0 && gaps.every((g) => Math.abs(g - spacing) <= uniformTolerance * spacing);
  const thicknesses = images.map((i) => i.sliceThickness).filter((t): t is number => t !== undefined);
  return {
    ...base,
    uniformSpacing,
    sliceSpacingMm: spacing,
    sliceThicknessMm: thicknesses.length ? median(thicknesses) : spacing,
  };
}

/**
 * The best axial CT series of a study: uniform spacing first, then the most slices, then the
 * thinnest reconstruction. Localizers never count.
 */
export function chooseSeries(candidates: readonly SeriesCandidate[]): { chosen?: SeriesAssessment; assessed: SeriesAssessment[] } {
  const assessed = candidates.map(assessSeries);
  const usable = assessed.filter((a) => !a.rejection).sort((a, b) =>
    Number(b.uniformSpacing) - Number(a.uniformSpacing)
    || b.sliceCount - a.sliceCount
    || (a.sliceThicknessMm ?? Infinity) - (b.sliceThicknessMm ?? Infinity));
  return { chosen: usable[0], assessed };
}
