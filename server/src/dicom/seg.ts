/**
 * DICOM Segmentation (PS3.3 A.51), BINARY, one segment per finding, built directly as a naturalized
 * dcmjs dataset from the Volume grid (no per-slice CT datasets needed, unlike dcmjs's derivation).
 *
 * What OHIF needs to overlay it: a top-level ReferencedSeriesSequence, a segment number per frame
 * (SegmentIdentificationSequence), PlaneOrientationSequence, and frames that name their source slice
 * (DerivationImageSequence) and position (PlanePositionSequence). Frames are ordered by segment, then
 * along the slice normal (volume order), which is the order dcmjs's reader and OHIF expect.
 */
import type { NaturalizedDataset } from 'dcmjs';
import type { BoxMask, Finding, ModelInfo, Volume } from '../domain/index.ts';
import { boxMasksOverlap, voxelToPatient } from '../domain/index.ts';
import { codeSequenceItem, codes, type Code } from './codes.ts';
import { DicomBuildError, requireLo, requireUid } from './errors.ts';
import { newInstanceModules, patientStudyModules, manufacturer } from './source-modules.ts';
import { newInstanceUids, uidFromName, type InstanceUids } from './uids.ts';

export const segmentationStorageSopClassUid = '1.2.840.10008.5.1.4.1.1.66.4';

export interface SegmentationInput {
  readonly volume: Volume;
  /** One segment each, numbered by `index`, which must run 1..n in order. */
  readonly findings: readonly Finding[];
  readonly model: ModelInfo;
  readonly seriesNumber?: number;
  readonly now?: Date;
  /** Fresh ones when left out; a run's results take theirs from its key (pipeline/result-uids.ts). */
  readonly uids?: InstanceUids;
}

/** Tag numbers (group << 16 | element) for the Multi-frame Dimension Module's AT attributes. */
const tags = {
  segmentIdentificationSequence: 0x0062000a,
  referencedSegmentNumber: 0x0062000b,
  planePositionSequence: 0x00209113,
  imagePositionPatient: 0x00200032,
} as const;

export function segmentLabel(index: number): string {
  return `Nodule ${index}`;
}

