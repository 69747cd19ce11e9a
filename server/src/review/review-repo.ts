/**
 * The radiologist's review in the database: decisions on findings (the machine's original kept),
 * findings added by readers, the analysis's review state. Every write returns before and after,
 * for the audit log.
 */
import { and, eq, max, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { findingRowValues, type FindingRow } from '../db/findings-repo.ts';
import { analyses, findings } from '../db/schema.ts';
import type { Finding } from '../domain/finding.ts';
import type { AnalysisRow } from '../jobs/queue.ts';
import type { FindingMeasurements } from './edit-finding.ts';

export type ReviewState = 'unreviewed' | 'in-review' | 'reviewed';
export type ReviewDecision = 'accepted' | 'rejected' | 'edited';

/** What the audit log keeps of a finding: its review fields and measurements, not its mask. */
export function auditView(row: FindingRow) {
  return { reviewStatus: row.reviewStatus, reviewNote: row.reviewNote, source: row.source, measurements: row.measurements };
}

/** The stored finding as a domain Finding (measurements + mask). */
export function findingOfRow(row: FindingRow): Finding {
  return {
    ...(row.measurements as unknown as FindingMeasurements),
    index: row.index,
    trackingUid: row.trackingUid,
    probability: row.probability,
    mask: { offset: row.maskOffset, size: row.maskSize, data: new Uint8Array(row.maskData) },
  };
}

export async function findingById(db: Db, id: string): Promise<FindingRow | undefined> {
  const [row] = await db.select().from(findings).where(eq(findings.id, id));
  return row;
}

/** A reader touched the analysis: 'in-review' until the review is completed (again). */
async function markInReview(db: Db, analysisId: string): Promise<void> {
  await db.update(analyses).set({ reviewState: 'in-review', updatedAt: sql`now()` }).where(eq(analyses.id, analysisId));
}

export async function decideFinding(db: Db, row: FindingRow, input: {
  decision: ReviewDecision;
  actor: string;
  note?: string;
  measurements?: FindingMeasurements;
}): Promise<FindingRow> {
  const [after] = await db.update(findings).set({
    reviewStatus: input.decision,
    reviewedBy: input.actor,
    reviewedAt: new Date(),
    ...(input.note === undefined ? {} : { reviewNote: input.note }),
    ...(input.measurements ? { measurements: input.measurements as unknown as Record<string, unknown>, original: row.original ?? row.measurements } : {}),
  }).where(eq(findings.id, row.id)).returning();
  await markInReview(db, row.analysisId);
  return after;
}

export async function addReaderFinding(db: Db, analysis: AnalysisRow, finding: Finding, input: { actor: string; note?: string; change?: Record<string, unknown> }): Promise<FindingRow> {
  const [row] = await db.insert(findings).values({
    ...findingRowValues(analysis.id, analysis.studyInstanceUid, finding),
    ...(input.change ? { change: input.change } : {}),
    source: 'reader',
    reviewStatus: 'accepted',
    reviewedBy: input.actor,
    reviewedAt: new Date(),
    ...(input.note === undefined ? {} : { reviewNote: input.note }),
  }).returning();
  await markInReview(db, analysis.id);
  return row;
}

export async function nextFindingIndex(db: Db, analysisId: string): Promise<number> {
  const [{ highest }] = await db.select({ highest: max(findings.index) }).from(findings).where(eq(findings.analysisId, analysisId));
  return (highest ?? 0) + 1;
}

/** Findings no reader decided on count as accepted when the review is completed: the reader signed them off. */
export async function acceptPending(db: Db, analysisId: string, actor: string): Promise<number> {
  const rows = await db.update(findings).set({ reviewStatus: 'accepted', reviewedBy: actor, reviewedAt: new Date() })
    .where(and(eq(findings.analysisId, analysisId), eq(findings.reviewStatus, 'pending')))
    .returning({ id: findings.id });
  return rows.length;
}

export async function setReviewState(db: Db, analysisId: string, state: ReviewState): Promise<void> {
  await db.update(analyses).set({ reviewState: state, updatedAt: sql`now()` }).where(eq(analyses.id, analysisId));
}
