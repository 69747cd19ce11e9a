import { describe, expect, it } from 'vitest';
import type { CtSlice } from '../dicom/ct-slice.ts';
import { pipelineErrorCode } from '../errors/testing.ts';
import { buildVolume } from './volume.ts';

function slice(z: number, options: Partial<CtSlice> & { x?: number } = {}): CtSlice {
  const stored = new Uint16Array(4 * 3).map((_, n) => 1000 + n + z);
  return {
    sopInstanceUid: `1.2.3.${z}`,
    sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
    seriesInstanceUid: '1.2.3',
    studyInstanceUid: '1.2',
    frameOfReferenceUid: '1.2.4',
    modality: 'CT',
    imagePositionPatient: [options.x ?? -10, -20, z],
    imageOrientationPatient: [1, 0, 0, 0, 1, 0],
    pixelSpacing: [0.8, 0.7],
    rows: 3,
    columns: 4,
    rescaleSlope: 1,
    rescaleIntercept: -1024,
    stored,
    patientStudy: { SeriesDescription: 'Chest' },
    ...options,
  };
}


describe('buildVolume', () => {
  it('sorts slices along the normal and derives spacing from positions', () => {
    const { volume, summary } = buildVolume([slice(5), slice(0), slice(2.5)]);
    expect(volume.dims).toEqual([4, 3, 3]);
    expect(volume.spacing).toEqual([0.7, 0.8, 2.5]);
    expect(volume.origin).toEqual({ x: -10, y: -20, z: 0 });
    expect(volume.source.sopInstanceUids).toEqual(['1.2.3.0', '1.2.3.2.5', '1.2.3.5']);
    // HU = stored + intercept, slice k = sorted position k
    expect(volume.voxels[0]).toBe(1000 - 1024);
    expect(volume.voxels[2 * 12 + 11]).toBe(1000 + 11 + 5 - 1024);
    expect(summary).toMatchObject({ sliceCount: 3, spacingMm: [0.7, 0.8, 2.5], seriesDescription: 'Chest' });
    expect(summary.huRange).toEqual([-24, 1000 + 11 + 5 - 1024]);
  });

  it('sorts along a feet-first (reversed) normal', () => {
    const flipped = (z: number) => slice(z, { imageOrientationPatient: [-1, 0, 0, 0, 1, 0] });
    const { volume } = buildVolume([flipped(0), flipped(-2), flipped(-4)]);
    expect(volume.direction[2].z).toBe(-1);
    expect(volume.source.sopInstanceUids).toEqual(['1.2.3.0', '1.2.3.-2', '1.2.3.-4']);
  });

  it('keeps the slices\' instance numbers in volume order, and none when a slice has none', () => {
    const numbered = (z: number, instanceNumber?: number) => slice(z, instanceNumber === undefined ? {} : { instanceNumber });
    // Numbered head to foot: the volume (low z first) runs against the numbers.
    expect(buildVolume([numbered(0, 3), numbered(5, 1), numbered(2.5, 2)]).volume.source.instanceNumbers).toEqual([3, 2, 1]);
    expect(buildVolume([numbered(0, 3), numbered(5), numbered(2.5, 2)]).volume.source.instanceNumbers).toBeUndefined();
  });

  it('applies RescaleSlope', () => {
    const { volume } = buildVolume([slice(0, { rescaleSlope: 2, rescaleIntercept: -2048 }), slice(1, { rescaleSlope: 2, rescaleIntercept: -2048 })]);
    expect(volume.voxels[0]).toBe(1000 * 2 - 2048);
  });

  it.each([
    ['single-slice', () => [slice(0)]],
    ['missing-slice', () => [slice(0), slice(1), slice(2), slice(4), slice(5)]],
    ['duplicate-position', () => [slice(0), slice(1), { ...slice(1), sopInstanceUid: 'dup' }]],
    ['mixed-orientation', () => [slice(0), slice(1, { imageOrientationPatient: [1, 0, 0, 0, 0, -1] })]],
    ['gantry-tilt', () => [0, 1, 2, 3].map((z) => slice(z, { x: -10 + z * 0.3 }))],
    ['inconsistent-geometry', () => [slice(0), slice(1, { pixelSpacing: [0.5, 0.5] })]],
  ] as const)('rejects with %s', (code, make) => {
    expect(pipelineErrorCode(() => buildVolume(make()))).toBe(code);
  });

  it('tolerates small spacing jitter without calling it a gap', () => {
    const { volume } = buildVolume([slice(0), slice(1.01), slice(1.99), slice(3)]);
    expect(volume.dims[2]).toBe(4);
    // Each slice keeps its own position for what is placed on it (SEG frames), off the grid or not.
    expect(volume.source.slicePositions?.map((p) => p.z)).toEqual([0, 1.01, 1.99, 3]);
  });
});
