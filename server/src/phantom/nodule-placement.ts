import type { Laterality, LungZone } from '../domain/finding.ts';
import { pointDistanceMm, type Vec3 } from '../domain/volume.ts';
import type { Anatomy } from './anatomy.ts';
import type { LungMap } from './lung-map.ts';
import { lungSideIndex, zoneAt } from './lung-map.ts';
import type { NoduleShape } from './nodule-shape.ts';
import { createNoduleShape } from './nodule-shape.ts';
import type { Rng } from './random.ts';
import { createRng } from './random.ts';
import type { TubeSegment } from './tubes.ts';
import { distanceToAxis } from './tubes.ts';
import type { NoduleSpec } from './types.ts';

export type ResolvedNoduleSpec = NoduleSpec & { readonly laterality: Laterality; readonly zone: LungZone };

/** A nodule with its place and attenuation decided, in the anatomy frame. */
export interface PlacedNodule {
  readonly spec: ResolvedNoduleSpec;
  readonly centre: Vec3;
  readonly shape: NoduleShape;
  /** Attenuation of the nodule (of the ground-glass halo when part-solid). */
  readonly hu: number;
  /** The solid core of a part-solid nodule, relative to the centre. */
  readonly core?: { readonly offset: Vec3; readonly radiusMm: number; readonly hu: number };
  /** Juxtapleural nodules are cut by the pleura: only their part inside the lung is painted. */
  readonly clipToLung: boolean;
}

/** Solid nodules +30..+50 HU, ground glass -600..-450 HU (the ranges the phantom's brief sets; cf. Fleischner glossary). */
const solidHu = (rng: Rng) => rng.uniform(30, 50);
const groundGlassHu = (rng: Rng) => rng.uniform(-600, -450);

export function checkNoduleSpec(spec: NoduleSpec, name: string): void {
  if (!(spec.diameterMm >= 3 && spec.diameterMm <= 30)) {
    throw new Error(`${name}.diameterMm ${spec.diameterMm} breaks the rule: 3 to 30 mm`);
  }
  if (spec.solidComponentMm !== undefined) {
    if (spec.type !== 'part-solid') throw new Error(`${name}.solidComponentMm is only for part-solid nodules, not ${spec.type}`);
    if (!(spec.solidComponentMm > 0 && spec.solidComponentMm < spec.diameterMm)) {
      throw new Error(`${name}.solidComponentMm ${spec.solidComponentMm} breaks the rule: above 0 and below the diameter ${spec.diameterMm}`);
    }
  }
}

/** Each nodule's shape has its own stream, so a nodule that grows keeps its lobes and spicules. */
export function noduleShapeRng(stream: { readonly seed: number; readonly label: string }, n: number): Rng {
  return createRng(stream.seed, stream.label, 'shape', n);
}

export interface PlacementContext {
  readonly anatomy: Anatomy;
  readonly lungMap: LungMap;
  readonly lungVessels: readonly TubeSegment[];
  /**
   * Ribs and costal cartilage. Where the chest wall thins (beside the paraspinal muscles) a rib
   * reaches up to 5 mm into the lung cavity, and its bone is painted over whatever lies there.
   */
  readonly ribCage: readonly TubeSegment[];
  /** Anatomy-frame box the scan covers; nodules are kept wholly inside it. */
  readonly bounds: { readonly min: Vec3; readonly max: Vec3 };
}

const directions: readonly Vec3[] = (() => {
  const out: Vec3[] = [];
  for (const x of [-1, 0, 1]) for (const y of [-1, 0, 1]) for (const z of [-1, 0, 1]) {
    if (x || y || z) {
      const n = Math.hypot(x, y, z);
      out.push({ x: x / n, y: y / n, z: z / n });
    }
  }
  return out;
})();

const add = (a: Vec3, b: Vec3, s = 1): Vec3 => ({ x: a.x + b.x * s, y: a.y + b.y * s, z: a.z + b.z * s });

function sideOf(anatomy: Anatomy, p: Vec3): 0 | 1 | 2 {
  return anatomy.lungSide(p.x, p.y, anatomy.slice(p.z));
}

/** Clearance between a point and the surface of a vessel segment (negative inside it). */
export function vesselClearanceMm(s: TubeSegment, p: Vec3): number {
  const { distance, radius } = distanceToAxis(s, p.x, p.y, p.z);
  return distance - radius;
}

export interface PlacementOptions {
  /**
   * A nodule with no room in its zone goes to the nearest zone of the same lung that has room, then
   * to the other lung's; without this, placement throws. For specs drawn before the anatomy is
   * known (the evaluation sets): a 26 mm nodule drawn for the lower left lung, beside the heart.
   */
  readonly relocateUnplaceable?: boolean;
}

const zones = ['upper', 'middle', 'lower'] as const;

