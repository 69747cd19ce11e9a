import Router from '@koa/router';
import { and, count, desc, eq, lt, or, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { analyses, findings } from '../../db/schema.ts';
import { currentFindingsOfStudy, findingsOfAnalysis } from '../../db/findings-repo.ts';
import { analysisStatuses } from '../../domain/analysis.ts';
import { PipelineError } from '../../errors/pipeline-error.ts';
import { cancelAnalysis, enqueueAnalysis, latestAnalysisOfStudy, requeueAnalysis, type AnalysisRow } from '../../jobs/queue.ts';
import { audit } from '../audit.ts';
import type { HttpDeps } from '../deps.ts';
import { badGateway, badRequest, conflict, notFound } from '../errors.ts';
import { readJsonBody } from '../middleware.ts';
import { parse } from '../validate.ts';
import { resolvedSincePrior } from '../../priors/comparison-repo.ts';
import { presentAnalysis, presentFinding } from './present.ts';

export const uidSchema = z.string().max(64).regex(/^[0-9]+(\.[0-9]+)*$/, 'must be a DICOM UID (digits and dots, at most 64 characters)');

/** Risk-model inputs the scan cannot give; they override the DICOM patient module (pipeline/assess.ts). */
const givenPatientSchema = z.object({
  age: z.number().int().min(0).max(130).optional(),
  sex: z.enum(['female', 'male']).optional(),
  familyHistory: z.boolean().optional(),
  emphysema: z.boolean().optional(),
}).strict();

export const createAnalysisSchema = z.object({
  studyInstanceUid: uidSchema,
  force: z.boolean().optional(),
  patient: givenPatientSchema.optional(),
}).strict();

const listSchema = z.object({
  status: z.enum(analysisStatuses).optional(),
  studyInstanceUid: uidSchema.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().optional(),
});


const encodeCursor = (row: AnalysisRow) => Buffer.from(`${row.createdAt.toISOString()}|${row.id}`).toString('base64url');
function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(at ?? '');
  if (!z.uuid().safeParse(id).success || Number.isNaN(createdAt.getTime())) throw badRequest('cursor is not valid', 'invalid_request');
  return { createdAt, id };
}

type GivenPatient = z.infer<typeof givenPatientSchema>;

/** The analysis was queued with these risk-model inputs (as given through the API, `patient.given`). */
function samePatientInputs(analysis: AnalysisRow, given: GivenPatient): boolean {
  const stored = (analysis.patient?.given ?? {}) as Record<string, unknown>;
  const keys = new Set([...Object.keys(stored), ...Object.keys(given)]);
  return [...keys].every((key) => stored[key] === given[key as keyof GivenPatient]);
}

