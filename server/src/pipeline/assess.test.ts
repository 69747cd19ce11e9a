import { describe, expect, it, test } from 'vitest';
import { assessNodule } from '../clinical/lungrads.ts';
import { brockProbability } from '../clinical/brock.ts';
import { paintFindings, syntheticVolume, testModel } from '../dicom/testing/synthetic-study.ts';
import type { Volume } from '../domain/volume.ts';
import { ageAtStudy, assessAnalysis, examAssessability, parsePatientAge, patientInputs } from './assess.ts';

describe('patient inputs', () => {
  test.each<[string, number | undefined]>([
    ['066Y', 66], ['006M', 0.5], ['052W', 52 / (365.25 / 7)], ['030D', 30 / 365.25], ['66Y', undefined], ['', undefined], ['066X', undefined],
  ])('PatientAge %j → %s years', (value, years) => {
    const parsed = parsePatientAge(value);
    if (years === undefined) expect(parsed).toBeUndefined();
    else expect(parsed).toBeCloseTo(years, 6);
  });

  test.each<[string, string, number | undefined]>([
    ['19600101', '20240301', 64],
    ['19600302', '20240301', 63], // the day before the birthday
    ['19600301', '20240301', 64],
    ['2024', '20240301', undefined],
    ['20250101', '20240301', undefined],
  ])('born %s, scanned %s → %s', (birth, study, age) => {
    expect(ageAtStudy(birth, study)).toBe(age);
  });

  it('takes PatientAge first, then birth date at study date; sex M/F only; the API overrides', () => {
    expect(patientInputs({ PatientAge: '071Y', PatientBirthDate: '19600101', StudyDate: '20240301', PatientSex: 'M' }))
      .toEqual({ ageYears: 71, sex: 'male', source: { ageYears: 'dicom', sex: 'dicom' } });
    expect(patientInputs({ PatientBirthDate: '19600101', StudyDate: '20240301', PatientSex: 'O' }))
      .toEqual({ ageYears: 64, source: { ageYears: 'dicom' } });
    expect(patientInputs({ PatientSex: 'F' }, { age: 58, sex: 'male', familyHistory: true, emphysema: false })).toEqual({
      ageYears: 58, sex: 'male', familyHistoryOfLungCancer: true, emphysema: false,
      source: { ageYears: 'api', sex: 'api', familyHistoryOfLungCancer: 'api', emphysema: 'api' },
    });
  });
});

describe('examAssessability (Lung-RADS 0)', () => {
  const volume = (sliceMm: number, thicknessMm?: number): Pick<Volume, 'spacing' | 'source'> => {
    const v = syntheticVolume();
    return { spacing: [0.7, 0.7, sliceMm], source: { ...v.source, sliceThicknessMm: thicknessMm } };
  };
  test.each<[number, number | undefined, boolean]>([
    [1.25, 1.25, true], [2.5, 2.5, true], [2.5, undefined, true], [2.51, 2.5, true],
    [3, 3, false], [1.25, 5, false], [5, undefined, false],
  ])('slices %s mm apart, %s mm thick → assessable %s', (spacing, thickness, ok) => {
    const result = examAssessability(volume(spacing, thickness), { found: true });
    expect(result.ok).toBe(ok);
    if (!result.ok) expect(result.reason).toMatch(/thicker than the 2\.5 mm a screening exam needs/);
  });

  it('is not assessable without lungs, and says why', () => {
    expect(examAssessability(volume(1.25), { found: false, reason: 'no air-filled region' }))
      .toEqual({ ok: false, reason: 'no lungs found (no air-filled region)' });
  });
});

describe('assessAnalysis', () => {
  const volume = syntheticVolume();
  const findings = paintFindings(volume);

  it('scores each finding with Lung-RADS and Brock and the exam with the highest category', () => {
    const result = assessAnalysis({ analysisId: 'a1', analysedAt: new Date('2025-01-02T03:04:05Z'), model: testModel, volume, findings, lungs: { found: true } });
    expect(result.findingAssessments).toHaveLength(findings.length);
    findings.forEach((f, n) => {
      const expected = assessNodule({ type: f.type, meanDiameterMm: f.meanDiameterMm, solidComponentMm: f.solidComponentMm, juxtapleural: f.juxtapleural });
      expect(result.findingAssessments[n].lungRads.category).toBe(expected.category);
      // Synthetic patient: born 1960-01-01, scanned 2024-03-01, female; no family history given.
      const brock = brockProbability({
        patient: { ageYears: 64, sex: 'female' },
        nodule: { sizeMm: f.longAxis.lengthMm, type: f.type, upperLobe: f.zone === 'upper' ? true : f.zone === 'lower' ? false : undefined, noduleCount: findings.length },
      });
      expect(result.findingAssessments[n].brockProbability).toBeCloseTo(brock.probability!, 12);
      expect(result.findingAssessments[n].brockMissingInputs).toContain('familyHistory');
    });
    const ranks = ['1', '2', '3', '4A', '4B', '4X'];
    const highest = result.findingAssessments.map((a) => a.lungRads.category).sort((a, b) => ranks.indexOf(b) - ranks.indexOf(a))[0];
    expect(result.exam.category).toBe(highest);
    expect(result.report.study).toMatchObject({ studyDate: '2024-03-01', accessionNumber: 'ACC42' });
    expect(result.patient).toMatchObject({ ageYears: 64, sex: 'female' });
  });

  it('names age and sex as missing and computes no Brock when the header lacks them', () => {
    const anonymous = { ...volume, source: { ...volume.source, patientStudy: { StudyDate: '20240301' } } };
    const result = assessAnalysis({ analysisId: 'a2', analysedAt: new Date(), model: testModel, volume: anonymous, findings, lungs: { found: true } });
    for (const a of result.findingAssessments) {
      expect(a.brockProbability).toBeUndefined();
      expect(a.brockMissingInputs).toEqual(expect.arrayContaining(['age', 'sex']));
    }
  });

  it('is category 0 with no lungs, 1 with lungs and no nodules', () => {
    const base = { analysisId: 'a3', analysedAt: new Date(), model: testModel, volume, findings: [] };
    expect(assessAnalysis({ ...base, lungs: { found: false, reason: 'abdomen only' } }).exam).toMatchObject({ category: '0', rule: expect.stringMatching(/no lungs found \(abdomen only\)/) });
    expect(assessAnalysis({ ...base, lungs: { found: true } }).exam.category).toBe('1');
  });
});
