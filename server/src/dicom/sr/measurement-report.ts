/**
 * TID 1500 Imaging Measurement Report with one TID 1411 Volumetric ROI measurement group per nodule.
 *
 * Tree (PS3.16):
 *   CONTAINER Imaging Measurement Report (TID 1500)
 *     Language (TID 1204), device observer (TID 1001/1004), Procedure reported (CID 100)
 *     Image Library (TID 1600): the slices the axes are drawn on
 *     Imaging Measurements: per nodule a Measurement Group (TID 1411):
 *       Tracking Identifier, Tracking Unique Identifier, Finding = Nodule,
 *       Referenced Segment (the SEG segment), Source series for segmentation,
 *       Finding Site = Lung + Laterality + Topographical modifier (TID 1419 rows 2-4),
 *       NUM Long Axis, Short Axis (mm) each INFERRED FROM a SCOORD POLYLINE on its slice,
 *       NUM Volume (mm3), Attenuation Coefficient (HU, Derivation = Mean), Certainty of Finding (%),
 *       TEXT Associated morphology (nodule type), and when assessed TEXT Assessment Category
 *       (Lung-RADS) and NUM Probability of cancer (%, Algorithm Name = Brock).
 *     Qualitative Evaluations: exam-level Lung-RADS; "No lung nodules detected" when there are none;
 *       a TEXT Comment per note of the analysis (thick slices, a candidate that could not be outlined,
 *       a prior not compared), so that a reader of the SR alone sees them as the report's reader does.
 *
 * Deliberate departures from TID 1419 (pixelmed reports them as "Content Item not in template" warnings):
 * SCOORDs under the axis NUMs (TID 300 style; OHIF and Cornerstone read geometry only from there when
 * a segment, not an image region, is the group's ROI), and the per-nodule type, Lung-RADS, certainty
 * and Brock items, which TID 1411 has no rows for.
 */
import type { NaturalizedDataset } from 'dcmjs';
import type { AxisLine, Finding, FindingAssessment, LungRadsResult, ModelInfo, Volume } from '../../domain/index.ts';
import { codes, units, type Code } from '../codes.ts';
import { DicomBuildError, requireLo } from '../errors.ts';
import { checkSegmentNumbers, lateralityCode, segmentationStorageSopClassUid } from '../seg.ts';
import { uidFromName, type InstanceUids } from '../uids.ts';
import {
  codeItem, containerItem, imageItem, numItem, polylineItem, textItem, uidrefItem, type ContentItem,
} from './content-items.ts';
import { buildSrDocument, type EvidenceSeries } from './document.ts';

export interface MeasurementReportInput {
  readonly volume: Volume;
  readonly findings: readonly Finding[];
  /** Per finding, same order; undefined where a finding was not assessed. */
  readonly assessments?: readonly (FindingAssessment | undefined)[];
  readonly examLungRads?: LungRadsResult;
  /** The analysis's notes for the reader (its warnings), in order. */
  readonly notes?: readonly string[];
  readonly model: ModelInfo;
  /** The SEG built for these findings (buildSegmentation); required when there are findings. */
  readonly segmentation?: NaturalizedDataset;
  readonly seriesNumber?: number;
  readonly now?: Date;
  readonly uids?: InstanceUids;
}

export const deviceObserverName = 'Lungbridge';

/**
 * `Cornerstone3DTools@^0.1.0:Bidirectional` makes OHIF load the axes as an editable bidirectional
 * measurement; Cornerstone reads only the first two `:`-separated fields, so the nodule's label
 * follows as a third.
 */
export function trackingIdentifier(index: number): string {
  return `Cornerstone3DTools@^0.1.0:Bidirectional:Nodule ${index}`;
}

export function lungRadsText(result: LungRadsResult): string {
  return `Lung-RADS v2022 category ${result.category}: ${result.rule}`;
}

export const noNodulesText = 'No lung nodules detected';
export const brockAlgorithmName = 'Brock (PanCan) malignancy model';

const zoneCode: Record<Finding['zone'], Code> = { upper: codes.upper, middle: codes.middle, lower: codes.lower };

