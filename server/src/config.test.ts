import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { ConfigError, configVariables, loadConfig } from './config.ts';

const minimal = { LUNGBRIDGE_API_KEYS: 'k'.repeat(32), ORTHANC_URL: 'http://127.0.0.1:8042' };

describe('loadConfig', () => {
  it('applies safe defaults', () => {
    const config = loadConfig(minimal);
    expect(config.port).toBe(8080);
    expect(config.publicUrl).toBeUndefined();
    expect(config.databaseUrl).toBeUndefined();
    expect(config.routing.rules).toMatchObject({ modality: 'CT', minSlices: 10, maxSliceThicknessMm: 5 });
    expect(config.workers.concurrency).toBe(1);
    expect(config.detector.threads).toBe(availableParallelism());
    expect(Object.isFrozen(config.orthanc)).toBe(true);
  });

  it('reads the analysis threads and refuses a count that is not a positive integer', () => {
    expect(loadConfig({ ...minimal, LUNGBRIDGE_ANALYSIS_THREADS: '3' }).detector.threads).toBe(3);
    expect(() => loadConfig({ ...minimal, LUNGBRIDGE_ANALYSIS_THREADS: '0' })).toThrow(/LUNGBRIDGE_ANALYSIS_THREADS/);
    expect(() => loadConfig({ ...minimal, LUNGBRIDGE_ANALYSIS_THREADS: '1.5' })).toThrow(/LUNGBRIDGE_ANALYSIS_THREADS/);
  });

  it('splits comma-separated API keys', () => {
    const config = loadConfig({ ...minimal, LUNGBRIDGE_API_KEYS: `${'a'.repeat(20)}, ${'b'.repeat(20)}` });
    expect(config.apiKeys).toEqual(['a'.repeat(20), 'b'.repeat(20)]);
  });

  it.each([
    [{ LUNGBRIDGE_PORT: 'eighty' }, 'LUNGBRIDGE_PORT'],
    [{ LUNGBRIDGE_API_KEYS: 'short' }, 'LUNGBRIDGE_API_KEYS'],
    [{ ORTHANC_URL: 'not a url' }, 'ORTHANC_URL'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ LUNGBRIDGE_ROUTE_SERIES_DESCRIPTION: '([' }, 'LUNGBRIDGE_ROUTE_SERIES_DESCRIPTION'],
    [{ LUNGBRIDGE_WORKERS: '0' }, 'LUNGBRIDGE_WORKERS'],
  ])('rejects %o naming %s', (override, variable) => {
    expect(() => loadConfig({ ...minimal, ...override })).toThrow(ConfigError);
    expect(() => loadConfig({ ...minimal, ...override })).toThrow(variable);
  });

  it('requires the Orthanc URL and an API key', () => {
    expect(() => loadConfig({})).toThrow(/ORTHANC_URL[\s\S]*|LUNGBRIDGE_API_KEYS/);
  });
});

describe('the README configuration table', () => {
  it('documents every variable the service reads', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const rows = readme.split('\n').filter((line) => line.startsWith('| `'));
    for (const name of configVariables) expect(rows.some((row) => row.includes(`\`${name}\``)), name).toBe(true);
  });
});
