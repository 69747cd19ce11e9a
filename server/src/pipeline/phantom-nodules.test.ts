import { beforeAll, describe, expect, it } from 'vitest';
import type { NoduleSpec, NoduleTruth } from '../phantom/types.ts';
import { boxMaskCentroid, boxMaskVoxelCount } from '../domain/mask.ts';
import { voxelDistanceMm, type Volume } from '../domain/volume.ts';
import { diceCoefficient } from '../eval/mask-overlap.ts';
import { generatePhantom, generatePhantomSet, phantomSetGeometry } from '../phantom/generate.ts';
import { segmentLungs } from './lungs.ts';
import { axialAxes, measureNodule, type NoduleMeasurement } from './measure.ts';
import { segmentAtOwnScale, segmentNodule } from './segment.ts';

/**
 * Segmentation and measurement of rendered phantom nodules of each type and shape, at the evaluation
 * set's geometry (1.4 mm pixels, 2 mm slices) over 120 mm of mid-chest, started at the true centre
 * with the nominal diameter (the detector's part is tested elsewhere).
 */
const specs: readonly NoduleSpec[] = [
  { diameterMm: 12, type: 'solid', shape: 'round', attachment: 'free', zone: 'middle', laterality: 'right' },
  { diameterMm: 12, type: 'solid', shape: 'lobulated', attachment: 'free', zone: 'middle', laterality: 'left' },
  { diameterMm: 14, type: 'part-solid', shape: 'round', attachment: 'free', zone: 'middle', laterality: 'right', solidComponentMm: 6 },
  { diameterMm: 10, type: 'ground-glass', shape: 'round', attachment: 'free', zone: 'middle', laterality: 'right' },
  { diameterMm: 8, type: 'solid', shape: 'round', attachment: 'juxtapleural', zone: 'middle', laterality: 'left' },
];

/** Renders `specs` into a 120 mm mid-chest phantom and segments and measures each at its true centre and nominal diameter. */
function segmentPhantomNodules(seed: number, specs: readonly NoduleSpec[]) {
  const phantom = generatePhantom({ seed, ...phantomSetGeometry, slices: 60, nodules: specs });
  const lungs = segmentLungs(phantom.volume);
  const measured = phantom.truth.nodules.map((truth) => {
    const mask = segmentNodule(phantom.volume, lungs, { centreVoxel: truth.centreVoxel, diameterMm: truth.diameterMm });
    return mask && measureNodule(phantom.volume, lungs, mask, 1);
  });
  return { volume: phantom.volume, truths: phantom.truth.nodules, measured };
}

describe('phantom nodules: segment and measure', () => {
  let volume: Volume;
  let truths: readonly NoduleTruth[];
  let measured: (NoduleMeasurement | undefined)[] = [];
  beforeAll(() => {
    ({ volume, truths, measured } = segmentPhantomNodules(11, specs));
  }, 60_000);

  it.each(specs.map((spec, n) => ({ n, label: `${spec.diameterMm} mm ${spec.type} ${spec.shape} ${spec.attachment}` })))(
    '$label: type, Dice >= 0.85 against the truth mask, long axis, side and pleural contact', ({ n }) => {
      const truth = truths[n];
      const finding = measured[n];
      expect(finding).toBeDefined();
      expect(finding!.type).toBe(truth.spec.type);
      expect(diceCoefficient(truth.mask, finding!.mask)).toBeGreaterThanOrEqual(0.85);
      // Against the long axis of the rendered truth mask (lobes need not reach the nominal envelope).
      const truthLongAxisMm = axialAxes(truth.mask, volume.spacing).longAxis.lengthMm;
      expect(Math.abs(finding!.longAxis.lengthMm - truthLongAxisMm)).toBeLessThanOrEqual(2);
      expect(finding!.laterality).toBe(truth.laterality);
      expect(finding!.juxtapleural).toBe(truth.attachment === 'juxtapleural');
    });

  it('sizes the solid component of the part-solid nodule within 1.5 mm', () => {
    const n = specs.findIndex((s) => s.type === 'part-solid');
    expect(measured[n]!.solidComponentMm).toBeDefined();
    expect(Math.abs(measured[n]!.solidComponentMm! - truths[n].solidComponentMm!)).toBeLessThanOrEqual(1.5);
  });
});

