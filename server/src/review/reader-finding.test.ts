import { describe, expect, it } from 'vitest';
import { generatePhantom } from '../phantom/generate.ts';
import { segmentLungs } from '../pipeline/lungs.ts';
import { boxMaskVoxelCount } from '../domain/mask.ts';
import { buildReaderFinding, ReaderNoduleRejected } from './reader-finding.ts';

const phantom = generatePhantom({
  seed: 611, matrix: 128, pixelSpacingMm: 2.8, slices: 40, sliceSpacingMm: 5,
  nodules: [{ diameterMm: 14, type: 'solid', shape: 'round', attachment: 'free', laterality: 'right', zone: 'middle' }],
});
const lungs = segmentLungs(phantom.volume);
const truth = phantom.truth.nodules[0];

describe('buildReaderFinding', () => {
  it('measures a nodule given by its centre and diameter', () => {
    const finding = buildReaderFinding(phantom.volume, lungs, { centreVoxel: truth.centreVoxel, diameterMm: 14 }, { index: 3, trackingUid: '2.25.7' });
    expect(finding).toMatchObject({ index: 3, trackingUid: '2.25.7', probability: 1, type: 'solid', laterality: 'right' });
    expect(finding.meanDiameterMm).toBeGreaterThan(11);
    expect(finding.meanDiameterMm).toBeLessThan(17);
    // The sphere's voxels: (4/3) pi 7^3 mm^3 in 2.8 x 2.8 x 5 mm voxels, give or take the edge.
    expect(boxMaskVoxelCount(finding.mask)).toBeGreaterThan(0.6 * (((4 / 3) * Math.PI * 343) / 39.2));
    expect(Math.hypot(finding.centroidVoxel.x - truth.centreVoxel.x, finding.centroidVoxel.y - truth.centreVoxel.y)).toBeLessThan(1);
  });

  it('takes a line drawn on one slice as the long axis, and the reader\'s type', () => {
    const { x, y, z } = truth.centreVoxel;
    const k = Math.round(z);
    const finding = buildReaderFinding(phantom.volume, lungs, { lineVoxel: [{ x: x - 2.5, y, z: k }, { x: x + 2.5, y, z: k }] }, { index: 1, trackingUid: '2.25.8', type: 'part-solid' });
    expect(finding.longAxis.lengthMm).toBeCloseTo(14, 6);
    expect(finding.shortAxis.lengthMm).toBeLessThanOrEqual(14);
    expect(finding.type).toBe('part-solid');
  });

  it('refuses a line across slices and a centre outside the volume', () => {
    expect(() => buildReaderFinding(phantom.volume, lungs, { lineVoxel: [{ x: 10, y: 10, z: 1 }, { x: 12, y: 10, z: 3 }] }, { index: 1, trackingUid: '2.25.9' }))
      .toThrow(ReaderNoduleRejected);
    expect(() => buildReaderFinding(phantom.volume, lungs, { centreVoxel: { x: -20, y: 5, z: 5 }, diameterMm: 6 }, { index: 1, trackingUid: '2.25.9' }))
      .toThrow(/inside the scanned volume/);
  });
});
