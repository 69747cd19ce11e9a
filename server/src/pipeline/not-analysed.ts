/**
 * The "not analysed" SR of a study Lungbridge turned away (routing rules) or could not analyse (a
 * failure), stored into the study so that a radiologist never reads "AI did not run" as "AI found
 * nothing" (issue 8 item 6). Its patient and study attributes come from one instance of the study.
 */
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { analyses, storedSeries } from '../db/schema.ts';
import type { PacsClient } from '../dicomweb/client.ts';
import type { ModelInfo } from '../domain/analysis.ts';
import { fromPart10 } from '../dicom/part10.ts';
import { buildNotAnalysedReport } from '../dicom/sr/not-analysed-report.ts';
import { PipelineError } from '../errors/pipeline-error.ts';
import { encoded, resultSeriesNumbers, type EncodedObject } from './encode.ts';
import { describeStudy } from './fetch.ts';
import { storeResults } from './store.ts';
import { errorMessage } from '../errors/error-message.ts';

/** Failures after which no SR is stored: the study is gone, or it holds no CT to mistake for a negative. */
const noReportFor = new Set(['study-not-found', 'not-ct']);

export function wantsNotAnalysedReport(errorCode: string | null | undefined): boolean {
  return !noReportFor.has(errorCode ?? '');
}

/** Patient and study attributes of the study, read from one of its instances (a CT one when there is one). */
async function studyAttributes(pacs: PacsClient, db: Db, studyInstanceUid: string): Promise<Record<string, unknown>> {
  const ours = await db.select({ uid: storedSeries.seriesInstanceUid }).from(storedSeries).where(eq(storedSeries.studyInstanceUid, studyInstanceUid));
  const candidates = await describeStudy(pacs, studyInstanceUid, new Set(ours.map((r) => r.uid)));
  const withInstances = candidates.find((c) => c.instances.length > 0);
  if (!withInstances) throw new PipelineError('no-usable-series', `Study ${studyInstanceUid} has no CT instance to take patient and study attributes from`);
  const bytes = await pacs.retrieveInstance(studyInstanceUid, withInstances.info.seriesInstanceUid, withInstances.instances[0].sopInstanceUid);
  // patientStudyModules copies only the Patient and General Study attributes out of this.
  return fromPart10(bytes);
}

/** Builds and stores the SR; recorded in stored_series first, so that routing ignores it. */
export async function storeNotAnalysedReport(
  deps: { pacs: PacsClient; db: Db; model: ModelInfo },
  input: { analysisId: string; studyInstanceUid: string; reason: string },
): Promise<EncodedObject> {
  const patientStudy = await studyAttributes(deps.pacs, deps.db, input.studyInstanceUid);
  const report = encoded('not-analysed-sr', buildNotAnalysedReport({
    source: { studyInstanceUid: input.studyInstanceUid, patientStudy },
    reason: input.reason.trim().replace(/\.+$/, ''),
    model: deps.model,
    seriesNumber: resultSeriesNumbers.notAnalysedSr,
  }));
  await storeResults(deps, { analysisId: input.analysisId, studyInstanceUid: input.studyInstanceUid, objects: [report] });
  return report;
}

/**
 * Best effort for an analysis that did not run or failed: the SR becomes the analysis's SR output
 * (GET /analyses/:id/sr serves it); when it cannot be stored (the PACS may be what failed), the
 * analysis's warnings say so.
 */
export async function reportNotAnalysed(
  deps: { pacs: PacsClient; db: Db; model: ModelInfo },
  input: { analysisId: string; studyInstanceUid: string; reason: string },
): Promise<EncodedObject | undefined> {
  try {
    const report = await storeNotAnalysedReport(deps, input);
    await deps.db.update(analyses)
      .set({ outputs: { srSopInstanceUid: report.sopInstanceUid, srSeriesInstanceUid: report.seriesInstanceUid } })
      .where(eq(analyses.id, input.analysisId));
    return report;
  } catch (error) {
    const warning = `Could not store the "not analysed" SR into the study: ${errorMessage(error)}`;
    await deps.db.update(analyses)
      .set({ warnings: sql`coalesce(${analyses.warnings}, '[]'::jsonb) || ${JSON.stringify([warning])}::jsonb` })
      .where(eq(analyses.id, input.analysisId));
    return undefined;
  }
}
