/**
 * The SR document around a content tree (PS3.3 A.35): Patient/Study from the source, SR Document
 * Series, General Equipment, SR Document General and SR Document Content, SOP Common.
 */
import type { NaturalizedDataset } from 'dcmjs';
import type { ModelInfo, VolumeSource } from '../../domain/index.ts';
import { requireUid } from '../errors.ts';
import { newInstanceModules, patientStudyModules } from '../source-modules.ts';
import { newInstanceUids, type InstanceUids } from '../uids.ts';
import type { ContentItem } from './content-items.ts';

export const sopClasses = {
  /** SCOORD on images and no SCOORD3D: Comprehensive SR suffices (OHIF handles 88.11/22/33/34). */
  comprehensiveSr: '1.2.840.10008.5.1.4.1.1.88.33',
} as const;

export interface EvidenceSeries {
  readonly seriesInstanceUid: string;
  readonly instances: readonly { readonly sopClassUid: string; readonly sopInstanceUid: string }[];
}

export interface SrDocumentInput {
  readonly source: Pick<VolumeSource, 'studyInstanceUid' | 'patientStudy'>;
  /** The root CONTAINER (no relationship type). */
  readonly root: ContentItem;
  /** Everything the content refers to, in this study (C.17.2.3 Current Requested Procedure Evidence). */
  readonly evidence: readonly EvidenceSeries[];
  readonly seriesNumber: number;
  readonly seriesDescription: string;
  readonly model?: ModelInfo;
  readonly now: Date;
  /** Fresh ones when left out; a run's results take theirs from its key (pipeline/result-uids.ts). */
  readonly uids?: InstanceUids;
}

export function buildSrDocument(input: SrDocumentInput): NaturalizedDataset {
  const { root } = input;
  return {
    ...patientStudyModules(input.source),
    ...newInstanceModules({
      sopClassUid: sopClasses.comprehensiveSr,
      ...(input.uids ?? newInstanceUids()),
      modality: 'SR',
      seriesNumber: input.seriesNumber,
      seriesDescription: input.seriesDescription,
      ...(input.model ? { model: input.model } : {}),
      now: input.now,
      timezoneOffsetFromUtc: input.source.patientStudy.TimezoneOffsetFromUTC,
    }),
    // SR Document Series (C.17.1): type 2, empty: no MPPS step is known to us.
    ReferencedPerformedProcedureStepSequence: [],
    // SR Document General (C.17.2). Completion: the AI's report is whole; verification is a radiologist's act.
    CompletionFlag: 'COMPLETE',
    VerificationFlag: 'UNVERIFIED',
    PerformedProcedureCodeSequence: [],
    ...(input.evidence.length > 0 ? {
      CurrentRequestedProcedureEvidenceSequence: [{
        StudyInstanceUID: input.source.studyInstanceUid,
        ReferencedSeriesSequence: input.evidence.map((series, n) => ({
          SeriesInstanceUID: requireUid(`evidence[${n}].seriesInstanceUid`, series.seriesInstanceUid),
          ReferencedSOPSequence: series.instances.map((instance) => ({
            ReferencedSOPClassUID: instance.sopClassUid,
            ReferencedSOPInstanceUID: instance.sopInstanceUid,
          })),
        })),
      }],
    } : {}),
    // SR Document Content (C.17.3): the root content item's attributes sit in the top-level dataset.
    ...root,
  };
}
