import { describe, expect, it, test } from 'vitest';
import type { LungRadsCategory } from '../domain/assessment.ts';
import type { NoduleType } from '../domain/finding.ts';
import {
  assessExam,
  assessNodule,
  findChartRow,
  lungRadsChart,
  lungRadsManagement,
  lungRadsMeanDiameterMm,
  type LungRadsNodule,
  type NoduleTiming,
  type PriorComparison,
} from './lungrads.ts';

// Expected categories below are read off the ACR Lung-RADS v2022 chart by hand, one row per case,
// with both sides of every size boundary the chart names (4, 6, 8, 10, 15, 30 mm).

const nodule = (type: NoduleType, meanDiameterMm: number, extra: Partial<LungRadsNodule> = {}): LungRadsNodule => ({
  type, meanDiameterMm, juxtapleural: false, ...extra,
});
const timingComparison = (timing: NoduleTiming): PriorComparison | undefined =>
  timing === 'baseline' ? undefined : { status: timing, intervalMonths: 12 };

describe('solid nodules', () => {
  test.each<[NoduleTiming, number, LungRadsCategory]>([
    ['baseline', 1.0, '2'], ['baseline', 5.9, '2'], ['baseline', 6.0, '3'], ['baseline', 7.9, '3'],
    ['baseline', 8.0, '4A'], ['baseline', 14.9, '4A'], ['baseline', 15.0, '4B'], ['baseline', 42.0, '4B'],
    ['new', 3.9, '2'], ['new', 4.0, '3'], ['new', 5.9, '3'], ['new', 6.0, '4A'], ['new', 7.9, '4A'], ['new', 8.0, '4B'],
    ['growing', 3.0, '4A'], ['growing', 7.9, '4A'], ['growing', 8.0, '4B'], ['growing', 20.0, '4B'],
  ])('%s %f mm → %s', (timing, mm, expected) => {
    expect(assessNodule(nodule('solid', mm), timingComparison(timing)).category).toBe(expected);
  });
});

describe('juxtapleural solid nodules (2 when < 10 mm, baseline or new, smooth, benign shape)', () => {
  test.each<[string, LungRadsNodule, NoduleTiming, LungRadsCategory]>([
    ['baseline 9.9 mm smooth', nodule('solid', 9.9, { juxtapleural: true, smoothMargins: true }), 'baseline', '2'],
    ['baseline 10.0 mm smooth', nodule('solid', 10.0, { juxtapleural: true, smoothMargins: true }), 'baseline', '4A'],
    ['new 9.9 mm smooth', nodule('solid', 9.9, { juxtapleural: true, smoothMargins: true }), 'new', '2'],
    ['new 10.0 mm smooth', nodule('solid', 10.0, { juxtapleural: true, smoothMargins: true }), 'new', '4B'],
    ['baseline 9.9 mm not smooth', nodule('solid', 9.9, { juxtapleural: true, smoothMargins: false }), 'baseline', '4A'],
    ['baseline 9.9 mm margins unknown', nodule('solid', 9.9, { juxtapleural: true }), 'baseline', '4A'],
    ['baseline 9.9 mm smooth but not juxtapleural', nodule('solid', 9.9, { smoothMargins: true }), 'baseline', '4A'],
    ['growing 5 mm smooth', nodule('solid', 5.0, { juxtapleural: true, smoothMargins: true }), 'growing', '4A'],
    [
      'part-solid 9 mm smooth',
      nodule('part-solid', 9.0, { juxtapleural: true, smoothMargins: true, solidComponentMm: 7.0 }), 'baseline', '4A',
    ],
  ])('%s → %s', (_name, n, timing, expected) => {
    expect(assessNodule(n, timingComparison(timing)).category).toBe(expected);
  });

  it('names the juxtapleural rule', () => {
    const r = assessNodule(nodule('solid', 9.9, { juxtapleural: true, smoothMargins: true }));
    expect(r.rule).toBe(
      'Juxtapleural solid nodule, baseline, mean diameter < 10 mm (smooth margins, oval, lentiform or triangular shape) → 2',
    );
  });
});

describe('part-solid nodules', () => {
  test.each<[NoduleTiming, number, number, LungRadsCategory]>([
    ['baseline', 5.9, 5.0, '2'], ['baseline', 6.0, 1.0, '3'], ['baseline', 6.0, 5.9, '3'],
    ['baseline', 10.0, 6.0, '4A'], ['baseline', 10.0, 7.9, '4A'], ['baseline', 10.0, 8.0, '4B'], ['baseline', 20.0, 15.0, '4B'],
    ['new', 5.9, 4.5, '3'], ['new', 6.0, 3.9, '4A'], ['new', 6.0, 4.0, '4B'], ['new', 25.0, 12.0, '4B'],
    ['growing', 5.0, 3.9, '4A'], ['growing', 12.0, 4.0, '4B'],
  ])('%s total %f mm, solid %f mm → %s', (timing, total, solid, expected) => {
    expect(assessNodule(nodule('part-solid', total, { solidComponentMm: solid }), timingComparison(timing)).category).toBe(expected);
  });

  it('refuses a part-solid nodule without its solid component', () => {
    expect(() => assessNodule(nodule('part-solid', 10))).toThrow(/solidComponentMm is required/);
  });

  it('refuses a solid component larger than the nodule', () => {
    expect(() => assessNodule(nodule('part-solid', 10, { solidComponentMm: 11 }))).toThrow(/solidComponentMm must be/);
  });
});

