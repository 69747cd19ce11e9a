import { describe, expect, it } from 'vitest';
import type { Candidate } from '../domain/finding.ts';
import { mergeCandidates } from './detect.ts';

describe('mergeCandidates', () => {
  const mask = { offset: [0, 0, 0] as const, size: [1, 1, 1] as const, data: Uint8Array.of(1) };
  const at = (x: number, diameterMm: number, probability: number, segmented = false): Candidate => ({
    centreVoxel: { x, y: 10, z: 10 }, diameterMm, probability, ...(segmented ? { segmentation: mask } : {}),
  });

  it('keeps the most probable of a group with the group\'s largest diameter, and its mask only while its own diameter stands', () => {
    const merged = mergeCandidates([at(10, 6, 0.7, true), at(12, 12, 0.6, true), at(40, 5, 0.9, true), at(41, 4, 0.2)], [1, 1, 1], 5);
    expect(merged).toEqual([at(40, 5, 0.9, true), { centreVoxel: { x: 10, y: 10, z: 10 }, diameterMm: 12, probability: 0.7 }]);
  });

  it('keeps with the centre whether it came from the subsolid pass', () => {
    const merged = mergeCandidates([{ ...at(10, 6, 0.7, true), subsolid: true }, at(12, 12, 0.6, true), at(40, 5, 0.9)], [1, 1, 1], 5);
    expect(merged[1]).toEqual({ centreVoxel: { x: 10, y: 10, z: 10 }, diameterMm: 12, probability: 0.7, subsolid: true });
    expect(merged[0].subsolid).toBeUndefined();
  });
});
