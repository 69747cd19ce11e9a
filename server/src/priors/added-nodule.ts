/**
 * The change of a nodule a reader adds to an analysis that was compared with a prior. The
 * comparison stored each finding's pairing but not the registration, so the prior position is
 * found with the mean offset of the pairs already made (rotation between follow-ups is a few
 * degrees: under 1 mm across a nodule's match tolerance); without pairs the scans are taken as
 * aligned. Only prior nodules no other finding took can be its partner.
 */
import { compareMatchedNodules, type FindingChange } from './compare.ts';
import { matchNodules, type NoduleAtTime } from './match.ts';
import { identityTransform } from './register.ts';

/** A current finding as far as the pairing goes: where it is and which prior nodule it was matched with. */
export interface PairedFinding {
  readonly centroidMm: NoduleAtTime['centroidMm'];
  readonly priorFindingId?: string;
}

export function compareAddedNodule(added: NoduleAtTime, current: readonly PairedFinding[], prior: readonly NoduleAtTime[], intervalDays: number): FindingChange {
  const priorById = new Map(prior.map((p) => [p.id, p]));
  const offsets = current.flatMap((f) => {
    const partner = f.priorFindingId ? priorById.get(f.priorFindingId) : undefined;
    return partner ? [{ x: partner.centroidMm.x - f.centroidMm.x, y: partner.centroidMm.y - f.centroidMm.y, z: partner.centroidMm.z - f.centroidMm.z }] : [];
  });
  const mean = (axis: 'x' | 'y' | 'z') => offsets.reduce((s, o) => s + o[axis], 0) / offsets.length;
  const translation = offsets.length ? { x: mean('x'), y: mean('y'), z: mean('z') } : identityTransform.translation;
  const taken = new Set(current.map((f) => f.priorFindingId));
  const free = prior.filter((p) => !taken.has(p.id));
  const { changes } = compareMatchedNodules(matchNodules([added], free, { rotation: identityTransform.rotation, translation }), intervalDays);
  return changes.get(added.id)!;
}
