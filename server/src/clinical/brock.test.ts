import { describe, expect, it, test } from 'vitest';
import { brockProbability, type BrockInputs } from './brock.ts';

// Worked examples: the log odds are written out term by term from McWilliams et al. 2013 (NEJM
// 369:910-919, supplementary appendix, model 2b), independently of the module's code, and the
// probabilities were also computed by hand (python, math.exp) and appear as literals.
const logistic = (logit: number) => 1 / (1 + Math.exp(-logit));

const reference: BrockInputs = {
  patient: { ageYears: 62, sex: 'male', familyHistoryOfLungCancer: false },
  nodule: { sizeMm: 4, type: 'solid', upperLobe: false, spiculated: false, noduleCount: 4 },
  emphysema: false,
};

describe('worked examples', () => {
  it('the reference patient (62-year-old man, 4 mm solid nodule, 4 nodules, no risk factor) is the intercept', () => {
    const r = brockProbability(reference);
    expect(r.probability).toBeCloseTo(logistic(-6.7892), 9);
    expect(r.probability).toBeCloseTo(0.0011246, 7);
    expect(r.missingInputs).toEqual([]);
    expect(r.probabilityIfUnknownPresent).toBeUndefined();
  });

  it('65-year-old woman, family history, emphysema, 15 mm spiculated part-solid upper-lobe nodule, 2 nodules', () => {
    const logit =
      -6.7892 + // intercept
      0.0287 * (65 - 62) + // age
      0.6011 + // female
      0.2961 + // family history
      0.2953 + // emphysema
      -5.3854 * ((15 / 10) ** -0.5 - 1.58113883) + // size
      0.377 + // part-solid
      0.6581 + // upper lobe
      -0.0824 * (2 - 4) + // nodule count
      0.7729; // spiculation
    const r = brockProbability({
      patient: { ageYears: 65, sex: 'female', familyHistoryOfLungCancer: true },
      nodule: { sizeMm: 15, type: 'part-solid', upperLobe: true, spiculated: true, noduleCount: 2 },
      emphysema: true,
    });
    expect(r.probability).toBeCloseTo(logistic(logit), 9);
    expect(r.probability).toBeCloseTo(0.64109, 5);
  });

  test.each<[BrockInputs['nodule']['type'], number]>([
    ['solid', 0],
    ['part-solid', 0.377],
    ['ground-glass', -0.1276],
  ])('nodule type %s adds %f to the log odds', (type, coefficient) => {
    const r = brockProbability({ ...reference, nodule: { ...reference.nodule, type } });
    expect(r.probability).toBeCloseTo(logistic(-6.7892 + coefficient), 9);
  });

  it('risk grows with size', () => {
    const sizes = [2, 4, 6, 8, 10, 15, 20, 30];
    const p = sizes.map((sizeMm) => brockProbability({ ...reference, nodule: { ...reference.nodule, sizeMm } }).probability!);
    for (let i = 1; i < p.length; i++) expect(p[i]).toBeGreaterThan(p[i - 1]);
  });
});

describe('missing inputs', () => {
  it('computes nothing without age or sex, and names them', () => {
    const r = brockProbability({ ...reference, patient: { familyHistoryOfLungCancer: false } });
    expect(r.probability).toBeUndefined();
    expect(r.missingInputs).toEqual(['age', 'sex']);
  });

  it('brackets unknown binary factors between absent and present', () => {
    // 70-year-old man, 8 mm solid lower-lobe nodule, only nodule; family history, emphysema and
    // spiculation unknown.
    const r = brockProbability({
      patient: { ageYears: 70, sex: 'male' },
      nodule: { sizeMm: 8, type: 'solid', upperLobe: false, noduleCount: 1 },
    });
    const low = -6.7892 + 0.0287 * 8 - 5.3854 * ((8 / 10) ** -0.5 - 1.58113883) - 0.0824 * (1 - 4);
    expect(r.missingInputs).toEqual(['familyHistory', 'emphysema', 'spiculation']);
    expect(r.probability).toBeCloseTo(logistic(low), 9);
    expect(r.probability).toBeCloseTo(0.021491, 6);
    expect(r.probabilityIfUnknownPresent).toBeCloseTo(logistic(low + 0.2961 + 0.2953 + 0.7729), 9);
    expect(r.probabilityIfUnknownPresent).toBeCloseTo(0.07914, 5);
  });

  it('lists an unknown lobe', () => {
    const r = brockProbability({ ...reference, nodule: { ...reference.nodule, upperLobe: undefined } });
    expect(r.missingInputs).toEqual(['upperLobe']);
    expect(r.probabilityIfUnknownPresent).toBeCloseTo(logistic(-6.7892 + 0.6581), 9);
  });
});

describe('refused inputs', () => {
  test.each<[string, BrockInputs, RegExp]>([
    ['zero size', { ...reference, nodule: { ...reference.nodule, sizeMm: 0 } }, /sizeMm must be a positive number/],
    ['no nodule counted', { ...reference, nodule: { ...reference.nodule, noduleCount: 0 } }, /noduleCount must be an integer >= 1/],
    ['negative age', { ...reference, patient: { ...reference.patient, ageYears: -3 } }, /ageYears must be positive/],
  ])('%s', (_name, inputs, message) => {
    expect(() => brockProbability(inputs)).toThrow(message);
  });
});
