/**
 * The structured lung-screening report of one analysis: pure, JSON-serialisable, the one source
 * that the FHIR rendering (and later the PDF) are made from.
 */
import type { FindingAssessment, LungRadsCategory, LungRadsResult } from '../domain/assessment.ts';
import type { ModelInfo } from '../domain/analysis.ts';
import type { Finding, Laterality, LungZone, NoduleType } from '../domain/finding.ts';
import { brockModel, brockProbability, type BrockPatient, type BrockResult } from '../clinical/brock.ts';
import type { NoduleChange } from '../clinical/growth.ts';
import { assessExam, assessNodule, type ExamAssessability, type PriorComparison } from '../clinical/lungrads.ts';

export const reportDisclaimer = 'For review by a radiologist. Not a diagnosis.';
export const reportStandards = { lungRads: 'ACR Lung-RADS v2022', brock: brockModel.reference } as const;

/**
 * Spiculation score (Finding.spiculation, 0..1) from which a nodule counts as spiculated for
 * Brock. A project choice, not a published threshold: the middle of the score's range.
 */
export const spiculatedFromScore = 0.5;

/** One current nodule and what the reader or the comparison with a prior adds to it. */
export interface ReportNoduleInput {
  readonly finding: Finding;
  /** From `compareNodules` on this nodule's matched pair; absent on a baseline exam. */
  readonly change?: NoduleChange;
  /** The nodule's Lung-RADS category on the prior exam, for stepped management. */
  readonly priorCategory?: LungRadsCategory;
  readonly slowGrowthOverMultipleExams?: boolean;
  /** Lung-RADS juxtapleural criteria other than size; unknown counts as not met. */
  readonly smoothMargins?: boolean;
  readonly benignCalcificationOrFat?: boolean;
  /** The reader's 4X flag. */
  readonly suspiciousFeatures?: boolean;
}

export interface ReportStudy {
  readonly studyInstanceUid: string;
  readonly seriesInstanceUid: string;
  /** ISO 8601 date (YYYY-MM-DD). */
  readonly studyDate?: string;
  readonly accessionNumber?: string;
  readonly priorStudyInstanceUid?: string;
}

export interface ReportInput {
  readonly analysisId: string;
  /** ISO 8601 instant of the analysis. */
  readonly analysedAt: string;
  readonly model: ModelInfo;
  readonly study: ReportStudy;
  readonly patient: BrockPatient;
  /** Emphysema on this scan, where estimated. */
  readonly emphysema?: boolean;
  readonly examAssessable: ExamAssessability;
  /** The current exam's nodules. */
  readonly nodules: readonly ReportNoduleInput[];
  /** True when the exam was compared with a prior: then every nodule needs its `change`. */
  readonly comparedWithPrior: boolean;
  /**
   * What the analysis record's warnings say (slices too thick, a candidate not outlined, a prior
   * not compared), for the reader of the report, not only for whoever reads the record.
   */
  readonly notes?: readonly string[];
}

export interface ReportNodule {
  readonly index: number;
  readonly trackingUid: string;
  readonly detectorProbability: number;
  readonly location: { readonly laterality: Laterality; readonly zone: LungZone; readonly juxtapleural: boolean };
  readonly type: NoduleType;
  /** Millimetres rounded to 0.1, volume to 1 mm³: the precision a reader acts on. */
  readonly size: {
    readonly longAxisMm: number;
    readonly shortAxisMm: number;
    readonly meanDiameterMm: number;
    readonly solidComponentMm?: number;
    readonly volumeMm3: number;
  };
  readonly lungRads: LungRadsResult;
  readonly brock: BrockResult & { readonly assumptions: readonly string[] };
  readonly change?: NoduleChange;
}

export interface LungScreeningReport {
  readonly reportVersion: 1;
  readonly analysis: { readonly id: string; readonly performedAt: string; readonly model: ModelInfo };
  readonly study: ReportStudy;
  readonly exam: {
    readonly assessable: ExamAssessability;
    readonly comparedWithPrior: boolean;
    readonly lungRads: LungRadsResult;
  };
  readonly nodules: readonly ReportNodule[];
  /** The analysis's warnings (ReportInput.notes); absent from reports stored before 2026-11-28. */
  readonly notes?: readonly string[];
  /** The ACR management of the exam category. */
  readonly recommendation: string;
  readonly standards: typeof reportStandards;
  readonly disclaimer: typeof reportDisclaimer;
}

const tenth = (mm: number) => Math.round(mm * 10) / 10;

