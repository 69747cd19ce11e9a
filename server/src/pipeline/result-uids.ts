import { createHash } from 'node:crypto';
import { newInstanceUids, newUid, uidFromName, type InstanceUids } from '../dicom/uids.ts';
import type { Finding } from '../domain/finding.ts';
import type { LungScreeningReport } from '../report/build-report.ts';
import type { EncodedObject } from './encode.ts';

/** Where a run's UIDs come from: its result objects' (per kind) and its findings' tracking UIDs. */
export interface ResultUids {
  instance(kind: EncodedObject['kind']): InstanceUids;
  trackingUid(findingIndex: number): string;
}

/** New UIDs at every call: each encoding is a new version beside the last. */
export const freshResultUids: ResultUids = { instance: newInstanceUids, trackingUid: newUid };

/**
 * The same UIDs for the same key. The service keys a run's objects on its analysis and on what
 * they say (`resultsDigest`), and its nodules' tracking UIDs on its analysis, series and model
 * (`runAnalysisPipeline`), so that a run done again stores the same instances, which the PACS
 * keeps once (Orthanc answers a second STOW of an instance with success and keeps the first), not
 * a second set of SR, SEG and PDF beside the first: a retry after the results reached the PACS but
 * the answer or the record of it was lost, or a worker that paused past its claim and goes on.
 * A run done again that says something else (a prior compared this time and not the last, a new
 * release measuring otherwise, a patient's name corrected in the PACS meanwhile) stores new objects.
 */
export function keyedResultUids(key: string): ResultUids {
  return {
    instance: (kind) => ({ sopInstanceUid: uidFromName(`results ${key} ${kind} instance`), seriesInstanceUid: uidFromName(`results ${key} ${kind} series`) }),
    trackingUid: (findingIndex) => uidFromName(`results ${key} nodule ${findingIndex}`),
  };
}

/**
 * What a run's objects say, as a digest: the report (every nodule's measurements, category, risk
 * and change, the exam, the model) but for the time it was made, the nodules' masks (the SEG),
 * and the patient and study attributes the objects copy.
 */
export function resultsDigest(input: { findings: readonly Pick<Finding, 'index' | 'mask'>[]; report: LungScreeningReport; patientStudy: Readonly<Record<string, unknown>> }): string {
  const hash = createHash('sha256');
  const { performedAt: _, ...analysis } = input.report.analysis;
  hash.update(JSON.stringify({ report: { ...input.report, analysis }, patientStudy: input.patientStudy }));
  for (const { index, mask } of input.findings) {
    hash.update(JSON.stringify({ index, offset: mask.offset, size: mask.size }));
    hash.update(mask.data);
  }
  return hash.digest('hex');
}
