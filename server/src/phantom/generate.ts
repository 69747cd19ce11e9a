import type { Vec3, Volume } from '../domain/volume.ts';
import { ctImageStorageSopClassUid, patientStudyAttributes } from '../dicom/ct-writer.ts';
import { equivalentDiameterMm } from '../imaging/sphere.ts';
import { Anatomy } from './anatomy.ts';
import type { PatientPose, ScanGrid } from './geometry.ts';
import { anatomyToPatient, centredGrid, neutralPose, patientToVoxelPoint } from './geometry.ts';
import { phantomIdentity, scanUids } from './identity.ts';
import { mapLungs, lungSideIndex, zoneAt } from './lung-map.ts';
import type { LungMap } from './lung-map.ts';
import type { PlacedNodule } from './nodule-placement.ts';
import { placeNodules, type PlacementContext } from './nodule-placement.ts';
import { createRng } from './random.ts';
import type { RenderedNodule, ScannerModel } from './render.ts';
import { renderVolume } from './render.ts';
import type { Structures } from './structures.ts';
import { buildStructures, tubeLayers } from './structures.ts';
import type { NoduleTruth, Phantom, PhantomOptions, PhantomRegion } from './types.ts';

/** Defaults: a 512 x 512 x 320 chest CT over a 360 mm field of view and 320 mm of the body. */
export const phantomDefaults = {
  slices: 320,
  matrix: 512,
  fieldOfViewMm: 360,
  coverageMm: 320,
  noiseSigmaHu: 20,
  blurSigmaMm: 0.7,
} as const;

/** Anatomy-frame height the scan is centred on: mid-lung for the chest, below the diaphragm for the abdomen. */
const scanCentreZ: Record<PhantomRegion, number> = { chest: -15, abdomen: -290 };

/** Everything about one phantom patient that does not depend on the scan: body, vessels, nodule places. */
export interface PhantomPatient {
  readonly seed: number;
  readonly region: PhantomRegion;
  readonly anatomy: Anatomy;
  readonly lungMap: LungMap;
  readonly structures: Structures;
}

export function createPatient(seed: number, region: PhantomRegion): PhantomPatient {
  if (!Number.isInteger(seed) || seed < 0) throw new Error(`seed ${seed} breaks the rule: a non-negative integer`);
  const anatomy = new Anatomy(createRng(seed, 'anatomy'), region);
  return {
    seed,
    region,
    anatomy,
    lungMap: mapLungs(anatomy),
    structures: buildStructures(anatomy, createRng(seed, 'structures')),
  };
}

/** What nodule placement needs to know of a patient and the scan's extent. */
export function placementContext(patient: PhantomPatient, options: PhantomOptions): PlacementContext {
  const { lungVessels, ribs, costalCartilage } = patient.structures;
  return {
    anatomy: patient.anatomy,
    lungMap: patient.lungMap,
    lungVessels,
    ribCage: [...ribs, ...costalCartilage],
    bounds: scanBounds(options),
  };
}

export interface ResolvedScan {
  readonly grid: ScanGrid;
  readonly scanner: ScannerModel;
}

export function resolveScan(options: PhantomOptions): ResolvedScan {
  const matrix = options.matrix ?? phantomDefaults.matrix;
  const slices = options.slices ?? phantomDefaults.slices;
  const pixelSpacingMm = options.pixelSpacingMm ?? phantomDefaults.fieldOfViewMm / matrix;
  const sliceSpacingMm = options.sliceSpacingMm ?? phantomDefaults.coverageMm / slices;
  const positive: [string, number][] = [['matrix', matrix], ['slices', slices]];
  for (const [name, value] of positive) {
    if (!Number.isInteger(value) || value < 1 || value > 2048) throw new Error(`${name} ${value} breaks the rule: an integer from 1 to 2048`);
  }
  for (const [name, value] of [['pixelSpacingMm', pixelSpacingMm], ['sliceSpacingMm', sliceSpacingMm]] as const) {
    if (!(value > 0.1 && value <= 20)) throw new Error(`${name} ${value} breaks the rule: above 0.1 and at most 20 mm`);
  }
  const region = options.region ?? 'chest';
  return {
    grid: centredGrid(matrix, pixelSpacingMm, slices, sliceSpacingMm, scanCentreZ[region]),
    scanner: {
      blurSigmaMm: options.blurSigmaMm ?? phantomDefaults.blurSigmaMm,
      sliceThicknessMm: options.sliceThicknessMm ?? sliceSpacingMm,
      noiseSigmaHu: options.noiseSigmaHu ?? phantomDefaults.noiseSigmaHu,
    },
  };
}

