import type { NoduleType } from '../domain/finding.ts';
import type { BoxMask } from '../domain/mask.ts';
import { pointDistanceMm, type Vec3 } from '../domain/volume.ts';

/** A nodule a detector should find, in patient coordinates, with what a finding is measured against. */
export interface ReferenceNodule {
  readonly id: string;
  readonly centreMm: Vec3;
  /** Reference diameter (LIDC: readers' mean long axis; phantom: nominal diameter). */
  readonly diameterMm: number;
  readonly type?: NoduleType;
  /** Consensus (LIDC) or truth (phantom) mask, in the scan's voxel grid. */
  readonly mask?: BoxMask;
  readonly longAxisMm: number;
  readonly volumeMm3: number;
}

/**
 * A place where a detection is neither a hit nor a false positive (LUNA16's "irrelevant findings":
 * nodules < 3 mm, non-nodules, nodules >= 3 mm outlined by fewer than 3 readers).
 */
export interface IgnoredRegion {
  readonly centreMm: Vec3;
  readonly radiusMm: number;
  readonly reason: string;
}

export interface ScoredDetection {
  readonly centreMm: Vec3;
  readonly probability: number;
}

/**
 * A detection hits a reference nodule when its centre lies within the nodule's radius (half the
 * reference diameter), as in LUNA16 (Setio et al., Med Image Anal 42:1, 2017). The radius is at
 * least 1.5 mm (half of the 3 mm LIDC nodule threshold), so a tiny reference is not unhittable
 * because of centroid jitter of one voxel.
 */
export const minHitRadiusMm = 1.5;

export function hitRadiusMm(diameterMm: number): number {
  return Math.max(diameterMm / 2, minHitRadiusMm);
}

export type DetectionOutcome =
  | { readonly kind: 'hit'; readonly referenceIndex: number; readonly distanceMm: number }
  /** A second detection on a nodule already hit by a higher-scored one: neither hit nor false positive (LUNA16). */
  | { readonly kind: 'duplicate'; readonly referenceIndex: number }
  | { readonly kind: 'ignored'; readonly reason: string }
  | { readonly kind: 'false-positive' };

export interface ScanMatch {
  /** One per detection, in the detections' order. */
  readonly outcomes: readonly DetectionOutcome[];
  /** Per reference nodule: the index of the detection that hit it, or undefined (a miss). */
  readonly hitBy: readonly (number | undefined)[];
}

/**
 * Matches one scan's detections to its reference nodules. Each nodule is hit by the highest-scored
 * detection within its radius (nodules taken largest first, so a detection between two nodules goes
 * to the larger); other detections within a nodule's radius are duplicates; detections in an
 * ignored region are ignored; the rest are false positives.
 */
export function matchDetections(
  references: readonly ReferenceNodule[],
  detections: readonly ScoredDetection[],
  ignored: readonly IgnoredRegion[] = [],
): ScanMatch {
  const outcomes: (DetectionOutcome | undefined)[] = detections.map(() => undefined);
  const hitBy: (number | undefined)[] = references.map(() => undefined);
  const order = references.map((_, n) => n).sort((a, b) => references[b].diameterMm - references[a].diameterMm);
  for (const r of order) {
    const reference = references[r];
    const radius = hitRadiusMm(reference.diameterMm);
    const within = detections
      .map((d, n) => ({ n, d, distance: pointDistanceMm(d.centreMm, reference.centreMm) }))
      .filter(({ distance }) => distance <= radius);
    const best = within
      .filter(({ n }) => outcomes[n]?.kind !== 'hit')
      .sort((a, b) => b.d.probability - a.d.probability || a.distance - b.distance)[0];
    if (best) {
      outcomes[best.n] = { kind: 'hit', referenceIndex: r, distanceMm: best.distance };
      hitBy[r] = best.n;
    }
    for (const { n } of within) outcomes[n] ??= { kind: 'duplicate', referenceIndex: r };
  }
  return {
    hitBy,
    outcomes: outcomes.map((outcome, n) => {
      if (outcome) return outcome;
      const region = ignored.find((g) => pointDistanceMm(g.centreMm, detections[n].centreMm) <= g.radiusMm);
      return region ? { kind: 'ignored', reason: region.reason } : { kind: 'false-positive' };
    }),
  };
}
