/** Findings and report inputs shared by the report tests (test-only; nothing in production imports it). */
import type { Finding } from '../domain/finding.ts';
import { lungRadsMeanDiameterMm } from '../clinical/lungrads.ts';
import type { ReportInput } from './build-report.ts';

export function makeFinding(overrides: Partial<Finding> & { longMm: number; shortMm: number }): Finding {
  const { longMm, shortMm, ...rest } = overrides;
  const centre = { x: 100, y: 120, z: 40 };
  return {
    index: 1,
    trackingUid: '2.25.1001',
    probability: 0.93,
    centroidVoxel: centre,
    centroidMm: { x: -60.5, y: 20.25, z: -110 },
    longAxis: { start: { x: 95, y: 120, z: 40 }, end: { x: 105, y: 120, z: 40 }, lengthMm: longMm },
    shortAxis: { start: { x: 100, y: 116, z: 40 }, end: { x: 100, y: 124, z: 40 }, lengthMm: shortMm },
    meanDiameterMm: lungRadsMeanDiameterMm(longMm, shortMm),
    volumeMm3: (Math.PI / 6) * longMm * shortMm * shortMm,
    meanHu: 20,
    maxHu: 110,
    type: 'solid',
    laterality: 'right',
    zone: 'upper',
    juxtapleural: false,
    mask: { offset: [95, 115, 38], size: [1, 1, 1], data: new Uint8Array([1]) },
    ...rest,
  };
}

export const baseInput: ReportInput = {
  analysisId: 'a6f1c0de-0000-4000-8000-000000000001',
  analysedAt: '2025-03-04T10:15:30Z',
  model: { name: 'lungbridge-nodule-detector', version: '0.3.0' },
  study: { studyInstanceUid: '1.2.826.0.1.3680043.8.498.1', seriesInstanceUid: '1.2.826.0.1.3680043.8.498.2', studyDate: '2025-03-01' },
  patient: { ageYears: 66, sex: 'female', familyHistoryOfLungCancer: false },
  emphysema: true,
  examAssessable: { ok: true },
  comparedWithPrior: false,
  nodules: [
    { finding: makeFinding({ index: 2, trackingUid: '2.25.1002', longMm: 5.2, shortMm: 4.0, zone: 'lower', laterality: 'left' }) },
    { finding: makeFinding({ index: 1, longMm: 10.4, shortMm: 8.0, spiculation: 0.7 }) },
  ],
};
