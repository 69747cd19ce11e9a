import { availableParallelism } from 'node:os';
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { selectDetectors } from '../../eval/detectors.ts';
import { formatReports } from '../../eval/format-report.ts';
import { detectorReport, reportJson } from '../../eval/report.ts';
import { runEvaluation } from '../../eval/run-eval.ts';
import { lidcScanSpec, loadScan, phantomScanSpec, type ScanSpec } from '../../eval/scan-spec.ts';
import { findLidcCases } from '../../lidc/read-case.ts';
import { analyzeVolume } from '../../pipeline/analyze-volume.ts';
import { generatePhantomSet } from '../../phantom/generate.ts';

export const summary = 'Evaluate detectors on LIDC cases and seeded phantoms (hits, FP/scan, Dice, FROC, CPM)';

export const usage = `Usage: lungbridge eval [--lidc <dir>] [--phantom-set N] [--seed S] [--detector <name>|all]
                     [--threshold P] [--min-probability P] [--jobs N] [--json out.json]
  --lidc <dir>          LIDC cases: a folder per case (DICOM below it and its LidcReadMessage XML), or one case
  --phantom-set N       also N synthetic phantoms with known truth (default 0)
  --seed S              seed of the phantom set (default 1)
  --detector <name>     a detector from the registry, or all of them side by side (default all)
  --threshold P         probability at which a finding counts as reported (default 0.5, the pipeline's)
  --min-probability P   candidates kept for the FROC curve (default 0.1; 0 keeps every candidate the
                        detector scores, at the cost of segmenting them all)
  --jobs N              scans evaluated at once, each in its own process (default 1; memory: ~1 GB each)
  --json <file>         also write the full report as JSON
`;

function numberOption(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new Error(`--${name} must be a number, got "${value}"`);
  return n;
}

export async function run(args: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      lidc: { type: 'string' },
      'phantom-set': { type: 'string' },
      seed: { type: 'string' },
      detector: { type: 'string', default: 'all' },
      threshold: { type: 'string' },
      'min-probability': { type: 'string' },
      jobs: { type: 'string' },
      json: { type: 'string' },
    },
  });
  const phantomCount = numberOption(values['phantom-set'], 'phantom-set', 0);
  if (!values.lidc && phantomCount <= 0) {
    process.stderr.write(`lungbridge eval: give --lidc <dir> and/or --phantom-set N\n${usage}`);
    return 2;
  }
  const seed = numberOption(values.seed, 'seed', 1);
  const operatingThreshold = numberOption(values.threshold, 'threshold', 0.5);
  const minProbability = numberOption(values['min-probability'], 'min-probability', 0.1);
  const jobs = Math.min(numberOption(values.jobs, 'jobs', 1), availableParallelism());
  const detectors = await selectDetectors(values.detector);

  const lidcCases = values.lidc ? await findLidcCases(values.lidc) : [];
  if (values.lidc && lidcCases.length === 0) throw new Error(`No LIDC cases (folders with a LidcReadMessage XML) under ${values.lidc}`);
  const specs: ScanSpec[] = [...lidcCases.map(lidcScanSpec), ...generatePhantomSet(phantomCount, seed).map(phantomScanSpec)];
  const { runs, failures } = await runEvaluation(specs, detectors, analyzeVolume, loadScan, {
    operatingThreshold,
    minProbability,
    jobs,
    detectorChoice: values.detector,
    onScan: (scanRuns) => {
      for (const r of scanRuns) {
        const seconds = Object.values(r.timingsMs).reduce((s, v) => s + v, 0) / 1000;
        process.stderr.write(`[${r.detector}] ${r.scanId}: ${r.score.hits}/${r.score.nodules} hit, ${r.score.falsePositives} FP, ${r.findings} findings (${seconds.toFixed(1)} s)\n`);
      }
    },
    onFailure: (failure) => process.stderr.write(`${failure.scanId}: not evaluated: ${failure.reason}\n`),
  });
  const reports = Object.keys(detectors).map((name) => detectorReport(name, runs));
  process.stdout.write(formatReports(reports, failures, operatingThreshold));
  if (values.json) {
    const settings = { lidc: values.lidc, phantomSet: phantomCount, seed, operatingThreshold, minProbability, jobs,
      detectors: Object.fromEntries(Object.entries(detectors).map(([k, d]) => [k, { name: d.name, version: d.version }])) };
    await writeFile(values.json, `${JSON.stringify(reportJson(reports, failures, settings), null, 2)}\n`);
    process.stderr.write(`Report written to ${values.json}\n`);
  }
  // The report stands for the scans it covers; a scan left out makes the exit status say so.
  return failures.length ? 1 : 0;
}
