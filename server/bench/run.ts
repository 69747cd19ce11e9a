import { execFile } from 'node:child_process';
import { access, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { PacsClient } from '../src/dicomweb/client.ts';
import { importFolder } from '../src/dicomweb/import-folder.ts';
import { startLocalOrthanc } from '../src/local/orthanc-process.ts';
import { generatePhantom } from '../src/phantom/generate.ts';
import { demonstrationNodules, writePhantom } from '../src/phantom/write-phantom.ts';
import type { BenchResult } from './measure.ts';

/**
 * `npm run bench`: speed and memory on a 320-slice 512 x 512 chest CT (the synthetic phantom),
 * each case in its own process. Writes bench-results/latest.json and prints a table.
 */
const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const cacheDir = path.join(root, '.cache', 'bench');
const seriesDir = path.join(cacheDir, 'phantom-512x512x320');

/** The results a case prints, in order (most print one). */
async function benchCase(file: string, args: string[]): Promise<BenchResult[]> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, file), ...args], { cwd: root, maxBuffer: 16 * 1024 * 1024 });
  const lines = stdout.split('\n').filter((l) => l.startsWith('BENCH '));
  if (lines.length === 0) throw new Error(`${file} printed no result:\n${stdout}`);
  return lines.map((line) => JSON.parse(line.slice(6)) as BenchResult);
}

if (!(await access(path.join(seriesDir, 'truth.json')).then(() => true, () => false))) {
  process.stderr.write('bench: generating the 512 x 512 x 320 phantom (once)…\n');
  await writePhantom(generatePhantom({ seed: 7, nodules: demonstrationNodules }), seriesDir, {});
}
const truth = (await import(path.join(seriesDir, 'truth.json'), { with: { type: 'json' } })).default as { series: { studyInstanceUid: string; seriesInstanceUid: string } };
const { studyInstanceUid, seriesInstanceUid } = truth.series;

const orthanc = await startLocalOrthanc();
const results: BenchResult[] = [];
try {
  const dicomWebUrl = `${orthanc.url}/dicom-web`;
  const pacs = new PacsClient({ dicomWebUrl, username: orthanc.username, password: orthanc.password });
  const stored = await importFolder(pacs, seriesDir);
  process.stderr.write(`bench: stored ${stored.stored} instances into a native Orthanc\n`);
  const authorization = `Basic ${Buffer.from(`${orthanc.username}:${orthanc.password}`).toString('base64')}`;
  // Warm Orthanc's caches once so that both retrievals see the same state.
  await benchCase('case-wado.ts', [dicomWebUrl, authorization, studyInstanceUid, seriesInstanceUid]);
  results.push(...await benchCase('case-wado.ts', [dicomWebUrl, authorization, studyInstanceUid, seriesInstanceUid]));
  results.push(...await benchCase('case-fetch-volume.ts', [dicomWebUrl, orthanc.username, orthanc.password, studyInstanceUid]));
} finally {
  await orthanc.destroy();
}
results.push(...await benchCase('case-analysis.ts', [seriesDir]));
results.push(...await benchCase('case-service-analysis.ts', [seriesDir]));
results.push(...await benchCase('case-inference.ts', [seriesDir]));

const [wado, fetchVolume] = results;
const lines = [
  `Benchmark: 320-slice 512 x 512 CT, ${new Date().toISOString()}, ${process.platform} ${process.arch}, node ${process.version}`,
  ...results.map((r) => `  ${r.name.padEnd(52)} ${String(r.wallMs).padStart(7)} ms   peak RSS ${String(r.peakRssMb).padStart(5)} MB   ${r.detail ? JSON.stringify(r.detail) : ''}`),
  `  fetch + volume / plain WADO-RS = ${(fetchVolume.wallMs / wado.wallMs).toFixed(2)}`,
];
process.stdout.write(`${lines.join('\n')}\n`);
await mkdir(path.join(root, 'bench-results'), { recursive: true });
await writeFile(path.join(root, 'bench-results', 'latest.json'), `${JSON.stringify({ at: new Date().toISOString(), results }, null, 2)}\n`);
