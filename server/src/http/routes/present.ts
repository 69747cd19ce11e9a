import type { AnalysisRow } from '../../jobs/queue.ts';
import type { FindingRow } from '../../db/findings-repo.ts';
import { viewerUrl } from '../pages/home-page.ts';

/** The public shape of an analysis: DICOM UIDs, no Orthanc ids, no worker internals. */
export function presentAnalysis(row: AnalysisRow, publicUrl: string, extra: { findingCount?: number } = {}) {
  return {
    id: row.id,
    studyInstanceUid: row.studyInstanceUid,
    status: row.status,
    trigger: row.trigger,
    attempts: row.attempts,
    error: row.error ? { code: row.errorCode ?? row.skipRule ?? 'unknown', reason: row.error } : null,
    skipRule: row.skipRule,
    series: row.series ?? null,
    model: row.model ?? null,
    outputs: row.outputs ?? null,
    timings: row.timings ?? null,
    warnings: row.warnings ?? [],
    examAssessment: row.examAssessment ?? null,
    reviewState: row.reviewState,
    priorAnalysisId: row.priorAnalysisId ?? null,
    ...(extra.findingCount !== undefined ? { findingCount: extra.findingCount } : {}),
    createdAt: row.createdAt.toISOString(),
    startedAt: row.startedAt?.toISOString() ?? null,
    finishedAt: row.finishedAt?.toISOString() ?? null,
    viewerUrl: `${publicUrl}${viewerUrl(row.studyInstanceUid)}`,
  };
}

export function presentFinding(row: FindingRow) {
  return {
    id: row.id,
    analysisId: row.analysisId,
    index: row.index,
    trackingUid: row.trackingUid,
    probability: row.probability,
    ...row.measurements,
    assessment: row.assessment ?? null,
    change: row.change ?? null,
    source: row.source,
    review: { status: row.reviewStatus, note: row.reviewNote, by: row.reviewedBy, at: row.reviewedAt?.toISOString() ?? null },
    original: row.original ?? null,
  };
}
