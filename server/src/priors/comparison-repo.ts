/** The comparison with the prior in the database: the prior's id on the analysis, each finding's change. */
import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { findingsOfAnalysis } from '../db/findings-repo.ts';
import { analyses, findings } from '../db/schema.ts';
import type { Finding } from '../domain/finding.ts';
import type { Vec3 } from '../domain/volume.ts';
import type { AnalysisRow } from '../jobs/queue.ts';
import { compareAddedNodule } from './added-nodule.ts';
import type { PriorStudyComparison } from './compare-with-prior.ts';
import { noduleFromFinding, noduleFromRow } from './compare-with-prior.ts';
import type { NoduleAtTime } from './match.ts';
import { daysBetween } from './prior-study.ts';

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

/**
 * What a nodule a reader added has done since the prior the analysis was compared with, as stored
 * in `findings.change`; undefined when there was no comparison (or the study dates are unknown).
 */
export async function changeOfAddedFinding(db: Db, analysis: AnalysisRow, finding: Finding): Promise<Record<string, unknown> | undefined> {
  if (!analysis.priorAnalysisId) return undefined;
  const [prior] = await db.select().from(analyses).where(eq(analyses.id, analysis.priorAnalysisId));
  const intervalDays = prior ? daysBetween(prior.series?.studyDate, analysis.series?.studyDate) : undefined;
  if (!prior || intervalDays === undefined) return undefined;
  const current = (await findingsOfAnalysis(db, analysis.id)).map((row) => ({
    centroidMm: (row.measurements as { centroidMm: Vec3 }).centroidMm,
    priorFindingId: (row.change as { priorFindingId?: string } | null)?.priorFindingId,
  }));
  const priorNodules = (await findingsOfAnalysis(db, prior.id)).map(noduleFromRow).filter((n): n is NoduleAtTime => n !== undefined);
  return { ...compareAddedNodule(noduleFromFinding(finding), current, priorNodules, intervalDays), priorStudyInstanceUid: prior.studyInstanceUid };
}
