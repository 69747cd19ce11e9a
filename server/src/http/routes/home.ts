import Router from '@koa/router';
import { desc, inArray } from 'drizzle-orm';
import { analyses, findings } from '../../db/schema.ts';
import type { SeriesSummary } from '../../domain/analysis.ts';
import type { NoduleType } from '../../domain/finding.ts';
import type { HttpDeps } from '../deps.ts';
import { sitePerformance } from '../../review/site-performance.ts';
import { renderHomePage, type HomeRow } from '../pages/home-page.ts';
import { sendPage } from '../pages/login-routes.ts';
import { requirePageSession } from '../pages/session.ts';

function studyIdentity(series: SeriesSummary | null): Pick<HomeRow, 'patientId' | 'studyDate' | 'studyDescription'> {
  const { patientId, studyDate, studyDescription } = series ?? {};
  return { ...(patientId ? { patientId } : {}), ...(studyDate ? { studyDate } : {}), ...(studyDescription ? { studyDescription } : {}) };
}

/** `/`: the reading room's list of recent analyses, for a browser with a session. */
export function homeRouter(deps: HttpDeps, sessionSecret: Uint8Array): Router {
  const router = new Router();
  router.get('/', requirePageSession({ secret: sessionSecret }), async (ctx) => {
    const { db } = deps.database;
    const rows = await db.select().from(analyses).orderBy(desc(analyses.createdAt)).limit(50);
    const found = rows.length
      ? await db.select({ analysisId: findings.analysisId, measurements: findings.measurements }).from(findings)
        .where(inArray(findings.analysisId, rows.map((r) => r.id)))
      : [];
    const byAnalysis = new Map<string, Array<Record<string, unknown>>>();
    for (const f of found) byAnalysis.set(f.analysisId, [...(byAnalysis.get(f.analysisId) ?? []), f.measurements]);
    const home: HomeRow[] = rows.map((row) => {
      const list = byAnalysis.get(row.id) ?? [];
      const largest = [...list].sort((a, b) => Number(b.meanDiameterMm) - Number(a.meanDiameterMm))[0];
      return {
        analysisId: row.id,
        status: row.status,
        studyInstanceUid: row.studyInstanceUid,
        createdAt: row.createdAt,
        ...(row.status === 'succeeded' ? { noduleCount: list.length } : {}),
        ...(largest ? { largest: { meanDiameterMm: Number(largest.meanDiameterMm), type: largest.type as NoduleType } } : {}),
        ...(row.error ? { reason: row.error } : {}),
        ...(row.examAssessment ? { examCategory: row.examAssessment.category } : {}),
        reviewState: row.reviewState,
        ...studyIdentity(row.series),
      };
    });
    sendPage(ctx, 200, renderHomePage(home, await sitePerformance(db, { weeks: 8 })));
  });
  return router;
}
