/**
 * Brock University (PanCan) probability that a lung nodule is malignant: the full model with
 * spiculation (McWilliams A, Tammemagi MC, Mayo JR, et al. "Probability of cancer in pulmonary
 * nodules detected on first screening CT." N Engl J Med 2013;369:910-919, supplementary appendix,
 * model 2b; coefficients as in the appendix's table of the full models and as used by the
 * published Brock calculator).
 *
 *   logit = 0.0287 (age - 62) + 0.6011 female + 0.2961 family history + 0.2953 emphysema
 *         - 5.3854 ((size / 10)^-0.5 - 1.58113883) + type (GGN -0.1276, part-solid 0.377, solid 0)
 *         + 0.6581 upper lobe - 0.0824 (count - 4) + 0.7729 spiculation - 6.7892
 *   probability = 1 / (1 + e^-logit)
 *
 * Size is the nodule's maximal (long-axis) diameter in mm, as measured in PanCan; age is centred at
 * 62 years, size at 4 mm ((4 / 10)^-0.5 = 1.58113883) and the nodule count at 4, the centring
 * used by the paper.
 *
 * Missing inputs, never silently defaulted:
 * - Age or sex missing: no probability. Both come from the DICOM header (PatientAge, PatientSex),
 *   so their absence means a header problem, and each moves the estimate a lot (female ×1.82 in
 *   odds, ten years ×1.33): no reference value would be honest.
 * - Family history, emphysema, upper-lobe location or spiculation missing: these binary factors
 *   all have positive coefficients, so the probability is computed with each unknown one absent
 *   (the reference level: the lowest value the patient can have) and again with each present
 *   (`probabilityIfUnknownPresent`, the highest). The pair brackets the true model value; both are
 *   reported with the names of the unknown inputs. Family history is never in a DICOM header.
 */
import type { NoduleType } from '../domain/finding.ts';

export const brockModel = {
  name: 'Brock University (PanCan) full model with spiculation',
  reference: 'McWilliams et al., N Engl J Med 2013;369:910-919, supplementary appendix, model 2b',
} as const;

/** Model 2b coefficients (McWilliams et al. 2013, supplementary appendix). */
export const brockCoefficients = {
  intercept: -6.7892,
  /** Per year of age minus 62. */
  age: 0.0287,
  ageCentreYears: 62,
  female: 0.6011,
  familyHistory: 0.2961,
  emphysema: 0.2953,
  /** Multiplies (size / 10)^-0.5 - 1.58113883 (size in mm, centred at 4 mm). */
  sizeTransform: -5.3854,
  sizeCentre: 1.58113883,
  groundGlass: -0.1276,
  partSolid: 0.377,
  upperLobe: 0.6581,
  /** Per nodule per scan minus 4. */
  noduleCount: -0.0824,
  noduleCountCentre: 4,
  spiculation: 0.7729,
} as const;

export type BrockInputName = 'age' | 'sex' | 'familyHistory' | 'emphysema' | 'upperLobe' | 'spiculation';

export interface BrockPatient {
  readonly ageYears?: number;
  readonly sex?: 'female' | 'male';
  /** Lung cancer in a first-degree relative. */
  readonly familyHistoryOfLungCancer?: boolean;
}

export interface BrockNodule {
  /** Maximal (long-axis) diameter in mm. */
  readonly sizeMm: number;
  readonly type: NoduleType;
  readonly upperLobe?: boolean;
  readonly spiculated?: boolean;
  /** Nodules reported on this scan, this one included. */
  readonly noduleCount: number;
}

export interface BrockInputs {
  readonly patient: BrockPatient;
  readonly nodule: BrockNodule;
  /** Emphysema on the scan, where estimated. */
  readonly emphysema?: boolean;
}

export interface BrockResult {
  /** 0..1 with unknown binary factors absent; undefined when age or sex is missing. */
  readonly probability?: number;
  /** 0..1 with unknown binary factors present; only when some are unknown. */
  readonly probabilityIfUnknownPresent?: number;
  /** Inputs that were unknown; see the module comment for how each is treated. */
  readonly missingInputs: readonly BrockInputName[];
  readonly model: string;
}

const typeCoefficients: Readonly<Record<NoduleType, number>> = {
  solid: 0,
  'part-solid': brockCoefficients.partSolid,
  'ground-glass': brockCoefficients.groundGlass,
};

function validate(inputs: BrockInputs): void {
  const { sizeMm, noduleCount } = inputs.nodule;
  if (!(Number.isFinite(sizeMm) && sizeMm > 0)) throw new RangeError(`nodule.sizeMm must be a positive number, got ${sizeMm}`);
  if (!(Number.isInteger(noduleCount) && noduleCount >= 1)) {
    throw new RangeError(`nodule.noduleCount must be an integer >= 1 (this nodule included), got ${noduleCount}`);
  }
  const age = inputs.patient.ageYears;
  if (age !== undefined && !(Number.isFinite(age) && age > 0)) throw new RangeError(`patient.ageYears must be positive, got ${age}`);
}

function logistic(logit: number): number {
  return 1 / (1 + Math.exp(-logit));
}

/** The model's log odds for complete inputs. */
export function brockLogit(
  ageYears: number, female: boolean, familyHistory: boolean, emphysema: boolean,
  nodule: Required<BrockNodule>,
): number {
  const c = brockCoefficients;
  return (
    c.intercept +
    c.age * (ageYears - c.ageCentreYears) +
    (female ? c.female : 0) +
    (familyHistory ? c.familyHistory : 0) +
    (emphysema ? c.emphysema : 0) +
    c.sizeTransform * ((nodule.sizeMm / 10) ** -0.5 - c.sizeCentre) +
    typeCoefficients[nodule.type] +
    (nodule.upperLobe ? c.upperLobe : 0) +
    c.noduleCount * (nodule.noduleCount - c.noduleCountCentre) +
    (nodule.spiculated ? c.spiculation : 0)
  );
}

/** Brock probability of malignancy, with the unknown inputs named (see the module comment). */
export function brockProbability(inputs: BrockInputs): BrockResult {
  validate(inputs);
  const { patient, nodule, emphysema } = inputs;
  const binaries = {
    familyHistory: patient.familyHistoryOfLungCancer,
    emphysema,
    upperLobe: nodule.upperLobe,
    spiculation: nodule.spiculated,
  };
  const missingInputs: BrockInputName[] = [];
  if (patient.ageYears === undefined) missingInputs.push('age');
  if (patient.sex === undefined) missingInputs.push('sex');
  for (const [name, value] of Object.entries(binaries)) if (value === undefined) missingInputs.push(name as BrockInputName);

  const { ageYears, sex } = patient;
  if (ageYears === undefined || sex === undefined) return { missingInputs, model: brockModel.name };

  const compute = (unknownAs: boolean) =>
    logistic(
      brockLogit(ageYears, sex === 'female', binaries.familyHistory ?? unknownAs, binaries.emphysema ?? unknownAs, {
        ...nodule,
        upperLobe: binaries.upperLobe ?? unknownAs,
        spiculated: binaries.spiculation ?? unknownAs,
      }),
    );
  const probability = compute(false);
  return missingInputs.length === 0
    ? { probability, missingInputs, model: brockModel.name }
    : { probability, probabilityIfUnknownPresent: compute(true), missingInputs, model: brockModel.name };
}
