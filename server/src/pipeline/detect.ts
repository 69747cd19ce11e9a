import type { Candidate } from '../domain/finding.ts';
import { voxelDistanceMm, type Volume } from '../domain/volume.ts';
import type { LungMask } from './lungs.ts';

/**
 * Finds nodule candidates in the lungs. The classical blob detector and, later, a trained model
 * (which may classify patches around the same proposals) implement this one interface.
 */
export interface Detector {
  readonly name: string;
  readonly version: string;
  detect(volume: Volume, lungs: LungMask): Promise<Candidate[]>;
}

/**
 * Merges candidates whose centres lie within mergeDistanceMm of each other (readers count one
 * nodule once): the most probable of a group is kept, taking the group's largest diameter (and then
 * leaving its segmentation, made for the smaller one, to the segment stage; whether its centre
 * came from the subsolid pass stays with the centre).
 */
export function mergeCandidates(candidates: readonly Candidate[], spacing: readonly [number, number, number], mergeDistanceMm: number): Candidate[] {
  const sorted = [...candidates].sort((a, b) => b.probability - a.probability);
  const kept: Candidate[] = [];
  for (const candidate of sorted) {
    const near = kept.findIndex((k) => voxelDistanceMm(k.centreVoxel, candidate.centreVoxel, spacing) <= mergeDistanceMm);
    if (near < 0) kept.push(candidate);
    else if (candidate.diameterMm > kept[near].diameterMm) {
      const { centreVoxel, probability, subsolid } = kept[near];
      kept[near] = { centreVoxel, probability, diameterMm: candidate.diameterMm, ...(subsolid ? { subsolid } : {}) };
    }
  }
  return kept;
}
