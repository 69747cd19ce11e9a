import { describe, expect, it } from 'vitest';
import { boxMaskVoxelCount } from '../domain/mask.ts';
import { parseLidcXml } from './lidc-xml.ts';
import { pointMarkInVolume, readerMarkInVolume, sliceIndexOf } from './reader-marks.ts';
import { blankAxialVolume, sampleXml } from './test-fixtures.ts';

const volume = blankAxialVolume([64, 64, 4], [0.5, 0.5, 2.5], -100);
const [readerA, readerB] = parseLidcXml(sampleXml).sessions;

describe('sliceIndexOf', () => {
  it.each<[string, number, number | undefined, string]>([
    ['1.2.3.2', 999, 2, 'the SOP Instance UID wins'],
    ['unknown', -97.5, 1, 'else the z position'],
    ['unknown', -98.6, 1, 'to the nearest slice'],
    ['unknown', -105, undefined, 'below the slab'],
    ['unknown', -91.0, undefined, 'above the slab'],
  ])('%s at z %d gives %s (%s)', (sop, z, expected) => {
    expect(sliceIndexOf(volume, sop, z)).toBe(expected);
  });
});

describe('readerMarkInVolume', () => {
  it('fills the contour, cuts the hole and measures on the slice of largest area', () => {
    const mark = readerMarkInVolume(volume, 'reader-a', readerA.nodules[0]);
    expect(mark).toBeDefined();
    expect(mark!.mask.offset).toEqual([10, 10, 1]);
    expect(mark!.mask.size).toEqual([11, 11, 1]);
    expect(boxMaskVoxelCount(mark!.mask)).toBe(121 - 1); // the hole's outline stays, its one inner pixel goes
    expect(mark!.volumeMm3).toBeCloseTo(120 * 0.5 * 0.5 * 2.5);
    expect(mark!.longAxisMm).toBeCloseTo(Math.hypot(5, 5)); // corner to corner, 10 px * 0.5 mm each way
    expect(mark!.centroidVoxel).toEqual({ x: 15, y: 15, z: 1 });
    expect(mark!.characteristics?.malignancy).toBe(4);
    expect(mark!.roisOutsideVolume).toBe(0);
  });

  it('leaves out a nodule whose slices are all outside the volume', () => {
    const slab = blankAxialVolume([64, 64, 4], [0.5, 0.5, 2.5], -60);
    const moved = { ...readerA.nodules[0], rois: readerA.nodules[0].rois.map((r) => ({ ...r, imageSopUid: 'other' })) };
    expect(readerMarkInVolume(slab, 'reader-a', moved)).toBeUndefined();
  });
});

describe('pointMarkInVolume', () => {
  it('places a small nodule inside and drops a non-nodule outside the slab', () => {
    const small = pointMarkInVolume(volume, 'reader-a', readerA.smallNodules[0]);
    expect(small?.centreVoxel).toEqual({ x: 40, y: 41, z: 2 });
    expect(small?.centreMm).toEqual({ x: -150 + 40 * 0.5, y: -150 + 41 * 0.5, z: -95 });
    expect(pointMarkInVolume(volume, 'reader-a', readerA.nonNodules[0])).toBeUndefined();
    expect(readerB.smallNodules).toHaveLength(0);
  });
});
