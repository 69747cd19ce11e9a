import type { Vec3 } from '../domain/volume.ts';
import { createPatient, placementContext, scanPatient } from './generate.ts';
import type { PlacedNodule } from './nodule-placement.ts';
import { checkNoduleSpec, noduleShapeRng, placeNodules } from './nodule-placement.ts';
import { createNoduleShape } from './nodule-shape.ts';
import type { NoduleSpec, Phantom, PhantomOptions } from './types.ts';

/** How the follow-up scan differs from the baseline. Nodule indices are the baseline's 1-based truth indices. */
export interface FollowUpChanges {
  readonly intervalDays: number;
  /** Where the patient lies, relative to the baseline (mm). */
  readonly shiftMm?: Vec3;
  /** Roll about the long axis (degrees). */
  readonly rotationDeg?: number;
  /** Baseline index → diameter (mm) at follow-up; the nodule keeps its place, shape and kind. */
  readonly grow?: Readonly<Record<number, number>>;
  /** Baseline nodules that are gone at follow-up. */
  readonly remove?: readonly number[];
  /** Nodules that are new at follow-up. */
  readonly add?: readonly NoduleSpec[];
}

export type NoduleChange = 'stable' | 'grown' | 'new' | 'resolved';

/** One nodule across the two scans. */
export interface NoduleLink {
  readonly baselineIndex?: number;
  readonly followUpIndex?: number;
  readonly change: NoduleChange;
  readonly baselineDiameterMm?: number;
  readonly followUpDiameterMm?: number;
  /** Volume doubling time from the nominal diameters, t · ln 2 / (3 ln(D₂ / D₁)) (Schwartz 1961), for nodules that grew. */
  readonly volumeDoublingDays?: number;
}

export interface FollowUpPhantom {
  readonly followUp: Phantom;
  readonly links: readonly NoduleLink[];
}

function grown(nodule: PlacedNodule, diameterMm: number, seed: number, n: number): PlacedNodule {
  const scale = diameterMm / nodule.spec.diameterMm;
  const spec = { ...nodule.spec, diameterMm, ...(nodule.spec.solidComponentMm ? { solidComponentMm: nodule.spec.solidComponentMm * scale } : {}) };
  checkNoduleSpec(spec, `grow[${n + 1}]`);
  return {
    ...nodule,
    spec,
    shape: createNoduleShape(spec.shape, diameterMm / 2, noduleShapeRng({ seed, label: 'nodules' }, n)),
    core: nodule.core && {
      ...nodule.core,
      radiusMm: nodule.core.radiusMm * scale,
      offset: { x: nodule.core.offset.x * scale, y: nodule.core.offset.y * scale, z: nodule.core.offset.z * scale },
    },
  };
}

/**
 * The same patient scanned again `intervalDays` later: same PatientID and anatomy, a new study,
 * series and frame of reference, the patient shifted and rolled on the table, some nodules grown,
 * some gone, some new. `generatePhantom(baseline)` renders the matching baseline; `links` ties the
 * two truths together.
 */
export function generateFollowUp(baseline: PhantomOptions, changes: FollowUpChanges): FollowUpPhantom {
  if (!(Number.isInteger(changes.intervalDays) && changes.intervalDays > 0)) {
    throw new Error(`intervalDays ${changes.intervalDays} breaks the rule: a positive whole number of days`);
  }
  const specs = baseline.nodules ?? [];
  const known = (i: number) => Number.isInteger(i) && i >= 1 && i <= specs.length;
  for (const i of [...Object.keys(changes.grow ?? {}).map(Number), ...(changes.remove ?? [])]) {
    if (!known(i)) throw new Error(`nodule index ${i} breaks the rule: a baseline nodule, 1 to ${specs.length}`);
  }
  const patient = createPatient(baseline.seed, baseline.region ?? 'chest');
  const context = placementContext(patient, baseline);
  const relocation = { relocateUnplaceable: baseline.relocateUnplaceable ?? false };
  const before = placeNodules(specs, context, { seed: baseline.seed, label: 'nodules' }, [], relocation);
  const removed = new Set(changes.remove ?? []);
  const kept = before.placed.flatMap((nodule, n) => {
    if (removed.has(n + 1)) return [];
    const diameter = changes.grow?.[n + 1];
    return [{ baselineIndex: n + 1, nodule: diameter === undefined ? nodule : grown(nodule, diameter, baseline.seed, n) }];
  });
  const added = placeNodules(changes.add ?? [], { ...context, lungVessels: before.lungVessels },
    { seed: baseline.seed, label: `follow-up-${changes.intervalDays}` }, kept.map((k) => k.nodule), relocation);
  const nodules = [...kept.map((k) => k.nodule), ...added.placed];
  const followUp = scanPatient(patient, nodules, added.lungVessels, baseline, {
    name: `follow-up-${changes.intervalDays}`,
    pose: { shiftMm: changes.shiftMm ?? { x: 0, y: 0, z: 0 }, rollDeg: changes.rotationDeg ?? 0 },
    daysAfterBaseline: changes.intervalDays,
  });
  const truth = followUp.truth.nodules;
  const links: NoduleLink[] = [
    ...kept.map(({ baselineIndex }, i): NoduleLink => {
      const diameterBefore = specs[baselineIndex - 1].diameterMm;
      const after = truth[i];
      if (after.diameterMm === diameterBefore) {
        return { baselineIndex, followUpIndex: i + 1, change: 'stable', baselineDiameterMm: diameterBefore, followUpDiameterMm: after.diameterMm };
      }
      return {
        baselineIndex,
        followUpIndex: i + 1,
        change: 'grown',
        baselineDiameterMm: diameterBefore,
        followUpDiameterMm: after.diameterMm,
        volumeDoublingDays: (changes.intervalDays * Math.LN2) / (3 * Math.log(after.diameterMm / diameterBefore)),
      };
    }),
    ...[...removed].sort((a, b) => a - b).map((baselineIndex): NoduleLink => ({
      baselineIndex, change: 'resolved', baselineDiameterMm: specs[baselineIndex - 1].diameterMm,
    })),
    ...added.placed.map((nodule, i): NoduleLink => ({
      followUpIndex: kept.length + i + 1, change: 'new', followUpDiameterMm: nodule.spec.diameterMm,
    })),
  ];
  return { followUp, links };
}
