import { describe, expect, it } from 'vitest';
import type { BoxMask } from '../domain/mask.ts';
import { decodeBoxMask, encodeBoxMask } from './truth-json.ts';

describe('run-length box masks', () => {
  it.each([
    ['empty', [0, 0, 0, 0, 0, 0, 0, 0], []],
    ['full', [1, 1, 1, 1, 1, 1, 1, 1], [0, 8]],
    ['runs at both ends', [1, 1, 0, 0, 1, 0, 1, 1], [0, 2, 4, 1, 6, 2]],
  ])('round-trips a mask that is %s', (_name, bits, runs) => {
    const mask: BoxMask = { offset: [3, 4, 5], size: [2, 2, 2], data: Uint8Array.from(bits) };
    const rle = encodeBoxMask(mask);
    expect(rle.runs).toEqual(runs);
    expect(rle.offset).toEqual([3, 4, 5]);
    expect(decodeBoxMask(JSON.parse(JSON.stringify(rle)))).toEqual(mask);
  });
});
