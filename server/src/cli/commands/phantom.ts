import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { generateFollowUp } from '../../phantom/follow-up.ts';
import type { FollowUpChanges } from '../../phantom/follow-up.ts';
import { generatePhantom, phantomDefaults } from '../../phantom/generate.ts';
import { demonstrationNodules, writePhantom } from '../../phantom/write-phantom.ts';
import type { NoduleSpec, PhantomOptions } from '../../phantom/types.ts';

export const summary = 'Write a synthetic chest CT phantom (DICOM series + truth.json) with known nodules';

export const usage = `Usage: lungbridge phantom <outdir> [--seed N] [--slices N] [--spacing mm] [--matrix N]
                          [--nodules spec.json] [--region chest|abdomen] [--follow-up DAYS]
  --seed N            phantom seed (default 1); the same seed gives the same images and UIDs
  --slices N          number of slices (default ${phantomDefaults.slices})
  --spacing mm        slice spacing (default: the slices cover ${phantomDefaults.coverageMm} mm)
  --matrix N          columns = rows (default ${phantomDefaults.matrix}; ${phantomDefaults.fieldOfViewMm} mm field of view)
  --nodules file      JSON array of nodule specs, e.g.
                      [{"diameterMm": 8, "type": "solid", "shape": "spiculated", "attachment": "free",
                        "laterality": "right", "zone": "upper"}]
                      (default: four demonstration nodules; none for --region abdomen)
  --region r          chest (default) or abdomen (no lungs)
  --follow-up DAYS    also a follow-up scan of the same patient DAYS later: moved on the table,
                      nodule 1 grown by half its diameter, the last of several nodules gone, a new
                      6 mm solid one; its truth.json links the nodules across the scans
Writes <outdir>/CT000001.dcm ... and <outdir>/truth.json; with --follow-up, the two scans go to
<outdir>/baseline and <outdir>/follow-up.`;

const noduleSpecSchema = z.object({
  diameterMm: z.number().min(3).max(30),
  type: z.enum(['solid', 'part-solid', 'ground-glass']),
  shape: z.enum(['round', 'lobulated', 'spiculated']),
  attachment: z.enum(['free', 'juxtavascular', 'juxtapleural']),
  laterality: z.enum(['left', 'right']).optional(),
  zone: z.enum(['upper', 'middle', 'lower']).optional(),
  solidComponentMm: z.number().positive().optional(),
}).strict();


async function readNoduleSpecs(file: string): Promise<NoduleSpec[]> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new Error(`--nodules ${file}: not readable JSON (${(error as Error).message})`);
  }
  const parsed = z.array(noduleSpecSchema).safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`--nodules ${file}: [${issue.path.join('.')}] ${issue.message}`);
  }
  return parsed.data;
}

function integerOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} "${value}" is not a non-negative integer`);
  return n;
}

function numberOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} "${value}" is not a positive number`);
  return n;
}


export async function run(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      seed: { type: 'string' },
      slices: { type: 'string' },
      spacing: { type: 'string' },
      matrix: { type: 'string' },
      nodules: { type: 'string' },
      region: { type: 'string' },
      'follow-up': { type: 'string' },
    },
  });
  if (positionals.length !== 1) {
    process.stderr.write(`lungbridge phantom: give exactly one output folder\n${usage}\n`);
    return 2;
  }
  const region = values.region ?? 'chest';
  if (region !== 'chest' && region !== 'abdomen') {
    process.stderr.write(`lungbridge phantom: --region must be chest or abdomen, not "${region}"\n`);
    return 2;
  }
  const outDir = positionals[0];
  const options: PhantomOptions = {
    seed: integerOption(values.seed, 'seed') ?? 1,
    slices: integerOption(values.slices, 'slices'),
    sliceSpacingMm: numberOption(values.spacing, 'spacing'),
    matrix: integerOption(values.matrix, 'matrix'),
    region,
    nodules: values.nodules ? await readNoduleSpecs(values.nodules) : region === 'chest' ? demonstrationNodules : [],
  };
  const followUpDays = integerOption(values['follow-up'], 'follow-up');
  if (followUpDays === 0) throw new Error('--follow-up must be at least 1 day');
  const started = performance.now();
  const baseline = generatePhantom(options);
  const baselineDir = followUpDays === undefined ? outDir : path.join(outDir, 'baseline');
  const lines = [`Generated in ${((performance.now() - started) / 1000).toFixed(1)} s`, ...(await writePhantom(baseline, baselineDir, {}))];
  if (followUpDays !== undefined) {
    const count = options.nodules?.length ?? 0;
    const first = options.nodules?.[0];
    const changes: FollowUpChanges = {
      intervalDays: followUpDays,
      shiftMm: { x: 3, y: -2, z: 8 },
      rotationDeg: 3,
      grow: first ? { 1: Math.min(30, first.diameterMm * 1.5) } : {},
      remove: count > 1 ? [count] : [],
      add: region === 'chest' ? [{ diameterMm: 6, type: 'solid', shape: 'round', attachment: 'free' }] : [],
    };
    const { followUp, links } = generateFollowUp(options, changes);
    lines.push('Follow-up:', ...(await writePhantom(followUp, path.join(outDir, 'follow-up'), { links })));
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
