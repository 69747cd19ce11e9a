import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createDetector } from '../../pipeline/create-detector.ts';
import { encodeResults } from '../../pipeline/encode.ts';
import type { Finding } from '../../domain/finding.ts';
import { analyzeVolume, type AnalysisStage } from '../../pipeline/analyze-volume.ts';
import { loadVolumeFromFolder } from '../../pipeline/load-folder.ts';

export const summary = 'Find, segment and measure lung nodules in a folder of CT DICOM files';
export const usage = `Usage: lungbridge analyze <dicom dir> [--json] [--out <dir>] [--detector model|classical]
  --json        findings as JSON instead of a table
  --out <dir>   also write the SR and SEG there
  --detector    the trained model (default) or the classical detector`;

const stages: readonly AnalysisStage[] = ['lungs', 'detect', 'segment', 'measure'];

/** One stderr line per stage: a bar of the stages done, the stage name and its time. */
function progress(done: number, label: string): void {
  const width = stages.length + 1;
  const bar = '#'.repeat(done).padEnd(width, '.');
  process.stderr.write(`[${bar}] ${label}\n`);
}

function findingsTable(findings: readonly Finding[]): string {
  const header = ['#', 'side', 'zone', 'type', 'long mm', 'short mm', 'mean mm', 'vol mm3', 'mean HU', 'prob', 'juxta', 'spic', 'centre (x,y,z vox)'];
  const rows = findings.map((f) => [
    String(f.index), f.laterality, f.zone,
    f.type + (f.solidComponentMm !== undefined ? ` (solid ${f.solidComponentMm})` : ''),
    f.longAxis.lengthMm.toFixed(1), f.shortAxis.lengthMm.toFixed(1), f.meanDiameterMm.toFixed(1),
    f.volumeMm3.toFixed(0), f.meanHu.toFixed(0), f.probability.toFixed(2), f.juxtapleural ? 'yes' : 'no',
    f.spiculation === undefined ? '-' : f.spiculation.toFixed(2),
    `${f.centroidVoxel.x.toFixed(0)},${f.centroidVoxel.y.toFixed(0)},${f.centroidVoxel.z.toFixed(0)}`,
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: readonly string[]) => cells.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** `lungbridge analyze <dicom dir> [--json]` */
export async function run(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      json: { type: 'boolean', default: false },
      out: { type: 'string' },
      detector: { type: 'string', default: 'model' },
    },
    allowPositionals: true,
  });
  if (positionals.length !== 1) {
    process.stderr.write(`${usage}\n`);
    return 2;
  }
  if (values.detector !== 'classical' && values.detector !== 'model') {
    process.stderr.write(`lungbridge analyze: --detector must be classical or model, not "${values.detector}"\n`);
    return 2;
  }
  const started = performance.now();
  progress(0, 'volume: reading DICOM');
  const { volume, summary: series } = await loadVolumeFromFolder(positionals[0]);
  progress(1, `volume: ${volume.dims.join('x')} voxels, spacing ${volume.spacing.map((s) => s.toFixed(2)).join(' x ')} mm (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  let done = 1;
  const result = await analyzeVolume(volume, {
    detector: await createDetector({ detector: values.detector }),
    onStage: (stage, ms) => progress(++done, `${stage}: ${(ms / 1000).toFixed(2)} s`),
  });
  for (const warning of result.warnings) process.stderr.write(`warning: ${warning}\n`);
  if (values.out) {
    await mkdir(values.out, { recursive: true });
    for (const object of encodeResults({ volume, findings: result.findings, model: result.detector, notes: result.warnings })) {
      const file = path.join(values.out, `${object.kind}.dcm`);
      await writeFile(file, object.part10);
      process.stderr.write(`wrote ${object.kind.toUpperCase()} ${file}\n`);
    }
  }
  if (values.json) {
    const findings = result.findings.map(({ mask, ...f }) => ({ ...f, mask: { offset: mask.offset, size: mask.size } }));
    process.stdout.write(`${JSON.stringify({ series, ...result, findings }, null, 2)}\n`);
    return 0;
  }
  if (!result.lungs.found) {
    process.stdout.write(`No lungs: ${result.lungs.reason}\n`);
    return 0;
  }
  process.stdout.write(`Lungs ${result.lungs.volumeMl.toFixed(0)} ml; ${result.findings.length} nodule(s) (detector ${result.detector.name} ${result.detector.version})\n`);
  if (result.findings.length > 0) process.stdout.write(`${findingsTable(result.findings)}\n`);
  return 0;
}
