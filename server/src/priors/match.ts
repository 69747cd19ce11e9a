/**
 * Pairs the nodules of the current scan with those of the prior once the scans are registered:
 * the closest pairs first, each nodule in at most one pair, a pair only when its centres lie
 * within a distance that grows with the nodules' size.
 */
import type { LungRadsCategory } from '../domain/assessment.ts';
import { pointDistanceMm, type Vec3 } from '../domain/volume.ts';
import { applyTransform, type RigidTransform } from './register.ts';

/** A nodule at one time point, as the comparison needs it. */
export interface NoduleAtTime {
  /** The finding's database id. */
  readonly id: string;
  readonly index: number;
  readonly trackingUid: string;
  /** Centroid in the patient coordinates of its own scan (mm). */
  readonly centroidMm: Vec3;
  readonly meanDiameterMm: number;
  readonly volumeMm3: number;
  readonly solidComponentMm?: number;
  /** Its Lung-RADS category on that exam, where assessed (stepped management of stable nodules). */
  readonly lungRadsCategory?: LungRadsCategory;
}

export interface MatchOptions {
  /**
   * What the registration and breathing leave between the two positions of one nodule (mm).
   * Rigid registration on the lungs is good to 1-2 mm on phantoms; between two breath holds
   * lower-lobe nodules move several millimetres more (Plathow et al., Invest Radiol 39(4), 2004),
   * hence 8 mm.
   */
  readonly slackMm?: number;
  /** Share of the larger diameter added to the slack: a nodule's centre may shift as it grows. */
  readonly diameterShare?: number;
}

export interface MatchedPair {
  readonly current: NoduleAtTime;
  readonly prior: NoduleAtTime;
  /** Distance of the centres after registration (mm). */
  readonly distanceMm: number;
}

export interface NoduleMatching {
  readonly pairs: readonly MatchedPair[];
  /** In the current scan only. */
  readonly unmatchedCurrent: readonly NoduleAtTime[];
  /** In the prior scan only. */
  readonly unmatchedPrior: readonly NoduleAtTime[];
}

/** The largest centre distance (mm) at which two nodules of these diameters are the same nodule. */
export function matchToleranceMm(a: number, b: number, options: MatchOptions = {}): number {
  return (options.slackMm ?? 8) + (options.diameterShare ?? 0.5) * Math.max(a, b);
}

/** Greedy matching by increasing registered distance; `toPrior` maps current patient mm to the prior's. */
export function matchNodules(current: readonly NoduleAtTime[], prior: readonly NoduleAtTime[], toPrior: RigidTransform, options: MatchOptions = {}): NoduleMatching {
  const candidates: MatchedPair[] = [];
  for (const c of current) {
    const moved = applyTransform(toPrior, c.centroidMm);
    for (const p of prior) {
      const distanceMm = pointDistanceMm(moved, p.centroidMm);
      if (distanceMm <= matchToleranceMm(c.meanDiameterMm, p.meanDiameterMm, options)) candidates.push({ current: c, prior: p, distanceMm });
    }
  }
  candidates.sort((a, b) => a.distanceMm - b.distanceMm);
  const usedCurrent = new Set<string>();
  const usedPrior = new Set<string>();
  const pairs: MatchedPair[] = [];
  for (const pair of candidates) {
    if (usedCurrent.has(pair.current.id) || usedPrior.has(pair.prior.id)) continue;
    usedCurrent.add(pair.current.id);
    usedPrior.add(pair.prior.id);
    pairs.push(pair);
  }
  return {
    pairs,
    unmatchedCurrent: current.filter((c) => !usedCurrent.has(c.id)),
    unmatchedPrior: prior.filter((p) => !usedPrior.has(p.id)),
  };
}
