import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../src/db/client.ts';
import { startLocalPostgres, type LocalPostgres } from '../src/local/postgres-process.ts';

describe('the PostgreSQL pool when the server goes away', () => {
  let postgres: LocalPostgres;
  let database: Database;
  beforeAll(async () => {
    postgres = await startLocalPostgres();
    database = await openDatabase({ databaseUrl: postgres.url });
  }, 60_000);
  afterAll(async () => {
    await database?.close().catch(() => undefined);
    await postgres?.destroy();
  });

  // A client checked out for a transaction has no pool listener: its socket error used to be an
  // uncaught exception that killed the service (and, in tests, showed as an unhandled error).
  it('fails the open transaction and does not crash the process', async () => {
    const uncaught: unknown[] = [];
    const record = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', record);
    try {
      const transaction = database.db.transaction(async (tx) => {
        await tx.execute(sql`select 1`);
        await postgres.stop();
        await tx.execute(sql`select 1`);
      });
      await expect(transaction).rejects.toThrow();
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(uncaught).toEqual([]);
    } finally {
      process.off('uncaughtException', record);
    }
    await postgres.start();
    await expect(database.ping()).resolves.toBeUndefined();
  }, 60_000);
});
