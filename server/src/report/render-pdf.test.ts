import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it, test } from 'vitest';
import { compareNodules } from '../clinical/growth.ts';
import { buildReport } from './build-report.ts';
import { wrap } from './pdf-writer.ts';
import { renderReportPdf } from './render-pdf.ts';
import { baseInput, makeFinding } from './test-fixtures.ts';
import type { RgbImage } from './key-image.ts';

const latin1 = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1');

/** The strings shown with Tj, unescaped, in order. */
function shownText(pdf: string): string[] {
  return [...pdf.matchAll(/\(((?:\\.|[^\\)])*)\) Tj/g)].map((m) => m[1].replace(/\\(.)/g, '$1'));
}

const report = buildReport(baseInput);
const pdf = latin1(renderReportPdf(report));

describe('renderReportPdf', () => {
  it('is a PDF whose cross-reference table points at its objects', () => {
    expect(pdf.startsWith('%PDF-1.4\n')).toBe(true);
    expect(pdf.endsWith('%%EOF\n')).toBe(true);
    const startxref = Number(/startxref\n(\d+)\n/.exec(pdf)![1]);
    expect(pdf.slice(startxref, startxref + 4)).toBe('xref');
    const offsets = [...pdf.slice(startxref).matchAll(/^(\d{10}) 00000 n $/gm)].map((m) => Number(m[1]));
    expect(offsets.length).toBeGreaterThan(5);
    offsets.forEach((offset, i) => expect(pdf.slice(offset, offset + `${i + 1} 0 obj`.length)).toBe(`${i + 1} 0 obj`));
    for (const m of pdf.matchAll(/<< \/Length (\d+) >>\nstream\n/g)) {
      const start = m.index! + m[0].length;
      expect(pdf.slice(start + Number(m[1]), start + Number(m[1]) + 10)).toBe('\nendstream');
    }
  });

  it('shows the exam category, the management, each nodule and the disclaimer', () => {
    const text = shownText(pdf).join('\n');
    expect(text).toContain('Exam: Lung-RADS v2022 category 4A');
    expect(text).toContain('Management: 3-month LDCT; PET/CT may be considered if there is a >= 8 mm');
    expect(text).toContain('Nodule 1: solid, right lung, upper zone');
    expect(text).toContain('Nodule 2: solid, left lung, lower zone');
    expect(text).toMatch(/volume \d+ mm\xb3/); // ³ as WinAnsi byte 0xB3
    expect(text).toContain('For review by a radiologist. Not a diagnosis.');
    expect(text).not.toMatch(/[^\x20-\x7e\xa0-\xff\n]/);
  });

  it('shows the analysis\'s notes before the nodules, and no notes heading without them', () => {
    const note = 'A candidate scored 0.90 at (55.3, 4.9, 10.0) mm (image 93 of 160) could not be outlined, so it is not reported or measured';
    // Long lines are wrapped at spaces: one shown string per line.
    const text = shownText(latin1(renderReportPdf(buildReport({ ...baseInput, notes: [note] })))).join(' ');
    expect(text).toContain(`Notes of the automated analysis ${note}`);
    expect(text.indexOf('Notes of the automated analysis')).toBeLessThan(text.indexOf('Nodules (2)'));
    expect(shownText(pdf).join('\n')).not.toContain('Notes of the automated analysis');
  });

  it('shows the change since a prior', () => {
    const finding = makeFinding({ longMm: 10.4, shortMm: 8.0 });
    const change = compareNodules({ prior: { meanDiameterMm: 7.0, volumeMm3: 170 }, current: finding, intervalDays: 365 });
    const text = shownText(latin1(renderReportPdf(buildReport({ ...baseInput, comparedWithPrior: true, nodules: [{ finding, change }] })))).join(' ');
    expect(text).toMatch(/Change since prior \(12\.0 months\): growing, mean diameter \+2\.2 mm, volume \+\d+ %, VDT \d+ days \(NELSON (fast|indeterminate|slow)\)/);
  });

  it('paginates a long report and keeps every line inside the margins', () => {
    const nodules = Array.from({ length: 40 }, (_, i) => ({
      finding: makeFinding({ index: i + 1, trackingUid: `2.25.${i + 1}`, longMm: 5 + i / 4, shortMm: 4 }),
    }));
    const long = latin1(renderReportPdf(buildReport({ ...baseInput, nodules })));
    const count = Number(/\/Count (\d+)/.exec(long)![1]);
    expect(count).toBeGreaterThan(1);
    expect([...long.matchAll(/\/Type \/Page /g)]).toHaveLength(count);
    // Courier glyphs are 0.6 em wide (Adobe Courier AFM); A4 is 595.28 pt wide, margins 50 pt.
    const runs = [...long.matchAll(/\/F\d ([\d.]+) Tf ([\d.]+) ([\d.]+) Td \(((?:\\.|[^\\)])*)\) Tj/g)];
    expect(runs.length).toBeGreaterThan(40 * 4);
    for (const [, size, x, y, text] of runs) {
      const width = text.replace(/\\(.)/g, '$1').length * Number(size) * 0.6;
      expect(Number(x) + width).toBeLessThanOrEqual(595.28 - 50);
      if (!text.startsWith('Page ')) expect(Number(y)).toBeGreaterThanOrEqual(50);
    }
  });

  it('puts a table of the nodules before their details', () => {
    const text = shownText(pdf);
    const header = text.indexOf('Lung-RADS');
    expect(text.slice(header - 7, header + 2)).toEqual(['#', 'Type', 'Site', 'Long x short', 'Mean', 'Solid', 'Volume', 'Lung-RADS', 'Brock']);
    expect(text.slice(header + 2, header + 11)).toEqual(['1', 'solid', 'R upper', '10.4x8.0', '9.2', '-', expect.stringMatching(/^\d+ mm\xb3$/), '4A', expect.stringMatching(/^\d+\.\d %$/)]);
    expect(text.indexOf('Nodule 1: solid, right lung, upper zone')).toBeGreaterThan(header);
  });

  /** A 2 x 2 RGB image: red, green / blue, white. */
  const tiny: RgbImage = { width: 2, height: 2, rgb: new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255]) };
  const withImages = latin1(renderReportPdf(report, [{ noduleIndex: 2, image: tiny, note: 'slice 3' }, { noduleIndex: 1, image: tiny, note: 'slice 9' }]));

  it('embeds each key image once as a Flate RGB XObject, drawn with its caption in nodule order', () => {
    expect([...withImages.matchAll(/\/Subtype \/Image \/Width 2 \/Height 2 \/ColorSpace \/DeviceRGB \/BitsPerComponent 8 \/Filter \/FlateDecode/g)]).toHaveLength(1);
    expect([...withImages.matchAll(/\/Im1 Do/g)]).toHaveLength(2);
    // Captions are wrapped to the image width: read them joined.
    expect(shownText(withImages).join(' ')).toMatch(/Nodule 1: solid, 9\.2 mm, Lung-RADS 4A; slice 9 Nodule 2: solid, 4\.6 mm, Lung-RADS 2; slice 3/);
    expect(() => renderReportPdf(report, [{ noduleIndex: 7, image: tiny, note: '' }])).toThrow(/nodule 7, which the report does not have/);
  });

  const hasPoppler = spawnSync('pdftotext', ['-v']).status === 0;
  it.skipIf(!hasPoppler)('poppler finds the key images (skipped without poppler-utils)', () => {
    const list = execFileSync('pdfimages', ['-list', '-'], { input: Buffer.from(withImages, 'latin1') }).toString('utf8');
    const rows = list.trim().split('\n').slice(2);
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row).toMatch(/image\s+2\s+2\s+rgb\s+3\s+8/);
  });

  it.skipIf(!hasPoppler)('poppler reads it (skipped without poppler-utils: pdftotext not on PATH)', () => {
    const text = execFileSync('pdftotext', ['-layout', '-', '-'], { input: Buffer.from(renderReportPdf(report)) }).toString('utf8');
    expect(text).toContain('Lung-RADS v2022 category 4A');
    expect(text).toContain('mm³');
    const info = execFileSync('pdfinfo', ['-'], { input: Buffer.from(renderReportPdf(report)) }).toString('utf8');
    expect(info).toMatch(/Pages:\s+1/);
    expect(info).toMatch(/Title:\s+Lung screening report a6f1c0de/);
  });
});

describe('wrap', () => {
  test.each<[string, number, string[]]>([
    ['one two three', 7, ['one two', 'three']],
    ['one two three', 13, ['one two three']],
    ['1.2.826.0.1.3680043 x', 8, ['1.2.826.', '0.1.3680', '043 x']],
    ['  spaced   out  ', 20, ['spaced out']],
  ])('%j at %i', (text, width, lines) => {
    expect(wrap(text, width)).toEqual(lines);
  });
});
