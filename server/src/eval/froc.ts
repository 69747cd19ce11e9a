import type { ReferenceNodule, ScanMatch, ScoredDetection } from './match.ts';

/** One scan's detections after matching, with its reference nodules. */
export interface MatchedScan {
  readonly references: readonly ReferenceNodule[];
  readonly detections: readonly ScoredDetection[];
  readonly match: ScanMatch;
}

export interface FrocPoint {
  /** Detections scored >= threshold are kept. */
  readonly threshold: number;
  readonly fpPerScan: number;
  readonly sensitivity: number;
}

/** The FP rates of the LUNA16 Competition Performance Metric (Setio et al. 2017; Niemeijer et al. 2011). */
export const cpmFpRates = [1 / 8, 1 / 4, 1 / 2, 1, 2, 4, 8] as const;

/**
 * FROC operating points over a set of scans, one per distinct score, from (0, 0) up. Sensitivity
 * counts the included nodules hit at that threshold over all included nodules (missed ones too, so
 * the curve can end below 1). A hit on a nodule that is not included (another size band) counts
 * neither as hit nor as false positive, so each band is scored against the same false positives.
 */
export function frocCurve(
  scans: readonly MatchedScan[],
  include: (reference: ReferenceNodule) => boolean = () => true,
): FrocPoint[] {
  const total = scans.reduce((n, s) => n + s.references.filter(include).length, 0);
  const events: { probability: number; hit: boolean }[] = [];
  for (const scan of scans) {
    scan.match.outcomes.forEach((outcome, n) => {
      const probability = scan.detections[n].probability;
      if (outcome.kind === 'false-positive') events.push({ probability, hit: false });
      else if (outcome.kind === 'hit' && include(scan.references[outcome.referenceIndex])) events.push({ probability, hit: true });
    });
  }
  events.sort((a, b) => b.probability - a.probability);
  const points: FrocPoint[] = [{ threshold: Infinity, fpPerScan: 0, sensitivity: 0 }];
  let hits = 0;
  let falsePositives = 0;
  for (let n = 0; n < events.length; n++) {
    if (events[n].hit) hits++;
    else falsePositives++;
    if (n + 1 < events.length && events[n + 1].probability === events[n].probability) continue;
    points.push({
      threshold: events[n].probability,
      fpPerScan: scans.length ? falsePositives / scans.length : 0,
      sensitivity: total ? hits / total : 0,
    });
  }
  return points;
}

/**
 * Sensitivity at a FP rate, interpolated linearly between operating points as LUNA16's evaluation
 * script does (numpy.interp), and held at the last point beyond the curve's end. Where several
 * points share a FP rate, the highest sensitivity among them is the one reached at that rate.
 */
export function sensitivityAtFpRate(curve: readonly FrocPoint[], fpPerScan: number): number {
  let below: FrocPoint | undefined;
  for (const point of curve) {
    if (point.fpPerScan <= fpPerScan) below = point;
    else if (below) {
      const t = (fpPerScan - below.fpPerScan) / (point.fpPerScan - below.fpPerScan);
      return below.sensitivity + t * (point.sensitivity - below.sensitivity);
    }
  }
  return below?.sensitivity ?? 0;
}

/** Competition Performance Metric: mean sensitivity at 1/8 ... 8 FP per scan. */
export function competitionPerformanceMetric(curve: readonly FrocPoint[]): number {
  return cpmFpRates.reduce((s, rate) => s + sensitivityAtFpRate(curve, rate), 0) / cpmFpRates.length;
}