export function buildMeasurementReport(input: MeasurementReportInput): NaturalizedDataset {
  const { volume, findings, model } = input;
  const source = volume.source;
  checkSegmentNumbers(findings);
  if (input.assessments && input.assessments.length !== findings.length) {
    throw new DicomBuildError('assessments', `needs one entry per finding: ${findings.length} findings, ${input.assessments.length} assessments`);
  }
  const seg = findings.length > 0 ? checkSegmentation(input.segmentation, volume, findings) : undefined;
  const image = (slice: number) => ({
    sopClassUid: source.sopClassUid,
    sopInstanceUid: source.sopInstanceUids[slice],
    columns: volume.dims[0],
    rows: volume.dims[1],
  });

  const groups = findings.map((finding, n) => measurementGroup(finding, input.assessments?.[n], {
    segmentation: seg!,
    sourceSeriesUid: source.seriesInstanceUid,
    image,
    slices: volume.dims[2],
  }));
  const axisSlices = [...new Set(findings.map((f) => f.longAxis.start.z))].sort((a, b) => a - b);

  const qualitative: ContentItem[] = [];
  if (input.examLungRads) qualitative.push(textItem('CONTAINS', codes.assessmentCategory, lungRadsText(input.examLungRads)));
  if (findings.length === 0) qualitative.push(textItem('CONTAINS', codes.finding, noNodulesText));
  for (const note of input.notes ?? []) qualitative.push(textItem('CONTAINS', codes.comment, note));

  const root = containerItem(undefined, codes.imagingMeasurementReport, [
    codeItem('HAS CONCEPT MOD', codes.languageOfContent, codes.englishUs),
    ...deviceObserverContext(model),
    codeItem('HAS CONCEPT MOD', codes.procedureReported, codes.ctUnspecifiedBodyRegion),
    containerItem('CONTAINS', codes.imageLibrary, axisSlices.length > 0
      ? [containerItem('CONTAINS', codes.imageLibraryGroup, axisSlices.map((k) => imageItem('CONTAINS', undefined, image(k))))]
      : []),
    // Always present, even empty: OHIF looks this container up unconditionally.
    containerItem('CONTAINS', codes.imagingMeasurements, groups),
    ...(qualitative.length > 0 ? [containerItem('CONTAINS', codes.qualitativeEvaluations, qualitative)] : []),
  ], '1500');

  const evidence: EvidenceSeries[] = [{
    seriesInstanceUid: source.seriesInstanceUid,
    instances: source.sopInstanceUids.map((sopInstanceUid) => ({ sopClassUid: source.sopClassUid, sopInstanceUid })),
  }];
  if (seg) evidence.push({ seriesInstanceUid: seg.seriesInstanceUid, instances: [{ sopClassUid: segmentationStorageSopClassUid, sopInstanceUid: seg.sopInstanceUid }] });

  return buildSrDocument({
    source,
    root,
    evidence,
    seriesNumber: input.seriesNumber ?? 9102,
    seriesDescription: 'Lungbridge nodule measurements',
    model,
    now: input.now ?? new Date(),
    uids: input.uids,
  });
}

/** TID 1001 with a device observer (TID 1004): who made the observations. */
export function deviceObserverContext(model: ModelInfo): ContentItem[] {
  const modelName = requireLo('model', `${model.name} ${model.version}`);
  return [
    codeItem('HAS OBS CONTEXT', codes.observerType, codes.device),
    uidrefItem('HAS OBS CONTEXT', codes.deviceObserverUid, uidFromName(`device ${modelName}`)),
    textItem('HAS OBS CONTEXT', codes.deviceObserverName, deviceObserverName),
    textItem('HAS OBS CONTEXT', codes.deviceObserverManufacturer, deviceObserverName),
    textItem('HAS OBS CONTEXT', codes.deviceObserverModelName, modelName),
  ];
}

interface SegmentationRef {
  readonly sopInstanceUid: string;
  readonly seriesInstanceUid: string;
}

interface GroupContext {
  readonly segmentation: SegmentationRef;
  readonly sourceSeriesUid: string;
  readonly image: (slice: number) => { sopClassUid: string; sopInstanceUid: string; columns: number; rows: number };
  readonly slices: number;
}

