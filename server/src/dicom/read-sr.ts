/**
 * Reads a Lungbridge TID 1500 report back: per nodule its tracking UID, axes (mm and geometry),
 * volume, mean HU, type, site, segment reference, and Lung-RADS / Brock when present.
 * The inverse of buildMeasurementReport; also what a prior study's report goes through.
 */
import type { NaturalizedDataset } from 'dcmjs';
import type { Laterality, LungRadsCategory, LungZone, NoduleType, Vec3 } from '../domain/index.ts';
import { lungRadsCategories } from '../domain/index.ts';
import { codes, sameCode, type Code } from './codes.ts';
import { DicomReadError } from './errors.ts';
import { fromPart10 } from './part10.ts';
import { asArray, first } from './read-seg.ts';

export interface ReadAxis {
  readonly lengthMm: number;
  /** The SCOORD's image and its two end points in image coordinates (column, row; top left corner 0,0). */
  readonly sopInstanceUid: string;
  readonly points: readonly { readonly column: number; readonly row: number }[];
}

export interface ReadNodule {
  readonly trackingIdentifier: string;
  readonly trackingUid: string;
  readonly longAxis: ReadAxis;
  readonly shortAxis: ReadAxis;
  readonly volumeMm3?: number;
  readonly meanHu?: number;
  readonly detectionProbability?: number;
  readonly type?: NoduleType;
  readonly laterality?: Laterality;
  readonly zone?: LungZone;
  readonly segment?: { readonly sopInstanceUid: string; readonly segmentNumber: number };
  readonly sourceSeriesUid?: string;
  readonly lungRadsCategory?: LungRadsCategory;
  readonly brockProbability?: number;
}

export interface ReadMeasurementReport {
  readonly sopInstanceUid: string;
  readonly nodules: readonly ReadNodule[];
  readonly examLungRadsCategory?: LungRadsCategory;
  /** True when the report states that no nodules were detected. */
  readonly noNodulesStated: boolean;
  /** The analysis's notes for the reader (TEXT Comments among the qualitative evaluations). */
  readonly notes: readonly string[];
}

export function readMeasurementReport(buffer: Uint8Array): ReadMeasurementReport {
  const ds = fromPart10(buffer);
  if (!sameCode(first(ds.ConceptNameCodeSequence), codes.imagingMeasurementReport)) {
    throw new DicomReadError('not a TID 1500 Imaging Measurement Report (root concept is not 126000)');
  }
  const root = asArray(ds.ContentSequence);
  const measurements = root.find(byConcept(codes.imagingMeasurements));
  const qualitative = asArray(root.find(byConcept(codes.qualitativeEvaluations))?.ContentSequence);
  const examCategory = qualitative.find(byConcept(codes.assessmentCategory))?.TextValue as string | undefined;
  return {
    sopInstanceUid: ds.SOPInstanceUID,
    nodules: asArray(measurements?.ContentSequence).filter(byConcept(codes.measurementGroup)).map(readGroup),
    ...(examCategory ? { examLungRadsCategory: parseLungRadsCategory(examCategory) } : {}),
    noNodulesStated: qualitative.some((item) => sameCode(first(item.ConceptNameCodeSequence), codes.finding) && item.TextValue),
    notes: qualitative.filter((item) => item.ValueType === 'TEXT' && byConcept(codes.comment)(item)).map((item) => String(item.TextValue)),
  };
}

function readGroup(group: NaturalizedDataset): ReadNodule {
  const items = asArray(group.ContentSequence);
  const find = (c: Code) => items.find(byConcept(c));
  const trackingUid = find(codes.trackingUniqueIdentifier)?.UID as string | undefined;
  if (!trackingUid) throw new DicomReadError('a measurement group has no Tracking Unique Identifier');
  const site = asArray(find(codes.findingSite)?.ContentSequence);
  const siteValue = (c: Code) => first(site.find(byConcept(c))?.ConceptCodeSequence);
  const lateralityValue = siteValue(codes.laterality);
  const zoneValue = siteValue(codes.topographicalModifier);
  const segmentReference = first(find(codes.referencedSegment)?.ReferencedSOPSequence);
  const category = find(codes.assessmentCategory)?.TextValue as string | undefined;
  const type = find(codes.associatedMorphology)?.TextValue as string | undefined;
  const brock = numValue(find(codes.probabilityOfCancer));
  const certainty = numValue(find(codes.certaintyOfFinding));
  const segmentNumber = segmentReference?.ReferencedSegmentNumber;

  return {
    trackingIdentifier: String(find(codes.trackingIdentifier)?.TextValue ?? ''),
    trackingUid,
    longAxis: readAxis(find(codes.longAxis), 'Long Axis'),
    shortAxis: readAxis(find(codes.shortAxis), 'Short Axis'),
    ...optional('volumeMm3', numValue(find(codes.volume))),
    ...optional('meanHu', numValue(find(codes.attenuationCoefficient))),
    ...optional('detectionProbability', certainty === undefined ? undefined : certainty / 100),
    ...optional('type', (['solid', 'part-solid', 'ground-glass'] as const).find((t) => t === type)),
    ...optional('laterality', (['right', 'left'] as const).find((side) => sameCode(lateralityValue, codes[side]))),
    ...optional('zone', (['upper', 'middle', 'lower'] as const).find((z) => sameCode(zoneValue, codes[z]))),
    ...(segmentReference && segmentNumber !== undefined
      ? { segment: { sopInstanceUid: segmentReference.ReferencedSOPInstanceUID, segmentNumber: Number(asArray(segmentNumber)[0]) } }
      : {}),
    ...optional('sourceSeriesUid', find(codes.sourceSeriesForSegmentation)?.UID as string | undefined),
    ...optional('lungRadsCategory', category === undefined ? undefined : parseLungRadsCategory(category)),
    ...optional('brockProbability', brock === undefined ? undefined : brock / 100),
  };
}

function readAxis(num: NaturalizedDataset | undefined, name: string): ReadAxis {
  const lengthMm = numValue(num);
  const scoord = asArray(num?.ContentSequence).find((item) => item.ValueType === 'SCOORD');
  const image = first(first(scoord?.ContentSequence)?.ReferencedSOPSequence);
  if (lengthMm === undefined || !scoord || !image) throw new DicomReadError(`a measurement group lacks a ${name} with its SCOORD`);
  const data = asArray<number>(scoord.GraphicData);
  const points = [];
  for (let n = 0; n + 1 < data.length; n += 2) points.push({ column: data[n], row: data[n + 1] });
  return { lengthMm, sopInstanceUid: image.ReferencedSOPInstanceUID, points };
}

function numValue(item: NaturalizedDataset | undefined): number | undefined {
  const value = first(item?.MeasuredValueSequence)?.NumericValue;
  return value === undefined ? undefined : Number(asArray(value)[0]);
}

function parseLungRadsCategory(text: string): LungRadsCategory | undefined {
  const match = /category (\w+)/.exec(text);
  return lungRadsCategories.find((c) => c === match?.[1]);
}

function byConcept(c: Code) {
  return (item: NaturalizedDataset) => sameCode(first(item.ConceptNameCodeSequence), c);
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** Voxel coordinates (x column, y row, z slice) of an axis end point, given the slice it was read on. */
export function axisPointToVoxel(point: { column: number; row: number }, slice: number): Vec3 {
  return { x: point.column - 0.5, y: point.row - 0.5, z: slice };
}
