import { describe, expect, it, test } from 'vitest';
import { compareNodules, nelsonVdtBand, percentVolumeChange, volumeDoublingTimeDays, type NelsonVdtBand } from './growth.ts';

describe('volume doubling time', () => {
  it('a volume that doubles in 365 days has a VDT of 365 days', () => {
    expect(volumeDoublingTimeDays(100, 200, 365)).toBeCloseTo(365, 10);
  });

  it('a volume that grows eightfold in 300 days doubles every 100 days', () => {
    expect(volumeDoublingTimeDays(50, 400, 300)).toBeCloseTo(100, 10);
  });

  it('is Infinity for an unchanged volume and negative (a halving time) for a shrinking one', () => {
    expect(volumeDoublingTimeDays(100, 100, 90)).toBe(Infinity);
    expect(volumeDoublingTimeDays(200, 100, 90)).toBeCloseTo(-90, 10);
  });

  it('refuses a zero volume or interval', () => {
    expect(() => volumeDoublingTimeDays(0, 100, 90)).toThrow(/priorVolumeMm3 must be a positive/);
    expect(() => volumeDoublingTimeDays(100, 120, 0)).toThrow(/intervalDays must be a positive/);
  });
});

describe('NELSON VDT bands', () => {
  test.each<[number, NelsonVdtBand]>([
    [50, 'fast'], [399.9, 'fast'], [400, 'indeterminate'], [600, 'indeterminate'], [600.1, 'slow'], [5000, 'slow'],
    [Infinity, 'no-growth'], [-120, 'no-growth'],
  ])('%f days → %s', (vdt, band) => {
    expect(nelsonVdtBand(vdt)).toBe(band);
  });
});

describe('percent volume change', () => {
  test.each<[number, number, number]>([[100, 125, 25], [100, 75, -25], [80, 80, 0], [40, 100, 150]])(
    '%f → %f mm³ is %f %%',
    (v1, v2, percent) => {
      expect(percentVolumeChange(v1, v2)).toBeCloseTo(percent, 10);
    },
  );
});

describe('compareNodules', () => {
  const size = (meanDiameterMm: number, volumeMm3: number) => ({ meanDiameterMm, volumeMm3 });

  test.each<[string, number, number, number, number, string]>([
    // Lung-RADS growth is a mean diameter increase > 1.5 mm: 1.5 exactly is stable.
    ['+1.5 mm', 6.1, 7.6, 100, 180, 'stable'],
    ['+1.6 mm', 6.1, 7.7, 100, 190, 'growing'],
    ['-1.5 mm', 7.6, 6.1, 180, 100, 'stable'],
    ['-1.6 mm', 7.7, 6.1, 190, 100, 'shrinking'],
  ])('%s mean diameter → %s', (_name, d1, d2, v1, v2, status) => {
    expect(compareNodules({ prior: size(d1, v1), current: size(d2, v2), intervalDays: 365 }).status).toBe(status);
  });

  it('reports a NELSON-significant volume increase beside a stable Lung-RADS status', () => {
    // 5.0 → 5.4 mm: +0.4 mm (stable for Lung-RADS) but +30 % volume in 120 days (VDT 317 days).
    const change = compareNodules({ prior: size(5.0, 65.4), current: size(5.4, 85.0), intervalDays: 120 });
    expect(change.status).toBe('stable');
    expect(change.meanDiameterChangeMm).toBeCloseTo(0.4, 10);
    expect(change.volumeChange).toBe('significant-increase');
    expect(change.percentVolumeChange).toBeCloseTo(((85.0 - 65.4) / 65.4) * 100, 10);
    expect(change.volumeDoublingTimeDays).toBeCloseTo((120 * Math.LN2) / Math.log(85.0 / 65.4), 8);
    expect(change.vdtBand).toBe('fast');
  });

  test.each<[number, number, string]>([[100, 124.9, 'within-measurement-error'], [100, 125, 'significant-increase'], [100, 75, 'significant-decrease'], [100, 75.1, 'within-measurement-error']])(
    'volume %f → %f mm³ is %s (NELSON 25 %%)',
    (v1, v2, expected) => {
      expect(compareNodules({ prior: size(6, v1), current: size(6, v2), intervalDays: 90 }).volumeChange).toBe(expected);
    },
  );

  it('leaves out the doubling time of an unchanged volume (JSON has no Infinity)', () => {
    const change = compareNodules({ prior: size(6, 110), current: size(6, 110), intervalDays: 90 });
    expect(change).not.toHaveProperty('volumeDoublingTimeDays');
    expect(change.vdtBand).toBe('no-growth');
  });

  it('new and resolved nodules', () => {
    expect(compareNodules({ current: size(5, 60), intervalDays: 365 })).toMatchObject({ status: 'new', withinLungRadsInterval: true });
    expect(compareNodules({ prior: size(5, 60), intervalDays: 400 })).toMatchObject({
      status: 'resolved', priorMeanDiameterMm: 5, withinLungRadsInterval: false,
    });
    expect(() => compareNodules({ intervalDays: 30 })).toThrow(/needs a prior or a current/);
  });

  it('turns days into months and flags intervals longer than 12 months', () => {
    const change = compareNodules({ prior: size(6, 110), current: size(8, 260), intervalDays: 730.5 });
    expect(change.intervalMonths).toBeCloseTo(24, 10);
    expect(change.status).toBe('growing');
    expect(change.withinLungRadsInterval).toBe(false);
  });
});
