import dcmjs from 'dcmjs';
import { PipelineError } from '../errors/pipeline-error.ts';

/** The attributes of one CT instance that a Volume needs, with its pixels in stored values. */
export interface CtSlice {
  readonly sopInstanceUid: string;
  readonly sopClassUid: string;
  readonly seriesInstanceUid: string;
  readonly studyInstanceUid: string;
  readonly frameOfReferenceUid: string;
  readonly modality: string;
  readonly imagePositionPatient: readonly [number, number, number];
  readonly imageOrientationPatient: readonly [number, number, number, number, number, number];
  /** [row spacing, column spacing] as (0028,0030) orders them. */
  readonly pixelSpacing: readonly [number, number];
  readonly rows: number;
  readonly columns: number;
  readonly rescaleSlope: number;
  readonly rescaleIntercept: number;
  readonly sliceThickness?: number;
  /** InstanceNumber (0020,0013): the image number a viewer shows; absent or not a number in some files. */
  readonly instanceNumber?: number;
  readonly stored: Int16Array | Uint16Array;
  /** Patient, study and general equipment attributes to copy into derived objects. */
  readonly patientStudy: Readonly<Record<string, unknown>>;
}

/** Attributes copied into Lungbridge's SR/SEG so they file under the same patient and study. */
const patientStudyKeywords = [
  'PatientName', 'PatientID', 'IssuerOfPatientID', 'PatientBirthDate', 'PatientSex', 'PatientAge',
  'PatientSize', 'PatientWeight', 'StudyInstanceUID', 'StudyDate', 'StudyTime', 'StudyID',
  'AccessionNumber', 'ReferringPhysicianName', 'StudyDescription', 'SeriesInstanceUID', 'SeriesNumber',
  'SeriesDescription', 'BodyPartExamined', 'Manufacturer', 'SliceThickness', 'KVP',
  'ConvolutionKernel', 'ContrastBolusAgent', 'TimezoneOffsetFromUTC',
] as const;

function firstNumber(value: unknown, name: string, sop: string): number {
  const n = Array.isArray(value) ? Number(value[0]) : Number(value);
  if (!Number.isFinite(n)) throw new PipelineError('malformed-dicom', `Instance ${sop} has no valid ${name}`);
  return n;
}

function numbers<N extends number>(value: unknown, count: N, name: string, sop: string): number[] {
  const list = (Array.isArray(value) ? value : typeof value === 'string' ? value.split('\\') : [])
    .map(Number);
  if (list.length !== count || list.some((n) => !Number.isFinite(n))) {
    throw new PipelineError('malformed-dicom', `Instance ${sop} has no valid ${name} (${count} numbers expected)`);
  }
  return list;
}

const pixelDataTag = Buffer.from([0xe0, 0x7f, 0x10, 0x00]);

/**
 * Where the top-level Pixel Data value lies (uncompressed, Explicit or Implicit VR Little Endian).
 * Searched forward from the end of the preamble with a native byte search: the attributes before it
 * take a few kilobytes, while a search back from the end of the file had to step through the whole
 * pixel value (half a megabyte a slice, half the parse time of a series). Accepted only when its
 * length runs to the end of the file (or to trailing padding), so the same four bytes inside an
 * earlier value (an icon's pixels in a sequence, a private blob) are passed over.
 */
export function locatePixelData(bytes: Uint8Array, minLength: number): { offset: number; length: number } | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const haystack = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = haystack.indexOf(pixelDataTag, 132); at >= 0 && at <= bytes.length - 8; at = haystack.indexOf(pixelDataTag, at + 1)) {
    const explicit = (bytes[at + 4] === 0x4f && (bytes[at + 5] === 0x57 || bytes[at + 5] === 0x42)) && bytes[at + 6] === 0 && bytes[at + 7] === 0;
    const offset = explicit ? at + 12 : at + 8;
    if (offset > bytes.length) continue;
    const length = view.getUint32(offset - 4, true);
    if (length >= minLength && length !== 0xffffffff && offset + length <= bytes.length && bytes.length - (offset + length) < 64) {
      return { offset, length };
    }
  }
  return undefined;
}

/**
 * Parses a Part 10 CT instance (uncompressed; Lungbridge asks the PACS for Explicit VR Little
 * Endian). dcmjs reads the attributes only; the pixels are viewed in place, not copied, which
 * halves the parse time of a 320-slice series.
 */
