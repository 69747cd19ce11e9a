import Router from '@koa/router';
import { sql } from 'drizzle-orm';
import { analyses } from '../../db/schema.ts';
import { queueDepth } from '../../jobs/queue.ts';
import { sitePerformance } from '../../review/site-performance.ts';
import type { Logger } from '../../logger.ts';
import type { HttpDeps } from '../deps.ts';
import { renderGauge } from '../metrics.ts';
import { openApiDocument } from '../openapi.ts';
import { errorMessage } from '../../errors/error-message.ts';

/**
 * One dependency's health. `/health` answers without a key, so a failure says only that it did not
 * answer: its message (hosts, ports, user names) goes to the log.
 */
async function probe(name: string, log: Logger, check: () => Promise<unknown>): Promise<{ ok: boolean; detail?: string }> {
  try {
    const detail = await Promise.race([
      check(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timed out after 3 s')), 3000).unref()),
    ]);
    return { ok: true, ...(typeof detail === 'string' ? { detail } : {}) };
  } catch (error) {
    log.warn(`health: ${name} did not answer`, { error: errorMessage(error) });
    return { ok: false, detail: 'did not answer (the server log says why)' };
  }
}

/** `/health` (no auth: load balancers and Compose call it), `/metrics` and the OpenAPI document. */
export function publicOperationsRouter(deps: HttpDeps): Router {
  const router = new Router();
  router.get('/health', async (ctx) => {
    const [database, orthanc] = await Promise.all([
      probe('database', deps.log, () => deps.database.ping().then(() => deps.database.kind)),
      probe('Orthanc', deps.log, () => deps.orthanc.system().then((s) => `Orthanc ${s.Version}`)),
    ]);
    const ok = database.ok && orthanc.ok;
    ctx.status = ok ? 200 : 503;
    ctx.body = { status: ok ? 'ok' : 'degraded', database, orthanc };
  });
  return router;
}

export function operationsRouter(deps: HttpDeps): Router {
  const router = new Router();
  router.get('/metrics', async (ctx) => {
    const depth = await queueDepth(deps.database.db);
    const statuses = ['queued', 'running', 'succeeded', 'failed', 'skipped', 'cancelled'];
    const [{ oldest }] = await deps.database.db
      .select({ oldest: sql<number>`coalesce(extract(epoch from now() - min(${analyses.createdAt})), 0)::float` })
      .from(analyses).where(sql`${analyses.status} = 'queued'`);
    const site = await sitePerformance(deps.database.db);
    const perWeek = (value: (row: (typeof site)[number]) => number | undefined) => site.flatMap((row) => {
      const v = value(row);
      return v === undefined ? [] : [{ labels: { week: row.week, model_version: row.modelVersion }, value: v }];
    });
    ctx.type = 'text/plain; version=0.0.4';
    ctx.body = [
      renderGauge('lungbridge_queue_depth', 'Analyses waiting or running', ['queued', 'running'].map((s) => ({ labels: { status: s }, value: depth[s] ?? 0 }))),
      renderGauge('lungbridge_analyses', 'Analyses by outcome (all time, from the database)', statuses.map((s) => ({ labels: { status: s }, value: depth[s] ?? 0 }))),
      renderGauge('lungbridge_oldest_queued_seconds', 'Age of the oldest queued analysis', [{ labels: {}, value: Number(oldest) }]),
      renderGauge('lungbridge_site_findings', 'Reviewed findings per ISO week and model version: accepted and rejected machine findings, nodules readers added', site.flatMap((row) => (['accepted', 'rejected', 'added'] as const).map((decision) => ({ labels: { week: row.week, model_version: row.modelVersion, decision }, value: row[decision] })))),
      renderGauge('lungbridge_site_false_positives_per_scan', 'Rejected machine findings per reviewed scan', perWeek((row) => row.falsePositivesPerScan)),
      renderGauge('lungbridge_site_reviewed_share', 'Share of analysed studies whose review was completed', perWeek((row) => row.reviewedShare)),
      deps.metrics.stageDuration.render(),
      deps.metrics.analysisDuration.render(),
    ].join('\n\n') + '\n';
  });
  router.get('/api/openapi.json', (ctx) => {
    ctx.body = openApiDocument(deps.config.publicUrl ?? `${ctx.protocol}://${ctx.host}`);
  });
  return router;
}
