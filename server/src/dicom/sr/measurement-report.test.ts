import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it, test } from 'vitest';
import { runDciodvfy, runSrValidator, type ValidatorReport } from '../../../test/dicom-validators.ts';
import { codes } from '../codes.ts';
import { DicomBuildError } from '../errors.ts';
import { fromPart10, toPart10 } from '../part10.ts';
import { axisPointToVoxel, readMeasurementReport } from '../read-sr.ts';
import { buildSegmentation } from '../seg.ts';
import { paintFindings, syntheticVolume, testAssessments, testExamLungRads, testModel } from '../testing/synthetic-study.ts';
import { imageItem, numItem, polylineItem, textItem, uidrefItem } from './content-items.ts';
import { buildMeasurementReport, noNodulesText, trackingIdentifier } from './measurement-report.ts';
import { buildNotAnalysedReport } from './not-analysed-report.ts';

const volume = syntheticVolume();
const findings = paintFindings(volume);
const segmentation = buildSegmentation({ volume, findings, model: testModel });
const testNotes = [
  'Slice spacing 5.00 mm exceeds 2.5 mm: small nodules may be missed and sizes are less exact',
  'A candidate scored 0.90 at (55.3, 4.9, 10.0) mm (patient coordinates, LPS) could not be outlined or measured; review it.',
];
const full = buildMeasurementReport({
  volume, findings, model: testModel, segmentation, assessments: testAssessments, examLungRads: testExamLungRads, notes: testNotes,
});
const empty = buildMeasurementReport({ volume, findings: [], model: testModel });
const notAnalysed = buildNotAnalysedReport({ source: volume.source, reason: 'no chest CT series in the study', model: testModel });

const dir = mkdtempSync(path.join(tmpdir(), 'lungbridge-sr-'));
const files = { full: path.join(dir, 'full.dcm'), empty: path.join(dir, 'empty.dcm'), notAnalysed: path.join(dir, 'not-analysed.dcm') };
writeFileSync(files.full, toPart10(full));
writeFileSync(files.empty, toPart10(empty));
writeFileSync(files.notAnalysed, toPart10(notAnalysed));

/**
 * pixelmed reports only these, each a deliberate departure from TID 1411/1419 (see measurement-report.ts):
 * SCOORDs (and their IMAGE) under the axis NUMs, and the per-nodule nodule type and Lung-RADS TEXT items.
 */
const expectedTemplateWarning = /(NUM \((103339001|103340004),SCT,"(Long|Short) Axis"\)\/SCOORD(\/IMAGE)?|TEXT \(116676008,SCT,"Associated morphology"\)|TEXT \(111005,DCM,"Assessment Category"\)): Content Item not in template$/;

