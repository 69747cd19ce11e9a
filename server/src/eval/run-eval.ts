import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Volume } from '../domain/volume.ts';
import type { AnalyzeOptions, VolumeAnalysis } from '../pipeline/analyze-volume.ts';
import type { Detector } from '../pipeline/detect.ts';
import type { ScanFailure, ScanRun } from './report.ts';
import type { ScanLoader, ScanSpec } from './scan-spec.ts';
import { scoreScan } from './score-scan.ts';
import { errorMessage } from '../errors/error-message.ts';

export type Analyze = (volume: Volume, options: AnalyzeOptions) => Promise<Pick<VolumeAnalysis, 'findings' | 'timings' | 'warnings'>>;

export interface ScoringOptions {
  /** Probability at or above which a finding counts as reported (hits, misses, FP, measurements). */
  readonly operatingThreshold: number;
  /** Candidates down to this probability are kept for the FROC curve. */
  readonly minProbability: number;
}

/**
 * Loads one scan and runs every detector on it through the same pipeline (`analyze` is
 * analyzeVolume; a parameter so tests can fake it), scoring the findings.
 */
export async function evaluateScan(
  spec: ScanSpec,
  load: ScanLoader,
  detectors: Readonly<Record<string, Detector>>,
  analyze: Analyze,
  options: ScoringOptions,
): Promise<ScanRun[]> {
  const start = performance.now();
  const { volume, reference, warnings } = await load(spec);
  const loadMs = performance.now() - start;
  const runs: ScanRun[] = [];
  for (const [name, detector] of Object.entries(detectors)) {
    const analysis = await analyze(volume, { detector, minProbability: options.minProbability });
    runs.push({
      detector: name,
      source: spec.source,
      scanId: spec.scanId,
      findings: analysis.findings.length,
      score: scoreScan(reference, analysis.findings, options.operatingThreshold),
      timingsMs: { volume: loadMs, ...analysis.timings },
      warnings: [...warnings, ...analysis.warnings],
    });
  }
  return runs;
}

/** What a worker process is asked to do (see ./scan-worker.ts). */
export interface WorkerRequest extends ScoringOptions {
  readonly spec: ScanSpec;
  readonly detector: string;
}

export interface EvalOptions extends ScoringOptions {
  /** Scans evaluated at once, each in its own process; 1 = in this process, in order. */
  readonly jobs: number;
  /** `--detector` choice, passed to worker processes so they build the same detectors. */
  readonly detectorChoice: string;
  readonly onScan?: (runs: readonly ScanRun[]) => void;
  readonly onFailure?: (failure: ScanFailure) => void;
}

export interface Evaluation {
  /** Every detector's run of every scan that could be evaluated, in scan order. */
  readonly runs: readonly ScanRun[];
  /** Scans that could not be loaded or analysed, with why: the rest are evaluated without them. */
  readonly failures: readonly ScanFailure[];
}

const workerModule = fileURLToPath(new URL('./scan-worker.ts', import.meta.url));

function evaluateInWorker(request: WorkerRequest): Promise<ScanRun[]> {
  return new Promise((resolve, reject) => {
    // 'advanced' serialization carries the masks' Uint8Arrays; tsx runs the TypeScript worker.
    const child = fork(workerModule, [], { execArgv: ['--import', import.meta.resolve('tsx')], serialization: 'advanced' });
    let settled = false;
    child.once('message', (message: { runs?: ScanRun[]; error?: string }) => {
      settled = true;
      if (message.runs) resolve(message.runs);
      else reject(new Error(message.error));
      child.disconnect();
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (!settled) reject(new Error(`worker exited with code ${code}`));
    });
    child.send(request);
  });
}

/**
 * Evaluates every scan with every detector, `jobs` scans at a time, and returns the runs in scan
 * order (whatever order they finished in). A scan that cannot be read or analysed (a broken case
 * folder in a full LIDC-IDRI download) is set aside with its reason; the others are still evaluated.
 */
export async function runEvaluation(
  specs: readonly ScanSpec[],
  detectors: Readonly<Record<string, Detector>>,
  analyze: Analyze,
  load: ScanLoader,
  options: EvalOptions,
): Promise<Evaluation> {
  const results: ScanRun[][] = new Array(specs.length).fill([]);
  const failed: (ScanFailure | undefined)[] = new Array(specs.length);
  let next = 0;
  const lane = async () => {
    while (next < specs.length) {
      const n = next++;
      const spec = specs[n];
      try {
        results[n] = options.jobs > 1
          ? await evaluateInWorker({ spec, detector: options.detectorChoice, operatingThreshold: options.operatingThreshold, minProbability: options.minProbability })
          : await evaluateScan(spec, load, detectors, analyze, options);
        options.onScan?.(results[n]);
      } catch (error) {
        failed[n] = { source: spec.source, scanId: spec.scanId, reason: errorMessage(error) };
        options.onFailure?.(failed[n]!);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.jobs, specs.length)) }, lane));
  return { runs: results.flat(), failures: failed.filter((f) => f !== undefined) };
}
