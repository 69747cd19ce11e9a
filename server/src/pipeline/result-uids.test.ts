import { describe, expect, it } from 'vitest';
import { isValidUid } from '../dicom/uids.ts';
import { paintFindings, syntheticVolume, testModel } from '../dicom/testing/synthetic-study.ts';
import { encodeResults } from './encode.ts';
import type { LungScreeningReport } from '../report/build-report.ts';
import { keyedResultUids, resultsDigest } from './result-uids.ts';

describe('result UIDs', () => {
  it('encodes a run again to the same instances when its UIDs come from the same key', () => {
    const volume = syntheticVolume();
    const findings = paintFindings(volume);
    const encode = (key: string) => encodeResults({ volume, findings, model: testModel, uids: keyedResultUids(key) })
      .map((o) => ({ kind: o.kind, sop: o.sopInstanceUid, series: o.seriesInstanceUid }));
    const first = encode('analysis-1 input-a model 1.7.0');
    expect(first.map((o) => o.kind)).toEqual(['seg', 'sr']);
    expect(encode('analysis-1 input-a model 1.7.0')).toEqual(first);

    const uids = first.flatMap((o) => [o.sop, o.series]);
    expect(new Set(uids).size).toBe(4);
    for (const uid of uids) expect(isValidUid(uid)).toBe(true);
    const other = encode('analysis-1 input-b model 1.7.0').flatMap((o) => [o.sop, o.series]);
    expect(other.filter((uid) => uids.includes(uid))).toEqual([]);
  });

  it('gives each finding of a run its own tracking UID, the same for the same key', () => {
    const run = keyedResultUids('analysis-1 input-a model 1.7.0');
    expect(run.trackingUid(1)).toBe(keyedResultUids('analysis-1 input-a model 1.7.0').trackingUid(1));
    expect(new Set([1, 2, 3].map(run.trackingUid)).size).toBe(3);
    expect(run.trackingUid(1)).not.toBe(keyedResultUids('analysis-2 input-a model 1.7.0').trackingUid(1));
  });

  it('makes new UIDs at every encoding by default', () => {
    const volume = syntheticVolume();
    const findings = paintFindings(volume);
    const [a, b] = [0, 1].map(() => encodeResults({ volume, findings, model: testModel }).map((o) => o.sopInstanceUid));
    expect(a.filter((uid) => b.includes(uid))).toEqual([]);
  });

  it('digests what the objects say, not when they were made', () => {
    const report = {
      reportVersion: 1,
      analysis: { id: 'a-1', performedAt: '2026-11-28T10:00:00.000Z', model: { name: 'm', version: '1' } },
      exam: { lungRads: { category: '3' } },
      nodules: [{ index: 1, lungRads: { category: '3' } }],
    } as unknown as LungScreeningReport;
    const mask = { offset: [1, 2, 3] as const, size: [2, 2, 1] as const, data: Uint8Array.of(1, 1, 0, 1) };
    const input = { findings: [{ index: 1, mask }], report, patientStudy: { PatientName: 'Doe^Jane', PatientID: 'P1' } };
    const digest = resultsDigest(input);
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(resultsDigest({ ...input, report: { ...report, analysis: { ...report.analysis, performedAt: '2026-11-28T11:00:00.000Z' } } })).toBe(digest);

    const changed = [
      { ...input, report: { ...report, nodules: [{ index: 1, lungRads: { category: '4A' } }] } as unknown as LungScreeningReport },
      { ...input, findings: [{ index: 1, mask: { ...mask, data: Uint8Array.of(1, 1, 1, 1) } }] },
      { ...input, findings: [{ index: 1, mask: { ...mask, offset: [1, 2, 4] as const } }] },
      { ...input, patientStudy: { PatientName: 'Doe^Janet', PatientID: 'P1' } },
    ];
    for (const other of changed) expect(resultsDigest(other)).not.toBe(digest);
  });
});
