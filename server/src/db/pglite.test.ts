import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { claimFence, claimNextAnalysis, enqueueAnalysis, finishClaimed, recordSkipped } from '../jobs/queue.ts';
import { analyses } from './schema.ts';
import { openDatabase } from './client.ts';

/** The embedded default (PGlite, PostgreSQL 18) runs the same migrations and queue SQL as the server. */
describe('embedded PGlite database', () => {
  it('migrates, queues, claims and finishes, and keeps data across reopen', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'lungbridge-pglite-'));
    try {
      let database = await openDatabase({ dataDir });
      expect(database.kind).toBe('pglite');
      const { analysis } = await enqueueAnalysis(database.db, { studyInstanceUid: '1.2.3', trigger: 'cli' });
      const again = await enqueueAnalysis(database.db, { studyInstanceUid: '1.2.3', trigger: 'cli' });
      expect(again).toMatchObject({ created: false, analysis: { id: analysis.id } });
      const claimed = await claimNextAnalysis(database.db, 'w', 30);
      expect(claimed).toMatchObject({ id: analysis.id, status: 'running', attempts: 1 });
      // A run's fenced write, with the nested transaction (a savepoint) the findings' save opens.
      await claimFence(database.db, analysis.id, 'w').write((tx) => tx.transaction((inner) => inner.update(analyses).set({ warnings: ['fenced'] }).where(eq(analyses.id, analysis.id))));
      await expect(claimFence(database.db, analysis.id, 'other').check()).rejects.toMatchObject({ code: 'claim-lost' });
      expect(await finishClaimed(database.db, analysis.id, 'w', { status: 'succeeded' })).toBe(true);
      await recordSkipped(database.db, { studyInstanceUid: '1.2.4', rule: 'modality', reason: 'MR', inputFingerprint: 'x' });
      await database.close();

      database = await openDatabase({ dataDir });
      const rows = await database.db.query.analyses.findMany();
      expect(rows.map((r) => r.status).sort()).toEqual(['skipped', 'succeeded']);
      expect(rows.find((r) => r.status === 'succeeded')?.warnings).toEqual(['fenced']);
      await database.close();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
