import { describe, expect, it } from 'vitest';
import type { Finding } from '../domain/finding.ts';
import type { BoxMask } from '../domain/mask.ts';
import type { Volume } from '../domain/volume.ts';
import type { Detector } from '../pipeline/detect.ts';
import { blankAxialVolume } from '../lidc/test-fixtures.ts';
import { formatReports, formatTable } from './format-report.ts';
import { detectorReport, reportJson } from './report.ts';
import { runEvaluation, type Analyze } from './run-eval.ts';
import type { ScanLoader, ScanSpec } from './scan-spec.ts';

const cube = (offset: [number, number, number], side: number): BoxMask =>
  ({ offset, size: [side, side, side], data: new Uint8Array(side ** 3).fill(1) });

/** A finding as the pipeline would report it; only what the evaluation reads is meaningful. */
function finding(x: number, probability: number, lengthMm: number, volumeMm3: number, mask: BoxMask): Finding {
  const point = { x, y: 0, z: 0 };
  const line = { start: point, end: point, lengthMm };
  return {
    index: 1, trackingUid: '2.25.1', probability, centroidVoxel: point, centroidMm: point, longAxis: line, shortAxis: line,
    meanDiameterMm: lengthMm, volumeMm3, meanHu: 0, maxHu: 0, type: 'solid', laterality: 'left', zone: 'upper', juxtapleural: false, mask,
  };
}

const detector = (name: string): Detector => ({ name, version: '1', detect: async () => [] });

/** Two scans, each with one 10 mm nodule at x = 0 (ignored region at x = 100 on the second). */
const specs: ScanSpec[] = [
  { source: 'lidc', scanId: 's1', caseDir: '/nowhere/s1' },
  { source: 'phantom', scanId: 's2', options: { seed: 2 } },
];

function fakeLoader(loaded: string[]): ScanLoader {
  return async (spec) => {
    loaded.push(spec.scanId);
    const second = spec.scanId === 's2';
    return {
      volume: blankAxialVolume([4, 4, 2]),
      reference: {
        nodules: [{ id: `${spec.scanId}#1`, centreMm: { x: 0, y: 0, z: 0 }, diameterMm: 10, longAxisMm: 10, volumeMm3: 500, mask: cube([0, 0, 0], 4), type: 'solid' }],
        ignored: second ? [{ centreMm: { x: 100, y: 0, z: 0 }, radiusMm: 3, reason: 'non-nodule' }] : [],
      },
      warnings: second ? ['thin lungs'] : [],
    };
  };
}

const options = { operatingThreshold: 0.5, minProbability: 0, jobs: 1, detectorChoice: 'all' };

/** 'good' finds the nodule (0.9) and raises one FP (0.6) and one on the ignored region; 'weak' scores the nodule 0.3. */
const fakeAnalyze: Analyze = async (_volume: Volume, options) => {
  const good = options.detector!.name === 'good';
  return {
    findings: [
      finding(1, good ? 0.9 : 0.3, 12, 400, cube([0, 0, 0], 2)),
      finding(50, 0.6, 5, 60, cube([20, 0, 0], 2)),
      finding(100, 0.7, 5, 60, cube([30, 0, 0], 2)),
    ],
    timings: { lungs: 10, detect: 20 },
    warnings: [],
  };
};

