import { createPublisher } from './pipeline/publish.ts';
import type { DetectorOptions } from './pipeline/create-detector.ts';
import type { AnalysisEngine } from './service.ts';
import { startAnalysisThread } from './threads/analysis-thread.ts';

/**
 * The analysis the service runs: the chosen detector (`createDetector`) and the shared analyse
 * stages on the analysis thread, results stored back from the service's own.
 */
export async function createDefaultEngine(options: DetectorOptions = {}): Promise<AnalysisEngine> {
  const thread = await startAnalysisThread(options);
  const { model } = thread;
  return {
    model,
    analyze: async (volume, options) => {
      const result = await thread.analyze(volume, options);
      const lungWarning = result.lungs.found ? [] : [`No lungs found, so no nodules were looked for: ${result.lungs.reason ?? 'unknown reason'}`];
      return { findings: result.findings, warnings: [...result.warnings, ...lungWarning], lungs: result.lungs };
    },
    lungs: thread.lungs,
    lungSurface: thread.lungSurface,
    buildVolume: thread.buildVolume,
    encode: thread.encode,
    createPublisher: (pacs, database) => createPublisher({ pacs, db: database.db, model, encode: thread.encode }),
    close: () => thread.close(),
  };
}
