import type { Finding } from '../domain/finding.ts';
import type { Volume } from '../domain/volume.ts';
import type { AnalyzeOptions, VolumeAnalysis } from '../pipeline/analyze-volume.ts';
import type { Detector } from '../pipeline/detect.ts';
import type { ScanReference } from './references.ts';
import type { ScanRun, ScanSource } from './report.ts';
import { scoreScan } from './score-scan.ts';

/** A scan to evaluate, loaded only when its turn comes (a 320-slice volume is 168 MB). */
export interface EvalScan {
  readonly source: ScanSource;
  readonly scanId: string;
  load(): Promise<{ readonly volume: Volume; readonly reference: ScanReference; readonly warnings: readonly string[] }>;
}

export type Analyze = (volume: Volume, options: AnalyzeOptions) => Promise<Pick<VolumeAnalysis, 'findings' | 'timings' | 'warnings'>>;

export interface EvalOptions {
  /** Probability at or above which a finding counts as reported (hits, misses, FP, measurements). */
  readonly operatingThreshold: number;
  /** Candidates down to this probability are kept for the FROC curve. */
  readonly minProbability: number;
  readonly onScan?: (run: ScanRun) => void;
}

/**
 * Runs every detector on every scan through the same pipeline, one scan in memory at a time, and
 * scores the findings. `analyze` is the pipeline (analyzeVolume); a parameter so tests can fake it.
 */
export async function runEvaluation(
  scans: Iterable<EvalScan> | AsyncIterable<EvalScan>,
  detectors: Readonly<Record<string, Detector>>,
  analyze: Analyze,
  options: EvalOptions,
): Promise<ScanRun[]> {
  const runs: ScanRun[] = [];
  for await (const scan of scans) {
    const start = performance.now();
    const { volume, reference, warnings } = await scan.load();
    const loadMs = performance.now() - start;
    for (const [name, detector] of Object.entries(detectors)) {
      const analysis = await analyze(volume, { detector, minProbability: options.minProbability });
      const findings: readonly Finding[] = analysis.findings;
      const run: ScanRun = {
        detector: name,
        source: scan.source,
        scanId: scan.scanId,
        findings: findings.length,
        score: scoreScan(reference, findings, options.operatingThreshold),
        timingsMs: { volume: loadMs, ...analysis.timings },
        warnings: [...warnings, ...analysis.warnings],
      };
      runs.push(run);
      options.onScan?.(run);
    }
  }
  return runs;
}
