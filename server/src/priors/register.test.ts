import { describe, expect, it, test } from 'vitest';
import type { Vec3, Volume } from '../domain/volume.ts';
import { applyTransform, fitRigid, lungSurface, profileShiftMm, registerLungs, rotationAngleDeg, type RigidTransform } from './register.ts';

/** Roll about the long axis by `deg`, then shift: how a patient lies differently on the table. */
function pose(deg: number, shift: Vec3): RigidTransform {
  const t = (deg * Math.PI) / 180;
  const [c, s] = [Math.cos(t), Math.sin(t)];
  return { rotation: [c, -s, 0, s, c, 0, 0, 0, 1], translation: shift };
}

function invert(t: RigidTransform): RigidTransform {
  const r = t.rotation;
  const rotation: RigidTransform['rotation'] = [r[0], r[3], r[6], r[1], r[4], r[7], r[2], r[5], r[8]];
  const back = applyTransform({ rotation, translation: { x: 0, y: 0, z: 0 } }, t.translation);
  return { rotation, translation: { x: -back.x, y: -back.y, z: -back.z } };
}

/**
 * Two lungs as ellipsoids, the left one notched by the heart and the right one by a sphere lower
 * down, so that no rotation or shift maps the pair onto itself. Longer (z) than the scan range.
 */
function insideLungs(a: Vec3): boolean {
  const e = (c: Vec3, r: Vec3) => ((a.x - c.x) / r.x) ** 2 + ((a.y - c.y) / r.y) ** 2 + ((a.z - c.z) / r.z) ** 2 <= 1;
  const heart = Math.hypot(a.x - 15, a.y + 25, a.z + 30) < 35;
  const dent = Math.hypot(a.x + 80, a.y - 10, a.z - 20) < 18;
  return (e({ x: -50, y: 0, z: 0 }, { x: 35, y: 55, z: 95 }) && !dent) || (e({ x: 48, y: 5, z: 5 }, { x: 30, y: 50, z: 90 }) && !heart);
}

/** A scan of the lungs with the patient placed by `placement` (anatomy → patient mm). */
function scanLungs(placement: RigidTransform): { volume: Volume; mask: Uint8Array } {
  const dims: [number, number, number] = [80, 80, 56];
  const spacing: [number, number, number] = [3, 3, 2.5];
  const origin = { x: -118.5, y: -118.5, z: -68.75 };
  const toAnatomy = invert(placement);
  const mask = new Uint8Array(dims[0] * dims[1] * dims[2]);
  for (let k = 0, n = 0; k < dims[2]; k++) {
    for (let j = 0; j < dims[1]; j++) {
      for (let i = 0; i < dims[0]; i++, n++) {
        const p = { x: origin.x + i * spacing[0], y: origin.y + j * spacing[1], z: origin.z + k * spacing[2] };
        mask[n] = insideLungs(applyTransform(toAnatomy, p)) ? 1 : 0;
      }
    }
  }
  const volume: Volume = {
    voxels: new Int16Array(mask.length), dims, spacing, origin,
    direction: [{ x: 1, y: 0, z: 0 }, { x: 0, y: 1, z: 0 }, { x: 0, y: 0, z: 1 }],
    source: { studyInstanceUid: '1', seriesInstanceUid: '2', frameOfReferenceUid: '3', sopInstanceUids: [], sopClassUid: '4', patientStudy: {} },
  };
  return { volume, mask };
}

const distance = (a: Vec3, b: Vec3) => Math.hypot(a.x - b.x, a.y - b.y, a.z - b.z);

