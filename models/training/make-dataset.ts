/**
 * Writes the training patches of the nodule candidate classifier (see README.md beside this file).
 *
 *   npx tsx models/training/make-dataset.ts --out models/training/runs/dataset \
 *     [--phantoms 48] [--phantom-seed 7001] [--lidc ../shared/data/lidc] [--hold-out LIDC-IDRI-0003] [--shard 0/1] \
 *     [--jitter 0.5] [--classified-ranks 1024] [--subsolid-ranks 0] [--attached-subsolid 0] [--small-attached 0] \
 *     [--one-millimetre 0]
 *
 * Output (one folder per shard): patches.i16 (int16 HU, [n][z][y][x]), samples.jsonl (one line per
 * patch: label, kind, source, scan, diameter, type) and geometry.json (the patch grid). Patches are
 * resampled with the same code the server runs at inference (server/src/inference/patch.ts).
 *
 * Samples:
 *  - phantom  `nodule`:    truth centres with jitter, and blob proposals that hit a nodule (label 1)
 *  - phantom  `proposal`:  blob proposals away from every nodule: vessels, bifurcations, pleura (label 0)
 *  - lidc     `nodule`:    the reference nodules (>= 3 of 4 readers) of training cases, jittered (label 1)
 *  - lidc     `proposal` / `non-nodule`: proposals away from any annotation, readers' non-nodule marks (label 0)
 *  - lidc     `background`: random lung points away from any annotation (label 0); train.py also
 *             inserts synthetic nodules into these and the lidc proposals (label 1).
 */