/** Renders placed nodules into a scan of `patient` and assembles the Volume and the truth. */
export function scanPatient(
  patient: PhantomPatient,
  nodules: readonly PlacedNodule[],
  lungVessels: Structures['lungVessels'],
  options: PhantomOptions,
  scan: { readonly name: string; readonly pose: PatientPose; readonly daysAfterBaseline: number },
): Phantom {
  const { grid, scanner } = resolveScan(options);
  const rendered = renderVolume({
    anatomy: patient.anatomy,
    tubes: tubeLayers({ ...patient.structures, lungVessels }),
    nodules,
    grid,
    pose: scan.pose,
    scanner,
    noise: { seed: patient.seed, label: scan.name },
  });
  const identity = phantomIdentity(patient.seed, scan.daysAfterBaseline, {
    bodyPartExamined: patient.region === 'chest' ? 'CHEST' : 'ABDOMEN',
    ...options.identity,
  });
  const uids = scanUids(patient.seed, scan.name, grid.slices);
  const volume: Volume = {
    voxels: rendered.voxels,
    dims: [grid.columns, grid.rows, grid.slices],
    spacing: [grid.pixelSpacingMm, grid.pixelSpacingMm, grid.sliceSpacingMm],
    origin: grid.origin,
    direction: [{ x: 1, y: 0, z: 0 }, { x: 0, y: 1, z: 0 }, { x: 0, y: 0, z: 1 }],
    source: {
      ...uids,
      sopClassUid: ctImageStorageSopClassUid,
      sliceThicknessMm: scanner.sliceThicknessMm,
      patientStudy: patientStudyAttributes(identity),
    },
  };
  return {
    volume,
    identity,
    truth: {
      seed: patient.seed,
      region: patient.region,
      lungsPresent: patient.anatomy.lungsPresent,
      noiseSigmaHu: scanner.noiseSigmaHu,
      nodules: nodules.map((n, i) => noduleTruth(i + 1, n, rendered.nodules[i], patient, grid, scan.pose)),
    },
  };
}

function noduleTruth(index: number, nodule: PlacedNodule, rendered: RenderedNodule, patient: PhantomPatient, grid: ScanGrid, pose: PatientPose): NoduleTruth {
  const centreMm = anatomyToPatient(pose, nodule.centre);
  const { spec } = nodule;
  return {
    index,
    spec,
    centreMm,
    centreVoxel: patientToVoxelPoint(grid, centreMm),
    diameterMm: spec.diameterMm,
    volumeMm3: rendered.volumeMm3,
    volumeEquivalentDiameterMm: equivalentDiameterMm(rendered.volumeMm3),
    huNominal: nodule.hu,
    solidComponentMm: nodule.core ? 2 * nodule.core.radiusMm : undefined,
    laterality: spec.laterality,
    zone: zoneAt(patient.lungMap, lungSideIndex[spec.laterality], nodule.centre.z),
    attachment: spec.attachment,
    mask: rendered.mask,
  };
}

/** Anatomy-frame box a scan covers in the neutral pose. */
export function scanBounds(options: PhantomOptions): { min: Vec3; max: Vec3 } {
  const { grid } = resolveScan(options);
  const { origin, pixelSpacingMm: px, sliceSpacingMm: dz } = grid;
  return { min: origin, max: { x: origin.x + (grid.columns - 1) * px, y: origin.y + (grid.rows - 1) * px, z: origin.z + (grid.slices - 1) * dz } };
}

