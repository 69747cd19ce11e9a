import type { Anatomy } from './anatomy.ts';
import { hu, landmarks } from './anatomy.ts';
import type { Rng } from './random.ts';
import type { TubeLayer, TubeSegment } from './tubes.ts';
import { polyline, segment } from './tubes.ts';
import { growTree } from './vessel-tree.ts';

type Point = readonly [number, number, number];

/** The tubular structures of the phantom, grouped by what they are painted with. */
export interface Structures {
  /** Pulmonary arteries and veins inside the lungs (what a nodule can touch or be kept away from). */
  readonly lungVessels: readonly TubeSegment[];
  /** Everything else blood-filled: aorta, venae cavae, pulmonary trunk. */
  readonly greatVessels: readonly TubeSegment[];
  readonly esophagus: readonly TubeSegment[];
  readonly ribs: readonly TubeSegment[];
  readonly ribMarrow: readonly TubeSegment[];
  readonly costalCartilage: readonly TubeSegment[];
  readonly airwayWalls: readonly TubeSegment[];
  readonly airwayLumens: readonly TubeSegment[];
}

/** Paint order: blood, then bone (marrow hollows the cortex), then airways (lumen hollows the wall). */
export function tubeLayers(s: Structures): TubeLayer[] {
  return [
    { hu: hu.blood, segments: [...s.greatVessels, ...s.lungVessels] },
    { hu: hu.muscle - 10, segments: s.esophagus },
    { hu: 850, segments: s.ribs },
    { hu: hu.cancellous, segments: s.ribMarrow },
    { hu: 120, segments: s.costalCartilage },
    { hu: 30, segments: s.airwayWalls },
    { hu: hu.air, segments: s.airwayLumens },
  ];
}

const { aortaX, aortaY, aortaR, tracheaY, carinaZ } = landmarks;

function greatVessels(lungsPresent: boolean): TubeSegment[] {
  const descending = polyline([[aortaX, aortaY, 58], [aortaX, aortaY, -160], [6, 2, -230], [5, 2, -420]], aortaR);
  if (!lungsPresent) return descending;
  return [
    ...descending,
    // Ascending aorta and arch, passing left of the trachea.
    ...polyline([[-10, -30, -35], [-10, -30, 45], [-5, -32, 62], [12, -22, 72], [24, -2, 70], [aortaX, aortaY, 58]], 14),
    ...polyline([[-25, -15, 140], [-25, -15, -25]], 9), // superior vena cava
    ...polyline([[-20, 25, -140], [-22, 22, -75]], 12), // inferior vena cava
    ...polyline([[10, -40, -25], [8, -25, 5]], 13), // pulmonary trunk
    ...polyline([[8, -25, 5], [-5, -12, 8], [-42, -4, 5]], 10), // right pulmonary artery
    ...polyline([[8, -25, 5], [25, -10, 15], [42, 2, 12]], 9), // left pulmonary artery
  ];
}

/** Pulmonary arteries from each hilum and veins towards the left atrium, grown into the lungs. */
function lungVessels(anatomy: Anatomy, rng: Rng, maxSegments: number): TubeSegment[] {
  const inside = (side: 1 | 2) => (x: number, y: number, z: number) => anatomy.lungSide(x, y, anatomy.slice(z)) === side;
  const trees: { root: Point; side: 1 | 2; radius: number; lateral: number }[] = [
    { root: [-42, -4, 5], side: 1, radius: 8, lateral: -1 },
    { root: [42, 2, 12], side: 2, radius: 7.5, lateral: 1 },
    { root: [-40, 16, -32], side: 1, radius: 7, lateral: -1 },
    { root: [44, 18, -28], side: 2, radius: 7, lateral: 1 },
  ];
  return trees.flatMap(({ root, side, radius, lateral }) => growTree({
    root,
    branches: [[0.45 * lateral, 0.05, 0.9], [0.95 * lateral, -0.3, 0.05], [0.55 * lateral, 0.35, -0.75], [0.5 * lateral, -0.5, -0.65]],
    rootRadiusMm: radius,
    minRadiusMm: 0.45,
    lengthPerRadius: 5.5,
    maxSegments: maxSegments / trees.length,
  }, inside(side), rng));
}

