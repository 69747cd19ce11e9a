/**
 * A minimal PDF 1.4 writer for styled lines of text on A4 pages (ISO 32000-1: a catalog, a page
 * tree, the standard 14 fonts Courier and Courier-Bold with WinAnsiEncoding, one content stream per
 * page, a cross-reference table). Courier is monospaced (every glyph 600/1000 em wide, Adobe's
 * Courier AFM), so wrapping by character count is exact without font metrics.
 */
import type { LineStyle, ReportLine } from './report-text.ts';

/** A4 in points (ISO 216: 210 × 297 mm). */
const pageWidth = 595.28;
const pageHeight = 841.89;
const margin = 50;
/** Courier advance width, in em (Adobe Courier AFM: 600 units of 1000). */
const courierAdvanceEm = 0.6;

const styles: Readonly<Record<LineStyle, { font: 'F1' | 'F2'; size: number; spaceBefore: number }>> = {
  title: { font: 'F2', size: 13, spaceBefore: 0 },
  heading: { font: 'F2', size: 10, spaceBefore: 8 },
  emphasis: { font: 'F2', size: 9, spaceBefore: 2 },
  body: { font: 'F1', size: 9, spaceBefore: 0 },
  footnote: { font: 'F1', size: 8, spaceBefore: 10 },
};
const lineHeightFactor = 1.3;

/** Characters outside WinAnsi's Latin-1 range, spelled in ASCII; anything else unknown becomes '?'. */
const asciiSpellings: Readonly<Record<string, string>> = { '≥': '>=', '≤': '<=', '→': '->', '—': '-', '–': '-', '×': 'x' };

/** Text as WinAnsi bytes (Latin-1 printable range), with PDF string escapes. */
function pdfString(text: string): string {
  let out = '';
  for (const ch of text) {
    const spelled = asciiSpellings[ch] ?? ch;
    for (const c of spelled) {
      const code = c.codePointAt(0)!;
      const printable = (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff);
      const byte = printable ? c : '?';
      out += byte === '\\' || byte === '(' || byte === ')' ? `\\${byte}` : byte;
    }
  }
  return `(${out})`;
}

/** Greedy word wrap to at most `width` characters; a longer word (a UID) is cut. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    let rest = word;
    while (rest.length > width) {
      if (current) lines.push(current);
      lines.push(rest.slice(0, width));
      rest = rest.slice(width);
      current = '';
    }
    if (!current) current = rest;
    else if (current.length + 1 + rest.length <= width) current += ` ${rest}`;
    else {
      lines.push(current);
      current = rest;
    }
  }
  if (current) lines.push(current);
  return lines;
}

interface Placed {
  readonly font: 'F1' | 'F2';
  readonly size: number;
  readonly y: number;
  readonly text: string;
}

function layOut(lines: readonly ReportLine[]): Placed[][] {
  const pages: Placed[][] = [[]];
  let y = pageHeight - margin;
  for (const { style, text } of lines) {
    const { font, size, spaceBefore } = styles[style];
    const height = size * lineHeightFactor;
    const width = Math.floor((pageWidth - 2 * margin) / (size * courierAdvanceEm));
    y -= spaceBefore;
    for (const part of wrap(text, width)) {
      if (y - height < margin) {
        pages.push([]);
        y = pageHeight - margin;
      }
      y -= height;
      pages[pages.length - 1].push({ font, size, y, text: part });
    }
  }
  return pages;
}

function contentStream(placed: readonly Placed[], pageNumber: number, pageCount: number): string {
  const ops = placed.map((p) => `BT /${p.font} ${p.size} Tf ${margin} ${p.y.toFixed(2)} Td ${pdfString(p.text)} Tj ET`);
  ops.push(`BT /F1 8 Tf ${margin} ${(margin / 2).toFixed(2)} Td ${pdfString(`Page ${pageNumber} of ${pageCount}`)} Tj ET`);
  return ops.join('\n');
}

/** A PDF of the lines, paginated on A4. */
export function writeTextPdf(lines: readonly ReportLine[], title: string): Uint8Array {
  const pages = layOut(lines);
  // Object numbers: 1 catalog, 2 page tree, 3 Courier, 4 Courier-Bold, 5 info, then page i at
  // 6 + 2i and its content stream at 7 + 2i.
  const pageObject = (i: number) => 6 + 2 * i;
  const objects: string[] = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    `<< /Type /Pages /Kids [${pages.map((_, i) => `${pageObject(i)} 0 R`).join(' ')}] /Count ${pages.length} >>`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Courier-Bold /Encoding /WinAnsiEncoding >>',
    `<< /Title ${pdfString(title)} /Producer (Lungbridge) >>`,
  ];
  pages.forEach((placed, i) => {
    const stream = contentStream(placed, i + 1, pages.length);
    objects.push(
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${pageWidth} ${pageHeight}] ` +
        `/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents ${pageObject(i) + 1} 0 R >>`,
      `<< /Length ${Buffer.byteLength(stream, 'latin1')} >>\nstream\n${stream}\nendstream`,
    );
  });
  // The file is built as a Latin-1 string so that string length = byte offset for the xref.
  let pdf = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(pdf.length);
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  pdf += offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('');
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info 5 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new Uint8Array(Buffer.from(pdf, 'latin1'));
}
