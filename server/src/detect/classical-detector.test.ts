import { describe, expect, it } from 'vitest';
import { pickProposals, proposalScore } from './classical-detector.ts';
import type { Proposal } from './proposals.ts';

const proposal = (response: number, blobness: number, centreHu: number): Proposal => ({
  pass: 'all-densities', centreVoxel: { x: response, y: 0, z: 0 }, diameterMm: 6, sigmaMm: 1.7, response, eigenvalues: [-1, -1, -1], blobness, centreHu,
});

describe('pickProposals', () => {
  it('keeps the best by blob score and gives a quarter of the places to the best faint blobs', () => {
    const solid = Array.from({ length: 10 }, (_, n) => proposal(400 + 10 * n, 0.6, -300));
    const faint = Array.from({ length: 4 }, (_, n) => proposal(150 + n, 0.8, -650));
    const picked = pickProposals([...faint, ...solid], 8);
    expect(picked).toHaveLength(8);
    // Faint ground-glass blobs score below every solid one...
    expect(Math.max(...faint.map(proposalScore))).toBeLessThan(Math.min(...solid.map(proposalScore)));
    // ...yet the two best of them are scored, after the six best solid ones.
    expect(picked.slice(0, 6).map((p) => p.response)).toEqual([490, 480, 470, 460, 450, 440]);
    expect(picked.slice(6).map((p) => p.response)).toEqual([153, 152]);
  });

  it('fills every place by blob score when there are no faint blobs', () => {
    const solid = Array.from({ length: 10 }, (_, n) => proposal(400 + 10 * n, 0.6, -300));
    expect(pickProposals(solid, 8).map((p) => p.response)).toEqual([490, 480, 470, 460, 450, 440, 430, 420]);
  });
});
