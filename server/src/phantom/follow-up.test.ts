import { describe, expect, it } from 'vitest';
import type { Volume } from '../domain/volume.ts';
import { generateFollowUp } from './follow-up.ts';
import { generatePhantom } from './generate.ts';
import { anatomyToPatient } from './geometry.ts';
import type { NoduleSpec, PhantomOptions } from './types.ts';

const baselineOptions: PhantomOptions = {
  seed: 21,
  matrix: 96,
  slices: 80,
  nodules: [
    { diameterMm: 8, type: 'solid', shape: 'lobulated', attachment: 'free', laterality: 'right', zone: 'middle' },
    { diameterMm: 10, type: 'solid', shape: 'round', attachment: 'free', laterality: 'left', zone: 'lower' },
    { diameterMm: 9, type: 'part-solid', shape: 'round', attachment: 'juxtavascular', laterality: 'left', zone: 'upper' },
  ],
};
const added: NoduleSpec = { diameterMm: 12, type: 'solid', shape: 'spiculated', attachment: 'free', laterality: 'right', zone: 'lower' };
const pose = { shiftMm: { x: 6, y: -4, z: 10 }, rotationDeg: 4 };
const baseline = generatePhantom(baselineOptions);
const { followUp, links } = generateFollowUp(baselineOptions, { intervalDays: 365, ...pose, grow: { 1: 12 }, remove: [2], add: [added] });

const valueAt = (volume: Volume, p: { x: number; y: number; z: number }) => {
  const [i, j, k] = [p.x, p.y, p.z].map((v, a) => Math.round((v - [volume.origin.x, volume.origin.y, volume.origin.z][a]) / volume.spacing[a]));
  return volume.voxels[i + j * volume.dims[0] + k * volume.dims[0] * volume.dims[1]];
};

describe('generateFollowUp', () => {
  it('scans the same patient in a new study and frame of reference, a year later', () => {
    expect(followUp.identity.patientId).toBe(baseline.identity.patientId);
    expect(followUp.identity.patientBirthDate).toBe(baseline.identity.patientBirthDate);
    expect(followUp.volume.source.studyInstanceUid).not.toBe(baseline.volume.source.studyInstanceUid);
    expect(followUp.volume.source.frameOfReferenceUid).not.toBe(baseline.volume.source.frameOfReferenceUid);
    expect(followUp.identity.studyDate).toBe('20250114');
    expect(baseline.identity.studyDate).toBe('20240115');
  });

  it('links grown, resolved, stable and new nodules across the scans', () => {
    expect(links).toEqual([
      expect.objectContaining({ baselineIndex: 1, followUpIndex: 1, change: 'grown', baselineDiameterMm: 8, followUpDiameterMm: 12 }),
      expect.objectContaining({ baselineIndex: 3, followUpIndex: 2, change: 'stable' }),
      { baselineIndex: 2, change: 'resolved', baselineDiameterMm: 10 },
      { followUpIndex: 3, change: 'new', followUpDiameterMm: 12 },
    ]);
    // (8 → 12 mm in 365 days) = 365 ln 2 / (3 ln 1.5)
    expect(links[0].volumeDoublingDays).toBeCloseTo((365 * Math.LN2) / (3 * Math.log(1.5)), 6);
    expect(followUp.truth.nodules[0].volumeMm3).toBeGreaterThan(2.5 * baseline.truth.nodules[0].volumeMm3);
  });

  it('moves the nodules with the patient and renders them there', () => {
    for (const [b, f] of [[0, 0], [2, 1]]) {
      const moved = anatomyToPatient({ shiftMm: pose.shiftMm, rollDeg: pose.rotationDeg }, baseline.truth.nodules[b].centreMm);
      const c = followUp.truth.nodules[f].centreMm;
      expect(Math.hypot(c.x - moved.x, c.y - moved.y, c.z - moved.z)).toBeLessThan(1e-9);
      expect(valueAt(followUp.volume, c)).toBeGreaterThan(-500);
    }
    const gone = anatomyToPatient({ shiftMm: pose.shiftMm, rollDeg: pose.rotationDeg }, baseline.truth.nodules[1].centreMm);
    expect(valueAt(baseline.volume, baseline.truth.nodules[1].centreMm)).toBeGreaterThan(-300);
    expect(valueAt(followUp.volume, gone)).toBeLessThan(-500);
  });

  it('refuses a change to a nodule the baseline does not have', () => {
    expect(() => generateFollowUp(baselineOptions, { intervalDays: 90, remove: [4] })).toThrow(/nodule index 4 breaks the rule/);
  });
});
