import { and, desc, eq, inArray, lt, lte, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { analyses } from '../db/schema.ts';
import type { AnalysisStatus } from '../domain/analysis.ts';
import { PipelineError } from '../errors/pipeline-error.ts';

export type AnalysisRow = typeof analyses.$inferSelect;
export type AnalysisTrigger = 'api' | 'auto' | 'cli';

const active: AnalysisStatus[] = ['queued', 'running'];

/**
 * Queues an analysis of a study. Idempotent: while one is queued or running for the study, that
 * one is returned (the partial unique index makes this hold under concurrent requests too);
 * `force` only matters once the previous one has finished.
 */
export async function enqueueAnalysis(db: Db, input: {
  studyInstanceUid: string;
  trigger: AnalysisTrigger;
  inputFingerprint?: string;
  /** Patient inputs the scan cannot give (Brock): written with the row, so no worker claims it without them. */
  patient?: Record<string, unknown>;
}): Promise<{ analysis: AnalysisRow; created: boolean }> {
  const [created] = await db.insert(analyses)
    .values({
      studyInstanceUid: input.studyInstanceUid,
      trigger: input.trigger,
      inputFingerprint: input.inputFingerprint,
      ...(input.patient ? { patient: { given: input.patient } } : {}),
    })
    .onConflictDoNothing()
    .returning();
  if (created) return { analysis: created, created: true };
  const [existing] = await db.select().from(analyses)
    .where(and(eq(analyses.studyInstanceUid, input.studyInstanceUid), inArray(analyses.status, active)))
    .limit(1);
  if (!existing) throw new Error(`Could not queue or find an active analysis for ${input.studyInstanceUid}`);
  return { analysis: existing, created: false };
}

export async function latestAnalysisOfStudy(db: Db, studyInstanceUid: string): Promise<AnalysisRow | undefined> {
  const [row] = await db.select().from(analyses)
    .where(eq(analyses.studyInstanceUid, studyInstanceUid))
    .orderBy(desc(analyses.createdAt))
    .limit(1);
  return row;
}

/** Records a study that routing rules turned away, so the reason is visible in the API. */
export async function recordSkipped(db: Db, input: { studyInstanceUid: string; rule: string; reason: string; inputFingerprint: string }): Promise<AnalysisRow> {
  const [row] = await db.insert(analyses).values({
    studyInstanceUid: input.studyInstanceUid,
    trigger: 'auto',
    status: 'skipped',
    skipRule: input.rule,
    error: input.reason,
    inputFingerprint: input.inputFingerprint,
    finishedAt: new Date(),
  }).returning();
  return row;
}

/**
 * Claims the oldest runnable analysis: a queued one whose back-off has passed, or a running one
 * whose worker stopped renewing its claim (crashed, or lost the database). SKIP LOCKED lets many
 * workers claim concurrently without blocking each other. A running one already tried
 * `maxAttempts` times is failed instead of claimed: a study that kills its worker (out of memory,
 * say) would otherwise be retried first, for ever, taking the other analyses of that process down
 * with it each time.
 */
export async function claimNextAnalysis(db: Db, workerId: string, claimTtlSeconds: number, maxAttempts = Number.POSITIVE_INFINITY): Promise<AnalysisRow | undefined> {
  return db.transaction(async (tx) => {
    for (;;) {
      const [next] = await tx.select({ id: analyses.id, status: analyses.status, attempts: analyses.attempts }).from(analyses)
        .where(or(
          and(eq(analyses.status, 'queued'), lte(analyses.runAfter, sql`now()`)),
          and(eq(analyses.status, 'running'), lt(analyses.claimExpiresAt, sql`now()`)),
        ))
        .orderBy(analyses.runAfter, analyses.createdAt)
        .limit(1)
        .for('update', { skipLocked: true });
      if (!next) return undefined;
      if (next.status === 'running' && next.attempts >= maxAttempts) {
        await tx.update(analyses).set({
          status: 'failed',
          errorCode: 'internal',
          error: `The worker running it stopped ${next.attempts} times without finishing (a crash, running out of memory, or a restart each time); not tried again`,
          claimedBy: null,
          claimExpiresAt: null,
          finishedAt: sql`now()`,
          updatedAt: sql`now()`,
        }).where(eq(analyses.id, next.id));
        continue;
      }
      const [claimed] = await tx.update(analyses).set({
        status: 'running',
        attempts: sql`${analyses.attempts} + 1`,
        claimedBy: workerId,
        claimExpiresAt: sql`now() + make_interval(secs => ${claimTtlSeconds})`,
        startedAt: sql`coalesce(${analyses.startedAt}, now())`,
        updatedAt: sql`now()`,
      }).where(eq(analyses.id, next.id)).returning();
      return claimed;
    }
  });
}

/** Extends a claim; false means another worker has taken the analysis over (ours expired). */
export async function renewClaim(db: Db, id: string, workerId: string, claimTtlSeconds: number): Promise<boolean> {
  const rows = await db.update(analyses)
    .set({ claimExpiresAt: sql`now() + make_interval(secs => ${claimTtlSeconds})` })
    .where(and(eq(analyses.id, id), eq(analyses.claimedBy, workerId), eq(analyses.status, 'running')))
    .returning({ id: analyses.id });
  return rows.length === 1;
}

/**
 * Writes the outcome of a run, fenced on the claim: if this worker's claim was taken over, the
 * write matches nothing and returns false, so an analysis is never finished twice.
 */
export async function finishClaimed(db: Db, id: string, workerId: string, patch: Partial<typeof analyses.$inferInsert>): Promise<boolean> {
  const rows = await db.update(analyses)
    .set({ ...patch, claimedBy: null, claimExpiresAt: null, updatedAt: sql`now()` })
    .where(and(eq(analyses.id, id), eq(analyses.claimedBy, workerId), eq(analyses.status, 'running')))
    .returning({ id: analyses.id });
  return rows.length === 1;
}

/**
 * The writes of a run, fenced on its claim. A worker that pauses (a stopped VM, a long GC, a
 * suspended container) for longer than the claim's lifetime loses the analysis to another worker;
 * when it goes on, its writes must change nothing. Each runs in a transaction that first locks the
 * analysis row and finds it still claimed by this worker, so no write lands after a takeover.
 */
export interface ClaimFence {
  /** Runs `write` in a transaction that holds the claim; throws a 'claim-lost' PipelineError when it does not. */
  write<T>(write: (tx: Db) => Promise<T>): Promise<T>;
  /** Throws like `write` when the claim is gone: before work outside the database, such as storing into the PACS. */
  check(): Promise<void>;
}

export function claimFence(db: Db, id: string, workerId: string): ClaimFence {
  const write = <T>(work: (tx: Db) => Promise<T>): Promise<T> => db.transaction(async (tx) => {
    const [held] = await tx.select({ id: analyses.id }).from(analyses)
      .where(and(eq(analyses.id, id), eq(analyses.claimedBy, workerId), eq(analyses.status, 'running')))
      .for('update');
    if (!held) throw new PipelineError('claim-lost', `Analysis ${id} was taken over by another worker after this one's claim (${workerId}) lapsed; this run writes nothing more`);
    return work(tx);
  });
  return { write, check: () => write(async () => undefined) };
}

/** Progress that is worth keeping even if the run later fails (chosen series, timings so far). */
export async function recordProgress(db: Db, id: string, workerId: string, patch: Pick<Partial<typeof analyses.$inferInsert>, 'series' | 'timings' | 'warnings' | 'model' | 'inputFingerprint'>): Promise<void> {
  await db.update(analyses).set({ ...patch, updatedAt: sql`now()` })
    .where(and(eq(analyses.id, id), eq(analyses.claimedBy, workerId)));
}

export async function cancelAnalysis(db: Db, id: string): Promise<AnalysisRow | undefined> {
  const [row] = await db.update(analyses)
    .set({ status: 'cancelled', finishedAt: sql`now()`, updatedAt: sql`now()` })
    .where(and(eq(analyses.id, id), eq(analyses.status, 'queued')))
    .returning();
  return row;
}

/** Puts a finished analysis back in the queue with a fresh attempt budget; its next results are a new version (new UIDs). */
export async function requeueAnalysis(db: Db, id: string): Promise<AnalysisRow | undefined> {
  const [row] = await db.update(analyses).set({
    status: 'queued', attempts: 0, error: null, errorCode: null, skipRule: null,
    resultsKey: sql`gen_random_uuid()`, runAfter: sql`now()`, finishedAt: null, updatedAt: sql`now()`,
  }).where(and(eq(analyses.id, id), inArray(analyses.status, ['failed', 'skipped', 'cancelled', 'succeeded'])))
    .returning();
  return row;
}

export async function queueDepth(db: Db): Promise<Record<string, number>> {
  const rows = await db.select({ status: analyses.status, n: sql<number>`count(*)::int` })
    .from(analyses).groupBy(analyses.status);
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}
