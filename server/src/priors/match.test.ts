import { describe, expect, it, test } from 'vitest';
import { compareMatchedNodules } from './compare.ts';
import { matchNodules, matchToleranceMm, type NoduleAtTime } from './match.ts';
import { identityTransform, type RigidTransform } from './register.ts';

const nodule = (id: string, x: number, y: number, z: number, meanDiameterMm: number, volumeMm3 = (Math.PI / 6) * meanDiameterMm ** 3): NoduleAtTime => ({
  id, index: Number(id.replace(/\D/g, '')) || 1, trackingUid: `2.25.${id.length}`, centroidMm: { x, y, z }, meanDiameterMm, volumeMm3,
});
/** The current scan sees the patient 20 mm further along x than the prior. */
const shifted: RigidTransform = { ...identityTransform, translation: { x: -20, y: 0, z: 0 } };

describe('matchToleranceMm', () => {
  test.each([
    [4, 4, 10],
    [8, 12, 14],
    [30, 10, 23],
  ])('nodules of %d and %d mm pair up within %d mm', (a, b, expected) => {
    expect(matchToleranceMm(a, b)).toBe(expected);
  });
});

describe('matchNodules', () => {
  it('pairs nodules after registration, the closest first, and leaves new and resolved ones unpaired', () => {
    const prior = [nodule('p1', 0, 0, 0, 8), nodule('p2', 60, 0, 0, 10), nodule('p3', -50, 30, 40, 6)];
    const current = [nodule('c1', 21, 1, 0, 12), nodule('c2', 79, -2, 1, 10), nodule('c3', 20, 80, -40, 5)];
    const result = matchNodules(current, prior, shifted);
    expect(result.pairs.map((p) => [p.current.id, p.prior.id])).toEqual([['c1', 'p1'], ['c2', 'p2']]);
    expect(result.pairs[0].distanceMm).toBeCloseTo(Math.SQRT2, 6);
    expect(result.pairs[1].distanceMm).toBeCloseTo(Math.sqrt(6), 6);
    expect(result.unmatchedCurrent.map((n) => n.id)).toEqual(['c3']);
    expect(result.unmatchedPrior.map((n) => n.id)).toEqual(['p3']);
  });

  it('does not pair nodules that only line up without the registration', () => {
    const result = matchNodules([nodule('c1', 0, 0, 0, 6)], [nodule('p1', 0, 0, 0, 6)], shifted);
    expect(result.pairs).toEqual([]);
  });

  it('gives a contested prior nodule to the closer current one', () => {
    const result = matchNodules([nodule('c1', 26, 0, 0, 6), nodule('c2', 22, 0, 0, 6)], [nodule('p1', 0, 0, 0, 6)], shifted);
    expect(result.pairs.map((p) => p.current.id)).toEqual(['c2']);
    expect(result.unmatchedCurrent.map((n) => n.id)).toEqual(['c1']);
  });
});

describe('compareMatchedNodules', () => {
  it('calls each nodule new, stable, growing or resolved with its change and doubling time', () => {
    const prior = [nodule('p1', 0, 0, 0, 8), nodule('p2', 60, 0, 0, 10), { ...nodule('p3', -50, 30, 40, 6), lungRadsCategory: '3' as const }];
    const current = [nodule('c1', 20, 0, 0, 12), nodule('c2', 80, 0, 0, 10.5), nodule('c3', 20, 80, -40, 5)];
    const { changes, resolved } = compareMatchedNodules(matchNodules(current, prior, shifted), 365);
    const grown = changes.get('c1')!;
    expect(grown).toMatchObject({ status: 'growing', priorFindingId: 'p1', priorIndex: 1, meanDiameterChangeMm: 4, vdtBand: 'fast', volumeChange: 'significant-increase' });
    // Volume x 3.375 in a year: 365 ln 2 / ln 3.375 days.
    expect(grown.volumeDoublingTimeDays).toBeCloseTo((365 * Math.LN2) / Math.log(1.5 ** 3), 6);
    expect(grown.volumeChangeMm3).toBeCloseTo((Math.PI / 6) * (12 ** 3 - 8 ** 3), 6);
    expect(changes.get('c2')).toMatchObject({ status: 'stable', priorFindingId: 'p2', meanDiameterChangeMm: 0.5 });
    expect(changes.get('c3')).toMatchObject({ status: 'new', intervalDays: 365 });
    expect(changes.get('c3')!.priorFindingId).toBeUndefined();
    expect(resolved).toEqual([expect.objectContaining({ status: 'resolved', priorFindingId: 'p3', priorMeanDiameterMm: 6, priorCategory: '3', priorCentroidMm: { x: -50, y: 30, z: 40 } })]);
  });
});
