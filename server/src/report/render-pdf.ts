import type { LungScreeningReport } from './build-report.ts';
import { writeTextPdf } from './pdf-writer.ts';
import { reportLines } from './report-text.ts';

/** The report as a text PDF on A4 (see pdf-writer.ts for what the PDF holds). */
export function renderReportPdf(report: LungScreeningReport): Uint8Array {
  return writeTextPdf(reportLines(report), `Lung screening report ${report.analysis.id}`);
}
