import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { decodeBoxMask } from '../../phantom/truth-json.ts';
import type { PhantomTruthJson } from '../../phantom/truth-json.ts';
import { run } from './phantom.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'lungbridge-phantom-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('lungbridge phantom', () => {
  it('writes the series and truth.json for a nodule spec file and prints a summary', async () => {
    const specFile = path.join(dir, 'spec.json');
    writeFileSync(specFile, JSON.stringify([{ diameterMm: 12, type: 'solid', shape: 'round', attachment: 'free', laterality: 'left', zone: 'middle' }]));
    const out = path.join(dir, 'scan');
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const code = await run([out, '--seed', '9', '--matrix', '48', '--slices', '40', '--nodules', specFile]);
    const printed = write.mock.calls.map((c) => String(c[0])).join('');
    write.mockRestore();
    expect(code).toBe(0);
    expect(readdirSync(out).filter((f) => f.endsWith('.dcm'))).toHaveLength(40);
    const truth = JSON.parse(readFileSync(path.join(out, 'truth.json'), 'utf8')) as PhantomTruthJson;
    expect(truth.seed).toBe(9);
    expect(truth.series.dims).toEqual([48, 48, 40]);
    expect(truth.nodules).toHaveLength(1);
    expect(truth.nodules[0]).toMatchObject({ laterality: 'left', zone: 'middle', diameterMm: 12 });
    expect(decodeBoxMask(truth.nodules[0].mask).data.some((v) => v === 1)).toBe(true);
    expect(printed).toContain('LB-PHANTOM-9');
    expect(printed).toContain('12.0 mm solid round free, left middle');
  });

  it('writes a baseline and a linked follow-up scan', async () => {
    const out = path.join(dir, 'pair');
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const code = await run([out, '--seed', '4', '--matrix', '40', '--slices', '32', '--follow-up', '180']);
    write.mockRestore();
    expect(code).toBe(0);
    const baseline = JSON.parse(readFileSync(path.join(out, 'baseline', 'truth.json'), 'utf8')) as PhantomTruthJson;
    const followUp = JSON.parse(readFileSync(path.join(out, 'follow-up', 'truth.json'), 'utf8')) as PhantomTruthJson & { links: unknown[] };
    expect(baseline.nodules).toHaveLength(4);
    expect(followUp.series.studyInstanceUid).not.toBe(baseline.series.studyInstanceUid);
    expect(followUp.links).toEqual(expect.arrayContaining([
      expect.objectContaining({ baselineIndex: 1, change: 'grown', followUpDiameterMm: 21 }),
      expect.objectContaining({ baselineIndex: 4, change: 'resolved' }),
      expect.objectContaining({ change: 'new', followUpDiameterMm: 6 }),
    ]));
    expect(readdirSync(path.join(out, 'follow-up')).filter((f) => f.endsWith('.dcm'))).toHaveLength(32);
  });

  it('names the bad field of a nodule spec file', async () => {
    const specFile = path.join(dir, 'bad.json');
    writeFileSync(specFile, JSON.stringify([{ diameterMm: 40, type: 'solid', shape: 'round', attachment: 'free' }]));
    await expect(run([path.join(dir, 'bad'), '--nodules', specFile])).rejects.toThrow(/\[0\.diameterMm\]/);
  });
});
