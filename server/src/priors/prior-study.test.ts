import { describe, expect, it, test } from 'vitest';
import { daysBetween, earlierStudies } from './prior-study.ts';

describe('daysBetween', () => {
  test.each([
    ['20240115', '20250114', 365],
    ['20240228', '20240301', 2],
    ['20240301', '20240228', -2],
    ['2024-01-15', '20250114', undefined],
    ['20240230', '20250114', undefined],
    [undefined, '20250114', undefined],
  ])('%s → %s is %s days', (a, b, expected) => {
    expect(daysBetween(a, b)).toBe(expected);
  });
});

describe('earlierStudies', () => {
  it('lists studies dated before the current one, newest first, without same-day or undated ones', () => {
    const studies = [
      { studyInstanceUid: '1.1', studyDate: '20230110' },
      { studyInstanceUid: '1.2', studyDate: '20240115' },
      { studyInstanceUid: '1.3', studyDate: '20250114' },
      { studyInstanceUid: '1.4', studyDate: '20250114' },
      { studyInstanceUid: '1.5' },
      { studyInstanceUid: '1.6', studyDate: '20260101' },
    ];
    expect(earlierStudies({ studyInstanceUid: '1.3', studyDate: '20250114' }, studies).map((s) => s.studyInstanceUid)).toEqual(['1.2', '1.1']);
  });

  it('finds none when the current study has no date', () => {
    expect(earlierStudies({ studyInstanceUid: '1.3' }, [{ studyInstanceUid: '1.1', studyDate: '20230110' }])).toEqual([]);
  });
});
