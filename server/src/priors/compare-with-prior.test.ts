import { describe, expect, it } from 'vitest';
import type { FindingRow } from '../db/findings-repo.ts';
import { findingMeasurements } from '../db/findings-repo.ts';
import type { Finding } from '../domain/finding.ts';
import { priorAxisMethodWarning, priorStudyName } from './compare-with-prior.ts';

const row = (measurements: Record<string, unknown>, reviewStatus = 'pending') => ({ measurements, reviewStatus }) as unknown as FindingRow;

describe('priorStudyName', () => {
  it('names the prior by its date and UID, by its UID alone when it has no date', () => {
    expect(priorStudyName({ studyInstanceUid: '1.2.3', studyDate: '20250314' })).toBe('the prior study of 2025-03-14 (1.2.3)');
    expect(priorStudyName({ studyInstanceUid: '1.2.3', studyDate: '2025' })).toBe('the prior study 1.2.3');
    expect(priorStudyName({ studyInstanceUid: '1.2.3' })).toBe('the prior study 1.2.3');
  });
});

describe('priorAxisMethodWarning', () => {
  it('says nothing when the prior was measured as findings are stored now', () => {
    const stored = findingMeasurements({ meanDiameterMm: 6.1, mask: { offset: [0, 0, 0], size: [1, 1, 1], data: Uint8Array.of(1) } } as unknown as Finding);
    expect(priorAxisMethodWarning({ studyInstanceUid: '1.2.3' }, [row(stored)])).toBeUndefined();
  });

  it('warns about prior findings stored before the axes were measured to the outline, leaving out rejected ones', () => {
    const before = { meanDiameterMm: 5.4 };
    const prior = { studyInstanceUid: '1.2.3', studyDate: '20250314' };
    const warning = priorAxisMethodWarning(prior, [row(before), row(before, 'rejected'), row({ ...before, axisMethod: 'outline' })]);
    expect(warning).toMatch(/^The prior study of 2025-03-14 \(1\.2\.3\) has 1 finding\(s\) whose axes were measured between pixel centres/);
    expect(priorAxisMethodWarning(prior, [row(before, 'rejected')])).toBeUndefined();
  });
});
