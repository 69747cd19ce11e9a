import { describe, expect, it } from 'vitest';
import { boxMaskVoxelCount } from '../domain/mask.ts';
import { buildNodules, clusterMarks, consensusMask, noduleTypeFromTexture } from './cluster-marks.ts';
import type { LidcCharacteristics } from './lidc-xml.ts';
import type { LidcReaderMark } from './reader-marks.ts';
import { blankAxialVolume } from './test-fixtures.ts';

const volume = blankAxialVolume([100, 100, 20], [1, 1, 1], 0);

/** A reader's outline that fills a box; long axis = the box's in-plane diagonal. */
function boxMark(radiologistId: string, offset: [number, number, number], size: [number, number, number], texture = 5): LidcReaderMark {
  const characteristics = { texture, malignancy: texture - 1 } as LidcCharacteristics;
  return {
    radiologistId,
    noduleId: `${radiologistId}-${offset.join(',')}`,
    characteristics,
    mask: { offset, size, data: new Uint8Array(size[0] * size[1] * size[2]).fill(1) },
    centroidVoxel: { x: offset[0] + (size[0] - 1) / 2, y: offset[1] + (size[1] - 1) / 2, z: offset[2] + (size[2] - 1) / 2 },
    longAxisMm: Math.hypot(size[0] - 1, size[1] - 1),
    volumeMm3: size[0] * size[1] * size[2],
    roisOutsideVolume: 0,
  };
}

describe('consensusMask', () => {
  it('keeps voxels inside at least half of the readers\' outlines', () => {
    // Four 10-voxel-wide boxes shifted by 0, 1, 2, 3 columns: the >= 2-of-4 region spans columns 1..11.
    const marks = [0, 1, 2, 3].map((s) => boxMark(`r${s}`, [10 + s, 10, 5], [10, 4, 2]));
    const mask = consensusMask(marks);
    expect(mask.offset).toEqual([11, 10, 5]);
    expect(mask.size).toEqual([11, 4, 2]);
    expect(boxMaskVoxelCount(mask)).toBe(11 * 4 * 2);
  });

  it('counts a reader once when they split the nodule in two outlines', () => {
    const marks = [boxMark('a', [0, 0, 0], [4, 4, 1]), boxMark('a', [4, 0, 0], [4, 4, 1]), boxMark('b', [0, 0, 0], [4, 4, 1])];
    // Reader a covers columns 0..7, reader b 0..3: with 2 readers, one vote (50 %) is enough.
    expect(boxMaskVoxelCount(consensusMask(marks))).toBe(32);
    expect(boxMaskVoxelCount(consensusMask(marks, 1))).toBe(16);
  });
});

describe('clusterMarks', () => {
  it('joins overlapping outlines of different readers and keeps distant ones apart', () => {
    const marks = [
      boxMark('a', [10, 10, 5], [8, 8, 3]),
      boxMark('b', [12, 11, 6], [8, 8, 3]),
      boxMark('c', [60, 60, 5], [6, 6, 2]),
    ];
    const clusters = clusterMarks(volume, marks);
    expect(clusters.map((c) => c.map((m) => m.radiologistId).sort())).toEqual([['a', 'b'], ['c']]);
  });

  it('joins non-touching outlines whose centres are within half a long axis', () => {
    const marks = [boxMark('a', [10, 10, 5], [8, 8, 1]), boxMark('b', [10, 10, 7], [8, 8, 1])];
    expect(clusterMarks(volume, marks)).toHaveLength(1);
  });

  it('never joins two outlines of the same reader', () => {
    const marks = [boxMark('a', [10, 10, 5], [8, 8, 2]), boxMark('a', [12, 10, 5], [8, 8, 2])];
    expect(clusterMarks(volume, marks)).toHaveLength(2);
  });
});

describe('noduleTypeFromTexture', () => {
  it.each([[1, 'ground-glass'], [2, 'ground-glass'], [2.6, 'part-solid'], [3, 'part-solid'], [3.5, 'solid'], [4, 'solid'], [5, 'solid']])(
    'texture %d is %s', (texture, type) => expect(noduleTypeFromTexture(texture)).toBe(type),
  );
});

describe('buildNodules', () => {
  it('gives reader count, readers\' mean measures, consensus centre, type and malignancy ratings', () => {
    const marks = [
      boxMark('a', [20, 20, 4], [10, 10, 4], 5),
      boxMark('b', [20, 20, 4], [10, 10, 4], 3),
      boxMark('c', [20, 20, 4], [12, 12, 4], 4),
      boxMark('a', [70, 70, 10], [5, 5, 2], 1),
    ];
    const [first, second] = buildNodules(volume, marks);
    expect(first.index).toBe(1);
    expect(first.readerCount).toBe(3);
    expect(first.centreVoxel).toEqual({ x: 24.5, y: 24.5, z: 5.5 });
    expect(first.centreMm).toEqual({ x: -150 + 24.5, y: -150 + 24.5, z: 5.5 });
    expect(first.volumeMm3).toBeCloseTo((400 + 400 + 576) / 3);
    expect(first.consensusVolumeMm3).toBe(400);
    expect(first.longAxisMm).toBeCloseTo((2 * Math.hypot(9, 9) + Math.hypot(11, 11)) / 3);
    expect(first.type).toBe('solid');
    expect(first.malignancyRatings).toEqual([4, 2, 3]);
    expect(second).toMatchObject({ index: 2, readerCount: 1, type: 'ground-glass' });
  });
});
