import { competitionPerformanceMetric, cpmFpRates, frocCurve, sensitivityAtFpRate } from './froc.ts';
import { summarizeMeasurements, type MeasurementSummary } from './measurement-errors.ts';
import type { ScanScore } from './score-scan.ts';
import { scoreByStratum, sizeBandOf, sizeBands, type StratumScore } from './strata.ts';

export type ScanSource = 'lidc' | 'phantom';

/** One detector on one scan. */
export interface ScanRun {
  readonly detector: string;
  readonly source: ScanSource;
  readonly scanId: string;
  readonly findings: number;
  readonly score: ScanScore;
  /** Milliseconds per stage: `volume` (reading or generating the scan) and the pipeline's stages. */
  readonly timingsMs: Readonly<Record<string, number>>;
  readonly warnings: readonly string[];
}

/** A scan left out of the evaluation, and why. */
export interface ScanFailure {
  readonly source: ScanSource;
  readonly scanId: string;
  readonly reason: string;
}

export interface FrocSummary {
  /** Sensitivity at each CPM FP rate. */
  readonly points: readonly { readonly fpPerScan: number; readonly sensitivity: number }[];
  readonly cpm: number;
  readonly bySize: readonly StratumScore[];
  readonly byType: readonly StratumScore[];
  /** Sensitivity at 1 FP/scan for nodules >= 4 mm. */
  readonly sensitivityAt1FpPerScan4mmPlus: number;
}

export interface SetSummary {
  readonly scans: number;
  readonly nodules: number;
  readonly hits: number;
  readonly misses: number;
  readonly falsePositives: number;
  readonly fpPerScan: number;
  readonly measurements: MeasurementSummary;
  /** Mean milliseconds per stage over the scans. */
  readonly meanTimingsMs: Readonly<Record<string, number>>;
  readonly froc: FrocSummary;
}

export const typeOrder = ['solid', 'part-solid', 'ground-glass'] as const;

export function summarizeFroc(runs: readonly ScanRun[]): FrocSummary {
  const scans = runs.map((r) => r.score.matched);
  const curve = frocCurve(scans);
  return {
    points: cpmFpRates.map((fpPerScan) => ({ fpPerScan, sensitivity: sensitivityAtFpRate(curve, fpPerScan) })),
    cpm: competitionPerformanceMetric(curve),
    bySize: scoreByStratum(scans, (r) => sizeBandOf(r.diameterMm), sizeBands.map((b) => b.label)),
    byType: scoreByStratum(scans, (r) => r.type, typeOrder),
    sensitivityAt1FpPerScan4mmPlus: sensitivityAtFpRate(frocCurve(scans, (r) => r.diameterMm >= 4), 1),
  };
}

export function summarizeSet(runs: readonly ScanRun[]): SetSummary {
  const sum = (pick: (s: ScanScore) => number) => runs.reduce((n, r) => n + pick(r.score), 0);
  const stages = [...new Set(runs.flatMap((r) => Object.keys(r.timingsMs)))];
  const falsePositives = sum((s) => s.falsePositives);
  return {
    scans: runs.length,
    nodules: sum((s) => s.nodules),
    hits: sum((s) => s.hits),
    misses: sum((s) => s.misses),
    falsePositives,
    fpPerScan: runs.length ? falsePositives / runs.length : 0,
    measurements: summarizeMeasurements(runs.flatMap((r) => r.score.measurements)),
    meanTimingsMs: Object.fromEntries(stages.map((stage) => [stage, runs.reduce((n, r) => n + (r.timingsMs[stage] ?? 0), 0) / runs.length])),
    froc: summarizeFroc(runs),
  };
}

export interface DetectorReport {
  readonly detector: string;
  readonly lidc?: SetSummary;
  readonly phantom?: SetSummary;
  readonly runs: readonly ScanRun[];
}

export function detectorReport(detector: string, runs: readonly ScanRun[]): DetectorReport {
  const own = runs.filter((r) => r.detector === detector);
  const of = (source: ScanSource) => own.filter((r) => r.source === source);
  return {
    detector,
    lidc: of('lidc').length ? summarizeSet(of('lidc')) : undefined,
    phantom: of('phantom').length ? summarizeSet(of('phantom')) : undefined,
    runs: own,
  };
}

/** The report as plain JSON: scores and measurements per scan, without masks or matched internals. */
export function reportJson(reports: readonly DetectorReport[], failures: readonly ScanFailure[], settings: Readonly<Record<string, unknown>>): unknown {
  return {
    settings,
    notEvaluated: failures,
    detectors: reports.map((report) => ({
      detector: report.detector,
      lidc: report.lidc,
      phantom: report.phantom,
      scans: report.runs.map(({ score, ...run }) => ({
        ...run,
        operatingThreshold: score.operatingThreshold,
        nodules: score.nodules,
        hits: score.hits,
        misses: score.misses,
        missedIds: score.missedIds,
        falsePositives: score.falsePositives,
        neither: score.neither,
        measurements: score.measurements,
        scoredFindings: score.matched.detections.map((d, n) => ({ ...d, outcome: score.matched.match.outcomes[n] })),
      })),
    })),
  };
}