describe('runEvaluation', () => {
  it('loads each scan once, runs every detector on it and scores at the operating threshold', async () => {
    const loaded: string[] = [];
    const seen: string[] = [];
    const { runs, failures } = await runEvaluation(specs, { good: detector('good'), weak: detector('weak') }, fakeAnalyze, fakeLoader(loaded), {
      ...options, onScan: (scanRuns) => seen.push(...scanRuns.map((r) => `${r.detector}:${r.scanId}`)),
    });
    expect(loaded).toEqual(['s1', 's2']);
    expect(failures).toEqual([]);
    expect(seen).toEqual(['good:s1', 'weak:s1', 'good:s2', 'weak:s2']);
    const good = runs.find((r) => r.detector === 'good' && r.scanId === 's2')!;
    expect(good.score).toMatchObject({ nodules: 1, hits: 1, misses: 0, falsePositives: 1, neither: 1 });
    expect(good.score.measurements[0]).toMatchObject({ longAxisErrorMm: 2, volumeErrorPercent: -20, dice: 8 / (64 + 8) * 2 });
    expect(good.warnings).toEqual(['thin lungs']);
    expect(good.timingsMs.lungs).toBe(10);
    expect(good.timingsMs.volume).toBeGreaterThanOrEqual(0);
    const weak = runs.find((r) => r.detector === 'weak' && r.scanId === 's1')!;
    // Below the operating threshold the nodule is missed, but it is still on the FROC curve.
    expect(weak.score).toMatchObject({ hits: 0, misses: 1, falsePositives: 2 });
    expect(weak.score.matched.match.hitBy).toEqual([0]);
  });

  it('summarises per detector and source, prints them side by side and serialises without masks', async () => {
    const { runs } = await runEvaluation(specs, { good: detector('good'), weak: detector('weak') }, fakeAnalyze, fakeLoader([]), options);
    const reports = ['good', 'weak'].map((name) => detectorReport(name, runs));
    expect(reports[0].lidc).toMatchObject({ scans: 1, nodules: 1, hits: 1, falsePositives: 2, fpPerScan: 2 });
    expect(reports[0].phantom?.froc.cpm).toBe(1); // the hit outranks every false positive
    expect(reports[1].phantom?.froc.cpm).toBeCloseTo(4 / 7); // after one FP at 0.6: 1 FP/scan reached with the hit
    const text = formatReports(reports, [], 0.5);
    expect(text).toContain('== Detector: good');
    expect(text).toContain('== Side by side');
    expect(text).toMatch(/good\s+1\/1\s+2\.00\s+0\.22\s+1\/1\s+1\.00/);
    expect(text).toContain('s2: thin lungs');
    const json = JSON.stringify(reportJson(reports, [], { seed: 1 }));
    expect(json).not.toContain('"data"');
    expect(JSON.parse(json).detectors[0].scans[1].scoredFindings[2].outcome).toEqual({ kind: 'ignored', reason: 'non-nodule' });
  });
});

describe('runEvaluation with a scan that cannot be read', () => {
  it('sets the scan aside with its reason, evaluates the others and says so in the report', async () => {
    const load = fakeLoader([]);
    const brokenFirst: ScanLoader = async (spec) => {
      if (spec.scanId === 's1') throw new Error('no CT series in /nowhere/s1');
      return load(spec);
    };
    const failed: string[] = [];
    const { runs, failures } = await runEvaluation(specs, { good: detector('good') }, fakeAnalyze, brokenFirst, {
      ...options, onFailure: (f) => failed.push(f.scanId),
    });
    expect(failures).toEqual([{ source: 'lidc', scanId: 's1', reason: 'no CT series in /nowhere/s1' }]);
    expect(failed).toEqual(['s1']);
    expect(runs.map((r) => r.scanId)).toEqual(['s2']);
    const reports = [detectorReport('good', runs)];
    expect(reports[0].lidc).toBeUndefined();
    expect(reports[0].phantom).toMatchObject({ scans: 1, hits: 1 });
    expect(formatReports(reports, failures, 0.5)).toContain('== Not evaluated: 1 scan(s), left out of every figure below\n  s1 (lidc): no CT series in /nowhere/s1');
    expect((reportJson(reports, failures, {}) as { notEvaluated: unknown }).notEvaluated).toEqual(failures);
  });
});

describe('formatTable', () => {
  it('pads the first column left and the others right, under a rule', () => {
    expect(formatTable(['a', 'bb'], [['xyz', '1'], ['q', '22']])).toBe('a    bb\n---  --\nxyz   1\nq    22');
  });
});
