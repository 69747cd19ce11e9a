import { describe, expect, it } from 'vitest';
import { compareNodules } from '../clinical/growth.ts';
import { lungRadsManagement } from '../clinical/lungrads.ts';
import { buildReport, toFindingAssessment, type ReportInput } from './build-report.ts';
import { baseInput, makeFinding } from './test-fixtures.ts';

const logistic = (logit: number) => 1 / (1 + Math.exp(-logit));

describe('buildReport on a baseline exam', () => {
  const report = buildReport(baseInput);

  it('categorises the exam by its highest nodule, with the ACR management', () => {
    // Nodule 1: (10.4 + 8.0) / 2 = 9.2 mm solid at baseline → 4A; nodule 2: 4.6 mm → 2.
    expect(report.exam.lungRads.category).toBe('4A');
    expect(report.exam.lungRads.rule).toBe('Highest nodule category: Solid nodule, baseline, mean diameter 8 to < 15 mm → 4A');
    expect(report.recommendation).toBe(lungRadsManagement['4A']);
    expect(report.nodules.map((n) => [n.index, n.lungRads.category])).toEqual([[1, '4A'], [2, '2']]);
  });

  it('carries the sizes, location, model and the disclaimer', () => {
    expect(report.nodules[0].size).toEqual({
      longAxisMm: 10.4, shortAxisMm: 8, meanDiameterMm: 9.2, volumeMm3: Math.round((Math.PI / 6) * 10.4 * 8 * 8),
    });
    expect(report.nodules[1].location).toEqual({ laterality: 'left', zone: 'lower', juxtapleural: false });
    expect(report.analysis).toEqual({ id: baseInput.analysisId, performedAt: baseInput.analysedAt, model: baseInput.model });
    expect(report.disclaimer).toBe('For review by a radiologist. Not a diagnosis.');
    expect(report.standards.lungRads).toBe('ACR Lung-RADS v2022');
  });

  it('computes Brock from the finding and the patient', () => {
    // 66-year-old woman, emphysema, no family history; 10.4 mm solid nodule in the upper zone,
    // spiculation score 0.7 (spiculated), 2 nodules.
    const logit =
      -6.7892 + 0.0287 * (66 - 62) + 0.6011 + 0.2953 - 5.3854 * ((10.4 / 10) ** -0.5 - 1.58113883) + 0.6581 - 0.0824 * (2 - 4) + 0.7729;
    expect(report.nodules[0].brock.probability).toBeCloseTo(logistic(logit), 9);
    expect(report.nodules[0].brock.missingInputs).toEqual([]);
    expect(report.nodules[0].brock.assumptions).toContain('spiculated: spiculation score 0.70 ≥ 0.5');
  });

  it('names the unknown spiculation of the second nodule and brackets it', () => {
    const brock = report.nodules[1].brock;
    expect(brock.missingInputs).toEqual(['spiculation']);
    expect(brock.probabilityIfUnknownPresent! / brock.probability!).toBeGreaterThan(1.5);
  });

  it('carries the analysis\'s notes, none when it has none', () => {
    expect(report.notes).toEqual([]);
    expect(buildReport({ ...baseInput, notes: ['Not compared with the prior study 1.2.3: no lungs in the prior'] }).notes)
      .toEqual(['Not compared with the prior study 1.2.3: no lungs in the prior']);
  });

  it('is plain JSON', () => {
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });
});

describe('buildReport on a follow-up exam', () => {
  const prior = { meanDiameterMm: 7.0, volumeMm3: 170 };

  it('grades a growing nodule and keeps its change', () => {
    const finding = makeFinding({ longMm: 10.4, shortMm: 8.0 });
    const change = compareNodules({ prior, current: finding, intervalDays: 365 });
    const report = buildReport({ ...baseInput, comparedWithPrior: true, nodules: [{ finding, change }] });
    // 7.0 → 9.2 mm: +2.2 mm in 12 months is growth; growing solid ≥ 8 mm → 4B.
    expect(report.nodules[0].change?.status).toBe('growing');
    expect(report.exam.lungRads.category).toBe('4B');
    expect(report.nodules[0].brock.assumptions).toContain('the model was derived on nodules of the first screening CT');
  });

  it('steps a stable category 3 nodule down to 2', () => {
    const finding = makeFinding({ longMm: 7.2, shortMm: 6.8 });
    const change = compareNodules({ prior, current: finding, intervalDays: 182 });
    const report = buildReport({ ...baseInput, comparedWithPrior: true, nodules: [{ finding, change, priorCategory: '3' }] });
    expect(report.exam.lungRads.category).toBe('2');
  });

  it('refuses a compared exam whose nodule has no change', () => {
    expect(() => buildReport({ ...baseInput, comparedWithPrior: true })).toThrow(/its change .* is required/);
  });
});

describe('buildReport edge cases', () => {
  it('an exam that cannot be assessed is 0', () => {
    const report = buildReport({ ...baseInput, examAssessable: { ok: false, reason: 'incomplete lung coverage' } });
    expect(report.exam.lungRads.category).toBe('0');
    expect(report.recommendation).toBe(lungRadsManagement['0']);
  });

  it('no nodules → 1', () => {
    expect(buildReport({ ...baseInput, nodules: [] }).exam.lungRads.category).toBe('1');
  });

  it('a middle-zone nodule leaves the lobe unknown', () => {
    const input: ReportInput = { ...baseInput, nodules: [{ finding: makeFinding({ longMm: 6, shortMm: 5, zone: 'middle', spiculation: 0.1 }) }] };
    expect(buildReport(input).nodules[0].brock.missingInputs).toEqual(['upperLobe']);
  });

  it('without age no Brock probability, and the assessment says why', () => {
    const report = buildReport({ ...baseInput, patient: { sex: 'male' } });
    const assessment = toFindingAssessment(report.nodules[0]);
    expect(assessment).not.toHaveProperty('brockProbability');
    expect(assessment.brockMissingInputs).toEqual(['age', 'familyHistory']);
    expect(assessment.lungRads.category).toBe('4A');
  });

  it('grades a part-solid nodule by its solid component', () => {
    const finding = makeFinding({ longMm: 14, shortMm: 10, type: 'part-solid', solidComponentMm: 6.5 });
    const report = buildReport({ ...baseInput, nodules: [{ finding }] });
    expect(report.nodules[0].lungRads.category).toBe('4A');
    expect(report.nodules[0].size.solidComponentMm).toBe(6.5);
  });
});