export function analysesRouter(deps: HttpDeps): Router {
  const { database: { db }, config } = deps;
  const router = new Router();
  const base = (ctx: { protocol: string; host: string }) => config.publicUrl ?? `${ctx.protocol}://${ctx.host}`;

  async function load(id: string): Promise<AnalysisRow> {
    if (!z.uuid().safeParse(id).success) throw notFound(`No analysis ${id}`);
    const [row] = await db.select().from(analyses).where(eq(analyses.id, id));
    if (!row) throw notFound(`No analysis ${id}`);
    return row;
  }

  router.post('/api/v1/analyses', async (ctx) => {
    const body = parse(createAnalysisSchema, await readJsonBody(ctx, config.maxBodyBytes));
    const latest = await latestAnalysisOfStudy(db, body.studyInstanceUid);
    if (latest && !body.force && ['succeeded', 'queued', 'running'].includes(latest.status)) {
      // Patient inputs the existing analysis was not given would be lost by answering with it.
      if (body.patient && !samePatientInputs(latest, body.patient)) {
        throw conflict(latest.status === 'succeeded'
          ? `Analysis ${latest.id} of this study has finished without these patient inputs; send them again with "force": true to analyse the study with them`
          : `Analysis ${latest.id} of this study is ${latest.status} without these patient inputs; send them again (with force) when it has finished`);
      }
      // Idempotent: the study is analysed or being analysed; `force` asks for a new run.
      ctx.status = latest.status === 'succeeded' ? 200 : 202;
      ctx.body = presentAnalysis(latest, base(ctx));
      return;
    }
    let exists: boolean;
    try {
      exists = await deps.pacs.studyExists(body.studyInstanceUid);
    } catch (error) {
      throw badGateway(error instanceof PipelineError ? error.message : 'PACS unreachable');
    }
    if (!exists) throw notFound(`Study ${body.studyInstanceUid} is not in the PACS`);
    const { analysis, created } = await enqueueAnalysis(db, { studyInstanceUid: body.studyInstanceUid, trigger: 'api', ...(body.patient ? { patient: body.patient } : {}) });
    if (!created && body.patient) {
      throw conflict(`Analysis ${analysis.id} of this study is ${analysis.status} without these patient inputs; send them again (with force) when it has finished`);
    }
    if (created) await audit(db, ctx, { action: 'analysis.create', entityType: 'analysis', entityId: analysis.id, after: { studyInstanceUid: body.studyInstanceUid, force: body.force ?? false } });
    ctx.status = 202;
    ctx.set('Location', `/api/v1/analyses/${analysis.id}`);
    ctx.body = presentAnalysis(analysis, base(ctx));
  });

  router.get('/api/v1/analyses', async (ctx) => {
    const query = parse(listSchema, ctx.query);
    const filters: SQL[] = [];
    if (query.status) filters.push(eq(analyses.status, query.status));
    if (query.studyInstanceUid) filters.push(eq(analyses.studyInstanceUid, query.studyInstanceUid));
    if (query.cursor) {
      const { createdAt, id } = decodeCursor(query.cursor);
      filters.push(or(lt(analyses.createdAt, createdAt), and(eq(analyses.createdAt, createdAt), lt(analyses.id, id)))!);
    }
    const rows = await db.select().from(analyses).where(and(...filters))
      .orderBy(desc(analyses.createdAt), desc(analyses.id)).limit(query.limit + 1);
    const page = rows.slice(0, query.limit);
    const counts = page.length
      ? await db.select({ analysisId: findings.analysisId, n: count() }).from(findings)
        .where(or(...page.map((r) => eq(findings.analysisId, r.id))))
        .groupBy(findings.analysisId)
      : [];
    const countOf = new Map(counts.map((c) => [c.analysisId, Number(c.n)]));
    ctx.body = {
      items: page.map((r) => presentAnalysis(r, base(ctx), { findingCount: countOf.get(r.id) ?? 0 })),
      nextCursor: rows.length > query.limit ? encodeCursor(page[page.length - 1]) : null,
    };
  });

  router.get('/api/v1/analyses/:id', async (ctx) => {
    const row = await load(ctx.params.id);
    const list = await findingsOfAnalysis(db, row.id);
    ctx.body = {
      ...presentAnalysis(row, base(ctx), { findingCount: list.length }),
      findings: list.map(presentFinding),
      resolvedSincePrior: await resolvedSincePrior(db, row),
    };
  });

  router.post('/api/v1/analyses/:id/retry', async (ctx) => {
    const before = await load(ctx.params.id);
    let after: AnalysisRow | undefined;
    try {
      after = await requeueAnalysis(db, before.id);
    } catch (error) {
      if ((error as { code?: string }).code === '23505' || /unique/i.test(String(error))) {
        throw conflict('Another analysis of this study is queued or running');
      }
      throw error;
    }
    if (!after) throw conflict(`Analysis is ${before.status}; only finished analyses can be retried`);
    await audit(db, ctx, { action: 'analysis.retry', entityType: 'analysis', entityId: before.id, before: { status: before.status }, after: { status: after.status } });
    ctx.status = 202;
    ctx.body = presentAnalysis(after, base(ctx));
  });

  router.delete('/api/v1/analyses/:id', async (ctx) => {
    const before = await load(ctx.params.id);
    const after = await cancelAnalysis(db, before.id);
    if (!after) throw conflict(`Analysis is ${before.status}; only a queued analysis can be cancelled`);
    await audit(db, ctx, { action: 'analysis.cancel', entityType: 'analysis', entityId: before.id, before: { status: before.status }, after: { status: after.status } });
    ctx.body = presentAnalysis(after, base(ctx));
  });

  // The stored results as Part 10 files, read back from the PACS (the copy of record).
  for (const kind of ['sr', 'seg'] as const) {
    router.get(`/api/v1/analyses/:id/${kind}`, async (ctx) => {
      const row = await load(ctx.params.id);
      const outputs = row.outputs;
      const sop = kind === 'sr' ? outputs?.srSopInstanceUid : outputs?.segSopInstanceUid;
      const series = kind === 'sr' ? outputs?.srSeriesInstanceUid : outputs?.segSeriesInstanceUid;
      if (!sop || !series) throw notFound(`Analysis ${row.id} stored no ${kind.toUpperCase()}`);
      let bytes: Uint8Array;
      try {
        bytes = await deps.pacs.retrieveInstance(row.studyInstanceUid, series, sop);
      } catch (error) {
        if (error instanceof PipelineError && error.code === 'study-not-found') throw notFound(`The ${kind.toUpperCase()} is no longer in the PACS`);
        throw badGateway(error instanceof PipelineError ? error.message : 'PACS unreachable');
      }
      ctx.type = 'application/dicom';
      ctx.attachment(`${kind}-${sop}.dcm`);
      ctx.body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    });
  }

  router.get('/api/v1/studies/:studyInstanceUid/findings', async (ctx) => {
    const { studyInstanceUid } = parse(z.object({ studyInstanceUid: uidSchema }), ctx.params);
    const { analysisId, rows } = await currentFindingsOfStudy(db, studyInstanceUid);
    ctx.body = { studyInstanceUid, analysisId: analysisId ?? null, findings: rows.map(presentFinding) };
  });

  return router;
}
