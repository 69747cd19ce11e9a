/**
 * Makes sure the prior study has a succeeded analysis, running it inline when it has none.
 *
 * Inline, not queued-and-awaited: with one worker (the default) the worker waiting for the prior
 * holds the only slot the prior could run in. The prior still gets its own analysis record
 * (trigger 'prior'), claimed and fenced like a queued one, so it shows in the API, its results go
 * into its study, and a crash leaves a claim that expires and is taken over as usual.
 */
import { and, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { analyses } from '../db/schema.ts';
import { finishClaimed, renewClaim, type AnalysisRow } from '../jobs/queue.ts';
import type { AnalysisPatch } from '../jobs/worker.ts';

export const priorTrigger = 'prior';

export interface PriorAnalysisDeps {
  readonly db: Db;
  /** The worker running the current analysis; it claims the prior's analysis too. */
  readonly workerId: string;
  readonly claimTtlSeconds: number;
  /** Runs the pipeline for a claimed analysis of the prior study (without a prior of its own). */
  readonly runInline: (analysis: AnalysisRow) => Promise<AnalysisPatch>;
  /** How long to wait for an analysis of the prior that another worker is running. */
  readonly waitForOtherMs?: number;
  readonly pollMs?: number;
}

export type PriorAnalysisOutcome =
  | { readonly ok: true; readonly analysis: AnalysisRow; readonly ranInline: boolean }
  | { readonly ok: false; readonly reason: string };

async function latestSucceeded(db: Db, studyInstanceUid: string): Promise<AnalysisRow | undefined> {
  const [row] = await db.select().from(analyses)
    .where(and(eq(analyses.studyInstanceUid, studyInstanceUid), eq(analyses.status, 'succeeded')))
    .orderBy(desc(analyses.finishedAt))
    .limit(1);
  return row;
}

/** A new running analysis of the study claimed by us, or the queued one taken over; undefined when another worker runs it. */
async function claimPriorAnalysis(deps: PriorAnalysisDeps, studyInstanceUid: string): Promise<AnalysisRow | undefined> {
  const claim = {
    status: 'running' as const,
    claimedBy: deps.workerId,
    claimExpiresAt: sql`now() + make_interval(secs => ${deps.claimTtlSeconds})`,
    startedAt: sql`coalesce(${analyses.startedAt}, now())`,
    updatedAt: sql`now()`,
  };
  const [created] = await deps.db.insert(analyses)
    .values({ studyInstanceUid, trigger: priorTrigger, status: 'running', attempts: 1, claimedBy: deps.workerId, claimExpiresAt: sql`now() + make_interval(secs => ${deps.claimTtlSeconds})`, startedAt: sql`now()` })
    .onConflictDoNothing()
    .returning();
  if (created) return created;
  // The one-active-per-study index said no: one is queued (take it over) or running elsewhere.
  const [taken] = await deps.db.update(analyses)
    .set({ ...claim, attempts: sql`${analyses.attempts} + 1` })
    .where(and(eq(analyses.studyInstanceUid, studyInstanceUid), eq(analyses.status, 'queued')))
    .returning();
  return taken;
}

async function runClaimed(deps: PriorAnalysisDeps, analysis: AnalysisRow): Promise<PriorAnalysisOutcome> {
  const heartbeat = setInterval(() => {
    renewClaim(deps.db, analysis.id, deps.workerId, deps.claimTtlSeconds).catch(() => undefined);
  }, (deps.claimTtlSeconds * 1000) / 3);
  try {
    const patch = await deps.runInline(analysis);
    await finishClaimed(deps.db, analysis.id, deps.workerId, { ...patch, status: 'succeeded', error: null, errorCode: null, finishedAt: new Date() });
    const [row] = await deps.db.select().from(analyses).where(eq(analyses.id, analysis.id));
    return { ok: true, analysis: row, ranInline: true };
  } catch (error) {
    const { code, message } = error instanceof Error ? { code: (error as { code?: string }).code ?? 'internal', message: error.message } : { code: 'internal', message: String(error) };
    await finishClaimed(deps.db, analysis.id, deps.workerId, { status: 'failed', errorCode: code, error: message, finishedAt: new Date() });
    return { ok: false, reason: `the prior study's analysis failed: ${message}` };
  } finally {
    clearInterval(heartbeat);
  }
}

export async function ensurePriorAnalysed(deps: PriorAnalysisDeps, studyInstanceUid: string): Promise<PriorAnalysisOutcome> {
  const done = await latestSucceeded(deps.db, studyInstanceUid);
  if (done) return { ok: true, analysis: done, ranInline: false };
  const claimed = await claimPriorAnalysis(deps, studyInstanceUid);
  if (claimed) return runClaimed(deps, claimed);

  const deadline = Date.now() + (deps.waitForOtherMs ?? 300_000);
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, deps.pollMs ?? 1000));
    const [active] = await deps.db.select({ id: analyses.id }).from(analyses)
      .where(and(eq(analyses.studyInstanceUid, studyInstanceUid), sql`${analyses.status} in ('queued', 'running')`)).limit(1);
    if (active) continue;
    const finished = await latestSucceeded(deps.db, studyInstanceUid);
    return finished ? { ok: true, analysis: finished, ranInline: false } : { ok: false, reason: 'the prior study\'s analysis by another worker did not succeed' };
  }
  return { ok: false, reason: 'the prior study is still being analysed by another worker' };
}
