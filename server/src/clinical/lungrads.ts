/**
 * Lung-RADS v2022 (American College of Radiology, "Lung-RADS v2022", released November 2022:
 * the assessment categories chart and its Notes), per nodule and per exam.
 *
 * The chart is kept below as data (`lungRadsChart`), one row per size range of the ACR table,
 * and the code only looks rows up. What the chart states as transitions rather than sizes
 * (stable nodules, category 0, category 4X, calcified nodules) is handled in code, each with the
 * ACR wording it implements. The S modifier is left to the reader. Quoted chart wording is as
 * transcribed here from the ACR chart; re-check it against the ACR PDF when the chart is revised.
 *
 * Readings of the chart where it is not explicit, stated so they can be checked:
 * - A new part-solid nodule < 6 mm total mean diameter is 3, whatever its solid component; the
 *   4A/4B rows for new part-solid nodules ("new or growing < 4 mm / >= 4 mm solid component") are
 *   applied from 6 mm total mean diameter up. A growing part-solid nodule is graded by its solid
 *   component at any total size.
 * - A growing ground-glass nodule >= 30 mm is 2 (ACR: "stable or slowly growing"); a rapidly
 *   growing one is for the reader (the rule text says so).
 * - "Stable or decreased in size" steps down from the prior exam's category as v2022's stepped
 *   management says (3 → 2 at the 6-month follow-up, 4A → 3 at the 3-month follow-up); 4B is
 *   kept (no step-down in v2022; a 4B nodule proven benign becomes 2, which is the reader's call).
 *   A stable nodule whose prior category was 1 or 2 is 2 (benign by indolent behaviour). The
 *   step-down is applied at any follow-up interval; the rule text names the prior category.
 *   When the prior category is not given it is taken as the baseline category of the prior size.
 */
import type { LungRadsCategory, LungRadsResult } from '../domain/assessment.ts';
import type { NoduleType } from '../domain/finding.ts';
import type { ComparisonStatus } from './growth.ts';

/** When a nodule is seen: first screening exam, new since the prior, or grown (Lung-RADS growth). */
export type NoduleTiming = 'baseline' | 'new' | 'growing';

/** [min, max) in mm; `max` undefined = no upper bound. */
export interface SizeRange {
  readonly min: number;
  readonly max?: number;
}

export type ChartNoduleKind = 'solid' | 'juxtapleural-solid' | 'part-solid' | 'ground-glass';

/** One row of the ACR Lung-RADS v2022 chart. */
export interface LungRadsChartRow {
  readonly kind: ChartNoduleKind;
  readonly timings: readonly NoduleTiming[];
  /** Mean diameter (total mean diameter for part-solid nodules). */
  readonly meanDiameter: SizeRange;
  /** Mean diameter of the solid component; part-solid rows only. */
  readonly solidComponent?: SizeRange;
  readonly category: LungRadsCategory;
  /** Wording added to the generated rule text where the ACR chart qualifies the row. */
  readonly qualifier?: string;
}

const all: SizeRange = { min: 0 };

/**
 * ACR Lung-RADS v2022 assessment categories chart, rows for solid, juxtapleural, part-solid and
 * ground-glass (non-solid) nodules, sizes as mean diameters (ACR gives volumes beside them:
 * 34, 113, 268, 524, 1767, 14137 mm³ for 4, 6, 8, 10, 15, 30 mm; this service grades by diameter).
 * Juxtapleural rows come first: they take precedence over the solid rows they overlap.
 */
