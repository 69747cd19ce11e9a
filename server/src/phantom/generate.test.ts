import { describe, expect, it, test } from 'vitest';
import { boxMaskVoxelCount } from '../domain/mask.ts';
import type { Volume } from '../domain/volume.ts';
import { hu } from './anatomy.ts';
import { createPatient, generatePhantom, generatePhantomSet, placementContext } from './generate.ts';
import { lungSideIndex, zoneAt } from './lung-map.ts';
import { placeNodules, vesselClearanceMm } from './nodule-placement.ts';
import type { NoduleSpec, PhantomOptions } from './types.ts';

/** 128 x 128 x 100 over the whole thorax: 2.8 x 3.2 mm voxels, about a second to generate. */
const small = { matrix: 128, slices: 100 } as const;

const specs: NoduleSpec[] = [
  { diameterMm: 20, type: 'solid', shape: 'round', attachment: 'free', laterality: 'right', zone: 'lower' },
  { diameterMm: 10, type: 'solid', shape: 'round', attachment: 'free', laterality: 'left', zone: 'upper' },
  { diameterMm: 12, type: 'part-solid', shape: 'lobulated', attachment: 'juxtapleural', laterality: 'left', zone: 'lower', solidComponentMm: 6 },
  { diameterMm: 8, type: 'ground-glass', shape: 'spiculated', attachment: 'juxtavascular', laterality: 'right', zone: 'middle' },
];
const options: PhantomOptions = { seed: 11, ...small, nodules: specs };
const phantom = generatePhantom(options);
const patient = createPatient(options.seed, 'chest');

function at(volume: Volume, i: number, j: number, k: number): number {
  return volume.voxels[i + j * volume.dims[0] + k * volume.dims[0] * volume.dims[1]];
}

/** Voxel of anatomy point (x, y, z): the baseline is scanned in the neutral pose, so anatomy = patient coordinates. */
function voxelOf(volume: Volume, x: number, y: number, z: number): [number, number, number] {
  return [
    Math.round((x - volume.origin.x) / volume.spacing[0]),
    Math.round((y - volume.origin.y) / volume.spacing[1]),
    Math.round((z - volume.origin.z) / volume.spacing[2]),
  ];
}

function stats(values: number[]): { mean: number; sd: number; median: number } {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1));
  const sorted = [...values].sort((a, b) => a - b);
  return { mean, sd, median: sorted[Math.floor(sorted.length / 2)] };
}

