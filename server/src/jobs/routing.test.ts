import { describe, expect, it } from 'vitest';
import { routingRulesSchema } from '../config.ts';
import type { SeriesCandidate } from '../pipeline/select-series.ts';
import { inputFingerprint } from '../pipeline/fetch.ts';
import { evaluateRouting } from './routing.ts';

function ct(count: number, options: { thickness?: number; description?: string; bodyPart?: string; modality?: string; uid?: string } = {}): SeriesCandidate {
  return {
    info: {
      seriesInstanceUid: options.uid ?? `1.2.${count}`, modality: options.modality ?? 'CT', instanceCount: count, seriesNumber: 2,
      seriesDescription: options.description, bodyPartExamined: options.bodyPart,
    },
    instances: Array.from({ length: options.modality && options.modality !== 'CT' ? 0 : count }, (_, k) => ({
      sopInstanceUid: `1.2.${count}.${k}`, imageType: ['ORIGINAL'], sliceThickness: options.thickness ?? 1.25,
      imagePositionPatient: [0, 0, k * (options.thickness ?? 1.25)], imageOrientationPatient: [1, 0, 0, 0, 1, 0],
    })),
  };
}

const rules = routingRulesSchema.parse({ minSlices: 10, maxSliceThicknessMm: 3, bodyPartPattern: 'CHEST|LUNG|THORAX' });

describe('evaluateRouting', () => {
  it('routes a study when one series passes every rule', () => {
    expect(evaluateRouting([ct(3), ct(120, { bodyPart: 'CHEST' })], rules)).toEqual({ match: true });
  });

  it.each([
    ['modality', [ct(100, { modality: 'MR' })], /is MR, not CT/],
    ['minSlices', [ct(5, { bodyPart: 'CHEST' })], /5 slices \(< 10\)/],
    ['maxSliceThicknessMm', [ct(40, { thickness: 5, bodyPart: 'CHEST' })], /5 mm slices \(> 3 mm\)/],
    ['bodyPartPattern', [ct(100, { bodyPart: 'ABDOMEN' })], /body part "ABDOMEN"/],
  ] as const)('skips by the %s rule with a reason', (rule, series, reason) => {
    const decision = evaluateRouting(series, rules);
    expect(decision.match).toBe(false);
    if (!decision.match) {
      expect(decision.rule).toBe(rule);
      expect(decision.reason).toMatch(reason);
    }
  });

  it('applies the series description pattern', () => {
    const withPattern = routingRulesSchema.parse({ seriesDescriptionPattern: '^lung' });
    expect(evaluateRouting([ct(50, { description: 'Lung 1.25mm' })], withPattern).match).toBe(true);
    expect(evaluateRouting([ct(50, { description: 'Bone' })], withPattern)).toMatchObject({ match: false, rule: 'seriesDescriptionPattern' });
  });
});

describe('inputFingerprint', () => {
  it('is independent of series order and changes when a series grows', () => {
    const a = ct(10, { uid: 'a' });
    const b = ct(20, { uid: 'b' });
    expect(inputFingerprint([a, b])).toBe(inputFingerprint([b, a]));
    expect(inputFingerprint([a, b])).not.toBe(inputFingerprint([a, ct(21, { uid: 'b' })]));
  });
});
