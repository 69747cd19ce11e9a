import { and, desc, eq } from 'drizzle-orm';
import { axisMethod, type Finding } from '../domain/finding.ts';
import type { Db } from './client.ts';
import { analyses, findings } from './schema.ts';

export type FindingRow = typeof findings.$inferSelect;

/** The measurements of a finding as stored and served: everything but the voxel mask, and how its axes were measured. */
export function findingMeasurements(finding: Finding): Record<string, unknown> {
  const { mask: _mask, ...measurements } = finding;
  return { ...measurements, axisMethod };
}

/** The columns of a finding's row: its measurements and its mask over the bounding box. */
export function findingRowValues(analysisId: string, studyInstanceUid: string, f: Finding) {
  return {
    analysisId,
    studyInstanceUid,
    index: f.index,
    trackingUid: f.trackingUid,
    probability: f.probability,
    measurements: findingMeasurements(f),
    maskOffset: [...f.mask.offset] as [number, number, number],
    maskSize: [...f.mask.size] as [number, number, number],
    maskData: f.mask.data,
  };
}

export async function saveFindings(db: Db, analysisId: string, studyInstanceUid: string, list: readonly Finding[]): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.delete(findings).where(eq(findings.analysisId, analysisId));
    if (list.length === 0) return;
    await tx.insert(findings).values(list.map((f) => findingRowValues(analysisId, studyInstanceUid, f)));
  });
}

export async function findingsOfAnalysis(db: Db, analysisId: string): Promise<FindingRow[]> {
  return db.select().from(findings).where(eq(findings.analysisId, analysisId)).orderBy(findings.index);
}

/** Findings of the study's most recent succeeded analysis (what a reader should see). */
export async function currentFindingsOfStudy(db: Db, studyInstanceUid: string): Promise<{ analysisId?: string; rows: FindingRow[] }> {
  const [latest] = await db.select({ id: analyses.id }).from(analyses)
    .where(and(eq(analyses.studyInstanceUid, studyInstanceUid), eq(analyses.status, 'succeeded')))
    .orderBy(desc(analyses.finishedAt))
    .limit(1);
  if (!latest) return { rows: [] };
  return { analysisId: latest.id, rows: await findingsOfAnalysis(db, latest.id) };
}
