/**
 * Change of a nodule between a prior and a current CT: volume doubling time, the NELSON growth
 * bands, percent volume change, mean diameter change, and the status Lung-RADS reads.
 *
 * Which threshold decides the status (a documented choice):
 * - `growing` / `shrinking` follow Lung-RADS v2022 (ACR, "Lung-RADS v2022", Notes: growth is an
 *   increase in mean diameter of > 1.5 mm within 12 months), because the Lung-RADS category
 *   depends on that status and must not be raised by a criterion ACR does not use. A decrease of
 *   > 1.5 mm is called shrinking by symmetry; Lung-RADS treats "stable or decreased" alike.
 *   Over an interval longer than 12 months an increase > 1.5 mm is still called growing: such a
 *   solid or part-solid nodule meets Lung-RADS' "slow growing ... over multiple screening exams"
 *   (4B) anyway, so this reading does not lower any category. `withinLungRadsInterval` says
 *   which case applies, for the reader.
 * - The volumetric criterion of NELSON (van Klaveren et al., NEJM 2009;361:2221-2229: a volume
 *   change of >= 25 % is significant, below it is within measurement error) is reported beside the
 *   status as `volumeChange`, together with the volume doubling time and its NELSON band
 *   (Horeweg et al., Lancet Oncol 2014;15:1332-1341: VDT < 400 days positive, 400-600 days
 *   indeterminate, > 600 days negative). Volumetry sees change in small nodules much earlier than
 *   diameters (+25 % volume is only +7.7 % diameter), which is why it informs, not decides.
 */

export type ComparisonStatus = 'new' | 'stable' | 'growing' | 'shrinking' | 'resolved';

/** Lung-RADS v2022 growth: mean diameter increase > 1.5 mm (ACR Lung-RADS v2022, Notes). */
export const lungRadsGrowthMm = 1.5;
/** Lung-RADS v2022 counts growth "within a 12-month interval" (ACR Lung-RADS v2022, Notes). */
export const lungRadsGrowthIntervalMonths = 12;
/** NELSON: volume change >= 25 % is significant (van Klaveren et al., NEJM 2009;361:2221-2229). */
export const nelsonSignificantVolumeChangePercent = 25;
/** NELSON VDT bands in days (Horeweg et al., Lancet Oncol 2014;15:1332-1341; van Klaveren 2009). */
export const nelsonFastVdtDays = 400;
export const nelsonSlowVdtDays = 600;

/** Mean length of a month in days (365.25 / 12), to turn a study-date interval into months. */
const daysPerMonth = 365.25 / 12;

export type NelsonVdtBand = 'fast' | 'indeterminate' | 'slow' | 'no-growth';
export type VolumeChange = 'significant-increase' | 'significant-decrease' | 'within-measurement-error';

/** The measurements of one nodule at one time point that change is computed from. */
export interface NoduleSize {
  readonly meanDiameterMm: number;
  readonly volumeMm3: number;
}

/** A matched pair: `prior` absent means new, `current` absent means resolved. */
export interface NodulePair {
  readonly prior?: NoduleSize;
  readonly current?: NoduleSize;
  /** Days between the prior and the current CT. */
  readonly intervalDays: number;
}

export interface NoduleChange {
  readonly status: ComparisonStatus;
  readonly intervalDays: number;
  readonly intervalMonths: number;
  readonly priorMeanDiameterMm?: number;
  /** Current minus prior mean diameter (mm); both present only. */
  readonly meanDiameterChangeMm?: number;
  /** False when the interval is longer than Lung-RADS' 12 months (see the module comment). */
  readonly withinLungRadsInterval: boolean;
  readonly percentVolumeChange?: number;
  readonly volumeChange?: VolumeChange;
  /** Days; negative when the nodule shrank (a halving time); absent when the volume did not change. */
  readonly volumeDoublingTimeDays?: number;
  readonly vdtBand?: NelsonVdtBand;
}

