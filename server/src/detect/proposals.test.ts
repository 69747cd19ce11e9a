import { describe, expect, it } from 'vitest';
import { generatePhantom } from '../phantom/generate.ts';
import { segmentLungs } from '../pipeline/lungs.ts';
import { voxelDistanceMm } from '../domain/volume.ts';
import { proposeCandidates } from './proposals.ts';

describe('proposeCandidates', () => {
  const { volume, truth } = generatePhantom({
    seed: 41, matrix: 192, pixelSpacingMm: 1.6, slices: 48, sliceSpacingMm: 2.5,
    nodules: [
      { diameterMm: 8, type: 'ground-glass', shape: 'round', attachment: 'juxtavascular', zone: 'middle', laterality: 'right' },
      { diameterMm: 9, type: 'solid', shape: 'round', attachment: 'free', zone: 'middle', laterality: 'left' },
    ],
  });
  const lungs = segmentLungs(volume);
  const [groundGlass] = truth.nodules;
  const within = (nodule: typeof groundGlass) => (p: { centreVoxel: typeof groundGlass.centreVoxel }) => voxelDistanceMm(p.centreVoxel, nodule.centreVoxel, volume.spacing) <= nodule.diameterMm / 2;

  it('adds the subsolid pass after the pass over every density, which it leaves as it was', () => {
    const plain = proposeCandidates(volume, lungs);
    const both = proposeCandidates(volume, lungs, { subsolidPass: true });
    expect(plain.every((p) => p.pass === 'all-densities')).toBe(true);
    expect(both.slice(0, plain.length)).toEqual(plain);
    expect(both.slice(plain.length).length).toBeGreaterThan(0);
    expect(both.slice(plain.length).every((p) => p.pass === 'subsolid')).toBe(true);
  });

  it('puts a subsolid proposal on a ground-glass nodule lying on a vessel, ', () => {
    const subsolid = proposeCandidates(volume, lungs, { subsolidPass: true }).filter((p) => p.pass === 'subsolid');
    const onGroundGlass = subsolid.filter(within(groundGlass));
    expect(onGroundGlass.length).toBeGreaterThan(0);
  });
});
