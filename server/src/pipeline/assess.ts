/**
 * Stage 6: the clinical answer of one analysis. From the measured findings, the volume and the
 * patient (DICOM patient module, then what the API adds), the structured report (report/
 * build-report.ts): Lung-RADS v2022 per nodule and per exam, Brock per nodule with its missing
 * inputs named. Pure; the pipeline records and publishes what it returns.
 */
import type { ModelInfo } from '../domain/analysis.ts';
import type { FindingAssessment, LungRadsResult } from '../domain/assessment.ts';
import type { Finding } from '../domain/finding.ts';
import type { Volume } from '../domain/volume.ts';
import type { BrockPatient } from '../clinical/brock.ts';
import type { ExamAssessability } from '../clinical/lungrads.ts';
import type { PriorStudyComparison } from '../priors/compare-with-prior.ts';
import { buildReport, toFindingAssessment, type LungScreeningReport } from '../report/build-report.ts';
import { isoDate, parseDicomDate } from '../dicom/dates.ts';

/**
 * Thickest reconstruction a screening exam can be read at. ACR–STR Practice Parameter for the
 * Performance and Reporting of Lung Cancer Screening Thoracic CT (2019): reconstructed slice
 * thickness ≤ 2.5 mm (≤ 1.0 mm preferred), the technical requirement Lung-RADS size thresholds
 * assume. Thicker slices blur nodules below 6 mm away and bias diameters, so the exam is category 0
 * ("part or all of lungs cannot be evaluated"). 0.05 mm absorbs the rounding of spacings computed
 * from positions.
 */
export const maxScreeningSliceMm = 2.5;
const sliceToleranceMm = 0.05;

/** Patient inputs of the risk models; `source` says where each came from. */
export interface PatientInputs {
  readonly ageYears?: number;
  readonly sex?: 'female' | 'male';
  readonly familyHistoryOfLungCancer?: boolean;
  readonly emphysema?: boolean;
  /** Per input, 'dicom' or 'api'. */
  readonly source: Readonly<Partial<Record<'ageYears' | 'sex' | 'familyHistoryOfLungCancer' | 'emphysema', 'dicom' | 'api'>>>;
}

/** What the API may add to (or correct in) the patient module: inputs the scan cannot give. */
export interface GivenPatient {
  readonly age?: number;
  readonly sex?: 'female' | 'male';
  readonly familyHistory?: boolean;
  readonly emphysema?: boolean;
}

/** PatientAge (AS, PS3.5 6.2: nnnD, nnnW, nnnM or nnnY) in years; undefined when malformed. */
export function parsePatientAge(value: unknown): number | undefined {
  const match = /^(\d{3})([DWMY])$/.exec(String(value ?? '').trim());
  if (!match) return undefined;
  const n = Number(match[1]);
  const perYear = { D: 365.25, W: 365.25 / 7, M: 12, Y: 1 }[match[2] as 'D' | 'W' | 'M' | 'Y'];
  return n / perYear;
}

/** Whole years between birth and study date (the age Brock was fitted with). */
export function ageAtStudy(birthDate: unknown, studyDate: unknown): number | undefined {
  const birth = parseDicomDate(birthDate);
  const study = parseDicomDate(studyDate);
  if (!birth || !study || study < birth) return undefined;
  let years = study.getUTCFullYear() - birth.getUTCFullYear();
  if (study.getUTCMonth() < birth.getUTCMonth() || (study.getUTCMonth() === birth.getUTCMonth() && study.getUTCDate() < birth.getUTCDate())) years--;
  return years;
}

/**
 * Age and sex from the patient module (PatientAge, else PatientBirthDate at StudyDate; PatientSex
 * M/F, 'O' or empty = unknown), then overridden by what the API gave.
 */
export function patientInputs(patientStudy: Readonly<Record<string, unknown>>, given: GivenPatient = {}): PatientInputs {
  const source: Record<string, 'dicom' | 'api'> = {};
  const out: { -readonly [K in keyof PatientInputs]?: PatientInputs[K] } = {};
  const dicomAge = parsePatientAge(patientStudy.PatientAge) ?? ageAtStudy(patientStudy.PatientBirthDate, patientStudy.StudyDate);
  if (dicomAge !== undefined) { out.ageYears = Math.floor(dicomAge); source.ageYears = 'dicom'; }
  const sex = String(patientStudy.PatientSex ?? '').trim().toUpperCase();
  if (sex === 'F' || sex === 'M') { out.sex = sex === 'F' ? 'female' : 'male'; source.sex = 'dicom'; }
  if (given.age !== undefined) { out.ageYears = given.age; source.ageYears = 'api'; }
  if (given.sex !== undefined) { out.sex = given.sex; source.sex = 'api'; }
  if (given.familyHistory !== undefined) { out.familyHistoryOfLungCancer = given.familyHistory; source.familyHistoryOfLungCancer = 'api'; }
  if (given.emphysema !== undefined) { out.emphysema = given.emphysema; source.emphysema = 'api'; }
  return { ...out, source };
}

