import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const bin = path.resolve(import.meta.dirname, '../../bin/lungbridge.mjs');
const commands = readdirSync(path.join(import.meta.dirname, 'commands'))
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
  .map((f) => f.slice(0, -3));

describe('lungbridge <command> --help', () => {
  it.each(commands)('%s prints its usage and exits 0, needing no configuration', (name) => {
    // No LUNGBRIDGE_* or ORTHANC_* variables: help must not need a valid configuration.
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(LUNGBRIDGE|ORTHANC|DATABASE)_/.test(key)));
    const out = execFileSync(process.execPath, [bin, name, '--help'], { env, encoding: 'utf8', timeout: 30_000 });
    expect(out).toMatch(new RegExp(`^Usage: lungbridge ${name}\\b`));
  });
});
