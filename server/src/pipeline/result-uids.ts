import { newInstanceUids, newUid, uidFromName, type InstanceUids } from '../dicom/uids.ts';
import type { EncodedObject } from './encode.ts';

/** Where a run's UIDs come from: its result objects' (per kind) and its findings' tracking UIDs. */
export interface ResultUids {
  instance(kind: EncodedObject['kind']): InstanceUids;
  trackingUid(findingIndex: number): string;
}

/** New UIDs at every call: each encoding is a new version beside the last. */
export const freshResultUids: ResultUids = { instance: newInstanceUids, trackingUid: newUid };

/**
 * The same UIDs for the same key. The service keys a run on its analysis, input and model
 * (`runAnalysisPipeline`), so that a run done again stores the same instances, which the PACS
 * keeps once (Orthanc answers a second STOW of an instance with success and keeps the first), not
 * a second set of SR, SEG and PDF beside the first: a retry after the results reached the PACS but
 * the answer or the record of it was lost, or a worker that paused past its claim and goes on.
 */
export function keyedResultUids(key: string): ResultUids {
  return {
    instance: (kind) => ({ sopInstanceUid: uidFromName(`results ${key} ${kind} instance`), seriesInstanceUid: uidFromName(`results ${key} ${kind} series`) }),
    trackingUid: (findingIndex) => uidFromName(`results ${key} nodule ${findingIndex}`),
  };
}
