import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { NaturalizedDataset } from 'dcmjs';
import type { Vec3, Volume } from '../domain/volume.ts';
import { voxelToPatient } from '../domain/volume.ts';
import { toPart10 } from './part10.ts';

export const ctImageStorageSopClassUid = '1.2.840.10008.5.1.4.1.1.2';
/** CT pixels are stored unsigned with this intercept, so air (-1024 HU) is 0 (PS3.3 C.8.2.1). */
const rescaleIntercept = -1024;

/** Patient, study and series attributes of a CT series that its pixels do not give. */
export interface CtSeriesIdentity {
  /** PN, e.g. `Phantom^Lungbridge`. */
  readonly patientName: string;
  readonly patientId: string;
  readonly patientSex: 'M' | 'F' | 'O';
  /** DA, YYYYMMDD. */
  readonly patientBirthDate: string;
  /** AS, e.g. `063Y`. */
  readonly patientAge: string;
  readonly studyDate: string;
  /** TM, HHMMSS. */
  readonly studyTime: string;
  readonly studyId: string;
  readonly accessionNumber: string;
  readonly studyDescription: string;
  readonly seriesDescription: string;
  readonly seriesNumber: number;
  /** CS from PS3.16 Annex L, e.g. CHEST. */
  readonly bodyPartExamined: string;
  readonly manufacturer: string;
}

function requireMatch(value: string, pattern: RegExp, name: string, rule: string): void {
  if (!pattern.test(value)) throw new Error(`${name} "${value}" breaks the rule: ${rule}`);
}

/** Refuses values that would make an invalid instance, naming the attribute and the rule. */
function checkIdentity(identity: CtSeriesIdentity): void {
  const lo = /^[^\\\r\n]{0,64}$/;
  requireMatch(identity.patientId, lo, 'patientId', 'LO, at most 64 characters, no backslash');
  requireMatch(identity.patientName, /^[^\\\r\n]{1,64}$/, 'patientName', 'PN, 1 to 64 characters per group');
  requireMatch(identity.patientBirthDate, /^\d{8}$/, 'patientBirthDate', 'DA is YYYYMMDD');
  requireMatch(identity.studyDate, /^\d{8}$/, 'studyDate', 'DA is YYYYMMDD');
  requireMatch(identity.studyTime, /^\d{6}$/, 'studyTime', 'TM is HHMMSS here');
  requireMatch(identity.patientAge, /^\d{3}[DWMY]$/, 'patientAge', 'AS is nnnD, nnnW, nnnM or nnnY');
  requireMatch(identity.studyId, /^.{0,16}$/, 'studyId', 'SH, at most 16 characters');
  requireMatch(identity.accessionNumber, /^.{0,16}$/, 'accessionNumber', 'SH, at most 16 characters');
  requireMatch(identity.studyDescription, lo, 'studyDescription', 'LO, at most 64 characters');
  requireMatch(identity.seriesDescription, lo, 'seriesDescription', 'LO, at most 64 characters');
  requireMatch(identity.bodyPartExamined, /^[A-Z0-9_ ]{1,16}$/, 'bodyPartExamined', 'CS, upper case, at most 16 characters');
  if (!Number.isInteger(identity.seriesNumber) || identity.seriesNumber < 0) {
    throw new Error(`seriesNumber ${identity.seriesNumber} breaks the rule: IS, a non-negative integer`);
  }
}

function checkUid(uid: string, name: string): void {
  requireMatch(uid, /^(0|[1-9]\d*)(\.(0|[1-9]\d*))*$/, name, 'UID: digits and dots, no leading zeros');
  if (uid.length > 64) throw new Error(`${name} "${uid}" breaks the rule: UID, at most 64 characters`);
}

/** The patient and study attributes of `identity` as naturalized dcmjs keywords (Volume.source.patientStudy). */
export function patientStudyAttributes(identity: CtSeriesIdentity): Record<string, unknown> {
  return {
    PatientName: identity.patientName,
    PatientID: identity.patientId,
    PatientBirthDate: identity.patientBirthDate,
    PatientSex: identity.patientSex,
    PatientAge: identity.patientAge,
    StudyDate: identity.studyDate,
    StudyTime: identity.studyTime,
    StudyID: identity.studyId,
    AccessionNumber: identity.accessionNumber,
    ReferringPhysicianName: '',
    StudyDescription: identity.studyDescription,
    SeriesDescription: identity.seriesDescription,
    SeriesNumber: identity.seriesNumber,
    BodyPartExamined: identity.bodyPartExamined,
    Manufacturer: identity.manufacturer,
  };
}

const round = (value: number): number => Math.round(value * 1e4) / 1e4;
const vecArray = (v: Vec3): number[] => [round(v.x), round(v.y), round(v.z)];

