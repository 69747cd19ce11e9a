import { describe, expect, it } from 'vitest';
import { hitRadiusMm, matchDetections, type ReferenceNodule } from './match.ts';

const at = (x: number, y = 0, z = 0) => ({ x, y, z });
const nodule = (id: string, centreMm: ReturnType<typeof at>, diameterMm: number): ReferenceNodule =>
  ({ id, centreMm, diameterMm, longAxisMm: diameterMm, volumeMm3: 1 });

describe('hitRadiusMm', () => {
  it.each([[10, 5], [3, 1.5], [2, 1.5], [0, 1.5]])('diameter %d mm gives radius %d mm', (d, r) => expect(hitRadiusMm(d)).toBe(r));
});

describe('matchDetections', () => {
  it('hits a nodule within its radius, counts outside it as a false positive', () => {
    const m = matchDetections([nodule('a', at(0), 10)], [{ centreMm: at(0, 4.9), probability: 0.5 }, { centreMm: at(0, 5.1), probability: 0.9 }]);
    expect(m.outcomes[0]).toEqual({ kind: 'hit', referenceIndex: 0, distanceMm: 4.9 });
    expect(m.outcomes[1]).toEqual({ kind: 'false-positive' });
    expect(m.hitBy).toEqual([0]);
  });

  it('gives the hit to the highest-scored detection; the others on the nodule are duplicates, not false positives', () => {
    const m = matchDetections([nodule('a', at(0), 10)], [
      { centreMm: at(1), probability: 0.3 }, { centreMm: at(3), probability: 0.8 }, { centreMm: at(0), probability: 0.3 },
    ]);
    expect(m.outcomes.map((o) => o.kind)).toEqual(['duplicate', 'hit', 'duplicate']);
    expect(m.hitBy).toEqual([1]);
  });

  it('reports a miss and lets a detection on an ignored region pass as neither', () => {
    const m = matchDetections(
      [nodule('a', at(0), 6), nodule('b', at(50), 6)],
      [{ centreMm: at(1), probability: 0.9 }, { centreMm: at(0, 30), probability: 0.9 }],
      [{ centreMm: at(0, 31), radiusMm: 3, reason: 'non-nodule' }],
    );
    expect(m.hitBy).toEqual([0, undefined]);
    expect(m.outcomes[1]).toEqual({ kind: 'ignored', reason: 'non-nodule' });
  });

  it('lets one detection hit one nodule only: two close nodules need two detections', () => {
    const references = [nodule('small', at(0), 4), nodule('large', at(3), 12)];
    const one = matchDetections(references, [{ centreMm: at(1), probability: 0.9 }]);
    expect(one.hitBy).toEqual([undefined, 0]); // the larger nodule is served first
    const two = matchDetections(references, [{ centreMm: at(1), probability: 0.9 }, { centreMm: at(0.5), probability: 0.4 }]);
    expect(two.hitBy).toEqual([1, 0]);
    expect(two.outcomes.map((o) => o.kind)).toEqual(['hit', 'hit']);
  });
});
