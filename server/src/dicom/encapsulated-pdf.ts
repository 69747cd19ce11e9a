/**
 * Encapsulated PDF Storage (SOP Class 1.2.840.10008.5.1.4.1.1.104.1; PS3.3 A.45.1): the report PDF
 * as a DICOM instance of the source study, so that the PACS and its viewers hold the report beside
 * the images. Modules: Patient and General Study (copied from the source), Encapsulated Document
 * Series (C.24.1, Modality DOC), General Equipment, SC Equipment (C.8.6.1), Encapsulated Document
 * (C.24.2), SOP Common.
 */
import type { NaturalizedDataset } from 'dcmjs';
import type { ModelInfo, VolumeSource } from '../domain/index.ts';
import { DicomBuildError, DicomReadError, requireLo } from './errors.ts';
import { newInstanceModules, patientStudyModules } from './source-modules.ts';
import { newInstanceUids, type InstanceUids } from './uids.ts';

export const encapsulatedPdfStorageSopClassUid = '1.2.840.10008.5.1.4.1.1.104.1';

export interface EncapsulatedPdfInput {
  readonly source: Pick<VolumeSource, 'studyInstanceUid' | 'patientStudy'>;
  readonly pdf: Uint8Array;
  /** DocumentTitle (ST; kept to 64 characters, LO, for what lists show). */
  readonly title: string;
  /** Instances the document was made from (C.24.2 Source Instance Sequence), e.g. the key image slices. */
  readonly sourceInstances?: readonly { readonly sopClassUid: string; readonly sopInstanceUid: string }[];
  readonly model: ModelInfo;
  readonly seriesNumber: number;
  readonly seriesDescription: string;
  readonly now?: Date;
  /** Fresh ones when left out; a run's results take theirs from its key (pipeline/result-uids.ts). */
  readonly uids?: InstanceUids;
}

export function buildEncapsulatedPdf(input: EncapsulatedPdfInput): NaturalizedDataset {
  const { pdf } = input;
  if (!(pdf.length >= 5 && Buffer.from(pdf.subarray(0, 5)).toString('latin1') === '%PDF-')) {
    throw new DicomBuildError('pdf', 'must be a PDF file (starting with %PDF-)');
  }
  const instance = newInstanceModules({
    sopClassUid: encapsulatedPdfStorageSopClassUid,
    ...(input.uids ?? newInstanceUids()),
    modality: 'DOC',
    seriesNumber: input.seriesNumber,
    seriesDescription: input.seriesDescription,
    model: input.model,
    now: input.now ?? new Date(),
    timezoneOffsetFromUtc: input.source.patientStudy.TimezoneOffsetFromUTC,
  });
  // OB values have even length (PS3.5 7.1.1): pad with a NUL; EncapsulatedDocumentLength keeps the true size.
  const padded = new Uint8Array(pdf.length + (pdf.length % 2));
  padded.set(pdf);
  const sources = input.sourceInstances ?? [];
  return {
    ...patientStudyModules(input.source),
    ...instance,
    // SC Equipment (C.8.6.1): made on a workstation, not captured from film or video.
    ConversionType: 'WSD',
    // Encapsulated Document (C.24.2).
    AcquisitionDateTime: `${String(instance.ContentDate)}${String(instance.ContentTime)}`,
    // The PDF names the study by UID, date and accession, never the patient's name or ID.
    BurnedInAnnotation: 'NO',
    DocumentTitle: requireLo('title', input.title),
    ConceptNameCodeSequence: [],
    ...(sources.length > 0 ? {
      SourceInstanceSequence: sources.map((s) => ({ ReferencedSOPClassUID: s.sopClassUid, ReferencedSOPInstanceUID: s.sopInstanceUid })),
    } : {}),
    MIMETypeOfEncapsulatedDocument: 'application/pdf',
    EncapsulatedDocument: [padded.buffer],
    EncapsulatedDocumentLength: pdf.length,
    _vrMap: { EncapsulatedDocument: 'OB' },
  };
}

/** The PDF inside an Encapsulated PDF dataset, without the padding byte. */
export function readEncapsulatedPdf(dataset: NaturalizedDataset): Uint8Array {
  if (dataset.SOPClassUID !== encapsulatedPdfStorageSopClassUid) throw new DicomReadError(`not Encapsulated PDF Storage (SOP Class ${String(dataset.SOPClassUID)})`);
  const value = dataset.EncapsulatedDocument;
  const buffer = (Array.isArray(value) ? value[0] : value) as ArrayBuffer | undefined;
  if (!buffer) throw new DicomReadError('no EncapsulatedDocument');
  const bytes = new Uint8Array(buffer);
  const length = Number(dataset.EncapsulatedDocumentLength ?? bytes.length);
  return bytes.subarray(0, Math.min(length, bytes.length));
}