/** Trachea, main bronchi and a few generations of bronchi, each a lumen with a wall. */
function airways(anatomy: Anatomy, rng: Rng): { lumens: TubeSegment[]; walls: TubeSegment[] } {
  const lumens: TubeSegment[] = [
    ...polyline([[0, tracheaY, 260], [0, tracheaY, carinaZ]], 8.5),
    segment([0, tracheaY, carinaZ], [-30, 0, 15], 6.5, 6),
    segment([0, tracheaY, carinaZ], [30, 2, 10], 6, 5.5),
  ];
  const inside = (side: 1 | 2) => (x: number, y: number, z: number) => anatomy.lungSide(x, y, anatomy.slice(z)) === side;
  for (const [root, side, lateral] of [[[-30, 0, 15], 1, -1], [[30, 2, 10], 2, 1]] as const) {
    lumens.push(...growTree({
      root,
      branches: [[0.4 * lateral, 0.1, 0.9], [0.9 * lateral, -0.2, -0.2], [0.5 * lateral, 0.4, -0.75]],
      rootRadiusMm: 6.5,
      minRadiusMm: 1.1,
      lengthPerRadius: 4,
      maxSegments: 120,
    }, inside(side), rng));
  }
  // Airway wall thickness is about a fifth of the lumen radius, with a floor (Weibel's morphometry).
  const walls = lumens.map((s) => ({ ...s, ra: s.ra + Math.max(0.6, 0.2 * s.ra), rb: s.rb + Math.max(0.6, 0.2 * s.rb) }));
  return { lumens, walls };
}

/**
 * Twelve pairs of ribs: each leaves the spine at the transverse process, follows the inner chest wall
 * round and descends anteriorly; ribs 1-7 reach the sternum through costal cartilage, 8-10 stop at
 * the costal margin, 11-12 float.
 */
function ribs(anatomy: Anatomy): Pick<Structures, 'ribs' | 'ribMarrow' | 'costalCartilage'> {
  const bone: TubeSegment[] = [];
  const marrow: TubeSegment[] = [];
  const cartilage: TubeSegment[] = [];
  for (let rib = 0; rib < 12; rib++) {
    const zStart = 135 - rib * 24;
    const end = rib < 7 ? 2.95 : rib < 10 ? 2.5 : 1.7;
    const boneEnd = rib < 10 ? Math.min(end, 2.45) : end;
    const steps = Math.ceil((end - 0.25) / 0.14);
    const angle = (p: number): number => 0.25 + ((end - 0.25) * p) / steps;
    for (const side of [-1, 1]) {
      const points = Array.from({ length: steps + 1 }, (_, p): [number, number, number] => {
        const phi = angle(p);
        const z = zStart - 95 * (phi / Math.PI) ** 1.3;
        const s = anatomy.slice(z);
        const dx = side * Math.sin(phi);
        const dy = Math.cos(phi);
        const rBody = 1 / Math.hypot(dx / s.bodyA, dy / (dy < 0 ? s.bodyBAnt : s.bodyBPost));
        // Centre the rib 5 mm outside the cavity, at the inner edge of the chest wall.
        const guess = rBody - 40;
        const r = rBody - (anatomy.wallDepth(dx * guess, dy * guess, s) - 5);
        return [dx * r, dy * r, z];
      });
      for (let p = 1; p <= steps; p++) {
        const piece = segment(points[p - 1], points[p], 4.8);
        if ((angle(p - 1) + angle(p)) / 2 <= boneEnd) {
          bone.push(piece);
          marrow.push({ ...piece, ra: 3.3, rb: 3.3 });
        } else cartilage.push({ ...piece, ra: 4, rb: 4 });
      }
    }
  }
  return { ribs: bone, ribMarrow: marrow, costalCartilage: cartilage };
}

export function buildStructures(anatomy: Anatomy, rng: Rng, maxVesselSegments = 12000): Structures {
  const lungsPresent = anatomy.lungsPresent;
  const air = lungsPresent ? airways(anatomy, rng) : { lumens: [], walls: [] };
  return {
    lungVessels: lungsPresent ? lungVessels(anatomy, rng, maxVesselSegments) : [],
    greatVessels: greatVessels(lungsPresent),
    esophagus: polyline([[6, 10, 260], [6, 10, -120], [40, 0, -135]], 6),
    ...ribs(anatomy),
    airwayWalls: air.walls,
    airwayLumens: air.lumens,
  };
}