describe('ground-glass (non-solid) nodules', () => {
  test.each<[NoduleTiming, number, LungRadsCategory]>([
    ['baseline', 1.0, '2'], ['baseline', 29.9, '2'], ['baseline', 30.0, '3'],
    ['new', 29.9, '2'], ['new', 30.0, '3'],
    ['growing', 29.9, '2'], ['growing', 30.0, '2'],
  ])('%s %f mm → %s', (timing, mm, expected) => {
    expect(assessNodule(nodule('ground-glass', mm), timingComparison(timing)).category).toBe(expected);
  });
});

describe('stable, shrinking, slowly growing and resolved nodules', () => {
  test.each<[string, LungRadsNodule, PriorComparison, LungRadsCategory]>([
    ['3 stable at 6 months', nodule('solid', 7), { status: 'stable', intervalMonths: 6, priorCategory: '3' }, '2'],
    ['4A stable at 3 months', nodule('solid', 10), { status: 'stable', intervalMonths: 3, priorCategory: '4A' }, '3'],
    ['4A decreased at 3 months', nodule('solid', 9), { status: 'shrinking', intervalMonths: 3, priorCategory: '4A' }, '3'],
    ['4B stable', nodule('solid', 20), { status: 'stable', intervalMonths: 3, priorCategory: '4B' }, '4B'],
    ['2 stable at 12 months', nodule('solid', 4), { status: 'stable', intervalMonths: 12, priorCategory: '2' }, '2'],
    ['7 mm stable, prior category from prior size', nodule('solid', 7), { status: 'stable', priorMeanDiameterMm: 7 }, '2'],
    ['10 mm shrunk from 12 mm, prior category from prior size', nodule('solid', 10), { status: 'shrinking', priorMeanDiameterMm: 12 }, '3'],
    ['GGN 35 mm stable', nodule('ground-glass', 35), { status: 'stable', intervalMonths: 12 }, '2'],
    ['solid slow growth over several exams', nodule('solid', 5), { status: 'stable', slowGrowthOverMultipleExams: true }, '4B'],
    [
      'part-solid slow growth over several exams',
      nodule('part-solid', 7, { solidComponentMm: 2 }), { status: 'stable', slowGrowthOverMultipleExams: true }, '4B',
    ],
    ['GGN slow growth (not a 4B rule for GGN)', nodule('ground-glass', 12), { status: 'stable', slowGrowthOverMultipleExams: true }, '2'],
    ['resolved', nodule('solid', 9), { status: 'resolved', intervalMonths: 12 }, '1'],
  ])('%s → %s', (_name, n, comparison, expected) => {
    expect(assessNodule(n, comparison).category).toBe(expected);
  });

  it('says where the prior category came from', () => {
    expect(assessNodule(nodule('solid', 7), { status: 'stable', priorMeanDiameterMm: 7 }).rule).toBe(
      'Solid nodule, category 3 stable at follow-up (prior category taken as the baseline category of the prior size) → 2',
    );
  });
});

describe('category 1 and 4X', () => {
  it('benign calcification or fat → 1 whatever the size', () => {
    expect(assessNodule(nodule('solid', 20, { benignCalcificationOrFat: true })).category).toBe('1');
  });

  test.each<[LungRadsNodule, PriorComparison | undefined, LungRadsCategory]>([
    [nodule('solid', 7, { suspiciousFeatures: true }), undefined, '4X'],
    [nodule('solid', 20, { suspiciousFeatures: true }), undefined, '4X'],
    [nodule('ground-glass', 35, { suspiciousFeatures: true }), undefined, '4X'],
    [nodule('solid', 5, { suspiciousFeatures: true }), undefined, '2'],
    [nodule('solid', 3, { suspiciousFeatures: true }), { status: 'new' }, '2'],
  ])('reader-flagged additional features: %o → %s', (n, comparison, expected) => {
    expect(assessNodule(n, comparison).category).toBe(expected);
  });
});

