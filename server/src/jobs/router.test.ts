import { expect, test } from 'vitest';
import type { SeriesCandidate } from '../pipeline/select-series.ts';
import { looksLikeChestCt } from './router.ts';

const series = (modality: string, bodyPartExamined?: string): SeriesCandidate => ({
  info: { seriesInstanceUid: '1.2.3', modality, instanceCount: 4, ...(bodyPartExamined === undefined ? {} : { bodyPartExamined }) },
  instances: [],
});

test.each<[string, SeriesCandidate[], boolean]>([
  ['CT, chest', [series('CT', 'CHEST')], true],
  ['CT, lung', [series('CT', 'Lung')], true],
  ['CT, thorax', [series('CT', 'THORAX')], true],
  ['CT, no body part', [series('CT')], true],
  ['CT, empty body part', [series('CT', ' ')], true],
  ['CT, abdomen', [series('CT', 'ABDOMEN')], false],
  ['MR, chest', [series('MR', 'CHEST')], false],
  ['CT abdomen and CT chest', [series('CT', 'ABDOMEN'), series('CT', 'CHEST')], true],
  ['no series', [], false],
])('%s → %s', (_, candidates, expected) => {
  expect(looksLikeChestCt(candidates, 'CT')).toBe(expected);
});