describe('generatePhantom', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const tiny = { matrix: 48, slices: 24, nodules: [specs[1]] } as const;
    const a = generatePhantom({ seed: 5, ...tiny });
    const b = generatePhantom({ seed: 5, ...tiny });
    const c = generatePhantom({ seed: 6, ...tiny });
    expect(Buffer.from(a.volume.voxels.buffer).equals(Buffer.from(b.volume.voxels.buffer))).toBe(true);
    expect(a.truth).toEqual(b.truth);
    expect(a.volume.source).toEqual(b.volume.source);
    expect(Buffer.from(a.volume.voxels.buffer).equals(Buffer.from(c.volume.voxels.buffer))).toBe(false);
    expect(c.truth.nodules[0].centreMm).not.toEqual(a.truth.nodules[0].centreMm);
    expect(c.volume.source.studyInstanceUid).not.toBe(a.volume.source.studyInstanceUid);
  });

  it('builds a Volume with the requested geometry and 2.25 UIDs', () => {
    const { volume } = phantom;
    expect(volume.dims).toEqual([128, 128, 100]);
    expect(volume.spacing[0]).toBeCloseTo(360 / 128);
    expect(volume.spacing[2]).toBeCloseTo(3.2);
    expect(volume.voxels.length).toBe(128 * 128 * 100);
    expect(volume.source.sopInstanceUids).toHaveLength(100);
    expect(new Set(volume.source.sopInstanceUids).size).toBe(100);
    for (const uid of [volume.source.studyInstanceUid, volume.source.seriesInstanceUid, volume.source.frameOfReferenceUid]) {
      expect(uid).toMatch(/^2\.25\.[1-9]\d*$/);
      expect(uid.length).toBeLessThanOrEqual(64);
    }
    expect(volume.source.patientStudy).toMatchObject({ PatientID: 'LB-PHANTOM-11', PatientName: 'Phantom^Lungbridge' });
  });

  it('puts tissues at their attenuations: air, lung, soft tissue, bone', () => {
    const { volume } = phantom;
    const [columns, rows, slices] = volume.dims;
    const corner: number[] = [];
    for (let k = 10; k < slices - 10; k += 5) for (let j = 0; j < 6; j++) for (let i = 0; i < 6; i++) corner.push(at(volume, i, j, k));
    expect(stats(corner).mean).toBeGreaterThan(-1015);
    expect(stats(corner).mean).toBeLessThan(-985);

    // Lung: the grid points of the lung map that lie deep inside it (no neighbour outside).
    const lung: number[] = [];
    const points = patient.lungMap.points[0];
    for (let p = 0; p < points.length; p += 3 * 37) {
      const [x, y, z] = [points[p], points[p + 1], points[p + 2]];
      const deep = [-8, 8].every((d) => patient.anatomy.lungSide(x + d, y, patient.anatomy.slice(z)) === 1
        && patient.anatomy.lungSide(x, y + d, patient.anatomy.slice(z)) === 1
        && patient.anatomy.lungSide(x, y, patient.anatomy.slice(z + d)) === 1);
      const [i, j, k] = voxelOf(volume, x, y, z);
      if (deep && k >= 0 && k < slices && i >= 0 && i < columns && j >= 0 && j < rows) lung.push(at(volume, i, j, k));
    }
    expect(lung.length).toBeGreaterThan(50);
    expect(stats(lung).median).toBeGreaterThan(-900);
    expect(stats(lung).median).toBeLessThan(-790);

    // Liver, just under the right hemidiaphragm's lowest slices: uniform soft tissue, so also the noise level.
    const liver: number[] = [];
    for (let z = -150; z <= -110; z += 4) for (let x = -70; x <= -50; x += 4) for (let y = -15; y <= 5; y += 4) {
      const [i, j, k] = voxelOf(volume, x, y, z);
      if (k >= 0) liver.push(at(volume, i, j, k));
    }
    expect(liver.length).toBeGreaterThan(20);
    expect(Math.abs(stats(liver).mean - hu.liver)).toBeLessThan(10);
    expect(stats(liver).sd).toBeGreaterThan(12);
    expect(stats(liver).sd).toBeLessThan(30);

    // Vertebral body: bone, hundreds of HU, somewhere along the spine.
    let spineMax = -Infinity;
    for (let k = 0; k < slices; k++) {
      const [i, j] = voxelOf(volume, 0, 30, 0);
      spineMax = Math.max(spineMax, at(volume, i, j, k));
    }
    expect(spineMax).toBeGreaterThan(150);
  });

  it('measures image noise near the requested standard deviation', () => {
    const flat = generatePhantom({ seed: 2, matrix: 64, slices: 8, sliceSpacingMm: 2, region: 'abdomen', noiseSigmaHu: 25 });
    // Compare against the same phantom without noise: the difference is the noise alone.
    const clean = generatePhantom({ seed: 2, matrix: 64, slices: 8, sliceSpacingMm: 2, region: 'abdomen', noiseSigmaHu: 0 });
    const differences: number[] = [];
    for (let i = 0; i < flat.volume.voxels.length; i++) {
      if (clean.volume.voxels[i] > -900) differences.push(flat.volume.voxels[i] - clean.volume.voxels[i]);
    }
    expect(Math.abs(stats(differences).mean)).toBeLessThan(1);
    expect(stats(differences).sd).toBeGreaterThan(22);
    expect(stats(differences).sd).toBeLessThan(28);
  });

  it('places each nodule in the lung, side and zone its spec asks for', () => {
    for (const truth of phantom.truth.nodules) {
      const spec = specs[truth.index - 1];
      expect(truth.laterality).toBe(spec.laterality);
      expect(truth.zone).toBe(spec.zone);
      // LPS: the patient's right is -x.
      expect(Math.sign(truth.centreMm.x)).toBe(spec.laterality === 'right' ? -1 : 1);
      const c = truth.centreMm;
      expect(patient.anatomy.lungSide(c.x, c.y, patient.anatomy.slice(c.z))).toBe(lungSideIndex[truth.laterality] + 1);
      expect(zoneAt(patient.lungMap, lungSideIndex[truth.laterality], c.z)).toBe(spec.zone);
      // The centre voxel is denser than lung: the nodule is there in the image (a part-solid one's
      // core may sit off centre, so only ground glass is sure to be there).
      const [i, j, k] = [Math.round(truth.centreVoxel.x), Math.round(truth.centreVoxel.y), Math.round(truth.centreVoxel.z)];
      expect(at(phantom.volume, i, j, k)).toBeGreaterThan(spec.type === 'solid' ? -400 : -750);
    }
  });

  it('renders round nodules with the volume of their sphere', () => {
    for (const truth of phantom.truth.nodules.filter((n) => n.spec.shape === 'round')) {
      const sphere = (4 / 3) * Math.PI * (truth.diameterMm / 2) ** 3;
      expect(Math.abs(truth.volumeMm3 - sphere) / sphere).toBeLessThan(0.03);
      expect(truth.volumeEquivalentDiameterMm).toBeCloseTo(truth.diameterMm, 0);
      // The mask (voxels at least half inside) holds about the same volume.
      const voxelVolume = phantom.volume.spacing[0] * phantom.volume.spacing[1] * phantom.volume.spacing[2];
      expect(Math.abs(boxMaskVoxelCount(truth.mask) * voxelVolume - sphere) / sphere).toBeLessThan(0.2);
    }
  });

  it('touches the chest wall with juxtapleural nodules and keeps free ones clear of it', () => {
    const { anatomy } = patient;
    /** Least clearance (mm) between the chest wall and the nodule's mask voxels. */
    const wallClearance = (index: number): number => {
      const { mask } = phantom.truth.nodules[index - 1];
      const { volume } = phantom;
      let least = Infinity;
      for (let k = 0; k < mask.size[2]; k++) for (let j = 0; j < mask.size[1]; j++) for (let i = 0; i < mask.size[0]; i++) {
        if (!mask.data[i + j * mask.size[0] + k * mask.size[0] * mask.size[1]]) continue;
        const x = volume.origin.x + (mask.offset[0] + i) * volume.spacing[0];
        const y = volume.origin.y + (mask.offset[1] + j) * volume.spacing[1];
        const s = anatomy.slice(volume.origin.z + (mask.offset[2] + k) * volume.spacing[2]);
        least = Math.min(least, anatomy.depth(x, y, s) - anatomy.wallDepth(x, y, s));
      }
      return least;
    };
    expect(wallClearance(3)).toBeLessThan(phantom.volume.spacing[0] + 1);
    expect(wallClearance(1)).toBeGreaterThan(3);
    expect(wallClearance(2)).toBeGreaterThan(3);
  });

  it('touches a vessel with juxtavascular nodules and prunes vessels out of free ones', () => {
    const { placed, lungVessels } = placeNodules(specs, placementContext(patient, options), { seed: options.seed, label: 'nodules' });
    expect(placed.map((p) => p.centre)).toEqual(phantom.truth.nodules.map((n) => n.centreMm));
    const clearance = (n: number) => Math.min(...lungVessels.map((s) => vesselClearanceMm(s, placed[n].centre)));
    expect(clearance(3)).toBeLessThan(placed[3].spec.diameterMm / 2);
    expect(clearance(0)).toBeGreaterThan(placed[0].spec.diameterMm / 2 + 1);
    expect(clearance(1)).toBeGreaterThan(placed[1].spec.diameterMm / 2 + 1);
  });

  it('makes an abdomen phantom without lungs', () => {
    const abdomen = generatePhantom({ seed: 11, ...small, region: 'abdomen' });
    expect(abdomen.truth.lungsPresent).toBe(false);
    expect(abdomen.identity.bodyPartExamined).toBe('ABDOMEN');
    const lungLike = (v: Volume) => v.voxels.reduce((n, x) => n + (x > -920 && x < -780 ? 1 : 0), 0) / v.voxels.length;
    expect(lungLike(abdomen.volume)).toBeLessThan(0.005);
    expect(lungLike(phantom.volume)).toBeGreaterThan(0.05);
    expect(() => generatePhantom({ seed: 1, ...small, region: 'abdomen', nodules: [specs[0]] })).toThrow(/abdomen phantom has no lungs/);
  });

  test.each([
    [{ ...specs[0], diameterMm: 2 }, /nodules\[0\]\.diameterMm 2 breaks the rule/],
    [{ ...specs[0], solidComponentMm: 4 }, /solidComponentMm is only for part-solid/],
    [{ ...specs[2], solidComponentMm: 12 }, /solidComponentMm 12 breaks the rule/],
  ])('refuses an impossible nodule spec %#', (spec, message) => {
    expect(() => generatePhantom({ seed: 1, matrix: 32, slices: 8, sliceSpacingMm: 2, nodules: [spec as NoduleSpec] })).toThrow(message);
  });

  it('says which nodule has no room', () => {
    // 8 slices of 1 mm cover 8 mm of the thorax: no room for a 20 mm nodule.
    expect(() => generatePhantom({ seed: 1, matrix: 32, slices: 8, sliceSpacingMm: 1, nodules: [specs[0]] }))
      .toThrow(/nodules\[0\]: no place for a 20 mm free nodule in the lower right lung/);
  });
});

