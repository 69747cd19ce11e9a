import type { NoduleType } from '../domain/finding.ts';
import type { BoxMask } from '../domain/mask.ts';
import { pointDistanceMm, voxelToPatient, type Vec3, type Volume } from '../domain/volume.ts';
import { intersectionVoxelCount } from '../eval/mask-overlap.ts';
import type { LidcReaderMark } from './reader-marks.ts';

/** A nodule >= 3 mm: the cluster of the readers' outlines that describe the same lesion. */
export interface LidcNodule {
  /** 1-based, in slice order of the centre; stable for one case and one volume. */
  readonly index: number;
  /** Distinct readers who outlined it (a reader who split it in two counts once). */
  readonly readerCount: number;
  readonly marks: readonly LidcReaderMark[];
  /** Voxels inside the outlines of at least half of the readers who marked it. */
  readonly consensusMask: BoxMask;
  readonly consensusVolumeMm3: number;
  /** Centroid of the consensus mask (of the readers' centroids if the consensus is empty). */
  readonly centreVoxel: Vec3;
  readonly centreMm: Vec3;
  /** Readers' mean long axis: the reference diameter (LUNA16 uses the readers' mean diameter too). */
  readonly longAxisMm: number;
  /** Readers' mean volume. */
  readonly volumeMm3: number;
  /** From the readers' mean texture rating; undefined when no reader rated it. */
  readonly type?: NoduleType;
  /** One per mark that has characteristics, in mark order (1..5). */
  readonly malignancyRatings: readonly number[];
}

/**
 * pylidc's consensus level (`consensus(clevel=0.5)`): a voxel is in the consensus when the share of
 * the nodule's readers whose outline contains it is >= 0.5.
 */
export const consensusLevel = 0.5;

const mean = (values: readonly number[]) => values.reduce((s, v) => s + v, 0) / values.length;

function centroidDistanceMm(volume: Volume, a: Vec3, b: Vec3): number {
  return pointDistanceMm(voxelToPatient(volume, a), voxelToPatient(volume, b));
}

/**
 * Two outlines by different readers describe the same nodule when they share a voxel, or when
 * their centroids are closer than half the larger long axis (outlines of a small nodule drawn on
 * neighbouring slices may not touch). Outlines by one reader are never joined directly: the reader
 * called them separate nodules. Clusters are the connected components of this relation, so a
 * reader who split a nodule that others outlined as one ends up with two marks in one cluster.
 */
export function sameNodule(volume: Volume, a: LidcReaderMark, b: LidcReaderMark): boolean {
  if (a.radiologistId === b.radiologistId) return false;
  if (intersectionVoxelCount(a.mask, b.mask) > 0) return true;
  return centroidDistanceMm(volume, a.centroidVoxel, b.centroidVoxel) < Math.max(a.longAxisMm, b.longAxisMm) / 2;
}

export function clusterMarks(volume: Volume, marks: readonly LidcReaderMark[]): LidcReaderMark[][] {
  const parent = marks.map((_, n) => n);
  const root = (n: number): number => (parent[n] === n ? n : (parent[n] = root(parent[n])));
  for (let a = 0; a < marks.length; a++) {
    for (let b = a + 1; b < marks.length; b++) {
      if (sameNodule(volume, marks[a], marks[b])) parent[root(a)] = root(b);
    }
  }
  const groups = new Map<number, LidcReaderMark[]>();
  marks.forEach((mark, n) => groups.set(root(n), [...(groups.get(root(n)) ?? []), mark]));
  return [...groups.values()];
}

/** Votes per voxel over the union box: one vote per reader (a reader's marks are united first). */
export function consensusMask(marks: readonly LidcReaderMark[], level = consensusLevel): BoxMask {
  const lo = [0, 1, 2].map((d) => Math.min(...marks.map((m) => m.mask.offset[d])));
  const hi = [0, 1, 2].map((d) => Math.max(...marks.map((m) => m.mask.offset[d] + m.mask.size[d])));
  const size = [hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]] as const;
  const readers = [...new Set(marks.map((m) => m.radiologistId))];
  const votes = new Uint8Array(size[0] * size[1] * size[2]);
  for (const reader of readers) {
    const own = new Uint8Array(votes.length);
    for (const { mask } of marks.filter((m) => m.radiologistId === reader)) {
      for (let k = 0; k < mask.size[2]; k++) {
        for (let j = 0; j < mask.size[1]; j++) {
          for (let i = 0; i < mask.size[0]; i++) {
            if (!mask.data[i + j * mask.size[0] + k * mask.size[0] * mask.size[1]]) continue;
            own[(i + mask.offset[0] - lo[0]) + (j + mask.offset[1] - lo[1]) * size[0] + (k + mask.offset[2] - lo[2]) * size[0] * size[1]] = 1;
          }
        }
      }
    }
    for (let n = 0; n < votes.length; n++) votes[n] += own[n];
  }
  const needed = level * readers.length;
  return cropToContent({ offset: [lo[0], lo[1], lo[2]], size, data: votes.map((v) => (v >= needed ? 1 : 0)) });
}

