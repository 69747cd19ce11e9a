import { competitionPerformanceMetric, cpmFpRates, frocCurve, sensitivityAtFpRate, type MatchedScan } from './froc.ts';
import type { ReferenceNodule } from './match.ts';

/**
 * Size bands (reference diameter, mm, lower bound inclusive). 3 mm is LIDC's nodule threshold;
 * 4, 6, 8 and 15 mm are the solid-nodule size steps of Lung-RADS v2022 (4 mm: Lung-RADS 2 vs 3 for
 * new nodules; 6 / 8 / 15 mm: categories 3, 4A, 4B).
 */
export const sizeBands = [
  { label: '<3 mm', min: 0, max: 3 },
  { label: '3-<4 mm', min: 3, max: 4 },
  { label: '4-<6 mm', min: 4, max: 6 },
  { label: '6-<8 mm', min: 6, max: 8 },
  { label: '8-<15 mm', min: 8, max: 15 },
  { label: '>=15 mm', min: 15, max: Infinity },
] as const;

export function sizeBandOf(diameterMm: number): string {
  return sizeBands.find((b) => diameterMm >= b.min && diameterMm < b.max)!.label;
}

export interface StratumScore {
  readonly stratum: string;
  readonly nodules: number;
  /** Nodules hit at any threshold. */
  readonly hits: number;
  /** Sensitivity at each of the CPM FP rates (cpmFpRates), then their mean. */
  readonly sensitivities: readonly number[];
  readonly cpm: number;
}

/** Sensitivity at the CPM FP rates and CPM per stratum (size band, type), each against all false positives. */
export function scoreByStratum(
  scans: readonly MatchedScan[],
  stratumOf: (reference: ReferenceNodule) => string | undefined,
  order: readonly string[] = [],
): StratumScore[] {
  const strata = new Set<string>();
  for (const scan of scans) for (const r of scan.references) {
    const s = stratumOf(r);
    if (s !== undefined) strata.add(s);
  }
  const rank = (s: string) => (order.includes(s) ? order.indexOf(s) : order.length);
  return [...strata].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b)).map((stratum) => {
    const include = (r: ReferenceNodule) => stratumOf(r) === stratum;
    const curve = frocCurve(scans, include);
    return {
      stratum,
      nodules: scans.reduce((n, s) => n + s.references.filter(include).length, 0),
      hits: scans.reduce((n, s) => n + s.match.hitBy.filter((d, r) => d !== undefined && include(s.references[r])).length, 0),
      sensitivities: cpmFpRates.map((rate) => sensitivityAtFpRate(curve, rate)),
      cpm: competitionPerformanceMetric(curve),
    };
  });
}
