import { describe, expect, it } from 'vitest';
import { measureHit, summarizeMeasurements, type MeasuredFinding } from './measurement-errors.ts';
import type { ReferenceNodule } from './match.ts';

const mask = { offset: [0, 0, 0] as const, size: [2, 1, 1] as const, data: Uint8Array.from([1, 1]) };
const reference: ReferenceNodule = { id: 'r', centreMm: { x: 0, y: 0, z: 0 }, diameterMm: 10, longAxisMm: 10, volumeMm3: 500, mask };
const finding = (lengthMm: number, volumeMm3: number): MeasuredFinding => ({
  longAxis: { start: { x: 0, y: 0, z: 0 }, end: { x: 1, y: 0, z: 0 }, lengthMm },
  volumeMm3,
  mask: { offset: [1, 0, 0], size: [1, 1, 1], data: Uint8Array.from([1]) },
});

describe('measureHit', () => {
  it('gives signed long-axis and volume errors against the reference and Dice against its mask', () => {
    expect(measureHit(reference, finding(12, 400))).toEqual({
      referenceId: 'r', dice: 2 / 3, longAxisErrorMm: 2, volumeErrorMm3: -100, volumeErrorPercent: -20,
    });
    expect(measureHit({ ...reference, mask: undefined }, finding(12, 400)).dice).toBeUndefined();
  });
});

describe('summarizeMeasurements', () => {
  it('averages signed and absolute errors', () => {
    const s = summarizeMeasurements([measureHit(reference, finding(12, 400)), measureHit(reference, finding(9, 600))]);
    expect(s).toEqual({
      count: 2, meanDice: 2 / 3, meanLongAxisErrorMm: 0.5, meanAbsLongAxisErrorMm: 1.5, meanVolumeErrorPercent: 0, meanAbsVolumeErrorPercent: 20,
    });
    expect(summarizeMeasurements([]).meanDice).toBeUndefined();
  });
});
