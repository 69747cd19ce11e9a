import { describe, expect, it, test } from 'vitest';
import { isValidUid, newUid, uidFromName } from './uids.ts';

describe('uids', () => {
  it('makes valid, distinct 2.25 UIDs', () => {
    const uids = Array.from({ length: 200 }, newUid);
    for (const uid of uids) {
      expect(uid).toMatch(/^2\.25\.[1-9][0-9]*$/);
      expect(isValidUid(uid)).toBe(true);
    }
    expect(new Set(uids).size).toBe(uids.length);
  });

  it('derives the same UID from the same name, and another from another name', () => {
    expect(uidFromName('device a')).toBe(uidFromName('device a'));
    expect(uidFromName('device a')).not.toBe(uidFromName('device b'));
    expect(isValidUid(uidFromName('device a'))).toBe(true);
  });

  test.each([
    ['1.2.840.10008.5.1.4.1.1.2', true],
    ['1.2.03', false],
    ['1..2', false],
    ['1.2.', false],
    ['1.2.a', false],
    [`1.${'2'.repeat(63)}`, false],
  ])('isValidUid(%s) is %s', (uid, valid) => {
    expect(isValidUid(uid)).toBe(valid);
  });
});
