import Router from '@koa/router';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { findingsOfAnalysis } from '../../db/findings-repo.ts';
import { analyses } from '../../db/schema.ts';
import { newUid } from '../../dicom/uids.ts';
import { patientToVoxel } from '../../domain/volume.ts';
import { PipelineError } from '../../errors/pipeline-error.ts';
import type { AnalysisRow } from '../../jobs/queue.ts';
import { changeOfAddedFinding } from '../../priors/comparison-repo.ts';
import { loadAnalysedVolume } from '../../review/analysed-volume.ts';
import { applyFindingEdit, EditRejected, type FindingMeasurements } from '../../review/edit-finding.ts';
import { buildReaderFinding, ReaderNoduleRejected, type ReaderNodule } from '../../review/reader-finding.ts';
import { issueReviewedVersion } from '../../review/reissue.ts';
import { acceptPending, addReaderFinding, auditView, decideFinding, findingById, nextFindingIndex, setReviewState } from '../../review/review-repo.ts';
import { audit } from '../audit.ts';
import type { HttpDeps } from '../deps.ts';
import { badGateway, badRequest, conflict, notFound } from '../errors.ts';
import { readJsonBody } from '../middleware.ts';
import { parse } from '../validate.ts';
import { presentFinding } from './present.ts';

const noduleType = z.enum(['solid', 'part-solid', 'ground-glass']);
const axisMm = z.number().positive().max(100);
const note = z.string().trim().max(1000);
const point = z.object({ x: z.number(), y: z.number(), z: z.number() }).strict();

export const findingReviewSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('accept'), note: note.optional() }).strict(),
  z.object({ action: z.literal('reject'), note: note.optional() }).strict(),
  z.object({
    action: z.literal('edit'),
    type: noduleType.optional(),
    longAxisMm: axisMm.optional(),
    shortAxisMm: axisMm.optional(),
    solidComponentMm: axisMm.optional(),
    note: note.optional(),
  }).strict().refine((e) => e.type !== undefined || e.longAxisMm !== undefined || e.shortAxisMm !== undefined || e.solidComponentMm !== undefined, {
    message: 'an edit changes type, longAxisMm, shortAxisMm or solidComponentMm',
  }),
]);

/** A missed nodule: a centre (patient mm or voxel) with a diameter, or its long axis as a line on one slice. */
export const readerFindingSchema = z.object({
  centreMm: point.optional(),
  centreVoxel: point.optional(),
  diameterMm: z.number().min(1).max(100).optional(),
  lineMm: z.tuple([point, point]).optional(),
  lineVoxel: z.tuple([point, point]).optional(),
  type: noduleType.optional(),
  note: note.optional(),
}).strict().superRefine((b, ctx) => {
  const forms = [b.centreMm, b.centreVoxel, b.lineMm, b.lineVoxel].filter((f) => f !== undefined).length;
  if (forms !== 1) ctx.addIssue({ code: 'custom', message: 'give exactly one of centreMm, centreVoxel, lineMm, lineVoxel' });
  const centred = b.centreMm !== undefined || b.centreVoxel !== undefined;
  if (centred && b.diameterMm === undefined) ctx.addIssue({ code: 'custom', path: ['diameterMm'], message: 'required with a centre' });
  if (!centred && b.diameterMm !== undefined) ctx.addIssue({ code: 'custom', path: ['diameterMm'], message: 'only with a centre (a line gives the size)' });
});

const decisions = { accept: 'accepted', reject: 'rejected', edit: 'edited' } as const;

/**
 * The radiologist's review: decide on findings, add missed ones, complete the review (which issues
 * the reviewed report, SR and SEG as a new version). Every write is audited with before and after.
 */
