/**
 * A minimal PDF 1.4 writer for styled lines of text, ruled tables and rows of RGB images on A4
 * pages (ISO 32000-1: a catalog, a page tree, the standard 14 fonts Courier and Courier-Bold with
 * WinAnsiEncoding, image XObjects (8-bit DeviceRGB, FlateDecode via node:zlib, 8.9.5), one content
 * stream per page, a cross-reference table). Courier is monospaced (every glyph 600/1000 em wide,
 * Adobe's Courier AFM), so wrapping by character count is exact without font metrics.
 */
import { deflateSync } from 'node:zlib';
import type { RgbImage } from './key-image.ts';
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

/** A table in Courier 8 pt: column widths in characters, cells cut to fit, header repeated per page. */
export interface TableBlock {
  readonly kind: 'table';
  readonly columns: readonly { readonly header: string; readonly widthChars: number }[];
  readonly rows: readonly (readonly string[])[];
}

/** Images side by side (as many as fit the width), each with a caption below. */
export interface ImageRowBlock {
  readonly kind: 'images';
  readonly widthPt: number;
  readonly items: readonly { readonly image: RgbImage; readonly caption: string }[];
}

export type PdfBlock = ReportLine | TableBlock | ImageRowBlock;

const table = { size: 8, font: 'F1', headerFont: 'F2', rowHeight: 8 * lineHeightFactor } as const;
const caption = { size: 7, gapPt: 12 } as const;

type Placed =
  | { readonly kind: 'text'; readonly font: 'F1' | 'F2'; readonly size: number; readonly x: number; readonly y: number; readonly text: string }
  | { readonly kind: 'rule'; readonly x1: number; readonly x2: number; readonly y: number }
  | { readonly kind: 'image'; readonly name: string; readonly x: number; readonly y: number; readonly size: number };

class Layout {
  readonly pages: Placed[][] = [[]];
  y = pageHeight - margin;

  place(item: Placed): void { this.pages[this.pages.length - 1].push(item); }

  /** Starts a new page when `height` would cross the bottom margin; true when it did. */
  ensure(height: number): boolean {
    if (this.y - height >= margin) return false;
    this.pages.push([]);
    this.y = pageHeight - margin;
    return true;
  }

  /** Moves down by `height`, on a new page when it would not fit. */
  take(height: number): void {
    this.ensure(height);
    this.y -= height;
  }
}

function layOutLine(layout: Layout, { style, text }: ReportLine): void {
  const { font, size, spaceBefore } = styles[style];
  const width = Math.floor((pageWidth - 2 * margin) / (size * courierAdvanceEm));
  layout.y -= spaceBefore;
  for (const part of wrap(text, width)) {
    layout.take(size * lineHeightFactor);
    layout.place({ kind: 'text', font, size, x: margin, y: layout.y, text: part });
  }
}

function layOutTable(layout: Layout, block: TableBlock): void {
  const charPt = table.size * courierAdvanceEm;
  const right = margin + block.columns.reduce((sum, c) => sum + c.widthChars + 1, 0) * charPt;
  const row = (cells: readonly string[], font: 'F1' | 'F2') => {
    let x = margin;
    block.columns.forEach((column, n) => {
      const cell = (cells[n] ?? '').slice(0, column.widthChars);
      if (cell) layout.place({ kind: 'text', font, size: table.size, x, y: layout.y + 2.5, text: cell });
      x += (column.widthChars + 1) * charPt;
    });
  };
  const header = () => {
    layout.ensure(2 * table.rowHeight);
    layout.place({ kind: 'rule', x1: margin, x2: right, y: layout.y });
    layout.y -= table.rowHeight;
    row(block.columns.map((c) => c.header), table.headerFont);
    layout.place({ kind: 'rule', x1: margin, x2: right, y: layout.y });
  };
  layout.y -= 6;
  header();
  for (const cells of block.rows) {
    if (layout.ensure(table.rowHeight)) header();
    layout.y -= table.rowHeight;
    row(cells, table.font);
  }
  layout.place({ kind: 'rule', x1: margin, x2: right, y: layout.y });
}

