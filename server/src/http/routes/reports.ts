import { randomUUID } from 'node:crypto';
import Router from '@koa/router';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { analyses } from '../../db/schema.ts';
import { fromPart10 } from '../../dicom/part10.ts';
import { readEncapsulatedPdf } from '../../dicom/encapsulated-pdf.ts';
import { PipelineError } from '../../errors/pipeline-error.ts';
import type { LungScreeningReport } from '../../report/build-report.ts';
import { toFhirDiagnosticReport } from '../../report/fhir.ts';
import { reportOf, type ReportRow } from '../../report/report-repo.ts';
import type { HttpDeps } from '../deps.ts';
import { badGateway, badRequest, notFound } from '../errors.ts';

const versionSchema = z.object({ version: z.coerce.number().int().min(1).optional() });

/** The report of an analysis: JSON (latest version or `?version=N`), FHIR R4 Bundle, and the PDF stored in the PACS. */
export function reportsRouter(deps: HttpDeps): Router {
  const { database: { db } } = deps;
  const router = new Router();

  async function load(id: string, query: unknown): Promise<ReportRow> {
    if (!z.uuid().safeParse(id).success) throw notFound(`No analysis ${id}`);
    const parsed = versionSchema.safeParse(query);
    if (!parsed.success) throw badRequest('version: must be a whole number from 1', 'invalid_request');
    const [analysis] = await db.select({ id: analyses.id }).from(analyses).where(eq(analyses.id, id));
    if (!analysis) throw notFound(`No analysis ${id}`);
    const row = await reportOf(db, id, parsed.data.version);
    if (!row) throw notFound(parsed.data.version ? `Analysis ${id} has no report version ${parsed.data.version}` : `Analysis ${id} has no report (yet)`);
    return row;
  }

  router.get('/api/v1/analyses/:id/report', async (ctx) => {
    const row = await load(ctx.params.id, ctx.query);
    ctx.body = {
      analysisId: row.analysisId,
      version: row.version,
      origin: row.origin,
      issuedBy: row.issuedBy,
      issuedAt: row.createdAt.toISOString(),
      outputs: row.outputs ?? {},
      report: row.content,
    };
  });

  router.get('/api/v1/analyses/:id/report.fhir.json', async (ctx) => {
    const row = await load(ctx.params.id, ctx.query);
    ctx.type = 'application/fhir+json';
    ctx.body = toFhirDiagnosticReport(row.content as unknown as LungScreeningReport, { newUuid: randomUUID });
  });

  // The copy of record is the Encapsulated PDF in the PACS.
  router.get('/api/v1/analyses/:id/report.pdf', async (ctx) => {
    const row = await load(ctx.params.id, ctx.query);
    const [analysis] = await db.select({ studyInstanceUid: analyses.studyInstanceUid }).from(analyses).where(eq(analyses.id, row.analysisId));
    const sop = row.outputs?.pdfSopInstanceUid;
    const series = row.outputs?.pdfSeriesInstanceUid;
    if (!sop || !series) throw notFound(`Report version ${row.version} of analysis ${row.analysisId} has no stored PDF`);
    let bytes: Uint8Array;
    try {
      bytes = readEncapsulatedPdf(fromPart10(await deps.pacs.retrieveInstance(analysis.studyInstanceUid, series, sop)));
    } catch (error) {
      if (error instanceof PipelineError && error.code === 'study-not-found') throw notFound('The report PDF is no longer in the PACS');
      throw badGateway(error instanceof PipelineError ? error.message : 'PACS unreachable');
    }
    ctx.type = 'application/pdf';
    ctx.set('Content-Disposition', `inline; filename="lung-screening-report-${row.analysisId}-v${row.version}.pdf"`);
    ctx.body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  });

  return router;
}