/** Stored values of slice k: HU + 1024, clamped to unsigned 16 bits. */
function storedSlice(volume: Volume, k: number): Uint16Array {
  const [columns, rows] = volume.dims;
  const size = columns * rows;
  const stored = new Uint16Array(size);
  const hu = volume.voxels.subarray(k * size, (k + 1) * size);
  for (let i = 0; i < size; i++) {
    const value = hu[i] - rescaleIntercept;
    stored[i] = value < 0 ? 0 : value > 65535 ? 65535 : value;
  }
  return stored;
}

/** The attributes every slice of the series shares, after checking identity and UIDs. */
function seriesAttributes(volume: Volume, identity: CtSeriesIdentity): NaturalizedDataset {
  checkIdentity(identity);
  const { source } = volume;
  const [columns, rows, slices] = volume.dims;
  if (source.sopInstanceUids.length !== slices) {
    throw new Error(`volume.source.sopInstanceUids has ${source.sopInstanceUids.length} UIDs for ${slices} slices`);
  }
  checkUid(source.studyInstanceUid, 'studyInstanceUid');
  checkUid(source.seriesInstanceUid, 'seriesInstanceUid');
  checkUid(source.frameOfReferenceUid, 'frameOfReferenceUid');
  source.sopInstanceUids.forEach((uid, k) => checkUid(uid, `sopInstanceUids[${k}]`));
  const [rowDir, columnDir] = volume.direction;
  const [columnSpacing, rowSpacing, sliceSpacing] = volume.spacing;
  const sliceThickness = source.sliceThicknessMm ?? sliceSpacing;
  return {
    SpecificCharacterSet: 'ISO_IR 100',
    ImageType: ['ORIGINAL', 'PRIMARY', 'AXIAL'],
    SOPClassUID: ctImageStorageSopClassUid,
    ...patientStudyAttributes(identity),
    ContentDate: identity.studyDate,
    ContentTime: identity.studyTime,
    AcquisitionDate: identity.studyDate,
    AcquisitionTime: identity.studyTime,
    Modality: 'CT',
    ManufacturerModelName: 'Lungbridge synthetic phantom',
    StudyInstanceUID: source.studyInstanceUid,
    SeriesInstanceUID: source.seriesInstanceUid,
    FrameOfReferenceUID: source.frameOfReferenceUid,
    PositionReferenceIndicator: '',
    PatientPosition: 'HFS',
    AcquisitionNumber: 1,
    PatientOrientation: '',
    ImageOrientationPatient: [...vecArray(rowDir), ...vecArray(columnDir)],
    PixelSpacing: [round(rowSpacing), round(columnSpacing)],
    SliceThickness: round(sliceThickness),
    SpacingBetweenSlices: round(sliceSpacing),
    KVP: 120,
    ConvolutionKernel: 'STANDARD',
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: rows,
    Columns: columns,
    BitsAllocated: 16,
    BitsStored: 16,
    HighBit: 15,
    PixelRepresentation: 0,
    RescaleIntercept: rescaleIntercept,
    RescaleSlope: 1,
    RescaleType: 'HU',
    WindowCenter: [-600, 40],
    WindowWidth: [1500, 400],
    WindowCenterWidthExplanation: ['LUNG', 'MEDIASTINUM'],
  };
}

function sliceDataset(volume: Volume, series: NaturalizedDataset, k: number): NaturalizedDataset {
  const normal = volume.direction[2];
  const position = voxelToPatient(volume, { x: 0, y: 0, z: k });
  return {
    ...series,
    SOPInstanceUID: volume.source.sopInstanceUids[k],
    InstanceNumber: k + 1,
    ImagePositionPatient: vecArray(position),
    SliceLocation: round(position.x * normal.x + position.y * normal.y + position.z * normal.z),
    PixelData: storedSlice(volume, k).buffer,
  };
}

/**
 * One CT Image Storage instance per slice of `volume` (PS3.3 A.3, CT Image IOD), as naturalized
 * dcmjs datasets: real geometry from the Volume, UIDs from `volume.source`, unsigned 16-bit pixels
 * with RescaleIntercept -1024, and lung and mediastinal windows.
 */
export function ctSliceDatasets(volume: Volume, identity: CtSeriesIdentity): NaturalizedDataset[] {
  const series = seriesAttributes(volume, identity);
  return Array.from({ length: volume.dims[2] }, (_, k) => sliceDataset(volume, series, k));
}


export interface WriteCtSeriesOptions {
  readonly identity: CtSeriesIdentity;
}

/** Writes `volume` as one file per slice (`CT000001.dcm`, ...) in `outDir`; returns the paths in slice order. */
export async function writeCtSeries(volume: Volume, outDir: string, options: WriteCtSeriesOptions): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const series = seriesAttributes(volume, options.identity);
  const files: string[] = [];
  // One slice at a time: building all datasets first would hold a second copy of the pixels.
  for (let k = 0; k < volume.dims[2]; k++) {
    const file = path.join(outDir, `CT${String(k + 1).padStart(6, '0')}.dcm`);
    await writeFile(file, toPart10(sliceDataset(volume, series, k)));
    files.push(file);
  }
  return files;
}