export const lungRadsChart: readonly LungRadsChartRow[] = [
  // Category 2: "Juxtapleural nodule(s): < 10 mm (524 mm³) mean diameter at baseline or new AND
  // solid; smooth margins; and oval, lentiform or triangular shape".
  {
    kind: 'juxtapleural-solid', timings: ['baseline', 'new'], meanDiameter: { min: 0, max: 10 }, category: '2',
    qualifier: 'smooth margins, oval, lentiform or triangular shape',
  },
  // Solid: 2 "< 6 mm at baseline"; 3 ">= 6 to < 8 mm at baseline"; 4A ">= 8 to < 15 mm at
  // baseline"; 4B ">= 15 mm at baseline".
  { kind: 'solid', timings: ['baseline'], meanDiameter: { min: 0, max: 6 }, category: '2' },
  { kind: 'solid', timings: ['baseline'], meanDiameter: { min: 6, max: 8 }, category: '3' },
  { kind: 'solid', timings: ['baseline'], meanDiameter: { min: 8, max: 15 }, category: '4A' },
  { kind: 'solid', timings: ['baseline'], meanDiameter: { min: 15 }, category: '4B' },
  // Solid, new: 2 "new < 4 mm"; 3 "new 4 mm to < 6 mm"; 4A "new 6 to < 8 mm"; 4B "new ... >= 8 mm".
  { kind: 'solid', timings: ['new'], meanDiameter: { min: 0, max: 4 }, category: '2' },
  { kind: 'solid', timings: ['new'], meanDiameter: { min: 4, max: 6 }, category: '3' },
  { kind: 'solid', timings: ['new'], meanDiameter: { min: 6, max: 8 }, category: '4A' },
  { kind: 'solid', timings: ['new'], meanDiameter: { min: 8 }, category: '4B' },
  // Solid, growing: 4A "growing < 8 mm"; 4B "growing >= 8 mm".
  { kind: 'solid', timings: ['growing'], meanDiameter: { min: 0, max: 8 }, category: '4A' },
  { kind: 'solid', timings: ['growing'], meanDiameter: { min: 8 }, category: '4B' },
  // Part-solid, baseline: 2 "< 6 mm total mean diameter"; 3 ">= 6 mm total mean diameter with
  // solid component < 6 mm"; 4A ">= 6 mm total mean diameter with solid component >= 6 mm to
  // < 8 mm"; 4B "solid component >= 8 mm".
  { kind: 'part-solid', timings: ['baseline'], meanDiameter: { min: 0, max: 6 }, solidComponent: all, category: '2' },
  { kind: 'part-solid', timings: ['baseline'], meanDiameter: { min: 6 }, solidComponent: { min: 0, max: 6 }, category: '3' },
  { kind: 'part-solid', timings: ['baseline'], meanDiameter: { min: 6 }, solidComponent: { min: 6, max: 8 }, category: '4A' },
  { kind: 'part-solid', timings: ['baseline'], meanDiameter: { min: 6 }, solidComponent: { min: 8 }, category: '4B' },
  // Part-solid, new: 3 "new < 6 mm total mean diameter"; 4A "new or growing < 4 mm solid
  // component"; 4B "new or growing >= 4 mm solid component".
  { kind: 'part-solid', timings: ['new'], meanDiameter: { min: 0, max: 6 }, solidComponent: all, category: '3' },
  { kind: 'part-solid', timings: ['new'], meanDiameter: { min: 6 }, solidComponent: { min: 0, max: 4 }, category: '4A' },
  { kind: 'part-solid', timings: ['new'], meanDiameter: { min: 6 }, solidComponent: { min: 4 }, category: '4B' },
  { kind: 'part-solid', timings: ['growing'], meanDiameter: all, solidComponent: { min: 0, max: 4 }, category: '4A' },
  { kind: 'part-solid', timings: ['growing'], meanDiameter: all, solidComponent: { min: 4 }, category: '4B' },
  // Ground-glass (non-solid): 2 "< 30 mm at baseline, new, or growing" and ">= 30 mm stable or
  // slowly growing"; 3 ">= 30 mm at baseline or new".
  { kind: 'ground-glass', timings: ['baseline', 'new', 'growing'], meanDiameter: { min: 0, max: 30 }, category: '2' },
  { kind: 'ground-glass', timings: ['baseline', 'new'], meanDiameter: { min: 30 }, category: '3' },
  {
    kind: 'ground-glass', timings: ['growing'], meanDiameter: { min: 30 }, category: '2',
    qualifier: 'ACR: slowly growing; a rapidly growing one is for the reader',
  },
];

/** ACR Lung-RADS v2022 management per category (chart column "Management"). */
export const lungRadsManagement: Readonly<Record<LungRadsCategory, string>> = {
  '0': 'Additional lung cancer screening CT imaging needed, or comparison to prior chest CT examination(s) being located',
  '1': '12-month screening LDCT',
  '2': '12-month screening LDCT',
  '3': '6-month LDCT',
  '4A': '3-month LDCT; PET/CT may be considered if there is a ≥ 8 mm (≥ 268 mm³) solid nodule or solid component',
  '4B':
    'Diagnostic chest CT with or without contrast; PET/CT may be considered if there is a ≥ 8 mm (≥ 268 mm³) solid nodule or solid component; tissue sampling; and/or referral for further clinical evaluation. Management depends on clinical evaluation, patient preference, and risk of malignancy',
  '4X':
    'Diagnostic chest CT with or without contrast; PET/CT may be considered if there is a ≥ 8 mm (≥ 268 mm³) solid nodule or solid component; tissue sampling; and/or referral for further clinical evaluation. Management depends on clinical evaluation, patient preference, and risk of malignancy',
};

/** Exam order for "the exam takes the highest category"; 4X ranks above 4B (more suspicious). */
const categoryRank: Readonly<Record<LungRadsCategory, number>> = {
  '0': -1, '1': 0, '2': 1, '3': 2, '4A': 3, '4B': 4, '4X': 5,
};