/** Two to four voxels across at 1.4 mm: the opening that cuts vessels off larger nodules removed these whole. */
const smallSpecs: readonly NoduleSpec[] = [
  { diameterMm: 6, type: 'ground-glass', shape: 'lobulated', attachment: 'free', zone: 'middle', laterality: 'left' },
  { diameterMm: 6, type: 'solid', shape: 'spiculated', attachment: 'juxtapleural', zone: 'middle', laterality: 'right' },
  { diameterMm: 5, type: 'solid', shape: 'lobulated', attachment: 'juxtavascular', zone: 'middle', laterality: 'right' },
];

describe('phantom nodules of 5-6 mm: segmented, not lost', () => {
  let volume: Volume;
  let truths: readonly NoduleTruth[];
  let measured: (NoduleMeasurement | undefined)[] = [];
  beforeAll(() => {
    ({ volume, truths, measured } = segmentPhantomNodules(12, smallSpecs));
  }, 60_000);

  const centroidErrorMm = (n: number) => {
    const c = measured[n]!.centroidVoxel;
    const t = truths[n].centreVoxel;
    const [sx, sy, sz] = volume.spacing;
    return Math.hypot((c.x - t.x) * sx, (c.y - t.y) * sy, (c.z - t.z) * sz);
  };

  it.each([0, 1].map((n) => ({ n, label: `${smallSpecs[n].diameterMm} mm ${smallSpecs[n].type} ${smallSpecs[n].shape} ${smallSpecs[n].attachment}` })))(
    '$label: a mask on the nodule, centroid within 1.5 mm, volume within a factor of 2, Dice >= 0.7', ({ n }) => {
      expect(measured[n]).toBeDefined();
      expect(centroidErrorMm(n)).toBeLessThanOrEqual(1.5);
      expect(measured[n]!.volumeMm3 / truths[n].volumeMm3).toBeGreaterThan(0.5);
      expect(measured[n]!.volumeMm3 / truths[n].volumeMm3).toBeLessThan(2);
      expect(diceCoefficient(truths[n].mask, measured[n]!.mask)).toBeGreaterThanOrEqual(0.7);
    });

  // Known limit (README): a vessel as thick as a 5 mm nodule survives the opening, the mask runs
  // along it and the centroid moves off the nodule. When this starts passing, make it an it().
  it.fails('5 mm solid lobulated juxtavascular: centroid within 1.5 mm (the mask takes in the vessel)', () => {
    expect(measured[2]).toBeDefined();
    expect(centroidErrorMm(2)).toBeLessThanOrEqual(1.5);
  });
});

describe('a juxtavascular nodule whose mask leaks into its vessel', () => {
  it('is cut off the vessel by a stronger opening (phantom set seed 1, scan 1008: 8 mm solid spiculated, started at the 4.2 mm blob scale)', () => {
    const { volume, truth } = generatePhantom(generatePhantomSet(20, 1)[8]);
    const nodule = truth.nodules[0];
    expect(nodule.attachment).toBe('juxtavascular');
    const mask = segmentNodule(volume, segmentLungs(volume), { centreVoxel: nodule.centreVoxel, diameterMm: 4.2 });
    expect(mask).toBeDefined();
    const finding = measureNodule(volume, segmentLungs(volume), mask!, 1);
    const c = finding.centroidVoxel;
    const [sx, sy, sz] = volume.spacing;
    // Before the stronger opening the mask ran 58 mm along the vessel, its centroid 19 mm away.
    expect(Math.hypot((c.x - nodule.centreVoxel.x) * sx, (c.y - nodule.centreVoxel.y) * sy, (c.z - nodule.centreVoxel.z) * sz)).toBeLessThanOrEqual(2.5);
    expect(finding.longAxis.lengthMm).toBeLessThan(12);
    expect(diceCoefficient(nodule.mask, mask!)).toBeGreaterThanOrEqual(0.6);
  }, 60_000);
});

