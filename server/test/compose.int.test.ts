import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { configVariables, loadConfig } from '../src/config.ts';

const root = path.resolve(import.meta.dirname, '../..');

interface ComposeService {
  image?: string;
  build?: unknown;
  environment?: Record<string, string>;
  ports?: Array<{ published: number | string; target: number }>;
  expose?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: unknown };
  volumes?: string[];
}

/** As the README has an operator set it: not the file's default. */
const orthancPassword = 'compose-test-orthanc-password';

/** The Compose file as Debian's docker-compose resolves it (no Docker engine needed for `config`). */
function resolvedCompose(): { services: Record<string, ComposeService>; volumes: Record<string, unknown> } {
  const output = execFileSync('docker-compose', ['-f', path.join(root, 'docker-compose.yml'), 'config'], {
    env: { ...process.env, LUNGBRIDGE_API_KEYS: 'compose-test-key-0123456789', ORTHANC_PASSWORD: orthancPassword },
    encoding: 'utf8',
  });
  return parse(output);
}

describe('docker-compose.yml (production path)', () => {
  const compose = resolvedCompose();
  const lungbridge = compose.services.lungbridge;

  it('has orthanc, postgres and lungbridge with healthchecks and healthy dependencies', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['lungbridge', 'orthanc', 'postgres']);
    for (const service of Object.values(compose.services)) expect(service.healthcheck?.test).toBeDefined();
    expect(lungbridge.depends_on).toEqual({ orthanc: { condition: 'service_healthy' }, postgres: { condition: 'service_healthy' } });
    expect(compose.services.orthanc.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(lungbridge.build).toBeDefined();
    expect(Object.keys(compose.volumes)).toContain('postgres_data_dev');
  });

  it('publishes only Lungbridge; Orthanc and PostgreSQL stay internal', () => {
    expect(compose.services.orthanc.ports).toBeUndefined();
    expect(compose.services.postgres.ports).toBeUndefined();
    expect(lungbridge.ports).toHaveLength(1);
  });

  it('gives Lungbridge only variables that config.ts knows, and a configuration it accepts', () => {
    const env = lungbridge.environment ?? {};
    for (const name of Object.keys(env)) expect(configVariables, name).toContain(name);
    const config = loadConfig(env);
    expect(lungbridge.ports?.[0].target).toBe(config.port);
    expect(config.host).toBe('0.0.0.0');
    expect(new URL(config.databaseUrl ?? '').hostname).toBe('postgres');
    const orthancUrl = new URL(config.orthanc.url);
    expect(orthancUrl.hostname).toBe('orthanc');
    expect(config.orthanc.username).toBe('lungbridge');
    const orthancEnv = compose.services.orthanc.environment ?? {};
    expect(JSON.parse(orthancEnv.ORTHANC__REGISTERED_USERS)).toEqual({ lungbridge: config.orthanc.password });
  });

  it('has Orthanc\'s healthcheck log in with the password Orthanc was given (in the container\'s own shell)', () => {
    const orthanc = compose.services.orthanc;
    const check = (orthanc.healthcheck?.test as string[]).at(-1) ?? '';
    // `config` prints the file's `$$` escapes as they are; Compose hands the shell a single `$`.
    const credentials = (/-u (\S+)/.exec(check)?.[1] ?? '').replaceAll('$$', '$');
    // The container's shell expands the check with the container's environment and nothing else.
    const expanded = execFileSync('sh', ['-c', `printf %s ${credentials}`], { env: orthanc.environment ?? {}, encoding: 'utf8' });
    expect(expanded).toBe(`lungbridge:${orthancPassword}`);
    expect(JSON.parse(orthanc.environment?.ORTHANC__REGISTERED_USERS ?? '{}')).toEqual({ lungbridge: orthancPassword });
  });

  it('runs Orthanc from the same orthanc/orthanc.json as the native path, with its ports', () => {
    const orthancJson = JSON.parse(readFileSync(path.join(root, 'orthanc/orthanc.json'), 'utf8'));
    const mounts = compose.services.orthanc.volumes ?? [];
    expect(mounts.some((m) => String(m).includes(`${root}/orthanc/orthanc.json:/etc/orthanc/orthanc.json`))).toBe(true);
    expect(compose.services.orthanc.expose).toEqual(expect.arrayContaining([String(orthancJson.HttpPort), String(orthancJson.DicomPort)]));
    expect(new URL(loadConfig(lungbridge.environment ?? {}).orthanc.url).port).toBe(String(orthancJson.HttpPort));
    expect(orthancJson.DicomWeb).toMatchObject({ Enable: true, SeriesMetadata: 'Full' });
  });
});
