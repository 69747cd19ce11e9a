/**
 * What changed per nodule between the prior and the current scan, from the matching: each current
 * nodule new, stable, growing or shrinking (with diameter and volume change, volume doubling time
 * and its NELSON band, `clinical/growth.ts`), and each prior nodule without a partner resolved.
 */
import { compareNodules, type NoduleChange } from '../clinical/growth.ts';
import type { LungRadsCategory } from '../domain/assessment.ts';
import type { Vec3 } from '../domain/volume.ts';
import type { NoduleAtTime, NoduleMatching } from './match.ts';

/** The prior nodule a current one was matched with. */
export interface PriorNoduleRef {
  readonly priorFindingId: string;
  readonly priorIndex: number;
  readonly priorTrackingUid: string;
  readonly priorVolumeMm3: number;
  readonly priorSolidComponentMm?: number;
  readonly priorCategory?: LungRadsCategory;
}

/** Stored in `findings.change` of a current nodule. */
export type FindingChange = NoduleChange & Partial<PriorNoduleRef> & {
  /** Current minus prior volume (mm³). */
  readonly volumeChangeMm3?: number;
  /** Distance of the two centres after registration (mm): how sure the pairing is. */
  readonly registeredDistanceMm?: number;
};

/** A prior nodule that the current scan no longer shows. */
export type ResolvedNodule = NoduleChange & PriorNoduleRef & { readonly priorCentroidMm: Vec3; readonly priorMeanDiameterMm: number };

export interface NoduleComparison {
  /** By the current nodule's id. */
  readonly changes: ReadonlyMap<string, FindingChange>;
  readonly resolved: readonly ResolvedNodule[];
}

function priorRef(prior: NoduleAtTime): PriorNoduleRef {
  return {
    priorFindingId: prior.id,
    priorIndex: prior.index,
    priorTrackingUid: prior.trackingUid,
    priorVolumeMm3: prior.volumeMm3,
    ...(prior.solidComponentMm === undefined ? {} : { priorSolidComponentMm: prior.solidComponentMm }),
    ...(prior.lungRadsCategory === undefined ? {} : { priorCategory: prior.lungRadsCategory }),
  };
}

const size = (n: NoduleAtTime) => ({ meanDiameterMm: n.meanDiameterMm, volumeMm3: n.volumeMm3 });

export function compareMatchedNodules(matching: NoduleMatching, intervalDays: number): NoduleComparison {
  const changes = new Map<string, FindingChange>();
  for (const { current, prior, distanceMm } of matching.pairs) {
    changes.set(current.id, {
      ...compareNodules({ prior: size(prior), current: size(current), intervalDays }),
      ...priorRef(prior),
      volumeChangeMm3: current.volumeMm3 - prior.volumeMm3,
      registeredDistanceMm: distanceMm,
    });
  }
  for (const current of matching.unmatchedCurrent) changes.set(current.id, compareNodules({ current: size(current), intervalDays }));
  const resolved = matching.unmatchedPrior.map((prior): ResolvedNodule => ({
    ...compareNodules({ prior: size(prior), intervalDays }),
    ...priorRef(prior),
    priorMeanDiameterMm: prior.meanDiameterMm,
    priorCentroidMm: prior.centroidMm,
  }));
  return { changes, resolved };
}