describe('rule text and management', () => {
  it('states the chart row in words', () => {
    const r = assessNodule(nodule('solid', 6.0));
    expect(r).toEqual({ category: '3', rule: 'Solid nodule, baseline, mean diameter 6 to < 8 mm → 3', management: '6-month LDCT' });
  });

  it('states both sizes of a part-solid row', () => {
    expect(assessNodule(nodule('part-solid', 12, { solidComponentMm: 7 })).rule).toBe(
      'Part-solid nodule, baseline, total mean diameter ≥ 6 mm, solid component 6 to < 8 mm → 4A',
    );
  });

  test.each<[LungRadsCategory, RegExp]>([
    ['1', /^12-month screening LDCT$/], ['2', /^12-month screening LDCT$/], ['3', /^6-month LDCT$/],
    ['4A', /^3-month LDCT; PET\/CT may be considered if there is a ≥ 8 mm/],
    ['4B', /^Diagnostic chest CT with or without contrast; PET\/CT may be considered/],
    ['4X', /^Diagnostic chest CT with or without contrast; PET\/CT may be considered/],
    ['0', /Additional lung cancer screening CT imaging needed/],
  ])('management of %s', (category, text) => {
    expect(lungRadsManagement[category]).toMatch(text);
  });
});

describe('the chart as data', () => {
  const kinds: NoduleType[] = ['solid', 'part-solid', 'ground-glass'];
  const timings: NoduleTiming[] = ['baseline', 'new', 'growing'];
  const totals = Array.from({ length: 400 }, (_, i) => (i + 1) / 10); // 0.1 .. 40.0 mm
  // Solid components every 0.5 mm plus both sides of each boundary the chart names for them.
  const solidGrid = [...Array.from({ length: 80 }, (_, i) => (i + 1) / 2), 3.9, 5.9, 7.9];

  test.each(kinds.flatMap((k) => timings.map((t) => [k, t] as const)))('%s %s: exactly one row per size', (kind, timing) => {
    const failures: string[] = [];
    for (const total of totals) {
      const solids = kind === 'part-solid' ? solidGrid.filter((s) => s <= total) : [undefined];
      for (const solid of solids) {
        const matches = lungRadsChart.filter(
          (r) =>
            r.kind === kind && r.timings.includes(timing) &&
            total >= r.meanDiameter.min && (r.meanDiameter.max === undefined || total < r.meanDiameter.max) &&
            (r.solidComponent === undefined ||
              ((solid ?? 0) >= r.solidComponent.min && (r.solidComponent.max === undefined || (solid ?? 0) < r.solidComponent.max))),
        );
        const found = matches.length === 1 ? findChartRow(nodule(kind, total, { solidComponentMm: solid }), timing) : undefined;
        if (matches.length !== 1 || found !== matches[0]) failures.push(`${total} mm solid ${solid}: ${matches.length} rows`);
      }
    }
    expect(failures).toEqual([]);
  });
});

describe('mean diameter', () => {
  test.each<[number, number, number]>([
    [6.0, 5.9, 6.0], [5.9, 5.9, 5.9], [7.0, 6.8, 6.9], [8.05, 7.9, 8.0], [12.34, 10.0, 11.2], [5.95, 5.95, 6.0],
  ])('(%f + %f) / 2 → %f', (long, short, mean) => {
    expect(lungRadsMeanDiameterMm(long, short)).toBe(mean);
  });

  it('refuses a short axis longer than the long axis', () => {
    expect(() => lungRadsMeanDiameterMm(5, 6)).toThrow(/shortAxisMm <= longAxisMm/);
  });
});

describe('exam category', () => {
  const r = (category: LungRadsCategory, n = 1) => assessNodule(
    category === '2' ? nodule('solid', 4 + n / 10) : category === '3' ? nodule('solid', 7) : category === '4A' ? nodule('solid', 10)
      : category === '4B' ? nodule('solid', 20) : nodule('solid', 7, { suspiciousFeatures: true }),
  );

  it('no nodules → 1', () => {
    expect(assessExam([])).toMatchObject({ category: '1', rule: 'No lung nodules → 1', management: '12-month screening LDCT' });
  });

  test.each<[LungRadsCategory[], LungRadsCategory]>([
    [['2'], '2'], [['2', '4A', '3'], '4A'], [['3', '2'], '3'], [['4B', '4X', '4A'], '4X'], [['4A', '4B'], '4B'],
  ])('%o → %s', (categories, expected) => {
    const exam = assessExam(categories.map((c) => r(c)));
    expect(exam.category).toBe(expected);
    expect(exam.rule).toMatch(/^Highest nodule category: /);
    expect(exam.management).toBe(lungRadsManagement[expected]);
  });

  it('an exam that cannot be assessed is 0 whatever its nodules', () => {
    const exam = assessExam([r('4B')], { ok: false, reason: 'slices thicker than 2.5 mm' });
    expect(exam).toMatchObject({ category: '0', rule: 'Exam cannot be assessed: slices thicker than 2.5 mm → 0' });
  });
});