function priorComparison(input: ReportNoduleInput, comparedWithPrior: boolean): PriorComparison | undefined {
  if (!input.change) {
    if (comparedWithPrior) {
      throw new RangeError(`nodule ${input.finding.index}: the exam was compared with a prior, so its change (new, stable, ...) is required`);
    }
    return undefined;
  }
  return {
    status: input.change.status,
    intervalMonths: input.change.intervalMonths,
    priorMeanDiameterMm: input.change.priorMeanDiameterMm,
    priorCategory: input.priorCategory,
    slowGrowthOverMultipleExams: input.slowGrowthOverMultipleExams,
  };
}

/**
 * Brock inputs from a finding. The lobe is not segmented yet: the upper lung zone stands for the
 * upper lobe, the lower zone for "not upper lobe", and the middle zone (lingula and upper-lobe
 * parts as well as middle and lower lobe) is left unknown, so Brock brackets it.
 */
function assessBrock(input: ReportNoduleInput, report: ReportInput, noduleCount: number): ReportNodule['brock'] {
  const { finding } = input;
  const upperLobe = finding.zone === 'upper' ? true : finding.zone === 'lower' ? false : undefined;
  const spiculated = finding.spiculation === undefined ? undefined : finding.spiculation >= spiculatedFromScore;
  const assumptions = [`size is the long-axis diameter (${tenth(finding.longAxis.lengthMm)} mm)`];
  if (upperLobe !== undefined) assumptions.push(`upper lobe taken from the ${finding.zone} lung zone (no lobe segmentation)`);
  if (spiculated !== undefined) {
    assumptions.push(`spiculated: spiculation score ${finding.spiculation!.toFixed(2)} ${spiculated ? '≥' : '<'} ${spiculatedFromScore}`);
  }
  if (report.comparedWithPrior) assumptions.push('the model was derived on nodules of the first screening CT');
  const result = brockProbability({
    patient: report.patient,
    nodule: { sizeMm: finding.longAxis.lengthMm, type: finding.type, upperLobe, spiculated, noduleCount },
    emphysema: report.emphysema,
  });
  return { ...result, assumptions };
}

function buildNodule(input: ReportNoduleInput, report: ReportInput): ReportNodule {
  const { finding } = input;
  const lungRads = assessNodule(
    {
      type: finding.type,
      meanDiameterMm: finding.meanDiameterMm,
      solidComponentMm: finding.solidComponentMm,
      juxtapleural: finding.juxtapleural,
      smoothMargins: input.smoothMargins,
      benignCalcificationOrFat: input.benignCalcificationOrFat,
      suspiciousFeatures: input.suspiciousFeatures,
    },
    priorComparison(input, report.comparedWithPrior),
  );
  return {
    index: finding.index,
    trackingUid: finding.trackingUid,
    detectorProbability: finding.probability,
    location: { laterality: finding.laterality, zone: finding.zone, juxtapleural: finding.juxtapleural },
    type: finding.type,
    size: {
      longAxisMm: tenth(finding.longAxis.lengthMm),
      shortAxisMm: tenth(finding.shortAxis.lengthMm),
      meanDiameterMm: finding.meanDiameterMm,
      ...(finding.solidComponentMm === undefined ? {} : { solidComponentMm: tenth(finding.solidComponentMm) }),
      volumeMm3: Math.round(finding.volumeMm3),
    },
    lungRads,
    brock: assessBrock(input, report, report.nodules.length),
    ...(input.change ? { change: input.change } : {}),
  };
}

/** The report of one analysis: each nodule scored, the exam categorised, the ACR management. */
export function buildReport(input: ReportInput): LungScreeningReport {
  const nodules = [...input.nodules]
    .sort((a, b) => a.finding.index - b.finding.index)
    .map((n) => buildNodule(n, input));
  const lungRads = assessExam(nodules.map((n) => n.lungRads), input.examAssessable);
  return {
    reportVersion: 1,
    analysis: { id: input.analysisId, performedAt: input.analysedAt, model: input.model },
    study: input.study,
    exam: { assessable: input.examAssessable, comparedWithPrior: input.comparedWithPrior, lungRads },
    nodules,
    notes: input.notes ?? [],
    recommendation: lungRads.management,
    standards: reportStandards,
    disclaimer: reportDisclaimer,
  };
}

/** The domain's per-finding assessment (for SR and the API) from a report nodule. */
export function toFindingAssessment(nodule: ReportNodule): FindingAssessment {
  return {
    lungRads: nodule.lungRads,
    ...(nodule.brock.probability === undefined ? {} : { brockProbability: nodule.brock.probability }),
    brockMissingInputs: nodule.brock.missingInputs,
  };
}