export function parseCtSlice(part10: ArrayBuffer | Uint8Array): CtSlice {
  const bytes = part10 instanceof Uint8Array ? part10 : new Uint8Array(part10);
  const buffer = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
    ? bytes.buffer as ArrayBuffer
    : bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let ds: Record<string, any>;
  let transferSyntax: string | undefined;
  try {
    const dict = dcmjs.data.DicomMessage.readFile(buffer, { untilTag: '7FE00010', includeUntilTagValue: false });
    ds = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.dict);
    transferSyntax = dict.meta['00020010']?.Value?.[0] as string | undefined;
  } catch (error) {
    throw new PipelineError('malformed-dicom', `Not a readable DICOM file: ${(error as Error).message}`, false, { cause: error });
  }
  const sop = String(ds.SOPInstanceUID ?? '(no SOPInstanceUID)');
  const modality = String(ds.Modality ?? '');
  if (modality !== 'CT') throw new PipelineError('not-ct', `Instance ${sop} has modality "${modality || 'none'}", not CT`);
  if (transferSyntax && !['1.2.840.10008.1.2', '1.2.840.10008.1.2.1'].includes(transferSyntax)) {
    throw new PipelineError('unsupported-pixels', `Instance ${sop} is in transfer syntax ${transferSyntax}; Lungbridge needs it uncompressed`);
  }
  const rows = firstNumber(ds.Rows, 'Rows', sop);
  const columns = firstNumber(ds.Columns, 'Columns', sop);
  const bitsAllocated = firstNumber(ds.BitsAllocated, 'BitsAllocated', sop);
  if (bitsAllocated !== 16 || Number(ds.SamplesPerPixel ?? 1) !== 1) {
    throw new PipelineError('unsupported-pixels', `Instance ${sop} has ${bitsAllocated}-bit, ${ds.SamplesPerPixel ?? 1}-sample pixels; CT needs 16-bit grayscale`);
  }
  const whole = new Uint8Array(buffer);
  const pixels = locatePixelData(whole, rows * columns * 2);
  if (!pixels) throw new PipelineError('malformed-dicom', `Instance ${sop} has no or truncated pixel data`);
  // Typed arrays need an even byte offset; an odd one (odd-length preamble values) costs a copy.
  const pixelBuffer = pixels.offset % 2 === 0 ? buffer : buffer.slice(pixels.offset, pixels.offset + rows * columns * 2);
  const start = pixels.offset % 2 === 0 ? pixels.offset : 0;
  const stored = Number(ds.PixelRepresentation ?? 0) === 1
    ? new Int16Array(pixelBuffer, start, rows * columns)
    : new Uint16Array(pixelBuffer, start, rows * columns);
  const patientStudy: Record<string, unknown> = {};
  for (const keyword of patientStudyKeywords) if (ds[keyword] !== undefined) patientStudy[keyword] = ds[keyword];
  const [r0, r1, r2, c0, c1, c2] = numbers(ds.ImageOrientationPatient, 6, 'ImageOrientationPatient', sop);
  const [px, py, pz] = numbers(ds.ImagePositionPatient, 3, 'ImagePositionPatient', sop);
  const [rowSpacing, columnSpacing] = numbers(ds.PixelSpacing, 2, 'PixelSpacing', sop);
  // Type 2: an empty value (dcmjs reads it as [] or null, which Number() makes 0) is no number.
  const rawInstanceNumber: unknown = Array.isArray(ds.InstanceNumber) ? ds.InstanceNumber[0] : ds.InstanceNumber;
  const instanceNumber = (typeof rawInstanceNumber === 'number' || (typeof rawInstanceNumber === 'string' && rawInstanceNumber.trim() !== ''))
    && Number.isInteger(Number(rawInstanceNumber)) ? Number(rawInstanceNumber) : undefined;
  return {
    sopInstanceUid: sop,
    sopClassUid: String(ds.SOPClassUID ?? ''),
    seriesInstanceUid: String(ds.SeriesInstanceUID ?? ''),
    studyInstanceUid: String(ds.StudyInstanceUID ?? ''),
    frameOfReferenceUid: String(ds.FrameOfReferenceUID ?? ''),
    modality,
    imagePositionPatient: [px, py, pz],
    imageOrientationPatient: [r0, r1, r2, c0, c1, c2],
    pixelSpacing: [rowSpacing, columnSpacing],
    rows,
    columns,
    rescaleSlope: ds.RescaleSlope === undefined ? 1 : firstNumber(ds.RescaleSlope, 'RescaleSlope', sop),
    rescaleIntercept: ds.RescaleIntercept === undefined ? 0 : firstNumber(ds.RescaleIntercept, 'RescaleIntercept', sop),
    sliceThickness: ds.SliceThickness === undefined ? undefined : Number(ds.SliceThickness),
    ...(instanceNumber === undefined ? {} : { instanceNumber }),
    stored,
    patientStudy,
  };
}