export function buildSegmentation(input: SegmentationInput): NaturalizedDataset {
  const { volume, findings, model } = input;
  const source = volume.source;
  checkVolume(volume);
  checkSegmentNumbers(findings);
  findings.forEach((f, n) => checkMaskInGrid(`findings[${n}].mask`, f.mask, volume));

  const [columns, rows] = volume.dims;
  const frames = findings.flatMap((finding) => framesOf(finding, columns));
  if (frames.length === 0 && findings.length > 0) {
    throw new DicomBuildError('findings', 'every mask is empty; a segment needs at least one voxel');
  }
  const [u, v] = volume.direction;
  const algorithmName = requireLo('model', `${model.name} ${model.version}`);
  const uids = input.uids ?? newInstanceUids();
  // Made from the instance's UID: the same SEG encoded again (a retry, keyed UIDs) has the same UIDs throughout (its dates and times are each encoding's own).
  const dimensionOrganizationUid = uidFromName(`${uids.sopInstanceUid} dimension organization`);

  return {
    ...patientStudyModules(source),
    ...newInstanceModules({
      sopClassUid: segmentationStorageSopClassUid,
      ...uids,
      modality: 'SEG',
      seriesNumber: input.seriesNumber ?? 9101,
      seriesDescription: 'Lungbridge nodule segmentation',
      model,
      now: input.now ?? new Date(),
      timezoneOffsetFromUtc: source.patientStudy.TimezoneOffsetFromUTC,
    }),
    // Frame of Reference (C.7.4.1): the CT's, so the masks land on its voxels.
    FrameOfReferenceUID: requireUid('volume.source.frameOfReferenceUid', source.frameOfReferenceUid),
    PositionReferenceIndicator: '',
    // Enhanced General Equipment (C.7.5.2): all type 1.
    DeviceSerialNumber: model.version,
    // General Image + Segmentation Image (C.8.20.2).
    ImageType: ['DERIVED', 'PRIMARY'],
    ContentLabel: 'NODULES',
    ContentDescription: 'Lung nodules',
    ContentCreatorName: `${manufacturer}^`, // PN with the name in the family-name component: dciodvfy flags a bare word as the retired PN form
    SegmentationType: 'BINARY',
    // Each nodule is segmented on its own, so two close ones can share voxels (C.8.20.2: then not NO).
    SegmentsOverlap: findings.some((f, n) => findings.slice(n + 1).some((g) => boxMasksOverlap(f.mask, g.mask))) ? 'YES' : 'NO',
    SegmentSequence: findings.map((f) => segmentItem(f, algorithmName)),
    // Image Pixel (C.7.6.3) for BINARY: 1 bit, MONOCHROME2.
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: rows,
    Columns: columns,
    BitsAllocated: 1,
    BitsStored: 1,
    HighBit: 0,
    PixelRepresentation: 0,
    LossyImageCompression: '00',
    // Multi-frame Functional Groups (C.7.6.16).
    NumberOfFrames: frames.length,
    SharedFunctionalGroupsSequence: [{
      PixelMeasuresSequence: [{
        PixelSpacing: [volume.spacing[1], volume.spacing[0]],
        SliceThickness: source.sliceThicknessMm ?? volume.spacing[2],
        SpacingBetweenSlices: volume.spacing[2],
      }],
      PlaneOrientationSequence: [{ ImageOrientationPatient: [u.x, u.y, u.z, v.x, v.y, v.z] }],
    }],
    PerFrameFunctionalGroupsSequence: frames.map((frame) => {
      // The source slice's own position: a frame must lie where the slice it names lies (C.7.6.16.2.3).
      const position = source.slicePositions?.[frame.slice] ?? voxelToPatient(volume, { x: 0, y: 0, z: frame.slice });
      return {
        DerivationImageSequence: [{
          SourceImageSequence: [{
            ReferencedSOPClassUID: source.sopClassUid,
            ReferencedSOPInstanceUID: source.sopInstanceUids[frame.slice],
            PurposeOfReferenceCodeSequence: [codeSequenceItem(codes.sourceImageForProcessing)],
          }],
          DerivationCodeSequence: [codeSequenceItem(codes.segmentation)],
        }],
        FrameContentSequence: [{ DimensionIndexValues: [frame.segmentNumber, frame.slice + 1] }],
        PlanePositionSequence: [{ ImagePositionPatient: [position.x, position.y, position.z] }],
        SegmentIdentificationSequence: [{ ReferencedSegmentNumber: frame.segmentNumber }],
      };
    }),
    // Multi-frame Dimension (C.7.6.17): frames indexed by segment, then by position.
    DimensionOrganizationSequence: [{ DimensionOrganizationUID: dimensionOrganizationUid }],
    DimensionIndexSequence: [
      {
        DimensionOrganizationUID: dimensionOrganizationUid,
        DimensionIndexPointer: tags.referencedSegmentNumber,
        FunctionalGroupPointer: tags.segmentIdentificationSequence,
        DimensionDescriptionLabel: 'ReferencedSegmentNumber',
      },
      {
        DimensionOrganizationUID: dimensionOrganizationUid,
        DimensionIndexPointer: tags.imagePositionPatient,
        FunctionalGroupPointer: tags.planePositionSequence,
        DimensionDescriptionLabel: 'ImagePositionPatient',
      },
    ],
    // Common Instance Reference (C.12.2): the CT series the frames derive from.
    ReferencedSeriesSequence: [{
      SeriesInstanceUID: requireUid('volume.source.seriesInstanceUid', source.seriesInstanceUid),
      ReferencedInstanceSequence: [...new Set(frames.map((f) => f.slice))].sort((a, b) => a - b).map((k) => ({
        ReferencedSOPClassUID: source.sopClassUid,
        ReferencedSOPInstanceUID: source.sopInstanceUids[k],
      })),
    }],
    PixelData: [packBits(frames, columns * rows)],
    _vrMap: { PixelData: 'OB' },
  };
}

interface Frame {
  readonly segmentNumber: number;
  readonly slice: number;
  /** Pixel indices (column + row * columns) inside the mask on this slice. */
  readonly pixels: readonly number[];
}

/** One frame per slice of the finding's mask that holds at least one voxel, in slice order. */
function framesOf(finding: Finding, gridColumns: number): Frame[] {
  const { offset, size, data } = finding.mask;
  const out: Frame[] = [];
  for (let kb = 0; kb < size[2]; kb++) {
    const pixels: number[] = [];
    for (let jb = 0; jb < size[1]; jb++) {
      for (let ib = 0; ib < size[0]; ib++) {
        if (data[ib + jb * size[0] + kb * size[0] * size[1]]) pixels.push(ib + offset[0] + (jb + offset[1]) * gridColumns);
      }
    }
    if (pixels.length > 0) out.push({ segmentNumber: finding.index, slice: offset[2] + kb, pixels });
  }
  return out;
}

/**
 * BINARY pixel data (PS3.5 8.1.1): one bit per pixel, frames back to back without per-frame padding,
 * the first pixel in the least significant bit; the whole value padded to an even length.
 */
