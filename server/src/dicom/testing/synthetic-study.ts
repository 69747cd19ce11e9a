/**
 * A small synthetic CT study for the DICOM encoder tests: 64x64x24 voxels with spherical nodules,
 * findings measured by hand from the spheres (long axis along the row, short axis along the column,
 * on the centre slice). Test support only; production code never imports it.
 */
import type { BoxMask, Finding, FindingAssessment, LungRadsResult, ModelInfo, Volume, Vec3 } from '../../domain/index.ts';
import { voxelToPatient } from '../../domain/index.ts';
import { newUid } from '../uids.ts';

export const ctImageStorage = '1.2.840.10008.5.1.4.1.1.2';

export interface SphereSpec {
  readonly centre: Vec3;
  readonly radiusVoxels: number;
  readonly laterality: Finding['laterality'];
  readonly zone: Finding['zone'];
  readonly type: Finding['type'];
  readonly probability: number;
}

export const defaultSpheres: readonly SphereSpec[] = [
  { centre: { x: 20, y: 30, z: 10 }, radiusVoxels: 6, laterality: 'right', zone: 'upper', type: 'solid', probability: 0.93 },
  { centre: { x: 45, y: 20, z: 16 }, radiusVoxels: 4, laterality: 'left', zone: 'lower', type: 'part-solid', probability: 0.71 },
  { centre: { x: 40, y: 48, z: 5 }, radiusVoxels: 3, laterality: 'left', zone: 'middle', type: 'ground-glass', probability: 0.55 },
];

export const testModel: ModelInfo = { name: 'lungbridge-nodule-det', version: '0.3.1' };

export function syntheticVolume(options: { readonly dims?: readonly [number, number, number]; readonly direction?: Volume['direction'] } = {}): Volume {
  const dims = options.dims ?? [64, 64, 24];
  const voxels = new Int16Array(dims[0] * dims[1] * dims[2]).fill(-850);
  return {
    voxels,
    dims,
    spacing: [0.7, 0.7, 1.25],
    origin: { x: -22.4, y: -30.1, z: -110 },
    direction: options.direction ?? [{ x: 1, y: 0, z: 0 }, { x: 0, y: 1, z: 0 }, { x: 0, y: 0, z: 1 }],
    source: {
      studyInstanceUid: newUid(),
      seriesInstanceUid: newUid(),
      frameOfReferenceUid: newUid(),
      sopInstanceUids: Array.from({ length: dims[2] }, () => newUid()),
      sopClassUid: ctImageStorage,
      sliceThicknessMm: 1.25,
      patientStudy: {
        PatientName: 'Phantom^Lung', PatientID: 'LB-0001', PatientBirthDate: '19600101', PatientSex: 'F',
        StudyDate: '20240301', StudyTime: '101500', AccessionNumber: 'ACC42', StudyID: '7',
        ReferringPhysicianName: '', StudyDescription: 'CT CHEST LOW DOSE',
      },
    },
  };
}

/** Paints the spheres into the volume (40 HU inside) and returns their measured findings. */
export function paintFindings(volume: Volume, spheres: readonly SphereSpec[] = defaultSpheres): Finding[] {
  const [sx, sy, sz] = volume.spacing;
  return spheres.map((sphere, n) => {
    const r = sphere.radiusVoxels;
    const offset = [sphere.centre.x - r, sphere.centre.y - r, sphere.centre.z - Math.ceil((r * sx) / sz)] as const;
    const size = [2 * r + 1, 2 * r + 1, 2 * Math.ceil((r * sx) / sz) + 1] as const;
    const data = new Uint8Array(size[0] * size[1] * size[2]);
    let count = 0;
    let huSum = 0;
    for (let k = 0; k < size[2]; k++) {
      for (let j = 0; j < size[1]; j++) {
        for (let i = 0; i < size[0]; i++) {
          const d = [(i - r) * sx, (j - r) * sy, (k + offset[2] - sphere.centre.z) * sz];
          if (d[0] ** 2 + d[1] ** 2 + d[2] ** 2 > (r * sx) ** 2) continue;
          data[i + j * size[0] + k * size[0] * size[1]] = 1;
          const index = i + offset[0] + (j + offset[1]) * volume.dims[0] + (k + offset[2]) * volume.dims[0] * volume.dims[1];
          volume.voxels[index] = 40;
          huSum += 40;
          count++;
        }
      }
    }
    const mask: BoxMask = { offset, size, data };
    const { x, y, z } = sphere.centre;
    const longAxis = { start: { x: x - r, y, z }, end: { x: x + r, y, z }, lengthMm: 2 * r * sx };
    const shortAxis = { start: { x, y: y - r, z }, end: { x, y: y + r, z }, lengthMm: 2 * r * sy };
    return {
      index: n + 1,
      trackingUid: newUid(),
      probability: sphere.probability,
      centroidVoxel: sphere.centre,
      centroidMm: voxelToPatient(volume, sphere.centre),
      longAxis,
      shortAxis,
      meanDiameterMm: Math.round(((longAxis.lengthMm + shortAxis.lengthMm) / 2) * 10) / 10,
      volumeMm3: count * sx * sy * sz,
      meanHu: huSum / count,
      maxHu: 40,
      type: sphere.type,
      ...(sphere.type === 'part-solid' ? { solidComponentMm: 2.1 } : {}),
      laterality: sphere.laterality,
      zone: sphere.zone,
      juxtapleural: false,
      mask,
    };
  });
}

const lungRads4A: LungRadsResult = { category: '4A', rule: 'solid 8 to <15 mm at baseline', management: '3-month LDCT' };
const lungRads2: LungRadsResult = { category: '2', rule: 'solid <6 mm', management: '12-month LDCT' };

export const testAssessments: readonly FindingAssessment[] = [
  { lungRads: lungRads4A, brockProbability: 0.087 },
  { lungRads: lungRads2, brockProbability: 0.012, brockMissingInputs: ['family history'] },
  { lungRads: lungRads2 },
];
export const testExamLungRads = lungRads4A;
