import type { NaturalizedDataset } from 'dcmjs';
import { toPart10 } from '../dicom/part10.ts';
import { buildSegmentation } from '../dicom/seg.ts';
import { buildMeasurementReport } from '../dicom/sr/measurement-report.ts';
import type { ModelInfo } from '../domain/analysis.ts';
import type { FindingAssessment, LungRadsResult } from '../domain/assessment.ts';
import type { Finding } from '../domain/finding.ts';
import type { Volume } from '../domain/volume.ts';

export interface EncodedObject {
  readonly kind: 'sr' | 'seg';
  readonly sopInstanceUid: string;
  readonly seriesInstanceUid: string;
  readonly part10: Uint8Array;
}

/** Series numbers of Lungbridge's results, high enough to sort after the modality's series. */
export const resultSeriesNumbers = { seg: 9001, sr: 9002 } as const;

function encoded(kind: EncodedObject['kind'], dataset: NaturalizedDataset): EncodedObject {
  return { kind, sopInstanceUid: String(dataset.SOPInstanceUID), seriesInstanceUid: String(dataset.SeriesInstanceUID), part10: toPart10(dataset) };
}

/**
 * Stage 7: the DICOM results of one run: a SEG with a segment per nodule (none when nothing was
 * found) and a TID 1500 SR that references it. Fresh UIDs every call, so a re-run adds a new
 * version and never collides with the last one.
 */
export function encodeResults(input: {
  volume: Volume;
  findings: readonly Finding[];
  model: ModelInfo;
  assessments?: readonly (FindingAssessment | undefined)[];
  examLungRads?: LungRadsResult;
}): EncodedObject[] {
  const segmentation = input.findings.length
    ? buildSegmentation({ volume: input.volume, findings: input.findings, model: input.model, seriesNumber: resultSeriesNumbers.seg })
    : undefined;
  const report = buildMeasurementReport({
    volume: input.volume,
    findings: input.findings,
    assessments: input.assessments,
    examLungRads: input.examLungRads,
    model: input.model,
    segmentation,
    seriesNumber: resultSeriesNumbers.sr,
  });
  return [...(segmentation ? [encoded('seg', segmentation)] : []), encoded('sr', report)];
}