/** The same mask in the smallest box that holds all its voxels (an empty mask keeps a 0-size box). */
function cropToContent(mask: BoxMask): BoxMask {
  const [w, h] = mask.size;
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-1, -1, -1];
  mask.data.forEach((v, idx) => {
    if (!v) return;
    const at = [idx % w, Math.floor(idx / w) % h, Math.floor(idx / (w * h))];
    for (let d = 0; d < 3; d++) { lo[d] = Math.min(lo[d], at[d]); hi[d] = Math.max(hi[d], at[d]); }
  });
  if (hi[0] < 0) return { offset: mask.offset, size: [0, 0, 0], data: new Uint8Array(0) };
  const size = [hi[0] - lo[0] + 1, hi[1] - lo[1] + 1, hi[2] - lo[2] + 1] as const;
  const data = new Uint8Array(size[0] * size[1] * size[2]);
  for (let k = 0; k < size[2]; k++) {
    for (let j = 0; j < size[1]; j++) {
      const from = (lo[0]) + (j + lo[1]) * w + (k + lo[2]) * w * h;
      data.set(mask.data.subarray(from, from + size[0]), j * size[0] + k * size[0] * size[1]);
    }
  }
  return { offset: [mask.offset[0] + lo[0], mask.offset[1] + lo[1], mask.offset[2] + lo[2]], size, data };
}

/**
 * LIDC texture rating to nodule type: 1-2 non-solid (ground glass), 3 part-solid, 4-5 solid, as the
 * rating scale defines it (1 = non-solid/GGO, 3 = part solid/mixed, 5 = solid); the readers' mean is
 * rounded first.
 */
export function noduleTypeFromTexture(texture: number): NoduleType {
  const rounded = Math.round(texture);
  if (rounded <= 2) return 'ground-glass';
  return rounded === 3 ? 'part-solid' : 'solid';
}

function maskCentroid(mask: BoxMask): Vec3 | undefined {
  let n = 0;
  const sum = { x: 0, y: 0, z: 0 };
  const [w, h] = mask.size;
  mask.data.forEach((v, idx) => {
    if (!v) return;
    n++;
    sum.x += mask.offset[0] + (idx % w);
    sum.y += mask.offset[1] + (Math.floor(idx / w) % h);
    sum.z += mask.offset[2] + Math.floor(idx / (w * h));
  });
  return n ? { x: sum.x / n, y: sum.y / n, z: sum.z / n } : undefined;
}

/** Builds the nodules of one case from all readers' outlines inside the volume. */
export function buildNodules(volume: Volume, marks: readonly LidcReaderMark[]): LidcNodule[] {
  const voxelMm3 = volume.spacing[0] * volume.spacing[1] * volume.spacing[2];
  const nodules = clusterMarks(volume, marks).map((group) => {
    const mask = consensusMask(group);
    const centreVoxel = maskCentroid(mask) ?? {
      x: mean(group.map((m) => m.centroidVoxel.x)),
      y: mean(group.map((m) => m.centroidVoxel.y)),
      z: mean(group.map((m) => m.centroidVoxel.z)),
    };
    const rated = group.flatMap((m) => (m.characteristics ? [m.characteristics] : []));
    return {
      readerCount: new Set(group.map((m) => m.radiologistId)).size,
      marks: group,
      consensusMask: mask,
      consensusVolumeMm3: mask.data.reduce((s, v) => s + v, 0) * voxelMm3,
      centreVoxel,
      centreMm: voxelToPatient(volume, centreVoxel),
      longAxisMm: mean(group.map((m) => m.longAxisMm)),
      volumeMm3: mean(group.map((m) => m.volumeMm3)),
      type: rated.length ? noduleTypeFromTexture(mean(rated.map((c) => c.texture))) : undefined,
      malignancyRatings: rated.map((c) => c.malignancy),
    };
  });
  return nodules
    .sort((a, b) => a.centreVoxel.z - b.centreVoxel.z || a.centreVoxel.y - b.centreVoxel.y)
    .map((nodule, n) => ({ index: n + 1, ...nodule }));
}