/** v2022 stepped management: "stable or decreased in size" at follow-up. */
const stableStepDown: Partial<Record<LungRadsCategory, LungRadsCategory>> = {
  // 2: "Category 3 lesion(s) that are stable or decreased in size at 6-month follow-up CT".
  '3': '2',
  // 3: "Category 4A lesion that is stable or decreased in size at 3-month follow-up CT".
  '4A': '3',
};

/** What Lung-RADS needs to know about one nodule on the current exam. */
export interface LungRadsNodule {
  readonly type: NoduleType;
  /** (long + short) / 2 rounded to 0.1 mm: see `lungRadsMeanDiameterMm`. */
  readonly meanDiameterMm: number;
  /** Mean diameter of the solid component; required for part-solid nodules. */
  readonly solidComponentMm?: number;
  readonly juxtapleural: boolean;
  /**
   * ACR's juxtapleural criteria other than size: "smooth margins; and oval, lentiform or
   * triangular shape". Unknown counts as not met, so no nodule is downgraded on a guess.
   */
  readonly smoothMargins?: boolean;
  /** Category 1: "complete, central, popcorn, concentric rings and fat containing nodules". */
  readonly benignCalcificationOrFat?: boolean;
  /**
   * 4X: "Category 3 or 4 nodules with additional features or imaging findings that increase the
   * suspicion of lung cancer". The reader decides; the service never sets it by itself.
   */
  readonly suspiciousFeatures?: boolean;
}

/** How the nodule compares with the prior exam; absent means a baseline exam. */
export interface PriorComparison {
  readonly status: ComparisonStatus;
  readonly intervalMonths?: number;
  readonly priorMeanDiameterMm?: number;
  readonly priorSolidComponentMm?: number;
  /** The nodule's category on the prior exam, for v2022's stepped management of stable nodules. */
  readonly priorCategory?: LungRadsCategory;
  /** 4B: "Slow growing solid or part solid nodule that demonstrates growth over multiple screening exams". */
  readonly slowGrowthOverMultipleExams?: boolean;
}

export type ExamAssessability = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * Lung-RADS mean diameter: the average of long and short axis, rounded to one decimal place
 * (ACR Lung-RADS v2022, Notes on nodule measurement). Half-up; the 1e-9 keeps decimal inputs such as
 * 5.95 + 5.95 (stored just below 11.9 in binary) from rounding down.
 */
export function lungRadsMeanDiameterMm(longAxisMm: number, shortAxisMm: number): number {
  if (!(longAxisMm >= 0 && shortAxisMm >= 0 && shortAxisMm <= longAxisMm)) {
    throw new RangeError(`axes must satisfy 0 <= shortAxisMm <= longAxisMm, got long ${longAxisMm}, short ${shortAxisMm}`);
  }
  return Math.round((longAxisMm + shortAxisMm) * 5 + 1e-9) / 10;
}

function inRange(value: number, range: SizeRange): boolean {
  return value >= range.min && (range.max === undefined || value < range.max);
}

function describeRange(range: SizeRange): string {
  if (range.max === undefined) return `≥ ${range.min} mm`;
  if (range.min === 0) return `< ${range.max} mm`;
  return `${range.min} to < ${range.max} mm`;
}

const kindLabels: Readonly<Record<ChartNoduleKind, string>> = {
  solid: 'Solid nodule',
  'juxtapleural-solid': 'Juxtapleural solid nodule',
  'part-solid': 'Part-solid nodule',
  'ground-glass': 'Ground-glass (non-solid) nodule',
};

function describeRow(row: LungRadsChartRow, timing: NoduleTiming): string {
  const sizes: string[] = [];
  const diameterName = row.kind === 'part-solid' ? 'total mean diameter' : 'mean diameter';
  if (row.meanDiameter !== all) sizes.push(`${diameterName} ${describeRange(row.meanDiameter)}`);
  if (row.solidComponent && row.solidComponent !== all) sizes.push(`solid component ${describeRange(row.solidComponent)}`);
  const qualifier = row.qualifier ? ` (${row.qualifier})` : '';
  return `${kindLabels[row.kind]}, ${timing}, ${sizes.join(', ')}${qualifier} → ${row.category}`;
}

function result(category: LungRadsCategory, rule: string): LungRadsResult {
  return { category, rule, management: lungRadsManagement[category] };
}

function validateNodule(nodule: LungRadsNodule): void {
  if (!(Number.isFinite(nodule.meanDiameterMm) && nodule.meanDiameterMm > 0)) {
    throw new RangeError(`meanDiameterMm must be a positive number, got ${nodule.meanDiameterMm}`);
  }
  if (nodule.type === 'part-solid') {
    const solid = nodule.solidComponentMm;
    if (solid === undefined) {
      throw new RangeError('solidComponentMm is required for a part-solid nodule: Lung-RADS grades it by its solid component');
    }
    if (!(solid > 0 && solid <= nodule.meanDiameterMm)) {
      throw new RangeError(`solidComponentMm must be > 0 and <= meanDiameterMm (${nodule.meanDiameterMm}), got ${solid}`);
    }
  }
}