function packBits(frames: readonly Frame[], pixelsPerFrame: number): ArrayBuffer {
  const totalBits = frames.length * pixelsPerFrame;
  const byteLength = Math.ceil(totalBits / 8);
  const bytes = new Uint8Array(byteLength + (byteLength % 2));
  frames.forEach((frame, f) => {
    const base = f * pixelsPerFrame;
    for (const p of frame.pixels) {
      const bit = base + p;
      bytes[bit >> 3] |= 1 << (bit & 7);
    }
  });
  return bytes.buffer;
}

function segmentItem(finding: Finding, algorithmName: string): NaturalizedDataset {
  return {
    SegmentNumber: finding.index,
    SegmentLabel: segmentLabel(finding.index),
    SegmentedPropertyCategoryCodeSequence: [codeSequenceItem(codes.morphologicallyAbnormalStructure)],
    SegmentedPropertyTypeCodeSequence: [codeSequenceItem(codes.nodule)],
    AnatomicRegionSequence: [{
      ...codeSequenceItem(codes.lung),
      AnatomicRegionModifierSequence: [codeSequenceItem(lateralityCode(finding.laterality))],
    }],
    SegmentAlgorithmType: 'AUTOMATIC',
    SegmentAlgorithmName: algorithmName,
    RecommendedDisplayCIELabValue: displayColour(finding.index),
    TrackingID: segmentLabel(finding.index),
    TrackingUID: requireUid(`findings[${finding.index - 1}].trackingUid`, finding.trackingUid),
  };
}

export function lateralityCode(laterality: Finding['laterality']): Code {
  return laterality === 'right' ? codes.right : codes.left;
}

/**
 * Distinct colours for neighbouring segments, as DICOM CIELab (PS3.3 C.10.7.1.1: L* 0..100 and
 * a*, b* -128..127 scaled to 0..65535). From sRGB under D65.
 */
const palette: readonly (readonly [number, number, number])[] = [
  [255, 64, 64], [64, 160, 255], [64, 220, 96], [255, 200, 0], [200, 96, 255], [0, 220, 220], [255, 128, 192], [160, 120, 64],
];

function displayColour(segmentNumber: number): [number, number, number] {
  const [r, g, b] = palette[(segmentNumber - 1) % palette.length].map((c) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  const xyz = [
    (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047,
    0.2126 * r + 0.7152 * g + 0.0722 * b,
    (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883,
  ].map((t) => (t > 216 / 24389 ? Math.cbrt(t) : (24389 / 27 * t + 16) / 116));
  const lightness = 116 * xyz[1] - 16;
  const a = 500 * (xyz[0] - xyz[1]);
  const bStar = 200 * (xyz[1] - xyz[2]);
  return [
    Math.round((lightness / 100) * 65535),
    Math.round(((a + 128) / 255) * 65535),
    Math.round(((bStar + 128) / 255) * 65535),
  ];
}

function checkVolume(volume: Volume): void {
  const source = volume.source;
  requireUid('volume.source.sopClassUid', source.sopClassUid);
  if (source.sopInstanceUids.length !== volume.dims[2]) {
    throw new DicomBuildError('volume.source.sopInstanceUids', `needs one UID per slice: ${volume.dims[2]} slices, ${source.sopInstanceUids.length} UIDs`);
  }
  source.sopInstanceUids.forEach((uid, k) => requireUid(`volume.source.sopInstanceUids[${k}]`, uid));
  if (source.slicePositions && source.slicePositions.length !== volume.dims[2]) {
    throw new DicomBuildError('volume.source.slicePositions', `needs one position per slice: ${volume.dims[2]} slices, ${source.slicePositions.length} positions`);
  }
}

/** PS3.3 C.8.20.2: segment numbers start at 1 and increase by 1. */
export function checkSegmentNumbers(findings: readonly Pick<Finding, 'index'>[]): void {
  findings.forEach((f, n) => {
    if (f.index !== n + 1) {
      throw new DicomBuildError(`findings[${n}].index`, `segments must be numbered 1..n in order; expected ${n + 1}, got ${f.index}`);
    }
  });
}

function checkMaskInGrid(argument: string, mask: BoxMask, volume: Volume): void {
  const { offset, size, data } = mask;
  for (let axis = 0; axis < 3; axis++) {
    if (!Number.isInteger(offset[axis]) || !Number.isInteger(size[axis]) || offset[axis] < 0 || size[axis] < 1
      || offset[axis] + size[axis] > volume.dims[axis]) {
      throw new DicomBuildError(argument, `box (offset ${offset.join(',')}, size ${size.join(',')}) must lie inside the volume grid ${volume.dims.join('x')}`);
    }
  }
  if (data.length !== size[0] * size[1] * size[2]) {
    throw new DicomBuildError(argument, `data holds ${data.length} voxels, box size needs ${size[0] * size[1] * size[2]}`);
  }
}
