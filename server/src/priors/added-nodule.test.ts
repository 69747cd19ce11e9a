import { describe, expect, it } from 'vitest';
import { compareAddedNodule } from './added-nodule.ts';
import type { NoduleAtTime } from './match.ts';

const nodule = (id: string, at: [number, number, number], meanDiameterMm: number): NoduleAtTime => ({
  id, index: 1, trackingUid: `uid-${id}`, centroidMm: { x: at[0], y: at[1], z: at[2] }, meanDiameterMm,
  volumeMm3: (Math.PI / 6) * meanDiameterMm ** 3,
});

// The follow-up is shifted by (+30, 0, +20) mm: prior = current + (-30, 0, -20).
const prior = [nodule('p1', [0, 0, 0], 8), nodule('p2', [-60, 40, 10], 6), nodule('p3', [50, 50, 50], 10)];
const paired = [{ centroidMm: { x: 30, y: 0, z: 20 }, priorFindingId: 'p1' }, { centroidMm: { x: 80, y: 50, z: 70 }, priorFindingId: 'p3' }];

describe('the change of a nodule a reader adds', () => {
  it('pairs it with the free prior nodule at the position the other pairs put it', () => {
    const change = compareAddedNodule(nodule('added', [-30, 40, 30], 9), paired, prior, 365);
    expect(change).toMatchObject({ priorFindingId: 'p2', intervalDays: 365, status: 'growing' });
    expect(change.registeredDistanceMm).toBeCloseTo(0, 6);
  });

  it('calls it new where only a taken prior nodule or nothing lies', () => {
    expect(compareAddedNodule(nodule('added', [30.5, 0, 20], 8), paired, prior, 365)).toMatchObject({ status: 'new', intervalDays: 365 });
    expect(compareAddedNodule(nodule('added', [-60, 40, 10], 6), paired, prior, 365).status).toBe('new');
  });

  it('takes the scans as aligned when nothing was paired', () => {
    expect(compareAddedNodule(nodule('added', [-60, 41, 10], 6), [], prior, 200)).toMatchObject({ priorFindingId: 'p2', status: 'stable', intervalDays: 200 });
  });
});
