import type { LungScreeningReport } from './build-report.ts';
import type { RgbImage } from './key-image.ts';
import { writePdf, type PdfBlock } from './pdf-writer.ts';
import { noduleTableColumns, noduleTableRow, reportSections } from './report-text.ts';

/** A key image of one nodule (report/key-image.ts) and what its caption says besides the nodule. */
export interface ReportKeyImage {
  readonly noduleIndex: number;
  readonly image: RgbImage;
  /** e.g. the slice and field of view. */
  readonly note: string;
}

/** Key images print at this width (points): three side by side on A4. */
const keyImageWidthPt = 150;

/**
 * The report as a PDF on A4 (see pdf-writer.ts for what the PDF holds): header and exam category,
 * a table of the nodules, their key images with the outline of each mask, each nodule in detail,
 * the standards and the disclaimer.
 */
export function renderReportPdf(report: LungScreeningReport, keyImages: readonly ReportKeyImage[] = []): Uint8Array {
  const { header, nodules, footer } = reportSections(report);
  const blocks: PdfBlock[] = [...header];
  if (report.nodules.length > 0) blocks.push({ kind: 'table', columns: noduleTableColumns, rows: report.nodules.map(noduleTableRow) });
  const images = [...keyImages].sort((a, b) => a.noduleIndex - b.noduleIndex).map((k) => {
    const nodule = report.nodules.find((n) => n.index === k.noduleIndex);
    if (!nodule) throw new RangeError(`key image for nodule ${k.noduleIndex}, which the report does not have`);
    return { image: k.image, caption: `Nodule ${k.noduleIndex}: ${nodule.type}, ${nodule.size.meanDiameterMm.toFixed(1)} mm, Lung-RADS ${nodule.lungRads.category}; ${k.note}` };
  });
  if (images.length > 0) blocks.push({ kind: 'images', widthPt: keyImageWidthPt, items: images });
  blocks.push(...nodules, ...footer);
  return writePdf(blocks, `Lung screening report ${report.analysis.id}`);
}