function layOutImages(layout: Layout, block: ImageRowBlock, imageName: (image: RgbImage) => string): void {
  const perRow = Math.max(1, Math.floor((pageWidth - 2 * margin + caption.gapPt) / (block.widthPt + caption.gapPt)));
  const captionChars = Math.floor(block.widthPt / (caption.size * courierAdvanceEm));
  for (let start = 0; start < block.items.length; start += perRow) {
    const items = block.items.slice(start, start + perRow);
    const captions = items.map((item) => wrap(item.caption, captionChars));
    const captionLines = Math.max(...captions.map((c) => c.length));
    layout.y -= 8;
    layout.take(block.widthPt + 4 + captionLines * caption.size * lineHeightFactor);
    const bottom = layout.y;
    items.forEach((item, n) => {
      const x = margin + n * (block.widthPt + caption.gapPt);
      const imageY = bottom + captionLines * caption.size * lineHeightFactor + 4;
      layout.place({ kind: 'image', name: imageName(item.image), x, y: imageY, size: block.widthPt });
      captions[n].forEach((text, line) => {
        layout.place({ kind: 'text', font: 'F1', size: caption.size, x, y: imageY - 4 - (line + 1) * caption.size * lineHeightFactor + 2, text });
      });
    });
  }
}

function contentStream(placed: readonly Placed[], pageNumber: number, pageCount: number): string {
  const ops = placed.map((p) => {
    switch (p.kind) {
      case 'text': return `BT /${p.font} ${p.size} Tf ${p.x.toFixed(2)} ${p.y.toFixed(2)} Td ${pdfString(p.text)} Tj ET`;
      case 'rule': return `0.5 w ${p.x1.toFixed(2)} ${p.y.toFixed(2)} m ${p.x2.toFixed(2)} ${p.y.toFixed(2)} l S`;
      case 'image': return `q ${p.size.toFixed(2)} 0 0 ${p.size.toFixed(2)} ${p.x.toFixed(2)} ${p.y.toFixed(2)} cm /${p.name} Do Q`;
    }
  });
  ops.push(`BT /F1 8 Tf ${margin} ${(margin / 2).toFixed(2)} Td ${pdfString(`Page ${pageNumber} of ${pageCount}`)} Tj ET`);
  return ops.join('\n');
}

/** A PDF of the blocks in order, paginated on A4. */
export function writePdf(blocks: readonly PdfBlock[], title: string): Uint8Array {
  const layout = new Layout();
  const images: RgbImage[] = [];
  const imageName = (image: RgbImage) => {
    const n = images.includes(image) ? images.indexOf(image) : images.push(image) - 1;
    return `Im${n + 1}`;
  };
  for (const block of blocks) {
    if (!('kind' in block)) layOutLine(layout, block);
    else if (block.kind === 'table') layOutTable(layout, block);
    else layOutImages(layout, block, imageName);
  }
  const { pages } = layout;
  // Object numbers: 1 catalog, 2 page tree, 3 Courier, 4 Courier-Bold, 5 info, then the images,
  // then page i and its content stream.
  const firstImage = 6;
  const pageObject = (i: number) => firstImage + images.length + 2 * i;
  const xObjects = images.length ? ` /XObject << ${images.map((_, n) => `/Im${n + 1} ${firstImage + n} 0 R`).join(' ')} >>` : '';
  const objects: string[] = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    `<< /Type /Pages /Kids [${pages.map((_, i) => `${pageObject(i)} 0 R`).join(' ')}] /Count ${pages.length} >>`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Courier-Bold /Encoding /WinAnsiEncoding >>',
    `<< /Title ${pdfString(title)} /Producer (Lungbridge) >>`,
  ];
  for (const image of images) {
    if (image.rgb.length !== image.width * image.height * 3) throw new RangeError(`image of ${image.width} x ${image.height} needs ${image.width * image.height * 3} RGB bytes, got ${image.rgb.length}`);
    const data = deflateSync(image.rgb).toString('latin1');
    objects.push(
      `<< /Type /XObject /Subtype /Image /Width ${image.width} /Height ${image.height} /ColorSpace /DeviceRGB ` +
        `/BitsPerComponent 8 /Filter /FlateDecode /Length ${data.length} >>\nstream\n${data}\nendstream`,
    );
  }
  pages.forEach((placed, i) => {
    const stream = contentStream(placed, i + 1, pages.length);
    objects.push(
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${pageWidth} ${pageHeight}] ` +
        `/Resources << /Font << /F1 3 0 R /F2 4 0 R >>${xObjects} >> /Contents ${pageObject(i) + 1} 0 R >>`,
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