/** The places to try for a spec: its own first, then (relocating) the other zones by nearness, then the other lung's. */
function placesToTry(spec: ResolvedNoduleSpec, relocate: boolean): ResolvedNoduleSpec[] {
  if (!relocate) return [spec];
  const byNearness = [...zones].sort((a, b) => Math.abs(zones.indexOf(a) - zones.indexOf(spec.zone)) - Math.abs(zones.indexOf(b) - zones.indexOf(spec.zone)));
  const otherSide: Laterality = spec.laterality === 'left' ? 'right' : 'left';
  return [spec.laterality, otherSide].flatMap((laterality) => byNearness.map((zone) => ({ ...spec, laterality, zone })));
}

/**
 * Decides where each spec goes, deterministically from `rng`: in the right lung and third of it,
 * free nodules clear of the chest wall and of vessels (small vessels crossing them are pruned),
 * juxtavascular ones touching a vessel, juxtapleural ones against the chest wall. Throws, naming the
 * spec, when no place fits (e.g. a 30 mm free nodule in a scan that covers too little lung), unless
 * told to relocate it.
 */
export function placeNodules(
  specs: readonly NoduleSpec[],
  context: PlacementContext,
  stream: { readonly seed: number; readonly label: string },
  existing: readonly PlacedNodule[] = [],
  options: PlacementOptions = {},
): { placed: PlacedNodule[]; lungVessels: TubeSegment[] } {
  const rng = createRng(stream.seed, stream.label);
  let vessels = [...context.lungVessels];
  const placed: PlacedNodule[] = [];
  specs.forEach((raw, n) => {
    checkNoduleSpec(raw, `nodules[${n}]`);
    const wanted: ResolvedNoduleSpec = {
      ...raw,
      laterality: raw.laterality ?? rng.pick(['left', 'right'] as const),
      zone: raw.zone ?? rng.pick(zones),
    };
    const radius = wanted.diameterMm / 2;
    const shape = createNoduleShape(wanted.shape, radius, noduleShapeRng(stream, n));
    const others = [...existing, ...placed];
    let found: { spec: ResolvedNoduleSpec; centre: Vec3 } | undefined;
    for (const place of placesToTry(wanted, options.relocateUnplaceable ?? false)) {
      const centre = findCentre(place, radius, shape, { ...context, lungVessels: vessels }, others, rng);
      if (centre) {
        found = { spec: place, centre };
        break;
      }
    }
    if (!found) {
      throw new Error(`nodules[${n}]: no place for a ${wanted.diameterMm} mm ${wanted.attachment} nodule in the ${wanted.zone} ${wanted.laterality} lung within the scanned range`);
    }
    const { spec, centre } = found;
    if (spec.attachment === 'free') {
      vessels = vessels.filter((s) => vesselClearanceMm(s, centre) > shape.boundMm + 1.5);
    }
    let core: PlacedNodule['core'];
    if (spec.type === 'part-solid') {
      const coreRadius = (spec.solidComponentMm ?? spec.diameterMm / 2) / 2;
      const [dx, dy, dz] = rng.direction();
      const shift = Math.max(0, Math.min(0.2 * radius, 0.75 * radius - coreRadius));
      core = { offset: { x: dx * shift, y: dy * shift, z: dz * shift }, radiusMm: coreRadius, hu: solidHu(rng) };
    }
    placed.push({
      spec,
      centre,
      shape,
      hu: spec.type === 'solid' ? solidHu(rng) : groundGlassHu(rng),
      core,
      clipToLung: spec.attachment === 'juxtapleural',
    });
  });
  return { placed, lungVessels: vessels };
}