export function reviewRouter(deps: HttpDeps): Router {
  const { database: { db }, config } = deps;
  const router = new Router();
  const actorOf = (state: { actor?: unknown }) => String(state.actor ?? 'anonymous');

  async function loadAnalysis(id: string): Promise<AnalysisRow> {
    if (!z.uuid().safeParse(id).success) throw notFound(`No analysis ${id}`);
    const [row] = await db.select().from(analyses).where(eq(analyses.id, id));
    if (!row) throw notFound(`No analysis ${id}`);
    if (row.status !== 'succeeded') throw conflict(`Analysis is ${row.status}; only a succeeded analysis is reviewed`);
    return row;
  }

  /** The PACS is where the volume is: its failures are 502s, not 500s. */
  async function fromPacs<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof PipelineError) throw badGateway(`Could not read the study from the PACS: ${error.message}`);
      throw error;
    }
  }

  router.patch('/api/v1/findings/:id', async (ctx) => {
    const body = parse(findingReviewSchema, await readJsonBody(ctx, config.maxBodyBytes));
    const row = z.uuid().safeParse(ctx.params.id).success ? await findingById(db, ctx.params.id) : undefined;
    if (!row) throw notFound(`No finding ${ctx.params.id}`);
    const analysis = await loadAnalysis(row.analysisId);
    let measurements: FindingMeasurements | undefined;
    if (body.action === 'edit') {
      try {
        measurements = applyFindingEdit(row.measurements as unknown as FindingMeasurements, body, analysis.series?.spacingMm ?? [1, 1, 1]);
      } catch (error) {
        if (error instanceof EditRejected) throw badRequest(error.message, 'invalid_request');
        throw error;
      }
    }
    const after = await decideFinding(db, row, { decision: decisions[body.action], actor: actorOf(ctx.state), note: body.note, measurements });
    await audit(db, ctx, { action: `finding.${body.action}`, entityType: 'finding', entityId: row.id, before: auditView(row), after: auditView(after) });
    ctx.body = presentFinding(after);
  });

  router.post('/api/v1/analyses/:id/findings', async (ctx) => {
    const analysis = await loadAnalysis(ctx.params.id);
    const body = parse(readerFindingSchema, await readJsonBody(ctx, config.maxBodyBytes));
    const volume = await fromPacs(() => loadAnalysedVolume({ db, pacs: deps.pacs, buildVolume: deps.buildVolume }, analysis));
    const nodule: ReaderNodule = body.lineMm || body.lineVoxel
      ? { lineVoxel: body.lineVoxel ?? [patientToVoxel(volume, body.lineMm![0]), patientToVoxel(volume, body.lineMm![1])] }
      : { centreVoxel: body.centreVoxel ?? patientToVoxel(volume, body.centreMm!), diameterMm: body.diameterMm! };
    let finding;
    try {
      finding = buildReaderFinding(volume, await deps.lungs(volume), nodule, { index: await nextFindingIndex(db, analysis.id), trackingUid: newUid(), type: body.type });
    } catch (error) {
      if (error instanceof ReaderNoduleRejected) throw badRequest(error.message, 'invalid_request');
      throw error;
    }
    const change = await changeOfAddedFinding(db, analysis, finding);
    const row = await addReaderFinding(db, analysis, finding, { actor: actorOf(ctx.state), note: body.note, change });
    await audit(db, ctx, { action: 'finding.add', entityType: 'finding', entityId: row.id, after: auditView(row) });
    ctx.status = 201;
    ctx.set('Location', `/api/v1/analyses/${analysis.id}`);
    ctx.body = presentFinding(row);
  });

  router.post('/api/v1/analyses/:id/review/complete', async (ctx) => {
    const analysis = await loadAnalysis(ctx.params.id);
    if (analysis.reviewState === 'reviewed') throw conflict('The review is complete and nothing changed since; change a finding to review again');
    const actor = actorOf(ctx.state);
    const acceptedPending = await acceptPending(db, analysis.id, actor);
    const issued = await fromPacs(() => issueReviewedVersion({ db, pacs: deps.pacs, buildVolume: deps.buildVolume, encode: deps.encode }, analysis, actor));
    await setReviewState(db, analysis.id, 'reviewed');
    await audit(db, ctx, {
      action: 'analysis.review.complete', entityType: 'analysis', entityId: analysis.id,
      before: { reviewState: analysis.reviewState },
      after: { reviewState: 'reviewed', reportVersion: issued.version, outputs: issued.outputs, examCategory: issued.examCategory, acceptedPending },
    });
    const list = await findingsOfAnalysis(db, analysis.id);
    ctx.body = { analysisId: analysis.id, reviewState: 'reviewed', report: issued, findings: list.map(presentFinding) };
  });

  return router;
}
