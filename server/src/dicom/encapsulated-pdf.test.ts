import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDciodvfy } from '../../test/dicom-validators.ts';
import { buildEncapsulatedPdf, encapsulatedPdfStorageSopClassUid, readEncapsulatedPdf } from './encapsulated-pdf.ts';
import { DicomBuildError } from './errors.ts';
import { fromPart10, toPart10 } from './part10.ts';
import { syntheticVolume, testModel } from './testing/synthetic-study.ts';

const source = syntheticVolume().source;
/** Odd length on purpose: the OB value must be padded and the length kept. */
const pdf = new Uint8Array(Buffer.from('%PDF-1.4\n% a tiny stand-in for a report\n%%EOF\n\n', 'latin1'));
const input = { source, pdf, title: 'Lung screening report', model: testModel, seriesNumber: 9003, seriesDescription: 'Lungbridge report (PDF)', now: new Date('2025-03-04T10:15:30Z') };

describe('buildEncapsulatedPdf', () => {
  it('passes dciodvfy -new without errors', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lungbridge-pdf-'));
    const file = path.join(dir, 'report.dcm');
    writeFileSync(file, toPart10(buildEncapsulatedPdf({ ...input, sourceInstances: [{ sopClassUid: source.sopClassUid, sopInstanceUid: source.sopInstanceUids[0] }] })));
    const report = await runDciodvfy(file);
    expect(report.errors, report.output).toEqual([]);
  });

  it('reads back to the same PDF bytes, in the source study, with fresh UIDs', () => {
    expect(pdf.length % 2).toBe(1);
    const first = fromPart10(toPart10(buildEncapsulatedPdf(input)));
    const second = buildEncapsulatedPdf(input);
    expect(first.SOPClassUID).toBe(encapsulatedPdfStorageSopClassUid);
    expect(first.Modality).toBe('DOC');
    expect(first.StudyInstanceUID).toBe(source.studyInstanceUid);
    expect(first.MIMETypeOfEncapsulatedDocument).toBe('application/pdf');
    expect(Buffer.from(readEncapsulatedPdf(first))).toEqual(Buffer.from(pdf));
    expect(second.SOPInstanceUID).not.toBe(first.SOPInstanceUID);
    expect(second.SeriesInstanceUID).not.toBe(first.SeriesInstanceUID);
  });

  it('refuses bytes that are not a PDF', () => {
    expect(() => buildEncapsulatedPdf({ ...input, pdf: new Uint8Array([1, 2, 3]) })).toThrow(DicomBuildError);
    expect(() => buildEncapsulatedPdf({ ...input, pdf: new Uint8Array([1, 2, 3]) })).toThrow(/pdf: must be a PDF file/);
  });
});
