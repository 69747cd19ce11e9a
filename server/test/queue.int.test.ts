import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../src/db/client.ts';
import { analyses } from '../src/db/schema.ts';
import { claimFence, claimNextAnalysis, enqueueAnalysis, finishClaimed, requeueAnalysis } from '../src/jobs/queue.ts';
import { startLocalPostgres, type LocalPostgres } from '../src/local/postgres-process.ts';

/** Queue semantics on a real PostgreSQL server (the embedded PGlite is covered by pglite.test.ts). */
describe('analysis queue on PostgreSQL', () => {
  let postgres: LocalPostgres;
  let database: Database;
  beforeAll(async () => {
    postgres = await startLocalPostgres();
    database = await openDatabase({ databaseUrl: postgres.url });
  });
  afterAll(async () => {
    await database?.close();
    await postgres?.destroy();
  });

  it('queues a study once however many callers race to queue it', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => enqueueAnalysis(database.db, { studyInstanceUid: '1.2.3.100', trigger: 'api' })));
    expect(new Set(results.map((r) => r.analysis.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
  });

  it('lets concurrent workers claim different analyses (SKIP LOCKED)', async () => {
    for (let n = 0; n < 4; n++) await enqueueAnalysis(database.db, { studyInstanceUid: `1.2.3.20${n}`, trigger: 'api' });
    const claims = await Promise.all(['w1', 'w2', 'w3', 'w4', 'w5'].map((w) => claimNextAnalysis(database.db, w, 60)));
    const ids = claims.filter((c) => c !== undefined).map((c) => c!.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(5);
  });

  it('fences outcomes: a worker whose claim expired and was taken over cannot finish the analysis', async () => {
    await database.db.update(analyses).set({ status: 'cancelled' });
    const { analysis } = await enqueueAnalysis(database.db, { studyInstanceUid: '1.2.3.300', trigger: 'api' });
    const first = await claimNextAnalysis(database.db, 'dead-worker', 1);
    expect(first?.id).toBe(analysis.id);
    expect(await claimNextAnalysis(database.db, 'other', 60)).toBeUndefined();
    await new Promise((r) => setTimeout(r, 1200));
    const second = await claimNextAnalysis(database.db, 'other', 60);
    expect(second).toMatchObject({ id: analysis.id, attempts: 2, claimedBy: 'other' });
    expect(await finishClaimed(database.db, analysis.id, 'dead-worker', { status: 'succeeded' })).toBe(false);
    expect(await finishClaimed(database.db, analysis.id, 'other', { status: 'succeeded' })).toBe(true);
    const [row] = await database.db.select().from(analyses).where(eq(analyses.id, analysis.id));
    expect(row).toMatchObject({ status: 'succeeded', claimedBy: null });
  });

  it('fences a run\'s writes: after a takeover the paused worker\'s write is refused and changes nothing', async () => {
    await database.db.update(analyses).set({ status: 'cancelled' });
    const { analysis } = await enqueueAnalysis(database.db, { studyInstanceUid: '1.2.3.350', trigger: 'api' });
    expect(await claimNextAnalysis(database.db, 'paused-worker', 1)).toMatchObject({ id: analysis.id });
    const fence = claimFence(database.db, analysis.id, 'paused-worker');
    const warn = (tx: Database['db'], text: string) => tx.update(analyses).set({ warnings: [text] }).where(eq(analyses.id, analysis.id));
    await fence.write((tx) => warn(tx, 'written while the claim was held'));
    await fence.check();

    await new Promise((r) => setTimeout(r, 1200));
    expect(await claimNextAnalysis(database.db, 'other', 60)).toMatchObject({ id: analysis.id, claimedBy: 'other' });
    await expect(fence.write((tx) => warn(tx, 'written after the takeover'))).rejects.toMatchObject({ code: 'claim-lost' });
    await expect(fence.check()).rejects.toMatchObject({ code: 'claim-lost' });
    const [row] = await database.db.select().from(analyses).where(eq(analyses.id, analysis.id));
    expect(row.warnings).toEqual(['written while the claim was held']);
  });

  it('keeps an analysis\'s results key through claims and gives it a new one when queued again by hand', async () => {
    await database.db.update(analyses).set({ status: 'cancelled' });
    const { analysis } = await enqueueAnalysis(database.db, { studyInstanceUid: '1.2.3.360', trigger: 'api' });
    const claimed = await claimNextAnalysis(database.db, 'w', 60);
    expect(claimed).toMatchObject({ id: analysis.id, resultsKey: analysis.resultsKey });
    expect(await finishClaimed(database.db, analysis.id, 'w', { status: 'succeeded' })).toBe(true);
    const again = await requeueAnalysis(database.db, analysis.id);
    expect(again?.resultsKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(again?.resultsKey).not.toBe(analysis.resultsKey);
  });

  it('fails an analysis whose worker died on it as often as attempts are allowed, and claims the next one', async () => {
    await database.db.update(analyses).set({ status: 'cancelled' });
    const { analysis: deadly } = await enqueueAnalysis(database.db, { studyInstanceUid: '1.2.3.400', trigger: 'api' });
    const { analysis: next } = await enqueueAnalysis(database.db, { studyInstanceUid: '1.2.3.401', trigger: 'api' });
    // Claimed three times by workers that died (their claims lapse after 1 s).
    for (let attempt = 1; attempt <= 3; attempt++) {
      expect(await claimNextAnalysis(database.db, `dying-${attempt}`, 1, 3)).toMatchObject({ id: deadly.id, attempts: attempt });
      await new Promise((r) => setTimeout(r, 1100));
    }
    expect(await claimNextAnalysis(database.db, 'healthy', 60, 3)).toMatchObject({ id: next.id });
    const [row] = await database.db.select().from(analyses).where(eq(analyses.id, deadly.id));
    expect(row).toMatchObject({ status: 'failed', errorCode: 'internal', claimedBy: null });
    expect(row.error).toMatch(/stopped 3 times without finishing/);
  });
});
