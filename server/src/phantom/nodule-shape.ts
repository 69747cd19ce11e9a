import type { NoduleShapeKind } from './types.ts';
import type { Rng } from './random.ts';

/** A nodule's solid, centred on the origin of the anatomy frame (mm). */
export interface NoduleShape {
  /** Every point farther than this from the centre is outside. */
  readonly boundMm: number;
  /** Every point nearer than this to the centre is inside. */
  readonly innerMm: number;
  contains(x: number, y: number, z: number): boolean;
}

interface Ball { readonly x: number; readonly y: number; readonly z: number; readonly r: number }
interface Spicule { readonly dx: number; readonly dy: number; readonly dz: number; readonly start: number; readonly length: number; readonly baseRadius: number }

export function sphereShape(radius: number): NoduleShape {
  const r2 = radius * radius;
  return { boundMm: radius, innerMm: radius, contains: (x, y, z) => x * x + y * y + z * z <= r2 };
}

/** A core ball with smaller balls on its surface, all within `radius`: the scalloped outline of a lobulated nodule. */
function lobulatedShape(radius: number, rng: Rng): NoduleShape {
  const core = 0.72 * radius;
  const lobes: Ball[] = Array.from({ length: rng.int(5, 8) }, () => {
    const r = radius * rng.uniform(0.35, 0.5);
    const [dx, dy, dz] = rng.direction();
    return { x: dx * (radius - r), y: dy * (radius - r), z: dz * (radius - r), r };
  });
  const core2 = core * core;
  return {
    boundMm: radius,
    innerMm: core,
    contains(x, y, z) {
      if (x * x + y * y + z * z <= core2) return true;
      for (const b of lobes) {
        const ex = x - b.x; const ey = y - b.y; const ez = z - b.z;
        if (ex * ex + ey * ey + ez * ez <= b.r * b.r) return true;
      }
      return false;
    },
  };
}

/**
 * A slightly irregular core with thin tapering spicules radiating from it (the corona radiata sign).
 * The nominal diameter is the core's, as readers measure spiculated nodules without the spicules.
 */
function spiculatedShape(radius: number, rng: Rng): NoduleShape {
  const core = lobulatedShape(radius, rng);
  const spicules: Spicule[] = Array.from({ length: rng.int(12, 20) }, () => {
    const [dx, dy, dz] = rng.direction();
    return {
      dx, dy, dz,
      start: 0.6 * radius,
      length: Math.min(rng.uniform(0.5, 1.2) * radius + 2, 14),
      baseRadius: Math.max(0.6, 0.15 * radius),
    };
  });
  const reach = Math.max(...spicules.map((s) => s.start + s.length));
  return {
    boundMm: reach,
    innerMm: core.innerMm,
    contains(x, y, z) {
      if (core.contains(x, y, z)) return true;
      for (const s of spicules) {
        const t = x * s.dx + y * s.dy + z * s.dz - s.start;
        if (t < 0 || t > s.length) continue;
        const ex = x - (s.start + t) * s.dx; const ey = y - (s.start + t) * s.dy; const ez = z - (s.start + t) * s.dz;
        const r = s.baseRadius * (1 - t / s.length) + 0.1;
        if (ex * ex + ey * ey + ez * ez <= r * r) return true;
      }
      return false;
    },
  };
}

export function createNoduleShape(kind: NoduleShapeKind, radius: number, rng: Rng): NoduleShape {
  switch (kind) {
    case 'round': return sphereShape(radius);
    case 'lobulated': return lobulatedShape(radius, rng);
    case 'spiculated': return spiculatedShape(radius, rng);
  }
}
