import { expect, test } from 'vitest';
import { safeNextPath } from './session.ts';

test.each([
  ['/', '/'],
  ['/viewer/viewer?StudyInstanceUIDs=1.2.3', '/viewer/viewer?StudyInstanceUIDs=1.2.3'],
  ['/analyses#top', '/analyses#top'],
  ['/a/../viewer/', '/viewer/'],
  [undefined, '/'],
  ['', '/'],
  ['https://evil.example/', '/'],
  ['//evil.example/', '/'],
  ['/\\evil.example/', '/'],
  ['/\tevil', '/'],
  ['javascript:alert(1)', '/'],
  ['viewer/', '/'],
  ['/login?next=/login', '/'],
])('safeNextPath(%j) = %j', (next, expected) => {
  expect(safeNextPath(next)).toBe(expected);
});

