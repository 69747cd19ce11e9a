import { describe, expect, it } from 'vitest';
import { isoDate, parseDicomDate } from './dates.ts';

describe('DICOM dates (DA)', () => {
  it('reads YYYYMMDD as a UTC day, around its spaces', () => {
    expect(parseDicomDate('20250314')?.toISOString()).toBe('2025-03-14T00:00:00.000Z');
    expect(isoDate(' 20240229 ')).toBe('2024-02-29');
  });

  it.each(['', undefined, '2025-03-14', '202503', '20250230', '20251301', '20230229', 'abcdefgh'])('gives no date for %j', (value) => {
    expect(parseDicomDate(value)).toBeUndefined();
    expect(isoDate(value)).toBeUndefined();
  });
});