describe('buildMeasurementReport', () => {
  describe('validators', () => {
    // pixelmed costs 30-45 s of CPU per file on two cores, so the suite checks the richest report only;
    // the empty and not-analysed reports share its document and root-template code.
    let pixelmed: ValidatorReport;
    beforeAll(async () => {
      pixelmed = await runSrValidator(files.full);
    }, 180_000);

    test.each(Object.keys(files) as (keyof typeof files)[])('dciodvfy finds no errors or warnings in the %s report', async (name) => {
      const report = await runDciodvfy(files[name]);
      expect(report.output).toMatch(/ComprehensiveSR/);
      expect(report.errors, report.output).toEqual([]);
      expect(report.warnings, report.output).toEqual([]);
    });

    it('pixelmed finds no template errors, and only the deliberate departures as warnings', () => {
      expect(pixelmed.output).toMatch(/Found Root Template TID_1500/);
      expect(pixelmed.errors, pixelmed.output).toEqual([]);
      expect(pixelmed.warnings.length).toBeGreaterThan(0);
      expect(pixelmed.warnings.filter((w) => !expectedTemplateWarning.test(w))).toEqual([]);
    });
  });

  it('meets the viewer contract: root 126000 on TID 1500, one tracking UID per nodule, SCOORDs on the CT slices', () => {
    const ds = fromPart10(toPart10(full));
    expect(ds.SOPClassUID).toBe('1.2.840.10008.5.1.4.1.1.88.33');
    expect(ds.ConceptNameCodeSequence[0].CodeValue).toBe('126000');
    expect(ds.ContentTemplateSequence[0].TemplateIdentifier).toBe('1500');
    expect(ds.CompletionFlag).toBe('COMPLETE');
    expect(ds.VerificationFlag).toBe('UNVERIFIED');
    const evidence = ds.CurrentRequestedProcedureEvidenceSequence[0].ReferencedSeriesSequence;
    expect(evidence.map((s: any) => s.SeriesInstanceUID)).toEqual([volume.source.seriesInstanceUid, segmentation.SeriesInstanceUID]);

    const measurements = ds.ContentSequence.find((i: any) => i.ConceptNameCodeSequence[0].CodeValue === codes.imagingMeasurements.value);
    const groups = measurements.ContentSequence as any[];
    expect(groups).toHaveLength(3);
    const trackingUids = groups.map((g) => g.ContentSequence.find((i: any) => i.ValueType === 'UIDREF').UID);
    expect(trackingUids).toEqual(findings.map((f) => f.trackingUid));
    groups.forEach((group, n) => {
      const items = group.ContentSequence as any[];
      expect(items.find((i) => i.ConceptNameCodeSequence[0].CodeValue === codes.trackingIdentifier.value).TextValue).toBe(trackingIdentifier(n + 1));
      // Cornerstone takes the first NUM's SCOORD as the measurement's image, and matches axes by code meaning.
      const nums = items.filter((i) => i.ValueType === 'NUM');
      expect(nums.slice(0, 2).map((i) => i.ConceptNameCodeSequence[0].CodeMeaning)).toEqual(['Long Axis', 'Short Axis']);
      for (const num of nums.slice(0, 2)) {
        const scoord = num.ContentSequence[0];
        expect(scoord.ValueType).toBe('SCOORD');
        expect(scoord.GraphicType).toBe('POLYLINE');
        expect(scoord.ContentSequence[0].ReferencedSOPSequence[0].ReferencedSOPInstanceUID)
          .toBe(volume.source.sopInstanceUids[findings[n].longAxis.start.z]);
      }
    });
  });

  it('reads back the same nodules, measurements, geometry and assessments', () => {
    const read = readMeasurementReport(toPart10(full));
    expect(read.examLungRadsCategory).toBe('4A');
    expect(read.noNodulesStated).toBe(false);
    expect(read.notes).toEqual(testNotes);
    expect(read.nodules).toHaveLength(findings.length);
    read.nodules.forEach((nodule, n) => {
      const f = findings[n];
      expect(nodule.trackingUid).toBe(f.trackingUid);
      expect(nodule.longAxis.lengthMm).toBeCloseTo(f.longAxis.lengthMm, 4);
      expect(nodule.shortAxis.lengthMm).toBeCloseTo(f.shortAxis.lengthMm, 4);
      const slice = volume.source.sopInstanceUids.indexOf(nodule.longAxis.sopInstanceUid);
      expect(nodule.longAxis.points.map((p) => axisPointToVoxel(p, slice))).toEqual([f.longAxis.start, f.longAxis.end]);
      expect(nodule.shortAxis.points.map((p) => axisPointToVoxel(p, slice))).toEqual([f.shortAxis.start, f.shortAxis.end]);
      expect(nodule.volumeMm3).toBeCloseTo(f.volumeMm3, 2);
      expect(nodule.meanHu).toBeCloseTo(f.meanHu, 4);
      expect(nodule.detectionProbability).toBeCloseTo(f.probability, 6);
      expect(nodule).toMatchObject({
        type: f.type, laterality: f.laterality, zone: f.zone,
        segment: { sopInstanceUid: segmentation.SOPInstanceUID, segmentNumber: f.index },
        sourceSeriesUid: volume.source.seriesInstanceUid,
        lungRadsCategory: testAssessments[n].lungRads.category,
      });
      if (testAssessments[n].brockProbability === undefined) expect(nodule.brockProbability).toBeUndefined();
      else expect(nodule.brockProbability).toBeCloseTo(testAssessments[n].brockProbability!, 6);
    });
  });

  it('says so when there are no nodules, and keeps the Imaging Measurements container OHIF looks up', () => {
    const read = readMeasurementReport(toPart10(empty));
    expect(read.nodules).toEqual([]);
    expect(read.noNodulesStated).toBe(true);
    expect(read.notes).toEqual([]);
    const texts = JSON.stringify(empty.ContentSequence);
    expect(texts).toContain(noNodulesText);
    expect(empty.ContentSequence.some((i: any) => i.ConceptNameCodeSequence[0].CodeValue === codes.imagingMeasurements.value)).toBe(true);
  });

  it('a not-analysed report never says "no nodules" and names the reason', () => {
    const read = readMeasurementReport(toPart10(notAnalysed));
    expect(read.noNodulesStated).toBe(false);
    expect(read.notes).toEqual([expect.stringContaining('did NOT analyse this study')]);
    expect(read.nodules).toEqual([]);
    expect(notAnalysed.SeriesDescription).toMatch(/NOT ANALYSED/);
    expect(JSON.stringify(notAnalysed.ContentSequence)).toContain('did NOT analyse this study: no chest CT series in the study');
  });

  test.each([
    ['findings without a segmentation', () => buildMeasurementReport({ volume, findings, model: testModel }), /segmentation: required when there are findings/],
    ['a segmentation lacking a finding\'s segment', () => buildMeasurementReport({
      volume, findings, model: testModel, segmentation: buildSegmentation({ volume, findings: findings.slice(0, 2), model: testModel }),
    }), /segmentation: has no segment 3/],
    ['assessments not one per finding', () => buildMeasurementReport({ volume, findings, model: testModel, segmentation, assessments: testAssessments.slice(1) }), /assessments: needs one entry per finding/],
    ['an axis across slices', () => buildMeasurementReport({
      volume, model: testModel, segmentation,
      findings: findings.map((f, n) => (n === 1 ? { ...f, longAxis: { ...f.longAxis, end: { ...f.longAxis.end, z: f.longAxis.end.z + 1 } } } : f)),
    }), /findings\[1\]\.longAxis: an axis must lie on one slice/],
    ['a probability above 1', () => buildMeasurementReport({
      volume, model: testModel, segmentation, findings: findings.map((f, n) => (n === 0 ? { ...f, probability: 1.2 } : f)),
    }), /findings\[0\]\.probability: a probability lies in 0\.\.1/],
    ['a not-analysed report without a reason', () => buildNotAnalysedReport({ source: volume.source, reason: ' ', model: testModel }), /reason: TEXT value must not be empty/],
  ])('refuses %s', (_name, build, message) => {
    expect(build).toThrow(DicomBuildError);
    expect(build).toThrow(message);
  });
});