/** Halos 0.8-1 mm thick over the solid mask: too thin for the interior test, which used to leave them out. */
const smallPartSolidSpecs: readonly NoduleSpec[] = [
  { diameterMm: 8, type: 'part-solid', shape: 'round', attachment: 'free', zone: 'middle', laterality: 'right', solidComponentMm: 4 },
  { diameterMm: 8, type: 'part-solid', shape: 'lobulated', attachment: 'juxtapleural', zone: 'middle', laterality: 'left', solidComponentMm: 3.5 },
];

describe('phantom part-solid nodules of 8 mm: the ground-glass halo is part of the mask', () => {
  let volume: Volume;
  let truths: readonly NoduleTruth[];
  let measured: (NoduleMeasurement | undefined)[] = [];
  beforeAll(() => {
    ({ volume, truths, measured } = segmentPhantomNodules(13, smallPartSolidSpecs));
  }, 60_000);

  it.each(smallPartSolidSpecs.map((spec, n) => ({ n, label: `${spec.diameterMm} mm ${spec.type} ${spec.shape} ${spec.attachment}` })))(
    '$label: part-solid, Dice >= 0.75, volume within 30 %', ({ n }) => {
      expect(measured[n]).toBeDefined();
      expect(measured[n]!.type).toBe('part-solid');
      expect(diceCoefficient(truths[n].mask, measured[n]!.mask)).toBeGreaterThanOrEqual(0.75);
      expect(Math.abs(measured[n]!.volumeMm3 / truths[n].volumeMm3 - 1)).toBeLessThanOrEqual(0.3);
    });
});

/** Nodules over 20 mm: one on the chest wall, one started on its rim at the smallest blob scale. */
const largeSpecs: readonly NoduleSpec[] = [
  { diameterMm: 22, type: 'solid', shape: 'round', attachment: 'juxtapleural', zone: 'middle', laterality: 'right' },
  { diameterMm: 24, type: 'part-solid', shape: 'spiculated', attachment: 'juxtavascular', zone: 'middle', laterality: 'left', solidComponentMm: 10 },
];

describe('phantom nodules over 20 mm', () => {
  let volume: Volume;
  let lungs: ReturnType<typeof segmentLungs>;
  let truths: readonly NoduleTruth[];
  beforeAll(() => {
    const phantom = generatePhantom({ seed: 14, ...phantomSetGeometry, slices: 60, nodules: largeSpecs });
    ({ volume } = phantom);
    truths = phantom.truth.nodules;
    lungs = segmentLungs(volume);
  }, 60_000);

  it('22 mm solid juxtapleural: inside the lung mask and segmented whole (a 10 mm closing left half of it out: Dice 0.44)', () => {
    const { mask } = truths[0];
    const [nx, ny] = volume.dims;
    let voxels = 0;
    let inLungs = 0;
    mask.data.forEach((set, n) => {
      if (!set) return;
      const i = n % mask.size[0];
      const j = Math.floor(n / mask.size[0]) % mask.size[1];
      const k = Math.floor(n / (mask.size[0] * mask.size[1]));
      voxels++;
      if (lungs.mask[mask.offset[0] + i + (mask.offset[1] + j) * nx + (mask.offset[2] + k) * nx * ny]) inLungs++;
    });
    expect(inLungs / voxels).toBeGreaterThanOrEqual(0.9);
    const segmented = segmentNodule(volume, lungs, truths[0]);
    expect(segmented).toBeDefined();
    expect(diceCoefficient(mask, segmented!)).toBeGreaterThanOrEqual(0.85);
  });

  it('24 mm part-solid spiculated, started 7 mm off its centre at the 4.2 mm scale: segmented again at its own size', () => {
    const truth = truths[1];
    const offCentre = { x: truth.centreVoxel.x + 5, y: truth.centreVoxel.y, z: truth.centreVoxel.z };
    const first = segmentNodule(volume, lungs, { centreVoxel: offCentre, diameterMm: 4.2 });
    expect(first).toBeDefined();
    const own = segmentAtOwnScale(volume, lungs, { diameterMm: 4.2 }, first!);
    const truthLongAxisMm = axialAxes(truth.mask, volume.spacing).longAxis.lengthMm;
    // The first mask: Dice 0.85, long axis 23.5 mm against the truth's 25.2 (its spicules cut short).
    expect(diceCoefficient(truth.mask, own)).toBeGreaterThan(diceCoefficient(truth.mask, first!) + 0.02);
    expect(Math.abs(axialAxes(own, volume.spacing).longAxis.lengthMm - truthLongAxisMm)).toBeLessThanOrEqual(1);
  });

  it('keeps a mask made at about its own size as it is', () => {
    const mask = segmentNodule(volume, lungs, truths[1]);
    expect(mask).toBeDefined();
    expect(segmentAtOwnScale(volume, lungs, truths[1], mask!)).toBe(mask);
  });
});