/**
 * A synthetic chest CT with known nodules, the same for the same options: anatomy, vessels, nodule
 * places, attenuations and noise all come from streams of `options.seed`.
 */
export function generatePhantom(options: PhantomOptions): Phantom {
  const region = options.region ?? 'chest';
  const specs = options.nodules ?? [];
  if (region === 'abdomen' && specs.length > 0) throw new Error('nodules: an abdomen phantom has no lungs to put nodules in');
  const patient = createPatient(options.seed, region);
  const { placed, lungVessels } = placeNodules(specs, placementContext(patient, options),
    { seed: options.seed, label: 'nodules' }, [], { relocateUnplaceable: options.relocateUnplaceable ?? false });
  return scanPatient(patient, placed, lungVessels, options, { name: 'baseline', pose: neutralPose, daysAfterBaseline: 0 });
}

/**
 * Geometry of the evaluation set: 256 x 256 at 1.4 mm (a 358 mm field of view) and 160 slices of
 * 2 mm. A quarter of the voxels of a 512 x 512 x 320 scan, so that 20 phantoms generate and run
 * through a detector in minutes on two cores, while 3 mm nodules still cover a few voxels (like the
 * thick-slice scans of LIDC-IDRI).
 */
export const phantomSetGeometry = { matrix: 256, pixelSpacingMm: 1.4, slices: 160, sliceSpacingMm: 2 } as const;

const setSizesMm = [3, 4, 5, 6, 7, 8, 10, 12, 15, 18, 22, 26, 30] as const;
const setTypes = ['solid', 'part-solid', 'ground-glass'] as const;
const setShapes = ['round', 'lobulated', 'spiculated'] as const;
const setAttachments = ['free', 'juxtavascular', 'juxtapleural'] as const;

/**
 * Options of `count` phantoms for an evaluation (FROC, CPM), deterministic for `seed`. Nodule n of
 * the set takes type n mod 3, shape ⌊n/3⌋ mod 3 and attachment ⌊n/9⌋ mod 3, so every 27 nodules
 * cover every combination; sizes run through 3-30 mm; every fifth phantom has no nodule (a scan
 * where any finding is a false positive). Zones are drawn before the anatomy is known, so a nodule
 * with no room in its zone is moved to the nearest zone that has (relocateUnplaceable; the truth
 * says where it went). Generate each with `generatePhantom` when needed: 20
 * rendered phantoms at once would hold 20 volumes.
 */
export function generatePhantomSet(count: number, seed: number): PhantomOptions[] {
  if (!Number.isInteger(count) || count < 0) throw new Error(`count ${count} breaks the rule: a non-negative integer`);
  const rng = createRng(seed, 'phantom-set');
  let n = 0;
  return Array.from({ length: count }, (_, i): PhantomOptions => {
    const noduleCount = i % 5 === 4 ? 0 : rng.int(1, 3);
    const nodules = Array.from({ length: noduleCount }, () => {
      const type = setTypes[n % 3];
      const shape = setShapes[Math.floor(n / 3) % 3];
      const attachment = setAttachments[Math.floor(n / 9) % 3];
      // Subsolid nodules under 6 mm are rare and hardly visible at 1.4 mm: start those at 6 mm.
      const smallest = type === 'solid' ? 3 : 6;
      const diameterMm = Math.max(smallest, setSizesMm[(n * 5 + i) % setSizesMm.length]);
      n++;
      // Large nodules go where the lung is wide enough for them.
      const zone = rng.pick(diameterMm > 18 ? ['middle', 'lower'] as const : ['upper', 'middle', 'lower'] as const);
      return {
        diameterMm,
        type,
        shape,
        attachment,
        laterality: rng.pick(['left', 'right'] as const),
        zone,
        ...(type === 'part-solid' ? { solidComponentMm: Math.round(diameterMm * rng.uniform(0.3, 0.6) * 2) / 2 } : {}),
      };
    });
    return { seed: seed * 1000 + i, ...phantomSetGeometry, nodules, relocateUnplaceable: true };
  });
}
