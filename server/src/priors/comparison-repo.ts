/** The comparison with the prior in the database: the prior's id on the analysis, each finding's change. */
import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { findingsOfAnalysis } from '../db/findings-repo.ts';
import { analyses, findings } from '../db/schema.ts';
import type { AnalysisRow } from '../jobs/queue.ts';
import type { PriorStudyComparison } from './compare-with-prior.ts';
import { noduleFromRow } from './compare-with-prior.ts';

export async function saveComparison(db: Db, analysisId: string, comparison: PriorStudyComparison): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.update(analyses).set({ priorAnalysisId: comparison.priorAnalysisId }).where(eq(analyses.id, analysisId));
    for (const [trackingUid, change] of comparison.changes) {
      await tx.update(findings).set({ change: { ...change, priorStudyInstanceUid: comparison.priorStudyInstanceUid } })
        .where(and(eq(findings.analysisId, analysisId), eq(findings.trackingUid, trackingUid)));
    }
  });
}

/**
 * Nodules of the prior that no current nodule was matched with: resolved since the prior. Derived
 * from the stored changes (each names its prior finding), so it follows the prior's review.
 */
export async function resolvedSincePrior(db: Db, analysis: AnalysisRow): Promise<Array<Record<string, unknown>>> {
  if (!analysis.priorAnalysisId) return [];
  const current = await findingsOfAnalysis(db, analysis.id);
  const matched = new Set(current.map((f) => (f.change as { priorFindingId?: string } | null)?.priorFindingId).filter(Boolean));
  const prior = (await findingsOfAnalysis(db, analysis.priorAnalysisId)).filter((row) => !matched.has(row.id));
  return prior.flatMap((row) => {
    const nodule = noduleFromRow(row);
    return nodule ? [{
      status: 'resolved',
      priorFindingId: nodule.id,
      priorIndex: nodule.index,
      priorTrackingUid: nodule.trackingUid,
      priorMeanDiameterMm: nodule.meanDiameterMm,
      priorVolumeMm3: nodule.volumeMm3,
      priorCentroidMm: nodule.centroidMm,
      ...(nodule.lungRadsCategory ? { priorCategory: nodule.lungRadsCategory } : {}),
    }] : [];
  });
}
