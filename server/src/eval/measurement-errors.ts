import type { Finding } from '../domain/finding.ts';
import { diceCoefficient } from './mask-overlap.ts';
import type { ReferenceNodule } from './match.ts';

/** How a finding that hit a reference nodule measures against it. */
export interface HitMeasurement {
  readonly referenceId: string;
  /** Against the consensus (LIDC) or truth (phantom) mask; undefined when the reference has none. */
  readonly dice?: number;
  /** Finding minus reference (signed): positive = the finding measures larger. */
  readonly longAxisErrorMm: number;
  readonly volumeErrorMm3: number;
  /** Volume error relative to the reference volume, in percent. */
  readonly volumeErrorPercent: number;
}

export type MeasuredFinding = Pick<Finding, 'longAxis' | 'volumeMm3' | 'mask'>;

export function measureHit(reference: ReferenceNodule, finding: MeasuredFinding): HitMeasurement {
  const volumeErrorMm3 = finding.volumeMm3 - reference.volumeMm3;
  return {
    referenceId: reference.id,
    dice: reference.mask ? diceCoefficient(reference.mask, finding.mask) : undefined,
    longAxisErrorMm: finding.longAxis.lengthMm - reference.longAxisMm,
    volumeErrorMm3,
    volumeErrorPercent: (100 * volumeErrorMm3) / reference.volumeMm3,
  };
}

export interface MeasurementSummary {
  readonly count: number;
  readonly meanDice?: number;
  readonly meanLongAxisErrorMm?: number;
  readonly meanAbsLongAxisErrorMm?: number;
  readonly meanVolumeErrorPercent?: number;
  readonly meanAbsVolumeErrorPercent?: number;
}

function meanOf(values: readonly number[]): number | undefined {
  return values.length ? values.reduce((s, v) => s + v, 0) / values.length : undefined;
}

export function summarizeMeasurements(measurements: readonly HitMeasurement[]): MeasurementSummary {
  return {
    count: measurements.length,
    meanDice: meanOf(measurements.flatMap((m) => (m.dice === undefined ? [] : [m.dice]))),
    meanLongAxisErrorMm: meanOf(measurements.map((m) => m.longAxisErrorMm)),
    meanAbsLongAxisErrorMm: meanOf(measurements.map((m) => Math.abs(m.longAxisErrorMm))),
    meanVolumeErrorPercent: meanOf(measurements.map((m) => m.volumeErrorPercent)),
    meanAbsVolumeErrorPercent: meanOf(measurements.map((m) => Math.abs(m.volumeErrorPercent))),
  };
}