/** Category 0 reasons: no lungs to read, or slices too thick for Lung-RADS sizes. */
export function examAssessability(volume: Pick<Volume, 'spacing' | 'source'>, lungs: { readonly found: boolean; readonly reason?: string }): ExamAssessability {
  if (!lungs.found) return { ok: false, reason: `no lungs found${lungs.reason ? ` (${lungs.reason})` : ''}` };
  const thickness = Math.max(volume.spacing[2], volume.source.sliceThicknessMm ?? 0);
  if (thickness > maxScreeningSliceMm + sliceToleranceMm) {
    return { ok: false, reason: `slices of ${thickness.toFixed(2)} mm are thicker than the ${maxScreeningSliceMm} mm a screening exam needs (ACR–STR practice parameter)` };
  }
  return { ok: true };
}

export interface AssessInput {
  readonly analysisId: string;
  readonly analysedAt: Date;
  readonly model: ModelInfo;
  readonly volume: Volume;
  readonly findings: readonly Finding[];
  readonly lungs: { readonly found: boolean; readonly reason?: string };
  readonly givenPatient?: GivenPatient;
  /** The comparison with the prior CT (priors/), when there was one: new, growing, stable nodules. */
  readonly comparison?: Pick<PriorStudyComparison, 'priorStudyInstanceUid' | 'changes'>;
  /** The analysis's warnings, which the report repeats for its reader. */
  readonly notes?: readonly string[];
}

export interface Assessment {
  /** Version 1 of the report: the machine's reading. */
  readonly report: LungScreeningReport;
  /** Per finding, in the order of `findings`. */
  readonly findingAssessments: readonly FindingAssessment[];
  readonly exam: LungRadsResult;
  readonly patient: PatientInputs;
}

export function assessAnalysis(input: AssessInput): Assessment {
  const { volume } = input;
  const patientStudy = volume.source.patientStudy;
  const patient = patientInputs(patientStudy, input.givenPatient);
  const brockPatient: BrockPatient = {
    ...(patient.ageYears !== undefined ? { ageYears: patient.ageYears } : {}),
    ...(patient.sex ? { sex: patient.sex } : {}),
    ...(patient.familyHistoryOfLungCancer !== undefined ? { familyHistoryOfLungCancer: patient.familyHistoryOfLungCancer } : {}),
  };
  const studyDate = isoDate(patientStudy.StudyDate);
  const accession = String(patientStudy.AccessionNumber ?? '').trim();
  const report = buildReport({
    analysisId: input.analysisId,
    analysedAt: input.analysedAt.toISOString(),
    model: input.model,
    study: {
      studyInstanceUid: volume.source.studyInstanceUid,
      ...(input.comparison ? { priorStudyInstanceUid: input.comparison.priorStudyInstanceUid } : {}),
      seriesInstanceUid: volume.source.seriesInstanceUid,
      ...(studyDate ? { studyDate } : {}),
      ...(accession ? { accessionNumber: accession } : {}),
    },
    patient: brockPatient,
    ...(patient.emphysema !== undefined ? { emphysema: patient.emphysema } : {}),
    examAssessable: examAssessability(volume, input.lungs),
    nodules: input.findings.map((finding) => {
      const change = input.comparison?.changes.get(finding.trackingUid);
      return { finding, ...(change ? { change, ...(change.priorCategory ? { priorCategory: change.priorCategory } : {}) } : {}) };
    }),
    comparedWithPrior: input.comparison !== undefined,
    ...(input.notes ? { notes: input.notes } : {}),
  });
  const byIndex = new Map(report.nodules.map((n) => [n.index, toFindingAssessment(n)]));
  return {
    report,
    findingAssessments: input.findings.map((f) => byIndex.get(f.index)!),
    exam: report.exam.lungRads,
    patient,
  };
}
