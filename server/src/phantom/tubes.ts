import type { SliceFrame } from './geometry.ts';

/** A tapered cylinder with round ends (a capsule) in the anatomy frame: a piece of vessel, airway or rib. */
export interface TubeSegment {
  readonly ax: number; readonly ay: number; readonly az: number;
  readonly bx: number; readonly by: number; readonly bz: number;
  /** Radius at a and at b (mm). */
  readonly ra: number;
  readonly rb: number;
}

/** Tubes painted with one attenuation; layers paint in order, so a lumen painted after its wall hollows it. */
export interface TubeLayer {
  readonly hu: number;
  readonly segments: readonly TubeSegment[];
}

export function segment(a: readonly [number, number, number], b: readonly [number, number, number], ra: number, rb = ra): TubeSegment {
  return { ax: a[0], ay: a[1], az: a[2], bx: b[0], by: b[1], bz: b[2], ra, rb };
}

/** A polyline of points as capsules of one radius. */
export function polyline(points: readonly (readonly [number, number, number])[], radius: number): TubeSegment[] {
  return points.slice(1).map((p, i) => segment(points[i], p, radius));
}

/** Distance from (x, y, z) to the axis of `s`, and the radius there; written for the per-voxel loop. */
export function distanceToAxis(s: TubeSegment, x: number, y: number, z: number): { distance: number; radius: number } {
  const dx = s.bx - s.ax; const dy = s.by - s.ay; const dz = s.bz - s.az;
  const len2 = dx * dx + dy * dy + dz * dz;
  let t = len2 > 0 ? ((x - s.ax) * dx + (y - s.ay) * dy + (z - s.az) * dz) / len2 : 0;
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  const ex = x - s.ax - t * dx; const ey = y - s.ay - t * dy; const ez = z - s.az - t * dz;
  return { distance: Math.sqrt(ex * ex + ey * ey + ez * ez), radius: s.ra + t * (s.rb - s.ra) };
}

/**
 * Paints the tube layers into one slice of HU values. A voxel's occupancy by a tube is the fraction
 * of a pixel-wide ramp across the tube's surface, averaged over `zSamples` heights within the slice
 * (partial volume of thin and oblique vessels); the tube's attenuation is mixed in by that fraction.
 */
export function paintTubes(out: Float32Array, frame: SliceFrame, layers: readonly TubeLayer[], zSamples: readonly number[]): void {
  const columns = frame.grid.columns;
  const px = frame.grid.pixelSpacingMm;
  const zLow = frame.z + Math.min(...zSamples);
  const zHigh = frame.z + Math.max(...zSamples);
  const n = zSamples.length;
  for (const layer of layers) {
    const value = layer.hu;
    for (const s of layer.segments) {
      const r = Math.max(s.ra, s.rb) + px;
      if (Math.min(s.az, s.bz) - r > zHigh || Math.max(s.az, s.bz) + r < zLow) continue;
      // The part of the segment within reach of the slab, to bound the voxels to visit.
      const dx = s.bx - s.ax; const dy = s.by - s.ay; const dz = s.bz - s.az;
      const len2 = dx * dx + dy * dy + dz * dz;
      let t0 = 0; let t1 = 1;
      if (Math.abs(dz) > 1e-9) {
        const ta = (zLow - r - s.az) / dz;
        const tb = (zHigh + r - s.az) / dz;
        t0 = Math.max(0, Math.min(ta, tb));
        t1 = Math.min(1, Math.max(ta, tb));
      }
      const x0 = s.ax + t0 * (s.bx - s.ax); const x1 = s.ax + t1 * (s.bx - s.ax);
      const y0 = s.ay + t0 * (s.by - s.ay); const y1 = s.ay + t1 * (s.by - s.ay);
      const box = frame.pixelBox(Math.min(x0, x1) - r, Math.max(x0, x1) + r, Math.min(y0, y1) - r, Math.max(y0, y1) + r);
      for (let j = box.j0; j <= box.j1; j++) {
        for (let i = box.i0; i <= box.i1; i++) {
          const x = frame.x0 + frame.xi * i + frame.xj * j;
          const y = frame.y0 + frame.yi * i + frame.yj * j;
          let occupancy = 0;
          for (let q = 0; q < n; q++) {
            // distanceToAxis, written out: this is the innermost loop of every vessel.
            const z = frame.z + zSamples[q];
            let t = len2 > 0 ? ((x - s.ax) * dx + (y - s.ay) * dy + (z - s.az) * dz) / len2 : 0;
            t = t < 0 ? 0 : t > 1 ? 1 : t;
            const ex = x - s.ax - t * dx; const ey = y - s.ay - t * dy; const ez = z - s.az - t * dz;
            const o = (s.ra + t * (s.rb - s.ra) - Math.sqrt(ex * ex + ey * ey + ez * ez)) / px + 0.5;
            occupancy += o <= 0 ? 0 : o >= 1 ? 1 : o;
          }
          if (occupancy === 0) continue;
          const index = i + j * columns;
          out[index] += (occupancy / n) * (value - out[index]);
        }
      }
    }
  }
}