describe('fitRigid', () => {
  it('recovers a known rotation and shift from paired points', () => {
    const truth = pose(7, { x: 4, y: -3, z: 11 });
    const from = [{ x: 0, y: 0, z: 0 }, { x: 50, y: 10, z: -4 }, { x: -20, y: 40, z: 30 }, { x: 5, y: -60, z: 12 }];
    const fit = fitRigid(from, from.map((p) => applyTransform(truth, p)));
    expect(rotationAngleDeg(fit)).toBeCloseTo(7, 6);
    for (const p of from) expect(distance(applyTransform(fit, p), applyTransform(truth, p))).toBeLessThan(1e-9);
  });

  it('refuses fewer than three pairs', () => {
    expect(() => fitRigid([{ x: 0, y: 0, z: 0 }], [{ x: 1, y: 0, z: 0 }])).toThrow(/3 or more paired points/);
  });
});

describe('lungSurface', () => {
  it('keeps the lung outline but not the faces where the scan range cuts the lungs', () => {
    const { volume, mask } = scanLungs(pose(0, { x: 0, y: 0, z: 0 }));
    const surface = lungSurface(volume, mask, 1_000_000);
    const firstSliceZ = volume.origin.z;
    const onFirstSlice: Vec3[] = [];
    for (let m = 0; m < surface.points.length / 3; m++) {
      const p = { x: surface.points[3 * m], y: surface.points[3 * m + 1], z: surface.points[3 * m + 2] };
      if (Math.abs(p.z - firstSliceZ) < 1e-6) onFirstSlice.push(p);
    }
    // The right lung's cross-section on the first slice is a filled ellipse: only its rim is surface.
    expect(onFirstSlice.length).toBeGreaterThan(0);
    expect(onFirstSlice.some((p) => Math.hypot(p.x + 50, p.y) < 10)).toBe(false);
    expect(surface.sliceRange).toEqual([volume.origin.z, volume.origin.z + 55 * 2.5]);
  });

  it('thins evenly to the number of points asked for', () => {
    const { volume, mask } = scanLungs(pose(0, { x: 0, y: 0, z: 0 }));
    expect(lungSurface(volume, mask, 500).points.length / 3).toBe(500);
  });
});

describe('profileShiftMm', () => {
  it('finds how far along the table the lungs moved, whatever the roll', () => {
    const prior = lungSurface(...Object.values(scanLungs(pose(0, { x: 0, y: 0, z: 0 }))) as [Volume, Uint8Array]);
    const current = lungSurface(...Object.values(scanLungs(pose(5, { x: 4, y: 0, z: 10 }))) as [Volume, Uint8Array]);
    // Current position s shows the anatomy the prior has at s - 10.
    expect(profileShiftMm(current.areaProfile, prior.areaProfile)).toBeCloseTo(-10, -0.3);
  });
});

describe('registerLungs', () => {
  const prior = scanLungs(pose(0, { x: 0, y: 0, z: 0 }));
  const priorSurface = lungSurface(prior.volume, prior.mask);

  test.each([
    ['shifted across the table', 0, { x: 9, y: -6, z: 0 }],
    ['rolled and shifted along the table', 4, { x: 5, y: 3, z: 7 }],
    ['rolled the other way', -3, { x: -8, y: 2, z: -6 }],
  ])('maps the current scan onto the prior when the patient lies %s', (_name, deg, shift) => {
    const placement = pose(deg, shift);
    const current = scanLungs(placement);
    const registration = registerLungs(lungSurface(current.volume, current.mask), priorSurface);
    expect(Math.abs(rotationAngleDeg(registration.transform) - Math.abs(deg))).toBeLessThan(1.5);
    // Anatomical points inside the lungs land within 2 mm of where the prior has them (3 mm voxels).
    for (const a of [{ x: -50, y: 0, z: -20 }, { x: 48, y: 20, z: 30 }, { x: -40, y: -30, z: 40 }]) {
      expect(distance(applyTransform(registration.transform, applyTransform(placement, a)), a)).toBeLessThan(2);
    }
    expect(registration.rmsMm).toBeLessThan(3);
  });

  it('refuses scans without lung points', () => {
    const empty = { ...priorSurface, points: new Float64Array(0) };
    expect(() => registerLungs(empty, priorSurface)).toThrow(/too little of the lungs' surface/);
  });
});
