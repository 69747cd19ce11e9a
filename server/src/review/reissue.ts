/**
 * Completing a review: the exam category, the report and the DICOM results issued again from the
 * reviewed findings, as a new version. Rejected findings are left out, edited ones carry the
 * reader's measurements, reader-added ones are in; the SR and SEG get new UIDs, made from what the
 * reviewed version says (a completion sent again stores no second set), and the machine's version
 * 1 stays in the PACS and in `reports`.
 */
import { eq, max } from 'drizzle-orm';
import { findingsOfAnalysis } from '../db/findings-repo.ts';
import { reports } from '../db/schema.ts';
import type { AnalysisRow } from '../jobs/queue.ts';
import { assessAnalysis, type GivenPatient } from '../pipeline/assess.ts';
import type { EncodeResults } from '../pipeline/encode.ts';
import { reportOutputs } from '../pipeline/publish.ts';
import { keyedResultUids, resultsDigest } from '../pipeline/result-uids.ts';
import { storeResults } from '../pipeline/store.ts';
import { loadAnalysedVolume, type AnalysedVolumeDeps } from './analysed-volume.ts';
import { findingOfRow } from './review-repo.ts';

export interface ReviewedVersion {
  readonly version: number;
  readonly outputs: Record<string, string>;
  readonly examCategory: string;
  readonly findingCount: number;
}

export async function issueReviewedVersion(deps: AnalysedVolumeDeps & { readonly encode: EncodeResults }, analysis: AnalysisRow, actor: string): Promise<ReviewedVersion> {
  const rows = await findingsOfAnalysis(deps.db, analysis.id);
  const kept = rows.filter((r) => r.reviewStatus !== 'rejected');
  // SEG segments and SR groups are numbered 1..n: renumber what is left, tracking UIDs stay.
  const findings = kept.map((row, n) => ({ ...findingOfRow(row), index: n + 1 }));
  const volume = await loadAnalysedVolume(deps, analysis);
  const model = analysis.model ?? { name: 'unknown', version: 'unknown' };
  const assessment = assessAnalysis({
    analysisId: analysis.id,
    analysedAt: new Date(),
    model,
    volume,
    findings,
    lungs: { found: !(analysis.warnings ?? []).some((w) => w.startsWith('No lungs found')) },
    givenPatient: analysis.patient?.given as GivenPatient | undefined,
    notes: analysis.warnings ?? [],
  });
  const objects = await deps.encode({
    volume, findings, model,
    assessments: assessment.findingAssessments,
    examLungRads: assessment.exam,
    notes: assessment.report.notes,
    report: assessment.report,
    uids: keyedResultUids(`${analysis.resultsKey} reviewed ${resultsDigest({ findings, report: assessment.report, patientStudy: volume.source.patientStudy })}`),
  });
  await storeResults(deps, { analysisId: analysis.id, studyInstanceUid: analysis.studyInstanceUid, objects });
  const outputs = reportOutputs(objects);
  const [{ highest }] = await deps.db.select({ highest: max(reports.version) }).from(reports).where(eq(reports.analysisId, analysis.id));
  const version = (highest ?? 0) + 1;
  await deps.db.insert(reports).values({
    analysisId: analysis.id,
    version,
    origin: 'review',
    issuedBy: actor,
    content: {
      ...assessment.report,
      review: {
        reviewedBy: actor,
        rejected: rows.filter((r) => r.reviewStatus === 'rejected').map((r) => r.trackingUid),
        edited: kept.filter((r) => r.reviewStatus === 'edited').map((r) => r.trackingUid),
        added: kept.filter((r) => r.source === 'reader').map((r) => r.trackingUid),
      },
    } as unknown as Record<string, unknown>,
    outputs,
  });
  return { version, outputs, examCategory: assessment.exam.category, findingCount: findings.length };
}
