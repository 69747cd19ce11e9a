import type { Rng } from './random.ts';
import type { TubeSegment } from './tubes.ts';
import { segment } from './tubes.ts';

type Point = readonly [number, number, number];

/** Is this anatomy point inside the lung the tree belongs to? */
export type InsideLung = (x: number, y: number, z: number) => boolean;

export interface TreeOptions {
  readonly root: Point;
  /** Directions of the first branches from the root (lobar arteries, veins or bronchi). */
  readonly branches: readonly Point[];
  readonly rootRadiusMm: number;
  /** Branches thinner than this are not grown. */
  readonly minRadiusMm: number;
  /** Segment length as a multiple of its radius. */
  readonly lengthPerRadius: number;
  readonly maxSegments: number;
}

const normalize = (v: Point): [number, number, number] => {
  const n = Math.hypot(v[0], v[1], v[2]) || 1;
  return [v[0] / n, v[1] / n, v[2] / n];
};

/** A unit vector perpendicular to d, turned by a random angle around it. */
function randomPerpendicular(d: Point, rng: Rng): [number, number, number] {
  const helper: Point = Math.abs(d[2]) < 0.9 ? [0, 0, 1] : [1, 0, 0];
  const u = normalize([d[1] * helper[2] - d[2] * helper[1], d[2] * helper[0] - d[0] * helper[2], d[0] * helper[1] - d[1] * helper[0]]);
  const v: Point = [d[1] * u[2] - d[2] * u[1], d[2] * u[0] - d[0] * u[2], d[0] * u[1] - d[1] * u[0]];
  const phi = rng.uniform(0, 2 * Math.PI);
  return [u[0] * Math.cos(phi) + v[0] * Math.sin(phi), u[1] * Math.cos(phi) + v[1] * Math.sin(phi), u[2] * Math.cos(phi) + v[2] * Math.sin(phi)];
}

const turn = (d: Point, perpendicular: Point, angle: number): [number, number, number] =>
  normalize([d[0] * Math.cos(angle) + perpendicular[0] * Math.sin(angle), d[1] * Math.cos(angle) + perpendicular[1] * Math.sin(angle), d[2] * Math.cos(angle) + perpendicular[2] * Math.sin(angle)]);

/**
 * Grows a branching tree of tapering tubes from a hilum, kept inside the lung. Each bifurcation splits
 * the flow unevenly and sizes the children by Murray's law (r³ = r₁³ + r₂³; Murray 1926); the larger
 * child turns a little, the smaller one more (as Zamir's optimality arguments predict), and children
 * lean away from the hilum so the tree fills the lung.
 */
export function growTree(options: TreeOptions, insideLung: InsideLung, rng: Rng): TubeSegment[] {
  const out: TubeSegment[] = [];
  const [hx, hy, hz] = options.root;
  // Breadth first, so that when maxSegments stops the growth it is the finest branches that are missing.
  const queue: { p: Point; d: Point; r: number; depth: number }[] = [];
  const rootShare = Math.cbrt(1 / options.branches.length);
  for (const b of options.branches) queue.push({ p: options.root, d: normalize(b), r: options.rootRadiusMm * rootShare, depth: 0 });
  for (let head = 0; head < queue.length && out.length < options.maxSegments; head++) {
    const { p, d, r, depth } = queue[head];
    if (r < options.minRadiusMm) continue;
    const length = Math.min(Math.max(r * options.lengthPerRadius * rng.uniform(0.75, 1.25), 2.5), 45);
    let end: [number, number, number] | undefined;
    let direction: Point = d;
    for (let attempt = 0; attempt < 8 && !end; attempt++) {
      direction = attempt === 0 ? d : turn(d, randomPerpendicular(d, rng), 0.25 * attempt);
      const e: [number, number, number] = [p[0] + direction[0] * length, p[1] + direction[1] * length, p[2] + direction[2] * length];
      const ahead = length + 2 + r;
      // The first generation runs from the mediastinum into the lung; later ones must stay inside it.
      if (depth === 0 || (insideLung(e[0], e[1], e[2]) && insideLung(p[0] + direction[0] * ahead, p[1] + direction[1] * ahead, p[2] + direction[2] * ahead))) end = e;
    }
    if (!end) continue;
    const tip = r * 0.92;
    out.push(segment(p, end, r, tip));
    const share = rng.uniform(0.2, 0.5);
    const major = tip * Math.cbrt(1 - share);
    const minor = tip * Math.cbrt(share);
    const away = normalize([end[0] - hx, end[1] - hy, end[2] - hz]);
    const lean = (v: Point): Point => normalize([v[0] + 0.35 * away[0], v[1] + 0.35 * away[1], v[2] + 0.35 * away[2]]);
    const perpendicular = randomPerpendicular(direction, rng);
    const minusPerpendicular: Point = [-perpendicular[0], -perpendicular[1], -perpendicular[2]];
    queue.push({ p: end, d: lean(turn(direction, perpendicular, rng.uniform(0.12, 0.4))), r: major, depth: depth + 1 });
    queue.push({ p: end, d: lean(turn(direction, minusPerpendicular, rng.uniform(0.6, 1.0))), r: minor, depth: depth + 1 });
  }
  return out;
}
