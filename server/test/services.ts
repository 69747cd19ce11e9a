import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { startLocalOrthanc, type LocalOrthanc } from '../src/local/orthanc-process.ts';
import { startLocalPostgres, type LocalPostgres } from '../src/local/postgres-process.ts';
import { PacsClient } from '../src/dicomweb/client.ts';
import { startService, type AnalysisEngine, type Service } from '../src/service.ts';
import { createDefaultEngine } from '../src/engine.ts';

export interface TestStack {
  readonly orthanc: LocalOrthanc;
  readonly postgres: LocalPostgres;
  readonly service: Service;
  readonly apiKey: string;
  /** A DICOMweb client straight to Orthanc (not through Lungbridge), to set up data. */
  readonly pacs: PacsClient;
  api(pathname: string, init?: RequestInit & { json?: unknown; key?: string | null }): Promise<Response>;
  /** Restarts the Lungbridge service on the same database and PACS (workers get `graceMs` to finish). */
  restartService(env?: Record<string, string>, engine?: AnalysisEngine, graceMs?: number): Promise<Service>;
  stop(): Promise<void>;
}

/**
 * A real Orthanc and a real PostgreSQL cluster on free ports with their own temp data, and a
 * Lungbridge service in-process against them: what integration tests talk to.
 */
export async function startTestStack(options: { env?: Record<string, string>; engine?: AnalysisEngine; stableAgeSeconds?: number; orthancConfig?: Record<string, unknown> } = {}): Promise<TestStack> {
  // 4 s: long enough that a loaded machine storing one study never looks finished half-way.
  const orthanc = await startLocalOrthanc({ stableAgeSeconds: options.stableAgeSeconds ?? 4, extraConfig: options.orthancConfig });
  const postgres = await startLocalPostgres();
  const database = `lungbridge_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: postgres.url });
  await admin.connect();
  await admin.query(`create database ${database}`);
  await admin.end();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'lungbridge-data-'));
  const apiKey = randomBytes(24).toString('hex');
  const engine = options.engine ?? (await createDefaultEngine());
  const baseEnv = {
    LUNGBRIDGE_PORT: '0',
    LUNGBRIDGE_API_KEYS: apiKey,
    LUNGBRIDGE_DATA_DIR: dataDir,
    DATABASE_URL: postgres.url.replace(/\/postgres$/, `/${database}`),
    ORTHANC_URL: orthanc.url,
    ORTHANC_USERNAME: orthanc.username,
    ORTHANC_PASSWORD: orthanc.password,
    LUNGBRIDGE_POLL_MS: '200',
    LUNGBRIDGE_CHANGES_POLL_MS: '300',
    LUNGBRIDGE_RETRY_BASE_MS: '300',
    LUNGBRIDGE_CLAIM_TTL_S: '5',
    LUNGBRIDGE_LOG_LEVEL: process.env.LUNGBRIDGE_TEST_LOG ?? 'error',
    ...options.env,
  };
  const log = createLogger(baseEnv.LUNGBRIDGE_LOG_LEVEL as 'error');
  // The stack owns the engines it runs (the analysis threads stop with it).
  const engines = new Set([engine]);
  let service = await startService(loadConfig(baseEnv), engine, log);
  const pacs = new PacsClient({ dicomWebUrl: `${orthanc.url}/dicom-web`, username: orthanc.username, password: orthanc.password });

  return {
    orthanc, postgres, apiKey, pacs,
    get service() { return service; },
    async api(pathname, init = {}) {
      const { json, key, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (key !== null) headers.set('authorization', `Bearer ${key ?? apiKey}`);
      if (json !== undefined) headers.set('content-type', 'application/json');
      return fetch(`${service.url}${pathname}`, { ...rest, headers, body: json !== undefined ? JSON.stringify(json) : rest.body });
    },
    async restartService(env = {}, nextEngine = engine, graceMs?: number) {
      await service.stop(graceMs);
      engines.add(nextEngine);
      service = await startService(loadConfig({ ...baseEnv, ...env }), nextEngine, log);
      return service;
    },
    async stop() {
      await service.stop();
      await Promise.all([...engines].map((e) => e.close()));
      await orthanc.destroy();
      await postgres.destroy();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` until it returns a value (not undefined) or the time is up. */
export async function eventually<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
