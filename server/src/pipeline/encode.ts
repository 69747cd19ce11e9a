import type { NaturalizedDataset } from 'dcmjs';
import { buildEncapsulatedPdf } from '../dicom/encapsulated-pdf.ts';
import { toPart10 } from '../dicom/part10.ts';
import { buildSegmentation } from '../dicom/seg.ts';
import { buildMeasurementReport } from '../dicom/sr/measurement-report.ts';
import { buildNotAnalysedReport } from '../dicom/sr/not-analysed-report.ts';
import type { InstanceUids } from '../dicom/uids.ts';
import type { ModelInfo } from '../domain/analysis.ts';
import type { FindingAssessment, LungRadsResult } from '../domain/assessment.ts';
import type { Finding } from '../domain/finding.ts';
import type { Volume } from '../domain/volume.ts';
import type { LungScreeningReport } from '../report/build-report.ts';
import { keyImageFieldMm, renderKeyImage } from '../report/key-image.ts';
import { renderReportPdf } from '../report/render-pdf.ts';
import { freshResultUids, type ResultUids } from './result-uids.ts';

/** 'not-analysed-sr': the short SR that says the AI did not (validly) analyse the study. */
export const encodedKinds = ['seg', 'sr', 'pdf', 'not-analysed-sr'] as const;

export interface EncodedObject {
  readonly kind: (typeof encodedKinds)[number];
  readonly sopInstanceUid: string;
  readonly seriesInstanceUid: string;
  readonly part10: Uint8Array;
}

/** Series numbers of Lungbridge's results, high enough to sort after the modality's series. */
export const resultSeriesNumbers = { seg: 9001, sr: 9002, pdf: 9003, notAnalysedSr: 9103 } as const;

export function encoded(kind: EncodedObject['kind'], dataset: NaturalizedDataset): EncodedObject {
  return { kind, sopInstanceUid: String(dataset.SOPInstanceUID), seriesInstanceUid: String(dataset.SeriesInstanceUID), part10: toPart10(dataset) };
}

/** The report PDF with a key image per nodule, as Encapsulated PDF in the source study. */
function encodeReportPdf(volume: Volume, findings: readonly Finding[], report: LungScreeningReport, model: ModelInfo, uids: InstanceUids): EncodedObject {
  const keyImages = findings.map((finding) => {
    const slice = Math.min(volume.dims[2] - 1, Math.max(0, Math.round(finding.centroidVoxel.z)));
    return {
      noduleIndex: finding.index,
      image: renderKeyImage(volume, finding),
      note: `axial slice ${slice + 1} of ${volume.dims[2]}, lung window, ${Math.round(keyImageFieldMm(finding))} mm field, outline of the segmentation`,
      slice,
    };
  });
  const dataset = buildEncapsulatedPdf({
    source: volume.source,
    pdf: renderReportPdf(report, keyImages),
    title: 'Lung screening CT: automated nodule analysis',
    sourceInstances: [...new Set(keyImages.map((k) => k.slice))].map((k) => ({ sopClassUid: volume.source.sopClassUid, sopInstanceUid: volume.source.sopInstanceUids[k] })),
    model,
    seriesNumber: resultSeriesNumbers.pdf,
    seriesDescription: `Lungbridge report: Lung-RADS ${report.exam.lungRads.category} (for review)`,
    uids,
  });
  return encoded('pdf', dataset);
}

/** What one run's DICOM results are made of. */
export interface ResultsToEncode {
  readonly volume: Volume;
  readonly findings: readonly Finding[];
  readonly model: ModelInfo;
  readonly assessments?: readonly (FindingAssessment | undefined)[];
  readonly examLungRads?: LungRadsResult;
  /** The analysis's notes for the reader (its warnings), carried by the SR; the PDF prints its report's own. */
  readonly notes?: readonly string[];
  readonly report?: LungScreeningReport;
  /** Fresh ones by default. */
  readonly uids?: Pick<ResultUids, 'instance'>;
}

/** `encodeResults` where the service runs it: on its analysis thread, off the event loop. */
export type EncodeResults = (input: ResultsToEncode) => Promise<EncodedObject[]>;

/**
 * Stage 7: the DICOM results of one run: a SEG with a segment per nodule (none when nothing was
 * found) and a TID 1500 SR that references it, carrying Lung-RADS and Brock when assessed. With a
 * report, also the report as Encapsulated PDF and, when the exam could not be assessed (Lung-RADS
 * 0), a "not analysed" SR saying why, so that no reader takes the absence of findings as a negative
 * result. The UIDs come from `uids` (fresh ones by default).
 */
export function encodeResults(input: ResultsToEncode): EncodedObject[] {
  const uids = input.uids ?? freshResultUids;
  const segmentation = input.findings.length
    ? buildSegmentation({ volume: input.volume, findings: input.findings, model: input.model, seriesNumber: resultSeriesNumbers.seg, uids: uids.instance('seg') })
    : undefined;
  const measurementReport = buildMeasurementReport({
    volume: input.volume,
    findings: input.findings,
    assessments: input.assessments,
    examLungRads: input.examLungRads,
    notes: input.notes,
    model: input.model,
    segmentation,
    seriesNumber: resultSeriesNumbers.sr,
    uids: uids.instance('sr'),
  });
  const objects = [...(segmentation ? [encoded('seg', segmentation)] : []), encoded('sr', measurementReport)];
  const { report } = input;
  if (report) {
    objects.push(encodeReportPdf(input.volume, input.findings, report, input.model, uids.instance('pdf')));
    const { assessable } = report.exam;
    if (!assessable.ok) {
      objects.push(encoded('not-analysed-sr', buildNotAnalysedReport({
        source: input.volume.source,
        reason: `the exam cannot be assessed (Lung-RADS 0): ${assessable.reason}`,
        model: input.model,
        seriesNumber: resultSeriesNumbers.notAnalysedSr,
        uids: uids.instance('not-analysed-sr'),
      })));
    }
  }
  return objects;
}