describe('generatePhantomSet', () => {
  const set = generatePhantomSet(20, 1);

  it('covers sizes 3-30 mm, every type, shape and attachment, and scans without nodules', () => {
    const nodules = set.flatMap((o) => o.nodules ?? []);
    expect(set).toHaveLength(20);
    expect(new Set(set.map((o) => o.seed)).size).toBe(20);
    expect(set.filter((o) => o.nodules?.length === 0).length).toBeGreaterThanOrEqual(3);
    expect(Math.min(...nodules.map((n) => n.diameterMm))).toBe(3);
    expect(Math.max(...nodules.map((n) => n.diameterMm))).toBe(30);
    expect(new Set(nodules.map((n) => `${n.type}/${n.shape}/${n.attachment}`)).size).toBe(27);
    expect(generatePhantomSet(20, 1)).toEqual(set);
    expect(generatePhantomSet(20, 2)).not.toEqual(set);
  });

  it('gives specs that fit their phantoms', () => {
    // Placement only (no rendering) for every phantom of the set.
    for (const options of set) {
      const p = createPatient(options.seed, 'chest');
      expect(() => placeNodules(options.nodules ?? [], placementContext(p, options), { seed: options.seed, label: 'nodules' })).not.toThrow();
    }
  }, 120_000);

  it('moves a nodule its zone has no room for to the nearest zone that has (set seed 5, scan 17: 26 mm, lower left, beside the heart)', () => {
    const options = generatePhantomSet(20, 5)[17];
    expect(options.relocateUnplaceable).toBe(true);
    const drawn = options.nodules![0];
    expect(drawn).toMatchObject({ diameterMm: 26, zone: 'lower', laterality: 'left' });
    const p = createPatient(options.seed, 'chest');
    const context = placementContext(p, options);
    const stream = { seed: options.seed, label: 'nodules' };
    expect(() => placeNodules(options.nodules!, context, stream)).toThrow(/nodules\[0\]: no place for a 26 mm free nodule in the lower left lung/);
    const { placed } = placeNodules(options.nodules!, context, stream, [], { relocateUnplaceable: true });
    expect(placed[0].spec).toMatchObject({ diameterMm: 26, type: drawn.type, shape: drawn.shape, attachment: drawn.attachment });
    expect([placed[0].spec.zone, placed[0].spec.laterality]).not.toEqual(['lower', 'left']);
  }, 60_000);

  it('keeps a juxtapleural nodule out of a rib that reaches into the lung (set seed 5, scan 13: 6 mm, once drawn as bone)', () => {
    const { volume, truth } = generatePhantom(generatePhantomSet(20, 5)[13]);
    const nodule = truth.nodules[2];
    expect(nodule.spec).toMatchObject({ diameterMm: 6, type: 'solid', attachment: 'juxtapleural' });
    const [nx, ny] = volume.dims;
    const hus: number[] = [];
    const { data, offset, size } = nodule.mask;
    for (let k = 0, n = 0; k < size[2]; k++) for (let j = 0; j < size[1]; j++) for (let i = 0; i < size[0]; i++, n++) {
      if (data[n]) hus.push(volume.voxels[offset[0] + i + (offset[1] + j) * nx + (offset[2] + k) * nx * ny]);
    }
    hus.sort((a, b) => a - b);
    // Solid nodule tissue (about 40 HU) blurred with the lung around it; bone reads 250-550 here.
    expect(hus[Math.floor(hus.length / 2)]).toBeLessThan(150);
  }, 60_000);
});
