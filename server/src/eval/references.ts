import type { LidcCase } from '../lidc/lidc-case.ts';
import type { PhantomTruth } from '../phantom/types.ts';
import { hitRadiusMm, type IgnoredRegion, type ReferenceNodule } from './match.ts';

/** What a scan is scored against: the nodules to find and the places where a detection is neither. */
export interface ScanReference {
  readonly nodules: readonly ReferenceNodule[];
  readonly ignored: readonly IgnoredRegion[];
}

/**
 * Ignore radius around a single-point LIDC mark (a nodule < 3 mm or a non-nodule): the lesion is
 * under 3 mm (or of unrecorded size), so 3 mm around the point covers it and one slice of
 * centroid error at 2.5 mm spacing.
 */
export const pointMarkIgnoreRadiusMm = 3;

/**
 * LIDC: the reference set (>= 3 mm, >= 3 of 4 readers) with the consensus mask and the readers'
 * mean long axis and volume; nodules outlined by fewer readers and point marks are ignored regions,
 * as in LUNA16's annotations_excluded.
 */
export function lidcReference(lidcCase: LidcCase): ScanReference {
  return {
    nodules: lidcCase.nodules.map((n) => ({
      id: `${lidcCase.caseId}#${n.index}`,
      centreMm: n.centreMm,
      diameterMm: n.longAxisMm,
      type: n.type,
      mask: n.consensusMask,
      longAxisMm: n.longAxisMm,
      volumeMm3: n.volumeMm3,
    })),
    ignored: [
      ...lidcCase.minorityNodules.map((n) => ({
        centreMm: n.centreMm,
        radiusMm: hitRadiusMm(n.longAxisMm),
        reason: `nodule outlined by ${n.readerCount} of ${lidcCase.readerIds.length} readers`,
      })),
      ...lidcCase.smallNodules.map((p) => ({ centreMm: p.centreMm, radiusMm: pointMarkIgnoreRadiusMm, reason: 'nodule < 3 mm' })),
      ...lidcCase.nonNodules.map((p) => ({ centreMm: p.centreMm, radiusMm: pointMarkIgnoreRadiusMm, reason: 'non-nodule' })),
    ],
  };
}

/** Phantom: every rendered nodule is to be found; its nominal diameter is the reference long axis. */
export function phantomReference(truth: PhantomTruth, scanId: string): ScanReference {
  return {
    nodules: truth.nodules.map((n) => ({
      id: `${scanId}#${n.index}`,
      centreMm: n.centreMm,
      diameterMm: n.diameterMm,
      type: n.spec.type,
      mask: n.mask,
      longAxisMm: n.diameterMm,
      volumeMm3: n.volumeMm3,
    })),
    ignored: [],
  };
}
