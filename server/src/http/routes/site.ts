import Router from '@koa/router';
import { z } from 'zod';
import { sitePerformance } from '../../review/site-performance.ts';
import type { HttpDeps } from '../deps.ts';
import { parse } from '../validate.ts';

const querySchema = z.object({ weeks: z.coerce.number().int().min(1).max(104).default(12) });

/** `GET /api/v1/site/performance`: how the model does at this site, from the readers' reviews. */
export function siteRouter(deps: HttpDeps): Router {
  const router = new Router();
  router.get('/api/v1/site/performance', async (ctx) => {
    const { weeks } = parse(querySchema, ctx.query);
    ctx.body = { weeks, items: await sitePerformance(deps.database.db, { weeks }) };
  });
  return router;
}
