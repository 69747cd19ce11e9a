import { describe, expect, it } from 'vitest';
import { competitionPerformanceMetric, frocCurve, sensitivityAtFpRate, type MatchedScan } from './froc.ts';
import { matchDetections, type IgnoredRegion, type ReferenceNodule, type ScoredDetection } from './match.ts';
import { scoreByStratum, sizeBandOf } from './strata.ts';

const at = (x: number, y = 0, z = 0) => ({ x, y, z });
const nodule = (id: string, x: number, diameterMm: number, type: ReferenceNodule['type'] = 'solid'): ReferenceNodule =>
  ({ id, centreMm: at(x), diameterMm, type, longAxisMm: diameterMm, volumeMm3: 1 });
const detection = (x: number, probability: number, y = 0): ScoredDetection => ({ centreMm: at(x, y), probability });

function scan(references: ReferenceNodule[], detections: ScoredDetection[], ignored: IgnoredRegion[] = []): MatchedScan {
  return { references, detections, match: matchDetections(references, detections, ignored) };
}

/**
 * Two scans, four nodules (r4 never found). Scored events, highest first:
 * 0.95 FP, 0.9 hit r1, 0.8 FP, (0.7 duplicate on r1), 0.6 hit r3, (0.5 ignored), 0.4 hit r2, 0.3 FP, 0.2 FP.
 */
const scans = [
  scan([nodule('r1', 0, 10), nodule('r2', 50, 6, 'ground-glass')],
    [detection(0, 0.9), detection(0, 0.8, 40), detection(1, 0.7), detection(50, 0.4), detection(0, 0.3, 80)]),
  scan([nodule('r3', 0, 20, 'part-solid'), nodule('r4', 100, 4)],
    [detection(0, 0.95, 60), detection(0, 0.6), detection(0, 0.2, 90), detection(0, 0.5, 200)],
    [{ centreMm: at(0, 200), radiusMm: 3, reason: 'non-nodule' }]),
];

describe('frocCurve', () => {
  it('steps through the scored hits and false positives, leaving out duplicates and ignored ones', () => {
    expect(frocCurve(scans).map((p) => [p.threshold, p.fpPerScan, p.sensitivity])).toEqual([
      [Infinity, 0, 0], [0.95, 0.5, 0], [0.9, 0.5, 0.25], [0.8, 1, 0.25], [0.6, 1, 0.5], [0.4, 1, 0.75], [0.3, 1.5, 0.75], [0.2, 2, 0.75],
    ]);
  });

  it('puts detections with equal scores in one operating point', () => {
    const tied = [scan([nodule('a', 0, 10)], [detection(0, 0.5), detection(0, 0.5, 50)])];
    expect(frocCurve(tied).map((p) => [p.fpPerScan, p.sensitivity])).toEqual([[0, 0], [1, 1]]);
  });
});

describe('sensitivityAtFpRate', () => {
  const curve = [{ threshold: Infinity, fpPerScan: 0, sensitivity: 0 }, { threshold: 0.5, fpPerScan: 1, sensitivity: 0.5 }, { threshold: 0.1, fpPerScan: 2, sensitivity: 1 }];
  it.each([[0.5, 0.25], [1, 0.5], [1.5, 0.75], [2, 1], [8, 1]])('at %d FP/scan is %d (linear, held after the end)', (rate, sens) => {
    expect(sensitivityAtFpRate(curve, rate)).toBeCloseTo(sens);
  });

  it('takes the top of a vertical step at its FP rate', () => {
    expect(sensitivityAtFpRate(frocCurve(scans), 1)).toBe(0.75);
    expect(sensitivityAtFpRate(frocCurve(scans), 0.75)).toBe(0.25);
  });
});

describe('competitionPerformanceMetric', () => {
  it('is the mean sensitivity at 1/8 ... 8 FP per scan', () => {
    // 0, 0, 0.25, then 0.75 at 1, 2, 4 and 8 FP/scan.
    expect(competitionPerformanceMetric(frocCurve(scans))).toBeCloseTo((0.25 + 4 * 0.75) / 7);
  });

  it('is 1 for a perfect detector and 0 for one that finds nothing', () => {
    const perfect = [scan([nodule('a', 0, 10)], [detection(0, 0.9), detection(0, 0.1, 50)])];
    expect(competitionPerformanceMetric(frocCurve(perfect))).toBe(1);
    const blind = [scan([nodule('a', 0, 10)], [detection(0, 0.9, 50)])];
    expect(competitionPerformanceMetric(frocCurve(blind))).toBe(0);
  });
});

describe('scoreByStratum', () => {
  it('scores each size band against all false positives', () => {
    const bands = scoreByStratum(scans, (r) => sizeBandOf(r.diameterMm));
    const band = (label: string) => bands.find((b) => b.stratum === label);
    // 6-<8 mm (r2 only, hit at 0.4): FP 0.95 -> (0.5, 0), FP 0.8 -> (1, 0), hit -> (1, 1), ...
    expect(band('6-<8 mm')).toEqual({ stratum: '6-<8 mm', nodules: 1, hits: 1, sensitivities: [0, 0, 0, 1, 1, 1, 1], cpm: 4 / 7 });
    expect(band('4-<6 mm')).toMatchObject({ nodules: 1, hits: 0, cpm: 0 });
    expect(bands.map((b) => b.stratum).sort()).toEqual(['4-<6 mm', '6-<8 mm', '8-<15 mm', '>=15 mm']);
  });

  it('orders strata as asked and breaks down by type', () => {
    const types = scoreByStratum(scans, (r) => r.type, ['solid', 'part-solid', 'ground-glass']);
    expect(types.map((t) => [t.stratum, t.nodules, t.hits])).toEqual([['solid', 2, 1], ['part-solid', 1, 1], ['ground-glass', 1, 1]]);
  });
});

describe('sizeBandOf', () => {
  it.each([[2.9, '<3 mm'], [3, '3-<4 mm'], [5.99, '4-<6 mm'], [6, '6-<8 mm'], [14.9, '8-<15 mm'], [15, '>=15 mm'], [40, '>=15 mm']])(
    '%d mm is %s', (d, band) => expect(sizeBandOf(d)).toBe(band),
  );
});