describe('solid nodules of 12-16 mm on a hilar vessel', () => {
  // Two nodules per phantom as in the survey that found these (sizes from 12-28 mm by seed); the
  // first, in the right lung's middle zone, lies on a vessel that the fixed stronger openings do not cut.
  it.each([{ seed: 15, diameterMm: 12, other: 20 }, { seed: 16, diameterMm: 16, other: 24 }])(
    'seed $seed, $diameterMm mm: a mask in the largest box (before, it reached the box edge and no finding was made)', ({ seed, diameterMm, other }) => {
      const specs: NoduleSpec[] = [
        { diameterMm, type: 'solid', shape: 'round', attachment: 'juxtavascular', zone: 'middle', laterality: 'right' },
        { diameterMm: other, type: 'solid', shape: 'round', attachment: 'juxtavascular', zone: 'middle', laterality: 'left' },
      ];
      const { volume, truth } = generatePhantom({ seed, ...phantomSetGeometry, slices: 60, nodules: specs });
      const nodule = truth.nodules[0];
      const mask = segmentNodule(volume, segmentLungs(volume), nodule);
      expect(mask).toBeDefined();
      expect(diceCoefficient(nodule.mask, mask!)).toBeGreaterThanOrEqual(0.7);
    }, 60_000);
});

describe('a 6 mm ground-glass nodule on a vessel, segmented at its subsolid-pass proposal', () => {
  // Phantom set seed 5, scan 8, nodule 1; the proposal lies 0.9 mm from its centre. The usual
  // outline took in the vessel below it (65 voxels, centroid 3.4 mm off, outside the hit radius),
  // with the one strand the ground-glass outline (27 voxels) also has.
  it('outlines the ground glass and leaves the vessel out', () => {
    const { volume, truth } = generatePhantom(generatePhantomSet(20, 5)[8]);
    const nodule = truth.nodules[0];
    expect(nodule.spec).toMatchObject({ diameterMm: 6, type: 'ground-glass', attachment: 'juxtavascular' });
    const mask = segmentNodule(volume, segmentLungs(volume), { centreVoxel: { x: 71, y: 146, z: 74 }, diameterMm: 5.9, subsolid: true });
    expect(mask).toBeDefined();
    expect(voxelDistanceMm(boxMaskCentroid(mask!), nodule.centreVoxel, volume.spacing)).toBeLessThan(nodule.diameterMm / 2);
    expect(boxMaskVoxelCount(mask!) * volume.spacing[0] * volume.spacing[1] * volume.spacing[2]).toBeLessThan(1.5 * (Math.PI / 6) * 6 ** 3);
  }, 60_000);
});
