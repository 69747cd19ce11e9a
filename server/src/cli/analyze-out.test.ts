import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runDciodvfy } from '../../test/dicom-validators.ts';
import { ctSliceDatasets } from '../dicom/ct-writer.ts';
import { toPart10 } from '../dicom/part10.ts';
import { readMeasurementReport } from '../dicom/read-sr.ts';
import { generatePhantom } from '../phantom/generate.ts';
import { run } from './commands/analyze.ts';

describe('lungbridge analyze <dir> --out <dir>', () => {
  const dirs: string[] = [];
  afterAll(async () => { await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))); });

  it('writes a valid SR and SEG for a folder without any PACS, the analysis\'s warnings among the SR\'s notes', async () => {
    const input = await mkdtemp(path.join(tmpdir(), 'lungbridge-cli-in-'));
    const output = await mkdtemp(path.join(tmpdir(), 'lungbridge-cli-out-'));
    dirs.push(input, output);
    const phantom = generatePhantom({
      seed: 501, matrix: 256, pixelSpacingMm: 1.4, slices: 32, sliceSpacingMm: 3.2,
      nodules: [{ diameterMm: 14, type: 'solid', shape: 'round', attachment: 'free', laterality: 'right', zone: 'middle' }],
    });
    const datasets = ctSliceDatasets(phantom.volume, phantom.identity);
    await Promise.all(datasets.map((ds, k) => writeFile(path.join(input, `${k}.dcm`), toPart10(ds))));
    const stdout = process.stdout.write;
    process.stdout.write = (() => true) as typeof process.stdout.write;
    const stderr = process.stderr.write;
    process.stderr.write = (() => true) as typeof process.stderr.write;
    let code: number;
    try {
      code = await run([input, '--out', output]);
    } finally {
      process.stdout.write = stdout;
      process.stderr.write = stderr;
    }
    expect(code).toBe(0);
    for (const name of ['sr.dcm', 'seg.dcm']) {
      const report = await runDciodvfy(path.join(output, name));
      expect(report.errors, report.output).toEqual([]);
    }
    const sr = readMeasurementReport(new Uint8Array(await readFile(path.join(output, 'sr.dcm'))));
    expect(sr.nodules.length).toBeGreaterThanOrEqual(1);
    expect(sr.nodules.some((n) => n.laterality === 'right' && Math.abs(n.longAxis.lengthMm - 14) < 4)).toBe(true);
    expect(sr.notes).toEqual([expect.stringMatching(/^Slice spacing 3\.20 mm exceeds 3 mm/)]);
  });
});
