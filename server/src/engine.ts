import { createClassicalDetector } from './detect/classical-detector.ts';
import type { Detector } from './pipeline/detect.ts';
import { analyzeVolume } from './pipeline/analyze-volume.ts';
import { createPublisher } from './pipeline/publish.ts';
import type { AnalysisEngine } from './service.ts';

/**
 * The analysis the service runs: the detector (the classical one until a trained model is
 * configured), the shared analyse stages, and SR + SEG + report stored back into the study.
 */
/** The detector the service, the CLI and the demo use. */
export async function defaultDetector(): Promise<Detector> {
  return createClassicalDetector();
}

export async function createDefaultEngine(): Promise<AnalysisEngine> {
  const detector = await defaultDetector();
  const model = { name: detector.name, version: detector.version };
  return {
    model,
    analyze: async (volume, options) => {
      const result = await analyzeVolume(volume, { detector, onStage: options.onStage });
      const lungWarning = result.lungs.found ? [] : [`No lungs found, so no nodules were looked for: ${result.lungs.reason ?? 'unknown reason'}`];
      return { findings: result.findings, warnings: [...result.warnings, ...lungWarning], lungs: result.lungs };
    },
    createPublisher: (pacs, database) => createPublisher({ pacs, db: database.db, model }),
  };
}
