/**
 * The lung-screening report as styled lines of text, in reading order: what the PDF lays out
 * (and what a terminal could print). Wording only; no layout.
 */
import type { LungScreeningReport, ReportNodule } from './build-report.ts';

export type LineStyle = 'title' | 'heading' | 'emphasis' | 'body' | 'footnote';
export interface ReportLine {
  readonly style: LineStyle;
  readonly text: string;
}

const line = (style: LineStyle, text: string): ReportLine => ({ style, text });
const percent = (p: number) => `${(p * 100).toFixed(1)} %`;
const signed = (value: number, digits: number) => `${value >= 0 ? '+' : ''}${value.toFixed(digits)}`;

function brockText(nodule: ReportNodule): string {
  const { brock } = nodule;
  if (brock.probability === undefined) return `Brock malignancy probability: not computed (missing ${brock.missingInputs.join(', ')})`;
  if (brock.probabilityIfUnknownPresent === undefined) return `Brock malignancy probability: ${percent(brock.probability)}`;
  return (
    `Brock malignancy probability: ${percent(brock.probability)} to ${percent(brock.probabilityIfUnknownPresent)} ` +
    `(unknown: ${brock.missingInputs.join(', ')}; low value with them absent, high with them present)`
  );
}

function changeText(nodule: ReportNodule): string | undefined {
  const { change } = nodule;
  if (!change) return undefined;
  const parts = [`Change since prior (${change.intervalMonths.toFixed(1)} months): ${change.status}`];
  if (change.meanDiameterChangeMm !== undefined) parts.push(`mean diameter ${signed(change.meanDiameterChangeMm, 1)} mm`);
  if (change.percentVolumeChange !== undefined) parts.push(`volume ${signed(change.percentVolumeChange, 0)} %`);
  if (change.volumeDoublingTimeDays !== undefined && change.volumeDoublingTimeDays > 0) {
    parts.push(`VDT ${Math.round(change.volumeDoublingTimeDays)} days (NELSON ${change.vdtBand})`);
  }
  return parts.join(', ');
}

function noduleLines(nodule: ReportNodule): ReportLine[] {
  const { location, size } = nodule;
  const where = `${location.laterality} lung, ${location.zone} zone${location.juxtapleural ? ', juxtapleural' : ''}`;
  const solid = size.solidComponentMm === undefined ? '' : `, solid component ${size.solidComponentMm.toFixed(1)} mm`;
  const lines = [
    line('heading', `Nodule ${nodule.index}: ${nodule.type}, ${where}`),
    line(
      'body',
      `Long axis ${size.longAxisMm.toFixed(1)} mm, short axis ${size.shortAxisMm.toFixed(1)} mm, mean diameter ` +
        `${size.meanDiameterMm.toFixed(1)} mm${solid}, volume ${size.volumeMm3} mm³`,
    ),
    line('body', `Lung-RADS ${nodule.lungRads.category}: ${nodule.lungRads.rule}`),
    line('body', brockText(nodule)),
  ];
  const change = changeText(nodule);
  if (change) lines.push(line('body', change));
  return lines;
}

/** The report's text in three parts, so that a layout can put a table and images between them. */
export interface ReportSections {
  /** Title, study, exam category and management, up to the nodules heading. */
  readonly header: readonly ReportLine[];
  /** Each nodule in detail. */
  readonly nodules: readonly ReportLine[];
  readonly footer: readonly ReportLine[];
}

export function reportSections(report: LungScreeningReport): ReportSections {
  const { study, analysis, exam } = report;
  return {
    header: [
      line('title', 'Lung cancer screening CT: automated nodule analysis'),
      line('emphasis', report.disclaimer),
      line('body', `Study ${study.studyInstanceUid}${study.studyDate ? `, ${study.studyDate}` : ''}${study.accessionNumber ? `, accession ${study.accessionNumber}` : ''}`),
      line('body', `Series ${study.seriesInstanceUid}`),
      line('body', `Analysis ${analysis.id} at ${analysis.performedAt} by ${analysis.model.name} ${analysis.model.version}`),
      line('heading', `Exam: Lung-RADS v2022 category ${exam.lungRads.category}`),
      line('body', exam.lungRads.rule),
      line('emphasis', `Management: ${report.recommendation}`),
      line('body', exam.comparedWithPrior ? 'Compared with a prior exam.' : 'No prior exam compared (baseline rules).'),
      ...(report.notes?.length ? [line('heading', 'Notes of the automated analysis'), ...report.notes.map((note) => line('body', note))] : []),
      line('heading', report.nodules.length === 0 ? 'No nodules found' : `Nodules (${report.nodules.length})`),
    ],
    nodules: report.nodules.flatMap(noduleLines),
    footer: [
      line('footnote', `Standards: ${report.standards.lungRads}; Brock: ${report.standards.brock}.`),
      line('emphasis', report.disclaimer),
    ],
  };
}

/** One row per nodule for the summary table: the figures a reader scans first. */
export const noduleTableColumns = [
  { header: '#', widthChars: 2 },
  { header: 'Type', widthChars: 12 },
  { header: 'Site', widthChars: 15 },
  { header: 'Long x short', widthChars: 12 },
  { header: 'Mean', widthChars: 6 },
  { header: 'Solid', widthChars: 6 },
  { header: 'Volume', widthChars: 9 },
  { header: 'Lung-RADS', widthChars: 9 },
  { header: 'Brock', widthChars: 13 },
] as const;

export function noduleTableRow(nodule: ReportNodule): string[] {
  const { size, location, brock } = nodule;
  const brockCell = brock.probability === undefined
    ? 'n/a'
    : brock.probabilityIfUnknownPresent === undefined
      ? percent(brock.probability)
      : `${(brock.probability * 100).toFixed(1)}-${percent(brock.probabilityIfUnknownPresent)}`;
  return [
    String(nodule.index),
    nodule.type,
    `${location.laterality === 'right' ? 'R' : 'L'} ${location.zone}${location.juxtapleural ? ' pleura' : ''}`,
    `${size.longAxisMm.toFixed(1)}x${size.shortAxisMm.toFixed(1)}`,
    size.meanDiameterMm.toFixed(1),
    size.solidComponentMm === undefined ? '-' : size.solidComponentMm.toFixed(1),
    `${size.volumeMm3} mm³`,
    nodule.lungRads.category,
    brockCell,
  ];
}