import { appendFile, mkdir, open, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { voxelDistanceMm, type Vec3, type Volume } from '../../server/src/domain/volume.ts';
import { proposeCandidates } from '../../server/src/detect/proposals.ts';
import { classifiedProposals } from '../../server/src/inference/model-detector.ts';
import { createPatchSampler, patchVoxelCount, type PatchGeometry, type PatchSampler } from '../../server/src/inference/patch.ts';
import { findLidcCases, readLidcCase } from '../../server/src/lidc/read-case.ts';
import { generatePhantom } from '../../server/src/phantom/generate.ts';
import { createRng, type Rng } from '../../server/src/phantom/random.ts';
import type { NoduleSpec, PhantomOptions } from '../../server/src/phantom/types.ts';
import { segmentLungs, type LungMask } from '../../server/src/pipeline/lungs.ts';

/** The patch grid: 40 x 40 x 32 mm around a candidate, enough context for a 30 mm nodule. */
export const patchGeometry: PatchGeometry = { size: [32, 32, 16], spacingMm: [1.25, 1.25, 2] };
/**
 * Negatives per scan: a share of the proposals the detector classifies (the best-ranked by the blob
 * score, `defaultClassifiedProposals` of server/src/inference/model-detector.ts: `--classified-ranks`)
 * and a sample of the rest.
 */
const classifiedShare = 0.5;
const otherNegativesPerScan = 128;
/** A proposal this much beyond a nodule's radius is a clean negative; nearer ones are ambiguous and left out. */
const negativeMarginMm = 5;

interface Sample {
  readonly label: 0 | 1;
  readonly kind: 'nodule' | 'proposal' | 'non-nodule' | 'background';
  readonly source: 'phantom' | 'lidc';
  readonly scan: string;
  readonly diameterMm?: number;
  readonly type?: string;
  readonly rank?: number;
}

/** What the command line chooses about the samples (README.md beside this file: which model used what). */
interface SampleOptions {
  /** Jitter of the truth-centred positive views, as a share of the nodule's radius (at most 3 mm). */
  readonly jitterShare: number;
  readonly classifiedRanks: number;
  /** Proposals of the subsolid pass the detector classifies besides (0: no subsolid pass, as up to model 1.3.0). */
  readonly subsolidRanks: number;
  /** Share of each training phantom's nodules drawn as 5-10 mm part-solid or ground-glass nodules on a vessel. */
  readonly attachedSubsolidShare: number;
  /** Share of each training phantom's nodules drawn as 4-7 mm nodules on a vessel or the pleura (any type). */
  readonly smallAttachedShare: number;
  /** Share of phantoms made as 128 slices of 1 mm at 0.7 mm (the demo's and many clinical scans' geometry). */
  readonly oneMillimetreShare: number;
}

interface Known {
  readonly centre: Vec3;
  readonly radiusMm: number;
}

class PatchWriter {
  private readonly buffer = new Float32Array(patchVoxelCount(patchGeometry));
  private readonly int16 = new Int16Array(this.buffer.length);
  readonly lines: string[] = [];
  /** One resampled grid per scan, cut into patches as the detector does. */
  private readonly samplers = new WeakMap<Volume, PatchSampler>();
  constructor(private readonly file: Awaited<ReturnType<typeof open>>) {}

  async add(volume: Volume, centre: Vec3, sample: Sample): Promise<void> {
    let samplePatch = this.samplers.get(volume);
    if (!samplePatch) {
      samplePatch = createPatchSampler(volume, patchGeometry);
      this.samplers.set(volume, samplePatch);
    }
    samplePatch(centre, this.buffer);
    for (let n = 0; n < this.buffer.length; n++) this.int16[n] = Math.max(-1024, Math.min(3071, Math.round(this.buffer[n])));
    await this.file.write(new Uint8Array(this.int16.buffer));
    this.lines.push(JSON.stringify(sample));
  }
}

function jitter(rng: Rng, centre: Vec3, maxMm: number, spacing: readonly [number, number, number]): Vec3 {
  // Uniform in a ball: the proposal centre of a real nodule can be off by a few mm.
  for (;;) {
    const d = [rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(-1, 1)];
    if (Math.hypot(d[0], d[1], d[2]) > 1) continue;
    return { x: centre.x + (d[0] * maxMm) / spacing[0], y: centre.y + (d[1] * maxMm) / spacing[1], z: centre.z + (d[2] * maxMm) / spacing[2] };
  }
}

/**
 * Proposals: hits on a nodule (label 1), clean negatives (label 0); the ambiguous rest left out.
 * Negatives: half of those the detector classifies (`classifiedProposals`), a sample of the rest.
 */
async function addProposals(writer: PatchWriter, volume: Volume, lungs: LungMask, nodules: readonly Known[], avoid: readonly Known[], scan: string, source: Sample['source'], rng: Rng, sampling: SampleOptions) {
  let hits = 0;
  const hitNodules = new Set<number>();
  const proposals = proposeCandidates(volume, lungs, { subsolidPass: sampling.subsolidRanks > 0 });
  const classified = classifiedProposals(proposals, { allDensities: sampling.classifiedRanks, subsolid: sampling.subsolidRanks }, volume.spacing);
  const chosen = new Set(classified);
  const ranked = [...classified, ...proposals.filter((p) => !chosen.has(p))];
  const firstRank = nodules.map(() => -1);
  for (const [rank, p] of ranked.entries()) {
    const hit = nodules.findIndex((n) => voxelDistanceMm(p.centreVoxel, n.centre, volume.spacing) <= n.radiusMm);
    if (hit >= 0 && firstRank[hit] < 0) firstRank[hit] = rank;
    if (hit >= 0) {
      hits++;
      hitNodules.add(hit);
      await writer.add(volume, p.centreVoxel, { label: 1, kind: 'nodule', source, scan, diameterMm: 2 * nodules[hit].radiusMm, rank });
      continue;
    }
    const near = [...nodules, ...avoid].some((n) => voxelDistanceMm(p.centreVoxel, n.centre, volume.spacing) <= n.radiusMm + negativeMarginMm);
    const keep = rank < classified.length ? rng.next() < classifiedShare : rng.next() < otherNegativesPerScan / Math.max(1, ranked.length - classified.length);
    if (!near && keep) await writer.add(volume, p.centreVoxel, { label: 0, kind: 'proposal', source, scan, rank });
  }
  return { proposals: ranked.length, classified: classified.length, hits, nodulesHit: hitNodules.size, firstRank };
}

const types = ['solid', 'part-solid', 'ground-glass'] as const;
const shapes = ['round', 'lobulated', 'spiculated'] as const;

/**
 * Training phantoms: five nodules each (types, shapes, attachments and sizes 3-30 mm drawn from the
 * seed), two geometries (the evaluation set's 1.4 x 2 mm and a LIDC-like 0.7 x 2.5 mm slab; with
 * `--one-millimetre`, also 1 mm slices at 0.7 mm) and a spread of noise and blur, so the model does
 * not learn one scanner.
 */
function trainingPhantom(seed: number, sampling: SampleOptions): PhantomOptions {
  const rng = createRng(seed, 'training-phantom');
  // The slab covers 160 mm (128 mm at 1 mm slices) about mid-lung: its nodules go to the middle zone.
  const thinSlab = rng.uniform(0, 1) < 0.3;
  const oneMillimetre = sampling.oneMillimetreShare > 0 && rng.uniform(0, 1) < sampling.oneMillimetreShare;
  const nodules: NoduleSpec[] = Array.from({ length: 5 }, () => {
    // No draw when neither share is asked for, so the 1.3.0 recipe's phantoms stay as they were.
    const draw = sampling.attachedSubsolidShare + sampling.smallAttachedShare > 0 ? rng.uniform(0, 1) : 1;
    const { type, diameterMm, attachment } = draw < sampling.attachedSubsolidShare
      ? subsolidOnVessel(rng)
      : draw < sampling.attachedSubsolidShare + sampling.smallAttachedShare ? smallAttached(rng) : mixedNodule(rng);
    return {
      diameterMm, type, shape: rng.pick(shapes), attachment,
      zone: thinSlab || oneMillimetre ? 'middle' as const : rng.pick(diameterMm > 18 ? ['middle', 'lower'] as const : ['upper', 'middle', 'lower'] as const),
      ...(type === 'part-solid' ? { solidComponentMm: Math.round(diameterMm * rng.uniform(0.3, 0.6) * 2) / 2 } : {}),
    };
  });
  const geometry = oneMillimetre
    ? { matrix: 512, pixelSpacingMm: 0.7, slices: 128, sliceSpacingMm: 1 }
    : thinSlab
      ? { matrix: 512, pixelSpacingMm: 0.7, slices: 64, sliceSpacingMm: 2.5 }
      : { matrix: 256, pixelSpacingMm: 1.4, slices: 160, sliceSpacingMm: 2 };
  return { seed, ...geometry, nodules, noiseSigmaHu: rng.uniform(12, 35), blurSigmaMm: rng.uniform(0.5, 1.0) };
}

type DrawnNodule = Pick<NoduleSpec, 'type' | 'diameterMm' | 'attachment'>;

function mixedNodule(rng: Rng): DrawnNodule {
  const type = rng.pick(types);
  // Sizes: half log-uniform over 3-30 mm, half 4-10 mm, the sizes the detector misses most.
  const smallest = type === 'solid' ? 3 : 5;
  const [low, high] = rng.uniform(0, 1) < 0.5 ? [smallest, 30] : [Math.max(4, smallest), 10];
  const diameterMm = Math.round(Math.exp(rng.uniform(Math.log(low), Math.log(high))) * 2) / 2;
  // Attached nodules, the hard ones, weigh more: 40 % juxtavascular, 35 % juxtapleural.
  const draw = rng.uniform(0, 1);
  const attachment = draw < 0.4 ? 'juxtavascular' as const : draw < 0.75 ? 'juxtapleural' as const : 'free' as const;
  return { type, diameterMm, attachment };
}

/** What model 1.3.0 missed most: a 5-10 mm part-solid or ground-glass nodule on a vessel. */
function subsolidOnVessel(rng: Rng): DrawnNodule {
  const type = rng.pick(['part-solid', 'ground-glass'] as const);
  return { type, diameterMm: Math.round(rng.uniform(5, 10) * 2) / 2, attachment: 'juxtavascular' };
}

/** What model 1.5.0 missed most: a 4-7 mm nodule on a vessel or the pleura (subsolid ones from 5 mm). */
function smallAttached(rng: Rng): DrawnNodule {
  const type = rng.pick(types);
  const diameterMm = Math.round(rng.uniform(type === 'solid' ? 4 : 5, 7) * 2) / 2;
  return { type, diameterMm, attachment: rng.uniform(0, 1) < 0.6 ? 'juxtavascular' : 'juxtapleural' };
}

async function phantomSamples(writer: PatchWriter, seed: number, sampling: SampleOptions) {
  const options = trainingPhantom(seed, sampling);
  let phantom;
  try {
    phantom = generatePhantom(options);
  } catch (error) {
    // A nodule that finds no place in the scanned range: this seed is skipped, the next ones are not.
    return `phantom-${seed}: skipped (${(error as Error).message})`;
  }
  const { volume, truth } = phantom;
  const lungs = segmentLungs(volume);
  const scan = `phantom-${seed}`;
  const rng = createRng(seed, 'training-jitter');
  const nodules = truth.nodules.map((n) => ({ centre: n.centreVoxel, radiusMm: Math.max(1.5, n.diameterMm / 2), n }));
  for (const { centre, radiusMm, n } of nodules) {
    for (let r = 0; r < 6; r++) {
      const at = jitter(rng, centre, Math.min(3, radiusMm * sampling.jitterShare), volume.spacing);
      await writer.add(volume, at, { label: 1, kind: 'nodule', source: 'phantom', scan, diameterMm: n.diameterMm, type: n.spec.type });
    }
  }
  const stats = await addProposals(writer, volume, lungs, nodules, [], scan, 'phantom', rng, sampling);
  return `${scan}: ${truth.nodules.length} nodules (${truth.nodules.map((n) => `${n.diameterMm} ${n.spec.type}`).join(', ')}), ${stats.proposals} proposals (${stats.classified} classified), ${stats.hits} on nodules, ${stats.nodulesHit} nodules proposed; first proposal rank per nodule ${stats.firstRank.join(' ')}`;
}

async function lidcSamples(writer: PatchWriter, caseDir: string, seed: number, sampling: SampleOptions) {
  const lidcCase = await readLidcCase(caseDir);
  const { volume } = lidcCase;
  const lungs = segmentLungs(volume);
  const scan = lidcCase.caseId;
  const rng = createRng(seed, `lidc-${scan}`);
  const nodules = lidcCase.nodules.map((n) => ({ centre: n.centreVoxel, radiusMm: Math.max(1.5, n.longAxisMm / 2), n }));
  const avoid: Known[] = [
    ...lidcCase.minorityNodules.map((n) => ({ centre: n.centreVoxel, radiusMm: Math.max(1.5, n.longAxisMm / 2) })),
    ...lidcCase.smallNodules.map((p) => ({ centre: p.centreVoxel, radiusMm: 3 })),
  ];
  // One real nodule per slab: many jittered views so it weighs like the inserted ones.
  for (const { centre, radiusMm, n } of nodules) {
    for (let r = 0; r < 40; r++) {
      const at = jitter(rng, centre, Math.min(3, radiusMm * sampling.jitterShare), volume.spacing);
      await writer.add(volume, at, { label: 1, kind: 'nodule', source: 'lidc', scan, diameterMm: n.longAxisMm, type: n.type });
    }
  }
  for (const mark of lidcCase.nonNodules) {
    for (let r = 0; r < 4; r++) await writer.add(volume, jitter(rng, mark.centreVoxel, 1.5, volume.spacing), { label: 0, kind: 'non-nodule', source: 'lidc', scan });
  }
  const stats = await addProposals(writer, volume, lungs, nodules, avoid, scan, 'lidc', rng, sampling);
  // Random lung points: parenchyma, vessels and pleura as they come, the backgrounds for inserted nodules.
  const [nx, ny, nz] = volume.dims;
  let backgrounds = 0;
  for (let tries = 0; backgrounds < 600 && tries < 100_000; tries++) {
    const at = { x: rng.int(0, nx - 1), y: rng.int(0, ny - 1), z: rng.int(0, nz - 1) };
    if (!lungs.mask[at.x + at.y * nx + at.z * nx * ny]) continue;
    if ([...nodules, ...avoid].some((n) => voxelDistanceMm(at, n.centre, volume.spacing) <= n.radiusMm + negativeMarginMm)) continue;
    await writer.add(volume, at, { label: 0, kind: 'background', source: 'lidc', scan });
    backgrounds++;
  }
  return `${scan}: ${nodules.length} reference nodules, ${lidcCase.nonNodules.length} non-nodule marks, ${stats.proposals} proposals, ${stats.hits} on nodules, ${backgrounds} backgrounds`;
}

async function main() {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: 'models/training/runs/dataset' },
      phantoms: { type: 'string', default: '48' },
      'phantom-seed': { type: 'string', default: '7001' },
      lidc: { type: 'string' },
      'hold-out': { type: 'string', default: 'LIDC-IDRI-0003' },
      shard: { type: 'string', default: '0/1' },
      jitter: { type: 'string', default: '0.5' },
      'classified-ranks': { type: 'string', default: '1024' },
      'subsolid-ranks': { type: 'string', default: '0' },
      'attached-subsolid': { type: 'string', default: '0' },
      'small-attached': { type: 'string', default: '0' },
      'one-millimetre': { type: 'string', default: '0' },
    },
  });
  const sampling: SampleOptions = {
    jitterShare: Number(values.jitter),
    classifiedRanks: Number(values['classified-ranks']),
    subsolidRanks: Number(values['subsolid-ranks']),
    attachedSubsolidShare: Number(values['attached-subsolid']),
    smallAttachedShare: Number(values['small-attached']),
    oneMillimetreShare: Number(values['one-millimetre']),
  };
  const [shard, shards] = values.shard.split('/').map(Number);
  const out = path.join(values.out, `shard-${shard}`);
  await mkdir(out, { recursive: true });
  const file = await open(path.join(out, 'patches.i16'), 'w');
  await writeFile(path.join(out, 'samples.jsonl'), '');
  await writeFile(path.join(out, 'geometry.json'), JSON.stringify({ ...patchGeometry, heldOut: values['hold-out'] }, null, 2));
  const writer = new PatchWriter(file);
  const firstSeed = Number(values['phantom-seed']);
  const jobs: (() => Promise<string>)[] = [];
  if (values.lidc) {
    const heldOut = new Set(values['hold-out'].split(',').filter(Boolean));
    for (const caseDir of await findLidcCases(values.lidc)) {
      if (heldOut.has(path.basename(path.resolve(caseDir)))) continue;
      jobs.push(() => lidcSamples(writer, caseDir, firstSeed, sampling));
    }
  }
  for (let n = 0; n < Number(values.phantoms); n++) jobs.push(() => phantomSamples(writer, firstSeed + n, sampling));
  for (const [n, job] of jobs.entries()) {
    if (n % shards !== shard) continue;
    const start = performance.now();
    const line = await job();
    // Flushed per scan, so a shard stopped early still reads back consistently (patches and lines).
    await appendFile(path.join(out, 'samples.jsonl'), writer.lines.splice(0).map((l) => `${l}\n`).join(''));
    process.stderr.write(`${line} (${((performance.now() - start) / 1000).toFixed(1)} s)\n`);
  }
  await file.close();
}

await main();