function requirePositive(value: number, name: string): void {
  if (!(Number.isFinite(value) && value > 0)) {
    throw new RangeError(`${name} must be a positive finite number, got ${value}`);
  }
}

/**
 * Volume doubling time in days: interval × ln 2 / ln(V2 / V1) (Schwartz's exponential growth
 * model, as used by NELSON). Infinity when V2 = V1; negative when the nodule shrank.
 */
export function volumeDoublingTimeDays(priorVolumeMm3: number, currentVolumeMm3: number, intervalDays: number): number {
  requirePositive(priorVolumeMm3, 'priorVolumeMm3');
  requirePositive(currentVolumeMm3, 'currentVolumeMm3');
  requirePositive(intervalDays, 'intervalDays');
  const logRatio = Math.log(currentVolumeMm3 / priorVolumeMm3);
  return logRatio === 0 ? Infinity : (intervalDays * Math.LN2) / logRatio;
}

/** NELSON band of a volume doubling time: < 400 d fast, 400-600 d indeterminate, > 600 d slow. */
export function nelsonVdtBand(vdtDays: number): NelsonVdtBand {
  if (Number.isNaN(vdtDays)) throw new RangeError('vdtDays must be a number, got NaN');
  if (vdtDays <= 0 || vdtDays === Infinity) return 'no-growth';
  if (vdtDays < nelsonFastVdtDays) return 'fast';
  if (vdtDays <= nelsonSlowVdtDays) return 'indeterminate';
  return 'slow';
}

/** (V2 - V1) / V1 × 100. */
export function percentVolumeChange(priorVolumeMm3: number, currentVolumeMm3: number): number {
  requirePositive(priorVolumeMm3, 'priorVolumeMm3');
  return ((currentVolumeMm3 - priorVolumeMm3) / priorVolumeMm3) * 100;
}

function classifyVolumeChange(percent: number): VolumeChange {
  if (percent >= nelsonSignificantVolumeChangePercent) return 'significant-increase';
  if (percent <= -nelsonSignificantVolumeChangePercent) return 'significant-decrease';
  return 'within-measurement-error';
}

/** Differences of mean diameters are rounded to 0.1 mm, the precision Lung-RADS measures in. */
function roundTenth(value: number): number {
  return Math.round(value * 10) / 10;
}

/** Status and measures of change of one matched nodule pair. */
export function compareNodules(pair: NodulePair): NoduleChange {
  requirePositive(pair.intervalDays, 'intervalDays');
  const intervalMonths = pair.intervalDays / daysPerMonth;
  const base = {
    intervalDays: pair.intervalDays,
    intervalMonths,
    withinLungRadsInterval: intervalMonths <= lungRadsGrowthIntervalMonths,
  };
  const { prior, current } = pair;
  if (!prior && !current) throw new RangeError('a nodule pair needs a prior or a current nodule');
  if (!prior) return { ...base, status: 'new' };
  if (!current) return { ...base, status: 'resolved', priorMeanDiameterMm: prior.meanDiameterMm };

  const meanDiameterChangeMm = roundTenth(current.meanDiameterMm - prior.meanDiameterMm);
  const status: ComparisonStatus =
    meanDiameterChangeMm > lungRadsGrowthMm ? 'growing' : meanDiameterChangeMm < -lungRadsGrowthMm ? 'shrinking' : 'stable';
  const percent = percentVolumeChange(prior.volumeMm3, current.volumeMm3);
  const vdt = volumeDoublingTimeDays(prior.volumeMm3, current.volumeMm3, pair.intervalDays);
  return {
    ...base,
    status,
    priorMeanDiameterMm: prior.meanDiameterMm,
    meanDiameterChangeMm,
    percentVolumeChange: percent,
    volumeChange: classifyVolumeChange(percent),
    // Left out rather than Infinity, which JSON cannot carry; the band says 'no-growth'.
    ...(Number.isFinite(vdt) ? { volumeDoublingTimeDays: vdt } : {}),
    vdtBand: nelsonVdtBand(vdt),
  };
}
