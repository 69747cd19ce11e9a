import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, test } from 'vitest';
import { runDciodvfy } from '../../test/dicom-validators.ts';
import { voxelToPatient, type Finding } from '../domain/index.ts';
import { codes } from './codes.ts';
import { DicomBuildError } from './errors.ts';
import { fromPart10, toPart10 } from './part10.ts';
import { readSegmentation } from './read-seg.ts';
import { buildSegmentation, segmentationStorageSopClassUid } from './seg.ts';
import { dice } from './testing/mask-compare.ts';
import { paintFindings, syntheticVolume, testModel } from './testing/synthetic-study.ts';

const volume = syntheticVolume();
const findings = paintFindings(volume);
const seg = buildSegmentation({ volume, findings, model: testModel });
const dir = mkdtempSync(path.join(tmpdir(), 'lungbridge-seg-'));

describe('buildSegmentation', () => {
  it('places each frame at its source slice\'s own position, also where the series steps unevenly', () => {
    // Slice 10 lies 0.6 mm off the grid (a step within what the volume stage accepts).
    const slicePositions = Array.from({ length: volume.dims[2] }, (_, k) => {
      const p = voxelToPatient(volume, { x: 0, y: 0, z: k });
      return k === 10 ? { ...p, z: p.z + 0.6 } : p;
    });
    const uneven = buildSegmentation({ volume: { ...volume, source: { ...volume.source, slicePositions } }, findings, model: testModel });
    const frames = uneven.PerFrameFunctionalGroupsSequence as Record<string, any>[];
    const onSlice10 = frames.filter((f) => f.DerivationImageSequence[0].SourceImageSequence[0].ReferencedSOPInstanceUID === volume.source.sopInstanceUids[10]);
    expect(onSlice10.length).toBeGreaterThan(0);
    for (const frame of onSlice10) expect(frame.PlanePositionSequence[0].ImagePositionPatient).toEqual([slicePositions[10].x, slicePositions[10].y, slicePositions[10].z]);
    expect(() => buildSegmentation({ volume: { ...volume, source: { ...volume.source, slicePositions: slicePositions.slice(1) } }, findings, model: testModel }))
      .toThrow(/volume\.source\.slicePositions: needs one position per slice/);
  });

  it('says whether segments overlap: NO for apart nodules, YES when two masks share voxels', () => {
    expect(seg.SegmentsOverlap).toBe('NO');
    const touching = paintFindings(syntheticVolume(), [
      { centre: { x: 20, y: 30, z: 10 }, radiusVoxels: 6, laterality: 'right', zone: 'upper', type: 'solid', probability: 0.9 },
      { centre: { x: 28, y: 30, z: 10 }, radiusVoxels: 4, laterality: 'right', zone: 'upper', type: 'part-solid', probability: 0.8 },
    ]);
    expect(buildSegmentation({ volume, findings: touching, model: testModel }).SegmentsOverlap).toBe('YES');
  });

  it('passes dciodvfy without errors or warnings', async () => {
    const file = path.join(dir, 'seg.dcm');
    writeFileSync(file, toPart10(seg));
    const report = await runDciodvfy(file);
    expect(report.errors, report.output).toEqual([]);
    expect(report.warnings, report.output).toEqual([]);
  });

  it('meets the viewer contract: series reference, orientation, a segment per frame, frames on their source slices in slice order', () => {
    const ds = fromPart10(toPart10(seg));
    expect(ds.SOPClassUID).toBe(segmentationStorageSopClassUid);
    expect(ds.SegmentationType).toBe('BINARY');
    expect(ds.FrameOfReferenceUID).toBe(volume.source.frameOfReferenceUid);
    expect(ds.StudyInstanceUID).toBe(volume.source.studyInstanceUid);
    expect(ds.PatientID).toBe('LB-0001');
    expect(ds.ReferencedSeriesSequence[0].SeriesInstanceUID).toBe(volume.source.seriesInstanceUid);
    expect(ds.SharedFunctionalGroupsSequence[0].PlaneOrientationSequence[0].ImageOrientationPatient).toEqual([1, 0, 0, 0, 1, 0]);

    const frames = ds.PerFrameFunctionalGroupsSequence as Record<string, any>[];
    expect(frames).toHaveLength(ds.NumberOfFrames);
    const bySegment = new Map<number, number[]>();
    for (const frame of frames) {
      const segment = frame.SegmentIdentificationSequence[0].ReferencedSegmentNumber;
      const sourceUid = frame.DerivationImageSequence[0].SourceImageSequence[0].ReferencedSOPInstanceUID;
      const slice = volume.source.sopInstanceUids.indexOf(sourceUid);
      expect(slice).toBeGreaterThanOrEqual(0);
      // The frame's position is its source slice's position.
      expect(frame.PlanePositionSequence[0].ImagePositionPatient[2]).toBeCloseTo(volume.origin.z + slice * volume.spacing[2], 4);
      bySegment.set(segment, [...(bySegment.get(segment) ?? []), slice]);
    }
    expect([...bySegment.keys()]).toEqual([1, 2, 3]);
    for (const [segment, slices] of bySegment) {
      const { offset, size } = findings[segment - 1].mask;
      expect(slices).toEqual([...slices].sort((a, b) => a - b));
      expect(slices[0]).toBeGreaterThanOrEqual(offset[2]);
      expect(slices.at(-1)).toBeLessThan(offset[2] + size[2]);
    }
    const segments = ds.SegmentSequence as Record<string, any>[];
    expect(segments.map((s) => s.SegmentLabel)).toEqual(['Nodule 1', 'Nodule 2', 'Nodule 3']);
    expect(segments.map((s) => s.TrackingUID)).toEqual(findings.map((f) => f.trackingUid));
    expect(segments[0].SegmentedPropertyTypeCodeSequence[0].CodeValue).toBe(codes.nodule.value);
    expect(segments[0].SegmentAlgorithmName).toBe(`${testModel.name} ${testModel.version}`);
  });

  it('reads back the same voxel masks (Dice 1.0) and tracking UIDs', () => {
    const read = readSegmentation(toPart10(seg), volume);
    expect([...read.keys()]).toEqual([1, 2, 3]);
    for (const f of findings) {
      const segment = read.get(f.index)!;
      expect(dice(segment.mask, f.mask, volume.dims[0], volume.dims[1])).toBe(1);
      expect(segment.trackingUid).toBe(f.trackingUid);
    }
  });

  it('reads masks back on a volume whose rows run the other way (frames placed by source slice)', () => {
    const flipped = syntheticVolume({ direction: [{ x: 1, y: 0, z: 0 }, { x: 0, y: -1, z: 0 }, { x: 0, y: 0, z: 1 }] });
    const own = paintFindings(flipped);
    const read = readSegmentation(toPart10(buildSegmentation({ volume: flipped, findings: own, model: testModel })), flipped);
    for (const f of own) expect(dice(read.get(f.index)!.mask, f.mask, 64, 64)).toBe(1);
  });

  it('makes new series and instance UIDs on every call', () => {
    const again = buildSegmentation({ volume, findings, model: testModel });
    expect(again.SeriesInstanceUID).not.toBe(seg.SeriesInstanceUID);
    expect(again.SOPInstanceUID).not.toBe(seg.SOPInstanceUID);
  });

  const bad = (change: (f: Finding[]) => Finding[]) => () => buildSegmentation({ volume, findings: change(findings), model: testModel });
  test.each([
    ['segments not numbered 1..n', bad((f) => [f[1], f[0]]), /findings\[0\]\.index: segments must be numbered 1\.\.n/],
    ['a mask outside the grid', bad((f) => [{ ...f[0], mask: { ...f[0].mask, offset: [60, 0, 0] } }]), /findings\[0\]\.mask: box .* inside the volume grid/],
    ['a tracking UID that is not a UID', bad((f) => [{ ...f[0], trackingUid: '1.2.03' }]), /findings\[0\]\.trackingUid: "1\.2\.03" is not a UID/],
    ['a model name longer than LO allows', () => buildSegmentation({ volume, findings, model: { name: 'm'.repeat(70), version: '1' } }), /model: LO allows at most 64 characters/],
    ['a source without a UID per slice', () => buildSegmentation({
      volume: { ...volume, source: { ...volume.source, sopInstanceUids: volume.source.sopInstanceUids.slice(1) } }, findings, model: testModel,
    }), /volume\.source\.sopInstanceUids: needs one UID per slice/],
  ])('refuses %s', (_name, build, message) => {
    expect(build).toThrow(DicomBuildError);
    expect(build).toThrow(message);
  });
});
