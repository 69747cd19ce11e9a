import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { run } from './eval.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const lidcDir = process.env.LUNGBRIDGE_LIDC_DIR ?? path.resolve(repoRoot, '../shared/data/lidc');
const missing = !existsSync(lidcDir);
if (missing) console.warn(`eval CLI test on LIDC skipped: no data at ${lidcDir} (set LUNGBRIDGE_LIDC_DIR)`);

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => { out.push(String(chunk)); return true; });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => { err.push(String(chunk)); return true; });
  return { out: () => out.join(''), err: () => err.join('') };
}

afterEach(() => vi.restoreAllMocks());

describe('lungbridge eval', () => {
  it('asks for a data set and refuses an unknown detector', async () => {
    const io = capture();
    expect(await run([])).toBe(2);
    expect(io.err()).toContain('give --lidc <dir> and/or --phantom-set N');
    await expect(run(['--phantom-set', '1', '--detector', 'nonesuch'])).rejects.toThrow(/"nonesuch" is not available \(available: classical, model, all\)/);
    await expect(run(['--phantom-set', 'many'])).rejects.toThrow(/--phantom-set must be a number/);
  });

  it.skipIf(missing)('runs the pipeline on the LIDC slabs in worker processes and writes table and JSON', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lungbridge-eval-'));
    try {
      const io = capture();
      const jsonPath = path.join(dir, 'report.json');
      expect(await run(['--lidc', lidcDir, '--jobs', '2', '--json', jsonPath])).toBe(0);
      expect(io.out()).toMatch(/LIDC-IDRI-0001\s+1\s/);
      expect(io.out()).toMatch(/LIDC-IDRI-0003\s+1\s/);
      const report = JSON.parse(readFileSync(jsonPath, 'utf8'));
      expect(report.settings).toMatchObject({ lidc: lidcDir, operatingThreshold: 0.5, jobs: 2 });
      const [classical] = report.detectors;
      expect(classical.detector).toBe('classical');
      expect(classical.scans.map((s: { scanId: string }) => s.scanId)).toEqual(['LIDC-IDRI-0001', 'LIDC-IDRI-0003']);
      for (const scan of classical.scans) {
        expect(scan.nodules).toBe(1);
        expect(scan.hits + scan.misses).toBe(1);
        expect(Object.keys(scan.timingsMs)).toEqual(expect.arrayContaining(['volume', 'lungs', 'detect', 'segment', 'measure']));
        expect(scan.scoredFindings).toHaveLength(scan.findings);
      }
      expect(classical.lidc).toMatchObject({ scans: 2, nodules: 2 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
