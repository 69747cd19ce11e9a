/**
 * Reads a BINARY DICOM SEG back into BoxMasks in a Volume's grid: the inverse of buildSegmentation,
 * and what a prior study's segmentation goes through for growth comparison.
 */
import type { NaturalizedDataset } from 'dcmjs';
import type { BoxMask, Volume } from '../domain/index.ts';
import { patientToVoxel } from '../domain/index.ts';
import { DicomReadError } from './errors.ts';
import { fromPart10 } from './part10.ts';
import { segmentationStorageSopClassUid } from './seg.ts';

export interface SegmentInfo {
  readonly segmentNumber: number;
  readonly label: string;
  readonly trackingUid?: string;
  readonly mask: BoxMask;
}

/** Per segment number, its mask in the volume grid (segments without frames are left out). */
export function readSegmentation(buffer: Uint8Array, volume: Volume): Map<number, SegmentInfo> {
  const ds = fromPart10(buffer);
  if (ds.SOPClassUID !== segmentationStorageSopClassUid) throw new DicomReadError(`not a Segmentation: SOP class ${ds.SOPClassUID}`);
  if (ds.SegmentationType !== 'BINARY') throw new DicomReadError(`only BINARY segmentations are read, got ${ds.SegmentationType}`);
  if (ds.FrameOfReferenceUID !== volume.source.frameOfReferenceUid) {
    throw new DicomReadError('the segmentation is in another frame of reference than the volume');
  }
  const [columns, rows, slices] = volume.dims;
  if (ds.Rows !== rows || ds.Columns !== columns) {
    throw new DicomReadError(`frame size ${ds.Columns}x${ds.Rows} differs from the volume's ${columns}x${rows}`);
  }
  const bits = pixelBytes(ds);
  const sliceOfUid = new Map(volume.source.sopInstanceUids.map((uid, k) => [uid, k]));
  const perFrame = asArray(ds.PerFrameFunctionalGroupsSequence);
  const voxelsBySegment = new Map<number, number[]>();

  perFrame.forEach((frame, f) => {
    const segmentNumber = first(frame.SegmentIdentificationSequence)?.ReferencedSegmentNumber as number | undefined;
    if (segmentNumber === undefined) throw new DicomReadError(`frame ${f + 1} has no ReferencedSegmentNumber`);
    const slice = sliceOfFrame(frame, sliceOfUid, volume);
    if (slice < 0 || slice >= slices) throw new DicomReadError(`frame ${f + 1} lies outside the volume (slice ${slice})`);
    const list = voxelsBySegment.get(segmentNumber) ?? [];
    const base = f * rows * columns;
    for (let p = 0; p < rows * columns; p++) {
      const bit = base + p;
      if (bits[bit >> 3] & (1 << (bit & 7))) list.push(p + slice * rows * columns);
    }
    voxelsBySegment.set(segmentNumber, list);
  });

  const labels = new Map(asArray(ds.SegmentSequence).map((s) => [s.SegmentNumber as number, s]));
  const out = new Map<number, SegmentInfo>();
  for (const [segmentNumber, voxels] of [...voxelsBySegment].sort((a, b) => a[0] - b[0])) {
    const segment = labels.get(segmentNumber);
    out.set(segmentNumber, {
      segmentNumber,
      label: segment?.SegmentLabel ?? '',
      ...(segment?.TrackingUID ? { trackingUid: segment.TrackingUID } : {}),
      mask: boxMaskOf(voxels, volume.dims),
    });
  }
  return out;
}

/** The slice a frame derives from: by its source SOP instance, else by its position along the normal. */
function sliceOfFrame(frame: NaturalizedDataset, sliceOfUid: Map<string, number>, volume: Volume): number {
  const derivation = first(frame.DerivationImageSequence);
  const sourceUid = first(derivation?.SourceImageSequence)?.ReferencedSOPInstanceUID as string | undefined;
  if (sourceUid !== undefined && sliceOfUid.has(sourceUid)) return sliceOfUid.get(sourceUid)!;
  const position = first(frame.PlanePositionSequence)?.ImagePositionPatient as number[] | undefined;
  if (!position) throw new DicomReadError('a frame names neither a source slice of the volume nor a position');
  return Math.round(patientToVoxel(volume, { x: position[0], y: position[1], z: position[2] }).z);
}

function boxMaskOf(voxels: readonly number[], dims: readonly [number, number, number]): BoxMask {
  const [columns, rows] = dims;
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  const ijk = voxels.map((v) => [v % columns, Math.floor(v / columns) % rows, Math.floor(v / (columns * rows))]);
  for (const p of ijk) for (let a = 0; a < 3; a++) { lo[a] = Math.min(lo[a], p[a]); hi[a] = Math.max(hi[a], p[a]); }
  const size = [hi[0] - lo[0] + 1, hi[1] - lo[1] + 1, hi[2] - lo[2] + 1] as const;
  const data = new Uint8Array(size[0] * size[1] * size[2]);
  for (const [i, j, k] of ijk) data[i - lo[0] + (j - lo[1]) * size[0] + (k - lo[2]) * size[0] * size[1]] = 1;
  return { offset: [lo[0], lo[1], lo[2]], size, data };
}

function pixelBytes(ds: NaturalizedDataset): Uint8Array {
  const fragments = asArray(ds.PixelData) as ArrayBuffer[];
  if (fragments.length === 0) throw new DicomReadError('no PixelData');
  if (fragments.length === 1) return new Uint8Array(fragments[0]);
  const total = fragments.reduce((n, f) => n + f.byteLength, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const f of fragments) { out.set(new Uint8Array(f), at); at += f.byteLength; }
  return out;
}

/** dcmjs gives sequences as arrays; tolerate a single item too. */
export function asArray<T = NaturalizedDataset>(value: unknown): T[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]) as T[];
}

export function first<T = NaturalizedDataset>(value: unknown): T | undefined {
  return asArray<T>(value)[0];
}