function measurementGroup(finding: Finding, assessment: FindingAssessment | undefined, context: GroupContext): ContentItem {
  const argument = `findings[${finding.index - 1}]`;
  const axis = (name: Code, line: AxisLine, which: string) => {
    const slice = axisSlice(`${argument}.${which}`, line, context.slices);
    // Voxel centres sit at +0.5 in image coordinates, whose origin is the image's top left corner.
    const points = [line.start, line.end].map((p) => ({ column: p.x + 0.5, row: p.y + 0.5 }));
    return numItem('CONTAINS', name, line.lengthMm, units.millimetre, [polylineItem('INFERRED FROM', points, context.image(slice))]);
  };
  if (finding.longAxis.start.z !== finding.shortAxis.start.z) {
    throw new DicomBuildError(`${argument}.shortAxis`, 'long and short axis must lie on the same slice');
  }

  const items: ContentItem[] = [
    textItem('HAS OBS CONTEXT', codes.trackingIdentifier, trackingIdentifier(finding.index)),
    uidrefItem('HAS OBS CONTEXT', codes.trackingUniqueIdentifier, finding.trackingUid),
    codeItem('CONTAINS', codes.finding, codes.nodule),
    imageItem('CONTAINS', codes.referencedSegment, {
      sopClassUid: segmentationStorageSopClassUid,
      sopInstanceUid: context.segmentation.sopInstanceUid,
      segmentNumber: finding.index,
    }),
    uidrefItem('CONTAINS', codes.sourceSeriesForSegmentation, context.sourceSeriesUid),
    codeItem('HAS CONCEPT MOD', codes.findingSite, codes.lung, [
      codeItem('HAS CONCEPT MOD', codes.laterality, lateralityCode(finding.laterality)),
      codeItem('HAS CONCEPT MOD', codes.topographicalModifier, zoneCode[finding.zone]),
    ]),
    // Long axis first: Cornerstone takes the first NUM's SCOORD as the measurement's image.
    axis(codes.longAxis, finding.longAxis, 'longAxis'),
    axis(codes.shortAxis, finding.shortAxis, 'shortAxis'),
    numItem('CONTAINS', codes.volume, finding.volumeMm3, units.cubicMillimetre),
    numItem('CONTAINS', codes.attenuationCoefficient, finding.meanHu, units.hounsfieldUnit, [
      codeItem('HAS CONCEPT MOD', codes.derivation, codes.mean),
    ]),
    numItem('CONTAINS', codes.certaintyOfFinding, probabilityPercent(`${argument}.probability`, finding.probability), units.percent),
    // No DCM/SCT codes exist for the Lung-RADS attenuation classes solid / part-solid / ground-glass.
    textItem('CONTAINS', codes.associatedMorphology, finding.type),
  ];
  if (assessment) {
    items.push(textItem('CONTAINS', codes.assessmentCategory, lungRadsText(assessment.lungRads)));
    if (assessment.brockProbability !== undefined) {
      items.push(numItem('CONTAINS', codes.probabilityOfCancer,
        probabilityPercent(`assessments[${finding.index - 1}].brockProbability`, assessment.brockProbability), units.percent, [
          textItem('HAS CONCEPT MOD', codes.algorithmName, brockAlgorithmName),
        ]));
    }
  }
  return containerItem('CONTAINS', codes.measurementGroup, items);
}

function axisSlice(argument: string, line: AxisLine, slices: number): number {
  const z = line.start.z;
  if (line.end.z !== z) throw new DicomBuildError(argument, `an axis must lie on one slice, got z ${z} and ${line.end.z}`);
  if (!Number.isInteger(z) || z < 0 || z >= slices) throw new DicomBuildError(argument, `slice ${z} is not a slice index of the volume (0..${slices - 1})`);
  return z;
}

function probabilityPercent(argument: string, probability: number): number {
  if (!(probability >= 0 && probability <= 1)) throw new DicomBuildError(argument, `a probability lies in 0..1, got ${probability}`);
  return probability * 100;
}

/** The SEG must be a Segmentation of this volume with a segment for every finding. */
function checkSegmentation(seg: NaturalizedDataset | undefined, volume: Volume, findings: readonly Finding[]): SegmentationRef {
  if (!seg) throw new DicomBuildError('segmentation', 'required when there are findings: each measurement group references its segment');
  if (seg.SOPClassUID !== segmentationStorageSopClassUid) throw new DicomBuildError('segmentation', `must be a Segmentation, got SOP class ${seg.SOPClassUID}`);
  if (seg.FrameOfReferenceUID !== volume.source.frameOfReferenceUid) throw new DicomBuildError('segmentation', 'must share the volume\'s FrameOfReferenceUID');
  const segmentNumbers = new Set((seg.SegmentSequence as NaturalizedDataset[] ?? []).map((s) => s.SegmentNumber));
  for (const f of findings) {
    if (!segmentNumbers.has(f.index)) throw new DicomBuildError('segmentation', `has no segment ${f.index} for finding ${f.index}`);
  }
  return { sopInstanceUid: seg.SOPInstanceUID, seriesInstanceUid: seg.SeriesInstanceUID };
}
