import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { writeCtSeries } from '../dicom/ct-writer.ts';
import { truthToJson } from './truth-json.ts';
import type { NoduleSpec, Phantom } from './types.ts';

/** A solid spiculated upper-lobe nodule (Lung-RADS 4B territory), a part-solid, a ground-glass and a small pleural one. */
export const demonstrationNodules: readonly NoduleSpec[] = [
  { diameterMm: 14, type: 'solid', shape: 'spiculated', attachment: 'free', laterality: 'right', zone: 'upper' },
  { diameterMm: 12, type: 'part-solid', shape: 'round', attachment: 'juxtavascular', laterality: 'left', zone: 'lower', solidComponentMm: 6 },
  { diameterMm: 10, type: 'ground-glass', shape: 'round', attachment: 'free', laterality: 'left', zone: 'upper' },
  { diameterMm: 6, type: 'solid', shape: 'lobulated', attachment: 'juxtapleural', laterality: 'right', zone: 'lower' },
];

/** Writes one scan and its truth.json; returns the summary lines. */
export async function writePhantom(phantom: Phantom, outDir: string, extra: Record<string, unknown>): Promise<string[]> {
  const { volume, truth, identity } = phantom;
  await mkdir(outDir, { recursive: true });
  const files = await writeCtSeries(volume, outDir, { identity });
  await writeFile(path.join(outDir, 'truth.json'), `${JSON.stringify({ ...truthToJson(truth, volume), ...extra }, null, 1)}\n`);
  const [columns, rows, slices] = volume.dims;
  const [sx, , sz] = volume.spacing;
  const lines = [
    `Phantom seed ${truth.seed} (${truth.region}): ${columns}x${rows}x${slices} at ${sx.toFixed(3)} x ${sz.toFixed(3)} mm`,
    `Patient ${identity.patientName} ${identity.patientId} (${identity.patientSex}, ${identity.patientAge}); study ${identity.studyDate} ${volume.source.studyInstanceUid}`,
    `Wrote ${files.length} CT files and truth.json to ${outDir}`,
    ...truth.nodules.map((n) => `  #${n.index} ${n.diameterMm.toFixed(1)} mm ${n.spec.type} ${n.spec.shape} ${n.attachment}, ${n.laterality} ${n.zone}, `
      + `voxel (${n.centreVoxel.x.toFixed(0)}, ${n.centreVoxel.y.toFixed(0)}, ${n.centreVoxel.z.toFixed(0)}), ${n.volumeMm3.toFixed(0)} mm³`),
  ];
  if (truth.nodules.length === 0) lines.push(truth.lungsPresent ? '  no nodules' : '  no lungs, no nodules');
  return lines;
}
