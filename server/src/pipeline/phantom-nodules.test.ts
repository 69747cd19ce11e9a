import { beforeAll, describe, expect, it } from 'vitest';
import type { NoduleSpec, NoduleTruth } from '../phantom/types.ts';
import type { Volume } from '../domain/volume.ts';
import { diceCoefficient } from '../eval/mask-overlap.ts';
import { generatePhantom, phantomSetGeometry } from '../phantom/generate.ts';
import { segmentLungs, type LungMask } from './lungs.ts';
import { axialAxes, measureNodule, type NoduleMeasurement } from './measure.ts';
import { segmentNodule } from './segment.ts';

/**
 * Segmentation and measurement of rendered phantom nodules of each type and shape, at the evaluation
 * set's geometry (1.4 mm pixels, 2 mm slices) over 120 mm of mid-chest, started at the true centre
 * with the nominal diameter (the detector's part is tested elsewhere).
 */
const specs: readonly NoduleSpec[] = [
  { diameterMm: 12, type: 'solid', shape: 'round', attachment: 'free', zone: 'middle', laterality: 'right' },
  { diameterMm: 12, type: 'solid', shape: 'lobulated', attachment: 'free', zone: 'middle', laterality: 'left' },
  { diameterMm: 14, type: 'part-solid', shape: 'round', attachment: 'free', zone: 'middle', laterality: 'right', solidComponentMm: 6 },
  { diameterMm: 10, type: 'ground-glass', shape: 'round', attachment: 'free', zone: 'middle', laterality: 'right' },
  { diameterMm: 8, type: 'solid', shape: 'round', attachment: 'juxtapleural', zone: 'middle', laterality: 'left' },
];

describe('phantom nodules: segment and measure', () => {
  let volume: Volume;
  let lungs: LungMask;
  let truths: readonly NoduleTruth[];
  const measured: (NoduleMeasurement | undefined)[] = [];
  beforeAll(() => {
    const phantom = generatePhantom({ seed: 11, ...phantomSetGeometry, slices: 60, nodules: specs });
    volume = phantom.volume;
    truths = phantom.truth.nodules;
    lungs = segmentLungs(volume);
    for (const truth of truths) {
      const mask = segmentNodule(volume, lungs, { centreVoxel: truth.centreVoxel, diameterMm: truth.diameterMm });
      measured.push(mask && measureNodule(volume, lungs, mask, 1));
    }
  }, 60_000);

  it.each(specs.map((spec, n) => ({ n, label: `${spec.diameterMm} mm ${spec.type} ${spec.shape} ${spec.attachment}` })))(
    '$label: type, Dice >= 0.85 against the truth mask, long axis, side and pleural contact', ({ n }) => {
      const truth = truths[n];
      const finding = measured[n];
      expect(finding).toBeDefined();
      expect(finding!.type).toBe(truth.spec.type);
      expect(diceCoefficient(truth.mask, finding!.mask)).toBeGreaterThanOrEqual(0.85);
      // Against the long axis of the rendered truth mask (lobes need not reach the nominal envelope).
      const truthLongAxisMm = axialAxes(truth.mask, volume.spacing).longAxis.lengthMm;
      expect(Math.abs(finding!.longAxis.lengthMm - truthLongAxisMm)).toBeLessThanOrEqual(2);
      expect(finding!.laterality).toBe(truth.laterality);
      expect(finding!.juxtapleural).toBe(truth.attachment === 'juxtapleural');
    });

  it('sizes the solid component of the part-solid nodule within 1.5 mm', () => {
    const n = specs.findIndex((s) => s.type === 'part-solid');
    expect(measured[n]!.solidComponentMm).toBeDefined();
    expect(Math.abs(measured[n]!.solidComponentMm! - truths[n].solidComponentMm!)).toBeLessThanOrEqual(1.5);
  });
});
