import type { Db } from '../db/client.ts';
import { storedSeries } from '../db/schema.ts';
import type { PacsClient } from '../dicomweb/client.ts';
import type { StoredOutputs } from '../domain/analysis.ts';
import { PipelineError } from '../errors/pipeline-error.ts';
import type { EncodedObject } from './encode.ts';

/**
 * Stage 8: STOW-RS the results into the source study. The series are recorded as ours *before*
 * they are sent, so the StableStudy that storing them causes is recognised and never routed.
 */
export async function storeResults(deps: { pacs: PacsClient; db: Db }, input: { analysisId: string; studyInstanceUid: string; objects: readonly EncodedObject[] }): Promise<StoredOutputs> {
  await deps.db.insert(storedSeries)
    .values(input.objects.map((o) => ({ seriesInstanceUid: o.seriesInstanceUid, studyInstanceUid: input.studyInstanceUid, analysisId: input.analysisId, kind: o.kind })))
    .onConflictDoNothing();
  const result = await deps.pacs.store(input.studyInstanceUid, input.objects.map((o) => o.part10));
  if (result.failed.length) {
    const reasons = result.failed.map((f) => ({ uid: f.sopInstanceUid, ...stowFailureReason(f.reason) }));
    const which = reasons.map((r) => `${r.uid} (${r.text})`).join(', ');
    // Out of resources passes (a full disk is freed, a busy PACS recovers): worth the retries.
    const transient = reasons.every((r) => r.transient);
    throw new PipelineError(transient ? 'pacs-unavailable' : 'pacs-rejected', `PACS refused to store the results: ${which}`, transient);
  }
  const storedUids = new Set(result.stored);
  const missing = input.objects.filter((o) => !storedUids.has(o.sopInstanceUid));
  if (missing.length) {
    throw new PipelineError('pacs-rejected', `PACS did not confirm storing ${missing.map((o) => o.kind.toUpperCase()).join(' and ')}`);
  }
  // A PACS can report an instance as stored and still drop it (Orthanc answers a STOW that its
  // ReceivedInstanceFilter refused with success): believe what a query finds.
  for (const object of input.objects) {
    if (!(await deps.pacs.instanceExists(input.studyInstanceUid, object.seriesInstanceUid, object.sopInstanceUid))) {
      throw new PipelineError('pacs-rejected', `PACS acknowledged the ${object.kind.toUpperCase()} ${object.sopInstanceUid} but does not have it (refused by its own rules?)`);
    }
  }
  const sr = input.objects.find((o) => o.kind === 'sr');
  const seg = input.objects.find((o) => o.kind === 'seg');
  return {
    ...(sr ? { srSopInstanceUid: sr.sopInstanceUid, srSeriesInstanceUid: sr.seriesInstanceUid } : {}),
    ...(seg ? { segSopInstanceUid: seg.sopInstanceUid, segSeriesInstanceUid: seg.seriesInstanceUid } : {}),
  };
}

/**
 * A STOW-RS FailureReason (0008,1197) as a PACS administrator reads it: its hexadecimal code, as
 * the standard lists it (PS3.18 Table 10.5.3-1, PS3.4 Annex B), and what it means.
 */
export function stowFailureReason(reason: number | undefined): { text: string; transient: boolean } {
  if (reason === undefined) return { text: 'no reason given', transient: false };
  const hex = `0x${reason.toString(16).toUpperCase().padStart(4, '0')}`;
  const outOfResources = (reason & 0xff00) === 0xa700;
  const meaning = outOfResources ? 'refused: out of resources'
    : (reason & 0xff00) === 0xa900 ? 'error: data set does not match SOP class'
      : (reason & 0xf000) === 0xc000 ? 'error: cannot understand'
        : ({ 0x0110: 'processing failure', 0x0122: 'SOP class not supported', 0x0124: 'not authorized' } as Record<number, string>)[reason] ?? 'failure';
  return { text: `reason ${hex}, ${meaning}`, transient: outOfResources };
}
