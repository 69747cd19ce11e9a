import type { LungZone } from '../domain/finding.ts';
import type { Anatomy } from './anatomy.ts';

/** Lung points on a coarse grid, per side, with each lung's craniocaudal extent: for placing nodules. */
export interface LungMap {
  readonly stepMm: number;
  /** Index 0: right lung, 1: left lung. Points as x, y, z triples in the anatomy frame. */
  readonly points: readonly [Float32Array, Float32Array];
  readonly zRange: readonly [readonly [number, number], readonly [number, number]];
}

export const lungSideIndex = { right: 0, left: 1 } as const;

export function mapLungs(anatomy: Anatomy, stepMm = 4): LungMap {
  const found: [number[], number[]] = [[], []];
  const zRange: [[number, number], [number, number]] = [[Infinity, -Infinity], [Infinity, -Infinity]];
  for (let z = -220; z <= 170; z += stepMm) {
    const s = anatomy.slice(z);
    for (let y = -130; y <= 120; y += stepMm) {
      for (let x = -180; x <= 180; x += stepMm) {
        const side = anatomy.lungSide(x, y, s);
        if (side === 0) continue;
        found[side - 1].push(x, y, z);
        zRange[side - 1][0] = Math.min(zRange[side - 1][0], z);
        zRange[side - 1][1] = Math.max(zRange[side - 1][1], z);
      }
    }
  }
  return { stepMm, points: [Float32Array.from(found[0]), Float32Array.from(found[1])], zRange };
}

/** Upper, middle or lower third of that lung's craniocaudal extent. */
export function zoneAt(map: LungMap, sideIndex: 0 | 1, z: number): LungZone {
  const [low, high] = map.zRange[sideIndex];
  const t = (z - low) / (high - low);
  return t > 2 / 3 ? 'upper' : t > 1 / 3 ? 'middle' : 'lower';
}
