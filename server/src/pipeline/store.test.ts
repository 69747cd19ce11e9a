import { describe, expect, it } from 'vitest';
import { stowFailureReason } from './store.ts';

describe('stowFailureReason', () => {
  it.each([
    [0xa700, 'reason 0xA700, refused: out of resources', true],
    [0xa7ff, 'reason 0xA7FF, refused: out of resources', true],
    [0xa900, 'reason 0xA900, error: data set does not match SOP class', false],
    [0xc000, 'reason 0xC000, error: cannot understand', false],
    [0x0110, 'reason 0x0110, processing failure', false],
    [0x0122, 'reason 0x0122, SOP class not supported', false],
    [0xb000, 'reason 0xB000, failure', false],
    [undefined, 'no reason given', false],
  ])('%s reads "%s" (retried: %s)', (code, text, transient) => {
    expect(stowFailureReason(code)).toEqual({ text, transient });
  });
});