describe('content item builders', () => {
  const ct = { sopClassUid: '1.2.840.10008.5.1.4.1.1.2', sopInstanceUid: '1.2.3.4', columns: 64, rows: 64 };
  test.each([
    ['a polyline of one point', () => polylineItem('INFERRED FROM', [{ column: 1, row: 1 }], ct), /polyline\.points: a POLYLINE needs at least 2 points/],
    ['a polyline off the image', () => polylineItem('INFERRED FROM', [{ column: 1, row: 1 }, { column: 70, row: 1 }], ct), /polyline\.points\[1\]: .* outside the 64x64 image/],
    ['a code meaning longer than LO', () => numItem('CONTAINS', { ...codes.volume, meaning: 'v'.repeat(65) }, 1, codes.volume), /num\.name\.meaning: LO allows at most 64/],
    ['a code value longer than SH', () => textItem('CONTAINS', { ...codes.comment, value: '1'.repeat(17) }, 'x'), /text\.name\.value: SH allows at most 16/],
    ['a UIDREF that is not a UID', () => uidrefItem('CONTAINS', codes.trackingUniqueIdentifier, '1.2.abc'), /uidref "Tracking Unique Identifier": "1\.2\.abc" is not a UID/],
    ['a segment number 0', () => imageItem('CONTAINS', codes.referencedSegment, { ...ct, segmentNumber: 0 }), /image\.segmentNumber: segment numbers start at 1/],
    ['a NaN measurement', () => numItem('CONTAINS', codes.volume, Number.NaN, codes.volume), /num "Volume": must be a finite number/],
  ])('refuses %s', (_name, build, message) => {
    expect(build).toThrow(DicomBuildError);
    expect(build).toThrow(message);
  });
});