/** The chart row for a nodule seen at baseline, new or growing. */
export function findChartRow(nodule: LungRadsNodule, timing: NoduleTiming): LungRadsChartRow {
  const juxtapleuralBenign = nodule.type === 'solid' && nodule.juxtapleural && nodule.smoothMargins === true;
  const row = lungRadsChart.find(
    (r) =>
      r.timings.includes(timing) &&
      (r.kind === nodule.type || (r.kind === 'juxtapleural-solid' && juxtapleuralBenign)) &&
      inRange(nodule.meanDiameterMm, r.meanDiameter) &&
      (r.solidComponent === undefined || inRange(nodule.solidComponentMm ?? 0, r.solidComponent)),
  );
  if (!row) throw new Error(`no Lung-RADS chart row for a ${timing} ${nodule.type} nodule of ${nodule.meanDiameterMm} mm`);
  return row;
}

function assessByChart(nodule: LungRadsNodule, timing: NoduleTiming): LungRadsResult {
  const row = findChartRow(nodule, timing);
  return result(row.category, describeRow(row, timing));
}

function assessStable(nodule: LungRadsNodule, comparison: PriorComparison): LungRadsResult {
  const change = comparison.status === 'shrinking' ? 'decreased in size' : 'stable';
  if (comparison.slowGrowthOverMultipleExams && nodule.type !== 'ground-glass') {
    return result('4B', `${kindLabels[nodule.type]}, slow growth over multiple screening exams → 4B`);
  }
  let prior = comparison.priorCategory;
  let priorSource = 'prior category';
  if (prior === undefined) {
    const priorSize: LungRadsNodule = {
      ...nodule,
      meanDiameterMm: comparison.priorMeanDiameterMm ?? nodule.meanDiameterMm,
      solidComponentMm: comparison.priorSolidComponentMm ?? nodule.solidComponentMm,
    };
    prior = assessByChart(priorSize, 'baseline').category;
    priorSource = 'prior category taken as the baseline category of the prior size';
  }
  const stepped = stableStepDown[prior];
  if (stepped) {
    return result(stepped, `${kindLabels[nodule.type]}, category ${prior} ${change} at follow-up (${priorSource}) → ${stepped}`);
  }
  if (prior === '4B' || prior === '4X') {
    return result(prior, `${kindLabels[nodule.type]}, category ${prior} ${change} (${priorSource}): no step-down in v2022, for clinical evaluation → ${prior}`);
  }
  return result('2', `${kindLabels[nodule.type]}, ${change} since the prior exam (${priorSource} ${prior}) → 2`);
}

/** Lung-RADS v2022 category of one nodule, with the rule that produced it and ACR management. */
export function assessNodule(nodule: LungRadsNodule, comparison?: PriorComparison): LungRadsResult {
  if (comparison?.status === 'resolved') return result('1', 'Nodule resolved since the prior exam → 1');
  validateNodule(nodule);
  if (nodule.benignCalcificationOrFat) {
    return result('1', 'Nodule with a benign pattern of calcification or fat (complete, central, popcorn, concentric rings, fat) → 1');
  }
  const base =
    comparison === undefined
      ? assessByChart(nodule, 'baseline')
      : comparison.status === 'new' || comparison.status === 'growing'
        ? assessByChart(nodule, comparison.status)
        : assessStable(nodule, comparison);
  if (nodule.suspiciousFeatures && categoryRank[base.category] >= categoryRank['3']) {
    return result('4X', `${base.rule}; additional features that increase the suspicion of lung cancer (reader) → 4X`);
  }
  return base;
}

/**
 * The exam's category: 0 when the exam cannot be assessed ("part or all of lungs cannot be
 * evaluated", "prior chest CT examination(s) being located for comparison"), 1 with no nodules
 * ("no lung nodules"), else the highest category among the nodules (ACR Lung-RADS v2022, Notes:
 * the exam is categorised by its most suspicious finding).
 */
export function assessExam(nodules: readonly LungRadsResult[], assessable: ExamAssessability = { ok: true }): LungRadsResult {
  if (!assessable.ok) return result('0', `Exam cannot be assessed: ${assessable.reason} → 0`);
  if (nodules.length === 0) return result('1', 'No lung nodules → 1');
  const highest = nodules.reduce((a, b) => (categoryRank[b.category] > categoryRank[a.category] ? b : a));
  return { ...highest, rule: `Highest nodule category: ${highest.rule}` };
}
