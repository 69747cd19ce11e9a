import { createHash } from 'node:crypto';
import { parseCtSlice, type CtSlice } from '../dicom/ct-slice.ts';
import type { PacsClient } from '../dicomweb/client.ts';
import { PipelineError } from '../errors/pipeline-error.ts';
import { chooseSeries, type SeriesAssessment, type SeriesCandidate } from './select-series.ts';

export interface FetchedSeries {
  readonly inputFingerprint: string;
  readonly choice: SeriesAssessment;
  readonly slices: readonly CtSlice[];
}

/**
 * Identifies a study's input: its series other than Lungbridge's own, with their sizes. Routing
 * compares it with the last analysis's, so storing our results never looks like new images.
 */
export function inputFingerprint(candidates: readonly SeriesCandidate[]): string {
  const parts = candidates.map((c) => `${c.info.seriesInstanceUid}:${c.info.instanceCount}`).sort();
  return createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 32);
}

/** Lists the study's series and loads the per-instance geometry of its CT series. */
export async function describeStudy(pacs: PacsClient, studyInstanceUid: string, ignoreSeries: ReadonlySet<string> = new Set()): Promise<SeriesCandidate[]> {
  const series = (await pacs.searchSeries(studyInstanceUid)).filter((s) => !ignoreSeries.has(s.seriesInstanceUid));
  if (series.length === 0) {
    throw new PipelineError('study-not-found', `Study ${studyInstanceUid} is not in the PACS (or has no series)`);
  }
  const candidates: SeriesCandidate[] = [];
  for (const info of series) {
    const instances = info.modality === 'CT' && info.instanceCount >= 2
      ? await pacs.seriesGeometry(studyInstanceUid, info.seriesInstanceUid)
      : [];
    candidates.push({ info, instances });
  }
  return candidates;
}

/** Stage 1: choose the best axial CT series of a study and retrieve its slices. */
export async function fetchStudy(pacs: PacsClient, studyInstanceUid: string, candidates: readonly SeriesCandidate[]): Promise<FetchedSeries> {
  const { chosen, assessed } = chooseSeries(candidates);
  if (!chosen) {
    const modalities = [...new Set(candidates.map((c) => c.info.modality || '?'))].join(', ');
    if (!candidates.some((c) => c.info.modality === 'CT')) {
      throw new PipelineError('not-ct', `Study has no CT series (modalities: ${modalities})`);
    }
    const why = assessed.map((a) => `series ${a.candidate.info.seriesNumber ?? a.candidate.info.seriesInstanceUid}: ${a.rejection}`).join('; ');
    throw new PipelineError('no-usable-series', `No usable axial CT series (${why})`);
  }
  const expected = new Set(chosen.candidate.instances.filter((i) => !i.imageType.some((t) => t.toUpperCase() === 'LOCALIZER')).map((i) => i.sopInstanceUid));
  const slices: CtSlice[] = [];
  for await (const part10 of pacs.retrieveSeries(studyInstanceUid, chosen.candidate.info.seriesInstanceUid)) {
    let slice: CtSlice;
    try {
      slice = parseCtSlice(part10);
    } catch (error) {
      if (error instanceof PipelineError) {
        throw new PipelineError(error.code, `Series ${chosen.candidate.info.seriesInstanceUid}: ${error.message}`, false, { cause: error });
      }
      throw error;
    }
    if (expected.has(slice.sopInstanceUid)) slices.push(slice);
  }
  if (slices.length < expected.size) {
    // Instances listed by the metadata but not delivered: the PACS is mid-change or failing.
    throw new PipelineError('pacs-unavailable', `PACS delivered ${slices.length} of ${expected.size} instances of the series`, true);
  }
  return { inputFingerprint: inputFingerprint(candidates), choice: chosen, slices };
}