function findCentre(
  spec: ResolvedNoduleSpec, radius: number, shape: NoduleShape,
  context: PlacementContext, others: readonly PlacedNodule[], rng: Rng,
): Vec3 | undefined {
  const { anatomy, lungMap } = context;
  const sideIndex = lungSideIndex[spec.laterality];
  const side = sideIndex + 1;
  const { min, max } = context.bounds;
  const reach = shape.boundMm + 1;
  const points = lungMap.points[sideIndex];
  const inScan = (c: Vec3) => c.x - reach > min.x && c.x + reach < max.x && c.y - reach > min.y && c.y + reach < max.y && c.z - reach > min.z && c.z + reach < max.z;
  const inZone = (c: Vec3) => inScan(c) && zoneAt(lungMap, sideIndex as 0 | 1, c.z) === spec.zone;
  const apart = (c: Vec3) => others.every((o) => pointDistanceMm(o.centre, c) > o.shape.boundMm + shape.boundMm + 4);
  // The ball of radius r around c lies in the lung (directions with u·n > limit are not checked).
  const ballInLung = (c: Vec3, r: number, n?: Vec3, limit = 2) =>
    sideOf(anatomy, c) === side && directions.every((u) => (n && u.x * n.x + u.y * n.y + u.z * n.z > limit) || sideOf(anatomy, add(c, u, r)) === side);
  const candidates: Vec3[] = [];
  for (let p = 0; p < points.length; p += 3) {
    const c = { x: points[p], y: points[p + 1], z: points[p + 2] };
    if (inZone(c)) candidates.push(c);
  }
  if (candidates.length === 0) return undefined;
  // Vessels a nodule can sit against: thick enough to matter, thin enough to be inside the lung.
  const attachable = spec.attachment !== 'juxtavascular' ? [] : context.lungVessels.filter((s) => {
    const rv = (s.ra + s.rb) / 2;
    const mid = { x: (s.ax + s.bx) / 2, y: (s.ay + s.by) / 2, z: (s.az + s.bz) / 2 };
    return rv >= 1 && rv <= 5 && inZone(mid) && sideOf(anatomy, mid) === side;
  });
  if (spec.attachment === 'juxtavascular' && attachable.length === 0) return undefined;
  const jitter = (c: Vec3): Vec3 => add(c, { x: rng.uniform(-2, 2), y: rng.uniform(-2, 2), z: rng.uniform(-2, 2) });

  for (let attempt = 0; attempt < 600; attempt++) {
    switch (spec.attachment) {
      case 'free': {
        const c = jitter(rng.pick(candidates));
        // Later attempts accept thicker vessels nearby, to be pruned away.
        const keepClear = attempt < 300 ? 0.9 : 1.8;
        if (inZone(c) && apart(c) && ballInLung(c, radius + 4)
          && context.lungVessels.every((s) => Math.max(s.ra, s.rb) < keepClear || vesselClearanceMm(s, c) > radius + 2.5)) return c;
        break;
      }
      case 'juxtavascular': {
        const s = rng.pick(attachable);
        const rv = (s.ra + s.rb) / 2;
        const t = rng.uniform(0.2, 0.8);
        const m = { x: s.ax + t * (s.bx - s.ax), y: s.ay + t * (s.by - s.ay), z: s.az + t * (s.bz - s.az) };
        const axis = { x: s.bx - s.ax, y: s.by - s.ay, z: s.bz - s.az };
        const [ux, uy, uz] = rng.direction();
        // u minus its component along the axis: a direction square to the vessel.
        const along = (ux * axis.x + uy * axis.y + uz * axis.z) / (axis.x ** 2 + axis.y ** 2 + axis.z ** 2);
        const u = { x: ux - along * axis.x, y: uy - along * axis.y, z: uz - along * axis.z };
        const norm = Math.hypot(u.x, u.y, u.z);
        if (norm < 0.2) break;
        // The nodule's surface dips into the vessel by 0.6 of the vessel's radius: attached, not merged.
        const c = add(m, u, (radius + 0.4 * rv) / norm);
        if (inZone(c) && apart(c) && ballInLung(c, radius + 1.5)) return c;
        break;
      }
      case 'juxtapleural': {
        const start = rng.pick(candidates);
        const s = anatomy.slice(start.z);
        const angle = rng.uniform(-0.6 * Math.PI, 0.6 * Math.PI);
        const lateral = spec.laterality === 'left' ? 1 : -1;
        const ray = { x: lateral * Math.cos(angle), y: Math.sin(angle), z: 0 };
        let step = 0;
        while (step < 160 && sideOf(anatomy, add(start, ray, step + 1)) === side) step++;
        const inside = add(start, ray, step);
        const edge = add(start, ray, step + 1);
        // The lung must end at the chest wall here, not at the mediastinum or diaphragm.
        if (anatomy.depth(edge.x, edge.y, s) > anatomy.wallDepth(edge.x, edge.y, s) + 1) break;
        const b = inside.y < 0 ? s.bodyBAnt : s.bodyBPost;
        const gx = inside.x / (s.bodyA * s.bodyA);
        const gy = inside.y / (b * b);
        const g = Math.hypot(gx, gy);
        const outward = { x: gx / g, y: gy / g, z: 0 };
        // Measure the wall along the normal, then sink the nodule's sure-inside ball a fifth of its
        // radius into it: a broad contact with the pleura whatever the shape's lobes do.
        let wall = 0;
        while (wall < 2 * radius + 40 && sideOf(anatomy, add(inside, outward, wall + 0.25)) === side) wall += 0.25;
        const c = add(inside, outward, wall - 0.8 * shape.innerMm);
        const touches = sideOf(anatomy, add(c, outward, shape.innerMm)) !== side;
        // Not centred inside a rib that reaches into the cavity: such a 6 mm nodule was bone in the
        // image (phantom set seed 5, scan 13). Larger ones that a rib only grazes stay visible.
        const clearOfRibs = context.ribCage.every((s) => vesselClearanceMm(s, c) > 0);
        if (touches && clearOfRibs && inZone(c) && apart(c) && ballInLung(c, radius + 1, outward, 0.3)) return c;
        break;
      }
    }
  }
  return undefined;
}
