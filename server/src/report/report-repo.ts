/** The clinical answer in the database: assessments on the analysis and its findings, report versions. */
import { and, desc, eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { analyses, findings, reports } from '../db/schema.ts';
import type { FindingAssessment, LungRadsResult } from '../domain/assessment.ts';
import type { LungScreeningReport } from './build-report.ts';

export type ReportRow = typeof reports.$inferSelect;

/** Exam category, patient inputs and each finding's Lung-RADS/Brock (findings matched by index). */
export async function saveAssessment(db: Db, analysisId: string, input: {
  exam: LungRadsResult;
  patient: Record<string, unknown>;
  findings: readonly { readonly index: number; readonly assessment: FindingAssessment }[];
}): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.update(analyses).set({ examAssessment: input.exam, patient: input.patient, updatedAt: new Date() }).where(eq(analyses.id, analysisId));
    for (const f of input.findings) {
      await tx.update(findings).set({ assessment: f.assessment }).where(and(eq(findings.analysisId, analysisId), eq(findings.index, f.index)));
    }
  });
}

/** Version 1, the machine's report; replaced when the same analysis runs again (jobs run twice safely). */
export async function saveMachineReport(db: Db, analysisId: string, input: { report: LungScreeningReport; issuedBy: string; outputs: Record<string, string> }): Promise<void> {
  const values = { content: input.report as unknown as Record<string, unknown>, outputs: input.outputs, issuedBy: input.issuedBy };
  await db.insert(reports).values({ analysisId, version: 1, origin: 'machine', ...values })
    .onConflictDoUpdate({ target: [reports.analysisId, reports.version], set: values });
}

/** The given version of an analysis's report, or its latest. */
export async function reportOf(db: Db, analysisId: string, version?: number): Promise<ReportRow | undefined> {
  const [row] = await db.select().from(reports)
    .where(version === undefined ? eq(reports.analysisId, analysisId) : and(eq(reports.analysisId, analysisId), eq(reports.version, version)))
    .orderBy(desc(reports.version))
    .limit(1);
  return row;
}
