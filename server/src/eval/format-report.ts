import type { DetectorReport, ScanFailure, ScanRun, SetSummary } from './report.ts';

/** A plain-text table: first column left-aligned, the others right-aligned, columns two spaces apart. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const fixed = (value: number | undefined, digits: number, signed = false) =>
  value === undefined || !Number.isFinite(value) ? '-' : `${signed && value > 0 ? '+' : ''}${value.toFixed(digits)}`;
const seconds = (ms: number | undefined) => fixed(ms === undefined ? undefined : ms / 1000, 1);

const stageColumns = ['volume', 'lungs', 'detect', 'segment', 'measure'] as const;

function scanRow(run: ScanRun): string[] {
  const { score } = run;
  const dice = score.measurements.flatMap((m) => (m.dice === undefined ? [] : [m.dice]));
  const mean = (values: number[]) => (values.length ? values.reduce((s, v) => s + v, 0) / values.length : undefined);
  const total = Object.values(run.timingsMs).reduce((s, v) => s + v, 0);
  return [
    run.scanId,
    String(score.nodules),
    String(score.hits),
    String(score.misses),
    String(score.falsePositives),
    fixed(mean(dice), 2),
    fixed(mean(score.measurements.map((m) => m.longAxisErrorMm)), 1, true),
    fixed(mean(score.measurements.map((m) => m.volumeErrorPercent)), 0, true),
    ...stageColumns.map((s) => seconds(run.timingsMs[s])),
    seconds(total),
  ];
}

function totalRow(label: string, set: SetSummary): string[] {
  const m = set.measurements;
  const total = Object.values(set.meanTimingsMs).reduce((s, v) => s + v, 0);
  return [
    label, String(set.nodules), String(set.hits), String(set.misses), `${set.falsePositives} (${fixed(set.fpPerScan, 2)}/scan)`,
    fixed(m.meanDice, 2), fixed(m.meanLongAxisErrorMm, 1, true), fixed(m.meanVolumeErrorPercent, 0, true),
    ...stageColumns.map((s) => seconds(set.meanTimingsMs[s])), seconds(total),
  ];
}

const scanHeaders = [
  'scan', 'nodules', 'hits', 'misses', 'FP', 'Dice', 'long axis err mm', 'volume err %',
  ...stageColumns.map((s) => `${s} s`), 'total s',
];

function frocTable(set: SetSummary): string {
  const { froc } = set;
  const headers = ['stratum', 'nodules', 'hit (any score)', ...froc.points.map((p) => `${fixed(p.fpPerScan, 3).replace(/0+$/, '').replace(/\.$/, '')} FP`), 'CPM'];
  const all = ['all', String(set.nodules), String(froc.bySize.reduce((n, s) => n + s.hits, 0)), ...froc.points.map((p) => fixed(p.sensitivity, 2)), fixed(froc.cpm, 3)];
  const strata = [...froc.bySize, ...froc.byType].map((s) => [s.stratum, String(s.nodules), String(s.hits), ...s.sensitivities.map((v) => fixed(v, 2)), fixed(s.cpm, 3)]);
  return formatTable(headers, [all, ...strata]);
}

function setSection(title: string, runs: readonly ScanRun[], set: SetSummary, withFroc: boolean): string {
  const parts = [
    title,
    formatTable(scanHeaders, [...runs.map(scanRow), totalRow(runs.length > 1 ? `all (${runs.length}; time = mean)` : 'all', set)]),
  ];
  if (withFroc) {
    parts.push(
      `FROC over ${set.scans} scans: sensitivity at FP/scan; per stratum the CPM against all false positives`,
      frocTable(set),
      `Sensitivity at 1 FP/scan, nodules >= 4 mm: ${fixed(set.froc.sensitivityAt1FpPerScan4mmPlus, 2)}`,
    );
  }
  return parts.join('\n');
}

/** The per-detector detail tables, then a side-by-side comparison when there is more than one detector. */
export function formatReports(reports: readonly DetectorReport[], failures: readonly ScanFailure[], operatingThreshold: number): string {
  const sections: string[] = [];
  if (failures.length) {
    sections.push([`== Not evaluated: ${failures.length} scan(s), left out of every figure below`, ...failures.map((f) => `  ${f.scanId} (${f.source}): ${f.reason}`)].join('\n'));
  }
  for (const report of reports) {
    sections.push(`== Detector: ${report.detector} (hits, misses, FP, Dice and errors at probability >= ${operatingThreshold}; errors are finding minus reference, means over hits)`);
    const lidcRuns = report.runs.filter((r) => r.source === 'lidc');
    const phantomRuns = report.runs.filter((r) => r.source === 'phantom');
    if (report.lidc) sections.push(setSection('LIDC (reference: >= 3 of 4 readers; Dice vs 50 % consensus; errors vs readers\' mean)', lidcRuns, report.lidc, false));
    if (report.phantom) sections.push(setSection('Phantoms (reference: rendered truth)', phantomRuns, report.phantom, true));
    const warned = report.runs.filter((r) => r.warnings.length);
    if (warned.length) sections.push(['Warnings', ...warned.flatMap((r) => r.warnings.map((w) => `  ${r.scanId}: ${w}`))].join('\n'));
  }
  if (reports.length > 1) {
    const rows = reports.map((r) => [
      r.detector,
      r.lidc ? `${r.lidc.hits}/${r.lidc.nodules}` : '-', r.lidc ? fixed(r.lidc.fpPerScan, 2) : '-', fixed(r.lidc?.measurements.meanDice, 2),
      r.phantom ? `${r.phantom.hits}/${r.phantom.nodules}` : '-', r.phantom ? fixed(r.phantom.fpPerScan, 2) : '-', fixed(r.phantom?.measurements.meanDice, 2),
      fixed(r.phantom?.froc.cpm, 3), fixed(r.phantom?.froc.sensitivityAt1FpPerScan4mmPlus, 2),
    ]);
    sections.push('== Side by side', formatTable(
      ['detector', 'LIDC hits', 'LIDC FP/scan', 'LIDC Dice', 'phantom hits', 'phantom FP/scan', 'phantom Dice', 'phantom CPM', 'sens@1FP >=4mm'],
      rows,
    ));
  }
  return `${sections.join('\n\n')}\n`;
}
