/**
 * How the model does at this site, from the readers' reviews: per ISO week (of the analysis) and
 * model version, the findings readers accepted (as found or edited) and rejected, the nodules they
 * added (the model's misses), false positives per reviewed scan, and the share of analysed studies
 * that were reviewed. Only completed reviews count: a review in progress may still change.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';

export interface SitePerformanceRow {
  /** ISO 8601 week of the analysis, e.g. '2026-W48'. */
  readonly week: string;
  readonly modelVersion: string;
  readonly analysed: number;
  readonly reviewed: number;
  readonly reviewedShare: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly added: number;
  /** Rejected findings per reviewed scan; undefined without reviewed scans. */
  readonly falsePositivesPerScan?: number;
}

export async function sitePerformance(db: Db, options: { weeks?: number } = {}): Promise<SitePerformanceRow[]> {
  const weeks = options.weeks ?? 12;
  const result = await db.execute(sql`
    with done as (
      select a.id, a.review_state,
             to_char(coalesce(a.finished_at, a.created_at) at time zone 'UTC', 'IYYY-"W"IW') as week,
             coalesce(a.model->>'name', 'unknown') || ' ' || coalesce(a.model->>'version', 'unknown') as model_version
      from analyses a
      where a.status = 'succeeded' and a.trigger <> 'prior'
        and coalesce(a.finished_at, a.created_at) > now() - make_interval(days => ${weeks * 7})
    )
    select d.week, d.model_version,
           count(distinct d.id)::int as analysed,
           count(distinct d.id) filter (where d.review_state = 'reviewed')::int as reviewed,
           count(f.id) filter (where d.review_state = 'reviewed' and f.source = 'ai' and f.review_status in ('accepted', 'edited'))::int as accepted,
           count(f.id) filter (where d.review_state = 'reviewed' and f.source = 'ai' and f.review_status = 'rejected')::int as rejected,
           count(f.id) filter (where d.review_state = 'reviewed' and f.source = 'reader')::int as added
    from done d left join findings f on f.analysis_id = d.id
    group by d.week, d.model_version
    order by d.week desc, d.model_version`);
  const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as Array<Record<string, unknown>>;
  return rows.map((r) => {
    const analysed = Number(r.analysed);
    const reviewed = Number(r.reviewed);
    const rejected = Number(r.rejected);
    return {
      week: String(r.week),
      modelVersion: String(r.model_version),
      analysed,
      reviewed,
      reviewedShare: analysed ? reviewed / analysed : 0,
      accepted: Number(r.accepted),
      rejected,
      added: Number(r.added),
      ...(reviewed ? { falsePositivesPerScan: rejected / reviewed } : {}),
    };
  });
}
